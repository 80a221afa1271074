import pytest

from mentorapp.views import safe_next


@pytest.mark.parametrize("target", ["/account", "/admin/people?q=a", "/"])
def test_local_paths_are_followed(target):
    assert safe_next(target, "/dashboard") == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "evil",
        "javascript:alert(1)",
        "/\x00",
        "/ok\r\nLocation: x",
    ],
)
def test_anything_else_goes_to_the_default(target):
    assert safe_next(target, "/dashboard") == "/dashboard"
