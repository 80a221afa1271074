import pytest

from mentorapp.auth.passwords import (
    common_passwords,
    hash_password,
    password_problem,
    verify_password,
)


@pytest.mark.parametrize(
    "password",
    ["tape saturation is my friend", "Mix-at-low-volume-2026", "ünïcödé passphrase"],
)
def test_good_passwords_pass(password):
    assert password_problem(password, email="priya@example.com", name="Priya") is None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 10"),
        ("x" * 201, "at most 200"),
        ("1234567890", "too common"),
        ("QWERTYUIOP", "too common"),
        ("abababababab", "too common"),
        ("priya@example.com", "email address or your name"),
        ("Priya Raman Producer", None),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, reason):
    problem = password_problem(password, email="priya@example.com", name="Priya Raman")
    if reason is None:
        assert problem is None
    else:
        assert reason in problem


def test_the_common_list_is_loaded_and_long_enough_to_matter():
    assert len(common_passwords()) > 1000
    assert "password123" in common_passwords()


def test_hashes_are_argon2id_salted_and_verifiable():
    first, second = hash_password("tape saturation"), hash_password("tape saturation")
    assert first.startswith("$argon2id$") and first != second
    assert "m=19456,t=2,p=1" in first
    assert verify_password(first, "tape saturation")
    assert not verify_password(first, "tape saturatioN")
    assert not verify_password(None, "tape saturation")
    assert not verify_password("not a hash", "tape saturation")
