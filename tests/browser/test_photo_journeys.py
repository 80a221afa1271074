"""A profile photo in a real browser: chosen and uploaded with the keyboard alone, seen on
the profile, refused with the reason by the field, and uploaded without JavaScript.
Every page is checked with axe; screenshots at 1280 and 375 px go to test-artifacts."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, assert_accessible, navigate, visit
from tests.browser.test_account_journeys import assert_no_horizontal_scroll, flashes, log_in
from tests.factories import DEFAULT_PASSWORD

EMAIL = "rosa@example.com"
NAME = "Rosa Engineer"
NARROW = {"width": 375, "height": 812}


def a_photo(path) -> str:
    """A JPEG with GPS in its EXIF, written to `path`."""
    picture = Image.new("RGB", (640, 480), (40, 120, 200))
    picture.paste((250, 200, 40), (160, 120, 480, 360))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 12.5)})
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return str(path)


def tab_to(page: Page, locator, limit: int = 80) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def photo_of(page: Page):
    return page.get_by_role("img", name=f"Photo of {NAME}")


def expect_loaded(image) -> None:
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo did not load"


def test_upload_a_photo_with_the_keyboard_and_see_it_on_the_profile(
    page: Page, users, tmp_path, open_page
):
    person = users(email=EMAIL, display_name=NAME)
    log_in(page, EMAIL, DEFAULT_PASSWORD)
    visit(page, f"/people/{person}")
    expect(photo_of(page)).to_have_count(0)  # the initial, until there is a photo
    keys = page.keyboard

    tab_to(page, page.get_by_role("link", name="Add a photo of yourself"))
    navigate(page, lambda: keys.press("Enter"), status=200)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your photo")

    chooser = page.get_by_label("Your photo")
    tab_to(page, chooser)
    with page.expect_file_chooser() as chosen:
        keys.press("Space")
    chosen.value.set_files(a_photo(tmp_path / "rosa.jpg"))
    tab_to(page, page.get_by_role("button", name="Upload photo"))
    navigate(page, lambda: keys.press("Enter"), status=200)

    expect(flashes(page)).to_contain_text("Your photo is saved.")
    expect_loaded(photo_of(page))
    assert_accessible(page)
    page.screenshot(path=str(ARTIFACTS / "photo-page-1280.png"), full_page=True)

    tab_to(page, page.get_by_role("link", name="Back to your profile"))
    navigate(page, lambda: keys.press("Enter"), status=200)
    photo = photo_of(page)
    expect_loaded(photo)
    expect(photo).to_have_attribute("width", "120")
    page.screenshot(path=str(ARTIFACTS / "photo-profile-1280.png"))

    narrow = open_page(viewport=NARROW)
    log_in(narrow, EMAIL, DEFAULT_PASSWORD)
    visit(narrow, f"/people/{person}")
    expect_loaded(photo_of(narrow))
    assert_no_horizontal_scroll(narrow)
    narrow.screenshot(path=str(ARTIFACTS / "photo-profile-375.png"))
    visit(narrow, f"/people/{person}/photo")
    assert_no_horizontal_scroll(narrow)
    narrow.screenshot(path=str(ARTIFACTS / "photo-page-375.png"), full_page=True)


def test_a_file_that_is_not_a_photo_is_refused_by_the_field(page: Page, users, tmp_path):
    person = users(email=EMAIL, display_name=NAME)
    renamed = tmp_path / "holiday.jpg"
    renamed.write_bytes(b"%PDF-1.4\n%%EOF\n")
    log_in(page, EMAIL, DEFAULT_PASSWORD)
    visit(page, f"/people/{person}/photo")

    page.get_by_label("Your photo").set_input_files(str(renamed))
    navigate(page, page.get_by_role("button", name="Upload photo").click, status=422)

    field = page.get_by_label("Your photo")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#photo-error")).to_contain_text("not a JPEG, PNG or WebP picture")
    expect(page.get_by_role("alert")).to_contain_text("not a JPEG, PNG or WebP picture")
    page.screenshot(path=str(ARTIFACTS / "photo-refused-1280.png"), full_page=True)


def test_upload_and_remove_without_javascript(nojs_page: Page, users, tmp_path):
    page = nojs_page
    person = users(email=EMAIL, display_name=NAME)
    log_in(page, EMAIL, DEFAULT_PASSWORD)
    visit(page, f"/people/{person}/photo")

    page.get_by_label("Your photo").set_input_files(a_photo(tmp_path / "rosa.jpg"))
    navigate(page, page.get_by_role("button", name="Upload photo").click, status=200)
    expect(photo_of(page)).to_be_visible()

    navigate(page, page.get_by_role("button", name="Remove my photo").click, status=200)
    expect(flashes(page)).to_contain_text("Your photo is removed")
    expect(photo_of(page)).to_have_count(0)
