"""Profile photos: what is refused (and says why next to the field), what is kept of a
picture (pixels, upright; no EXIF or GPS), the sizes served and their headers, and that
replacing, removing and deleting the account leave no file behind. Each test runs on
local disk and on S3 (moto's server on a port of its own), on the test database."""

from __future__ import annotations

import io
import os
import re
import socket
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image
from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import MenteeProfile, PhotoRemoval, User
from mentorapp.models.types import utcnow
from mentorapp.photos import images
from tests.functional.apprenticeship_builders import (
    make_apprenticeship,
    make_mentor,
    post,
    signed_in,
    token,
)
from tests.helpers import text

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def app(request, make_app, monkeypatch):
    """The app on local disk, or on a fresh bucket of the moto S3 server."""
    if request.param == "local":
        return make_app()
    endpoint = request.getfixturevalue("s3_endpoint")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"photos-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    return make_app(FILE_STORAGE="s3", S3_BUCKET=bucket, S3_ENDPOINT_URL=endpoint)


def stored_files(app) -> list[str]:
    """Every file the app's storage holds, wherever it is."""
    if app.config.get("FILE_STORAGE") == "s3":
        client = boto3.client("s3", endpoint_url=app.config["S3_ENDPOINT_URL"])
        listing = client.list_objects_v2(Bucket=app.config["S3_BUCKET"])
        return sorted(o["Key"] for o in listing.get("Contents", []))
    root = os.path.join(app.instance_path, "files")
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
        if not name.endswith(".type")
    )


# Pictures, made here (no binaries in the repository) ---------------------------------


def photo_with_gps(width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """A JPEG whose left half is red and right half blue, with GPS and a camera in its
    EXIF, taken sideways (orientation 6: turn 90 degrees clockwise to view)."""
    picture = Image.new("RGB", (width, height), (220, 20, 20))
    picture.paste((20, 20, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Secret Camera Maker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 22.0, 12.5), 3: "E", 4: (4.0, 53.0, 41.0)})
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def png(width: int = 300, height: int = 300, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 160, 90, 255) if mode == "RGBA" else 1).save(out, "PNG")
    return out.getvalue()


def bomb(width: int, height: int) -> bytes:
    """A small PNG of one colour that decodes to width x height pixels."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


FAKE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(client, user_id: int, data: bytes, filename: str = "me.jpg", mimetype="image/jpeg"):
    return post(
        client,
        f"/people/{user_id}/photo",
        {"photo": (io.BytesIO(data), filename, mimetype)},
        content_type="multipart/form-data",
    )


def photo_key_of(app, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).photo_key


def removals_waiting(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PhotoRemoval))


def served(client, key: str, side: int):
    return client.get(f"/photos/{key}/{side}.webp")


def field_error(body: str) -> str:
    found = re.search(r'<p class="field__error" id="photo-error">(.*?)</p>', body, re.S)
    assert found, "no message next to the photo field"
    return " ".join(found.group(1).split())


@pytest.fixture
def person(users):
    return users(email="ana@example.com", display_name="Ana Producer")


@pytest.fixture
def ana(app, person):
    return signed_in(app, "ana@example.com")


# What is kept -----------------------------------------------------------------------


def test_a_photo_is_kept_in_every_size_without_its_exif_or_gps(app, person, ana):
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD), "the test photo has GPS"

    response = upload(ana, person, original)

    assert response.status_code == 302
    key = photo_key_of(app, person)
    assert key
    assert stored_files(app) == sorted(f"photos/{key}/{side}.webp" for side in images.SIZES)
    for side in images.SIZES:
        answer = served(app.test_client(), key, side)  # a visitor sees it too
        assert answer.status_code == 200
        assert answer.mimetype == "image/webp"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "public, max-age=86400"
        assert answer.headers["Content-Disposition"].startswith("inline")
        picture = Image.open(io.BytesIO(answer.data))
        assert picture.format == "WEBP"
        assert picture.size == (side, side)
        assert not picture.getexif()
        assert not {"exif", "xmp", "icc_profile"} & set(picture.info)
        assert b"Exif" not in answer.data and b"Secret Camera" not in answer.data


@pytest.mark.parametrize("width, height", [(400, 200), (4000, 2000)], ids=["small", "shrunk"])
def test_the_photo_is_turned_upright_as_the_camera_meant(app, person, ana, width, height):
    upload(ana, person, photo_with_gps(width, height, orientation=6))

    answer = served(ana, photo_key_of(app, person), 480)
    picture = Image.open(io.BytesIO(answer.data)).convert("RGB")
    # Turned clockwise, the red left half is on top and the blue right half below.
    top, bottom = picture.getpixel((400, 60)), picture.getpixel((400, 420))
    assert top[0] > 150 and top[2] < 100, top
    assert bottom[2] > 150 and bottom[0] < 100, bottom


def test_png_and_webp_are_taken_too(app, person, ana):
    webp = io.BytesIO()
    Image.new("RGB", (200, 120), (200, 200, 0)).save(webp, "WEBP")
    for data, name in ((png(), "me.png"), (webp.getvalue(), "me.webp")):
        response = upload(ana, person, data, name, "application/octet-stream")
        assert response.status_code == 302, text(response)[:300]
        assert served(ana, photo_key_of(app, person), 160).status_code == 200


def test_a_conditional_request_for_the_same_photo_answers_not_modified(app, person, ana):
    upload(ana, person, png())
    key = photo_key_of(app, person)
    first = served(ana, key, 64)
    again = ana.get(f"/photos/{key}/64.webp", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


# What is refused ----------------------------------------------------------------------


def _refused(app, person, response, message: str) -> None:
    assert response.status_code in (413, 422)
    body = text(response)
    assert message in field_error(body)
    assert 'aria-invalid="true"' in body
    assert photo_key_of(app, person) is None
    assert stored_files(app) == []
    assert removals_waiting(app) == 0


def test_a_pdf_renamed_to_jpg_is_refused(app, person, ana):
    response = upload(ana, person, FAKE_PDF, "holiday.jpg", "image/jpeg")
    _refused(app, person, response, "not a JPEG, PNG or WebP picture")


def test_another_kind_of_picture_is_refused(app, person, ana):
    gif = io.BytesIO()
    Image.new("RGB", (50, 50)).save(gif, "GIF")
    response = upload(ana, person, gif.getvalue(), "me.png", "image/png")
    _refused(app, person, response, "not a JPEG, PNG or WebP picture")


@pytest.mark.parametrize(
    "width, height",
    [(5000, 4000), (8000, 6000), (15000, 15000)],
    ids=["png-over-16-megapixels", "over-40-megapixels", "over-twice-pillows-limit"],
)
def test_a_decompression_bomb_is_refused(app, person, ana, width, height):
    data = bomb(width, height)
    assert len(data) < 64 * 1024  # tiny on the wire

    response = upload(ana, person, data, "me.png", "image/png")

    _refused(app, person, response, "too many pixels")


def test_a_large_jpeg_is_taken_where_a_png_as_large_is_not(app, person, ana):
    jpeg = io.BytesIO()
    Image.new("RGB", (5000, 4000), (90, 90, 160)).save(jpeg, "JPEG")  # 20 MP, decoded small

    response = upload(ana, person, jpeg.getvalue())

    assert response.status_code == 302
    assert photo_key_of(app, person)


def test_a_file_just_over_5_mb_is_refused(app, person, ana):
    data = png()
    data += b"\0" * (images.MAX_BYTES + 1 - len(data))

    response = upload(ana, person, data, "big.png", "image/png")

    assert response.status_code == 422
    _refused(app, person, response, "larger than 5 MB")


def test_a_body_far_over_5_mb_is_refused_with_the_message_by_the_field(app, person, ana):
    data = png() + b"\0" * (7 * 1024 * 1024)

    response = upload(ana, person, data, "huge.png", "image/png")

    assert response.status_code == 413
    _refused(app, person, response, "larger than 5 MB")


def test_nothing_chosen_says_so(app, person, ana):
    response = post(ana, f"/people/{person}/photo", {}, content_type="multipart/form-data")
    _refused(app, person, response, "Choose a photo")


def test_a_refused_photo_keeps_the_one_there_was(app, person, ana):
    upload(ana, person, png())
    key = photo_key_of(app, person)

    response = upload(ana, person, FAKE_PDF, "x.jpg")

    assert response.status_code == 422
    assert photo_key_of(app, person) == key
    assert len(stored_files(app)) == len(images.SIZES)
    assert served(ana, key, 160).status_code == 200


# Replacing, removing, deleting --------------------------------------------------------


def test_a_new_photo_deletes_the_old_files(app, person, ana):
    upload(ana, person, png())
    old = photo_key_of(app, person)

    upload(ana, person, photo_with_gps())

    new = photo_key_of(app, person)
    assert new and new != old
    assert all(name.startswith(f"photos/{new}/") for name in stored_files(app))
    assert len(stored_files(app)) == len(images.SIZES)
    assert served(ana, old, 160).status_code == 404
    assert removals_waiting(app) == 0


def test_removing_the_photo_shows_the_initial_again_and_deletes_the_files(app, person, ana):
    upload(ana, person, png())
    key = photo_key_of(app, person)
    assert 'alt="Photo of Ana Producer"' in text(ana.get(f"/people/{person}"))

    response = post(ana, f"/people/{person}/photo/remove", follow_redirects=True)

    assert "Your photo is removed" in text(response)
    assert photo_key_of(app, person) is None
    assert stored_files(app) == []
    assert served(ana, key, 64).status_code == 404
    profile = text(ana.get(f"/people/{person}"))
    assert "Photo of Ana Producer" not in profile
    assert '<span class="avatar avatar--large" aria-hidden="true">A</span>' in profile


def test_deleting_the_account_deletes_the_photo(app, person, ana):
    upload(ana, person, png())
    assert stored_files(app)

    response = post(
        ana,
        "/account/delete",
        {"password": "a long test passphrase", "understood": "y"},
    )

    assert response.status_code == 302
    assert stored_files(app) == []
    assert removals_waiting(app) == 0


def test_files_are_deleted_later_when_the_storage_was_away(app, person, ana, monkeypatch):
    upload(ana, person, png())
    key = photo_key_of(app, person)
    from mentorapp.photos import tasks as photo_tasks
    from mentorapp.storage import StorageUnavailable

    storage = app.extensions["mentorapp_storage"]

    def away(_keys):
        raise StorageUnavailable("down")

    monkeypatch.setattr(storage, "delete", away)
    post(ana, f"/people/{person}/photo/remove")
    assert photo_key_of(app, person) is None
    assert removals_waiting(app) == 1  # the removal stays, with the files
    monkeypatch.undo()

    with app.app_context():
        db.session.execute(
            PhotoRemoval.__table__.update().values(created_at=utcnow().replace(year=2020))
        )
        db.session.commit()
        assert photo_tasks.sweep_photo_removals() == 1  # immediate mode: the task ran

    assert stored_files(app) == []
    assert removals_waiting(app) == 0
    assert served(ana, key, 64).status_code == 404


# Nobody else's photo -------------------------------------------------------------------


def test_another_person_can_neither_replace_nor_remove_your_photo(app, person, ana, users):
    upload(ana, person, png())
    key = photo_key_of(app, person)
    users(email="mallory@example.com", display_name="Mallory")
    mallory = signed_in(app, "mallory@example.com")

    assert mallory.get(f"/people/{person}/photo").status_code == 403
    assert upload(mallory, person, photo_with_gps()).status_code == 403
    assert post(mallory, f"/people/{person}/photo/remove").status_code == 403

    assert photo_key_of(app, person) == key
    assert stored_files(app) == sorted(f"photos/{key}/{s}.webp" for s in images.SIZES)


def test_an_upload_needs_the_csrf_token(app, person, ana):
    response = ana.post(
        f"/people/{person}/photo",
        data={"photo": (io.BytesIO(png()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert ana.post(f"/people/{person}/photo/remove").status_code == 400
    assert photo_key_of(app, person) is None
    assert stored_files(app) == []


def test_an_upload_with_another_sessions_token_is_refused(app, person, ana, users):
    users(email="mallory@example.com", display_name="Mallory")
    foreign = token(signed_in(app, "mallory@example.com"))
    response = ana.post(
        f"/people/{person}/photo",
        data={"csrf_token": foreign, "photo": (io.BytesIO(png()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert photo_key_of(app, person) is None
    assert stored_files(app) == []


@pytest.mark.parametrize("user_id", ["0", "-1", str(2**31), str(2**63)])
def test_ids_out_of_range_are_not_found(app, ana, user_id):
    assert ana.get(f"/people/{user_id}/photo").status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(app, person):
    visitor = app.test_client()
    assert visitor.get(f"/people/{person}/photo").status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/photos/{key}/100.webp",
        "/photos/{key}/-1.webp",
        "/photos/0123456789abcdef0123456789abcdef/160.webp",
        "/photos/..%2F..%2Fsecret_key/160.webp",
        "/photos/{upper}/160.webp",
    ],
)
def test_only_the_photo_sizes_a_person_has_are_served(app, person, ana, path):
    upload(ana, person, png())
    key = photo_key_of(app, person)
    assert ana.get(path.format(key=key, upper=key.upper())).status_code == 404


def test_a_suspended_persons_photo_is_not_served(app, person, ana):
    upload(ana, person, png())
    key = photo_key_of(app, person)
    with app.app_context():
        db.session.get(User, person).suspended_at = utcnow()
        db.session.commit()
    assert app.test_client().get(f"/photos/{key}/160.webp").status_code == 404


# Where the photo shows ------------------------------------------------------------------


def test_the_photo_shows_where_the_initial_did(app, person, ana, users):
    with app.app_context():
        db.session.add(MenteeProfile(user_id=person, about="Bedroom producer."))
        db.session.commit()
    mentor = make_mentor(app, "mo@example.com", "Mo Mentor")
    apprenticeship = make_apprenticeship(app, mentor, person)
    upload(ana, person, png())
    key = photo_key_of(app, person)
    mo = signed_in(app, "mo@example.com")

    img = re.compile(
        rf'<img class="avatar avatar--photo[^"]*" src="/photos/{key}/\d+\.webp"[^>]*'
        r'width="\d+" height="\d+" alt="Photo of Ana Producer"'
    )
    for page in (f"/people/{person}", f"/apprenticeships/{apprenticeship}", "/apprenticeships"):
        body = text(mo.get(page))
        assert img.search(body), page
    # Mo has no photo: the initial stays on Ana's side.
    assert '<span class="avatar" aria-hidden="true">M</span>' in text(
        ana.get(f"/apprenticeships/{apprenticeship}")
    )


def test_an_admin_sees_and_removes_a_photo_and_the_removal_is_audited(app, person, ana, users):
    from mentorapp.models import AuditEntry

    upload(ana, person, png())
    key = photo_key_of(app, person)
    users(email="ada@example.com", display_name="Ada Admin", is_admin=True, is_mentee=False)
    ada = signed_in(app, "ada@example.com")
    assert 'alt="Photo of Ana Producer"' in text(ada.get(f"/admin/people/{person}"))
    # Ana herself cannot use the admins' button on her own or anyone's photo.
    assert post(ana, f"/admin/people/{person}/photo/remove").status_code == 403

    response = post(ada, f"/admin/people/{person}/photo/remove", follow_redirects=True)

    assert "The photo of Ana Producer is removed" in text(response)
    assert photo_key_of(app, person) is None
    assert stored_files(app) == []
    assert served(ada, key, 64).status_code == 404
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.subject_id, entry.actor_name) == (
            "photo_removed",
            person,
            "Ada Admin",
        )


def test_storage_away_says_so_by_the_field_and_saves_nothing(make_app, users, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # Nothing listens on this port: S3 is down.
    app = make_app(
        FILE_STORAGE="s3", S3_BUCKET="photos", S3_ENDPOINT_URL=f"http://127.0.0.1:{_free_port()}"
    )
    person = users(email="ana@example.com", display_name="Ana Producer")
    ana = signed_in(app, "ana@example.com")

    response = upload(ana, person, png())

    assert response.status_code == 422
    assert "Photos cannot be saved right now" in field_error(text(response))
    assert photo_key_of(app, person) is None
    assert ana.get(f"/people/{person}").status_code == 200  # the rest of the site works


def test_two_changes_at_once_leave_no_file_that_no_one_names(app, person):
    """The second of two uploads racing sees the photo changed under it: it is refused
    and the files it wrote are deleted when its transaction rolls back."""
    from mentorapp.errors import Conflict
    from mentorapp.photos import services

    with app.app_context():
        ana = db.session.get(User, person)  # read before the other upload commits
        db.session.expunge(ana)
        db.session.rollback()
        with db.engine.begin() as other:
            other.execute(User.__table__.update().values(photo_key="f" * 32))
        db.session.add(ana)  # as this request still sees her: no photo
        with pytest.raises(Conflict):
            services.set_photo(ana, png())
        assert len(stored_files(app)) == len(images.SIZES)  # written, not yet pointed at
        db.session.rollback()

    assert stored_files(app) == []
    assert photo_key_of(app, person) == "f" * 32


def test_a_mentors_photo_shows_on_the_suggestion_cards(app, client, auth, users):
    from tests.conftest import post_form
    from tests.functional.test_profiles import MENTEE_SECTIONS, edit_url
    from tests.functional.test_suggestions import build_mentor, names_in_order

    mentor = build_mentor(client, auth, users, "close@example.com")
    build_mentor(client, auth, users, "plain@example.com")
    upload(signed_in(app, "close@example.com"), mentor, png())
    key = photo_key_of(app, mentor)
    mentee = users(email="priya@example.com", display_name="Priya", is_mentee=True)
    auth.login("priya@example.com")
    for section, data in MENTEE_SECTIONS.items():
        post_form(client, edit_url(mentee, "mentee", section), data)

    body = text(client.get("/suggestions"))

    assert sorted(names_in_order(body)) == ["Close", "Plain"]
    assert re.search(
        rf'<img class="avatar avatar--photo avatar--small" src="/photos/{key}/64.webp"\s+'
        rf'srcset="/photos/{key}/64.webp 1x, /photos/{key}/160.webp 2x"\s+'
        r'width="48" height="48" alt="Photo of Close"',
        body,
    )
    assert '<span class="avatar avatar--small" aria-hidden="true">P</span>' in body


def test_files_no_one_names_are_deleted_by_the_daily_sweep(app, person, ana):
    from datetime import timedelta

    from mentorapp.photos import services
    from mentorapp.storage import files

    upload(ana, person, png())
    kept = sorted(stored_files(app))
    with app.app_context():
        # What a worker killed between writing an upload and its rollback leaves.
        for side in images.SIZES:
            files().put(services.file_key("a" * 32, side), b"x", images.CONTENT_TYPE)
        assert len(stored_files(app)) == 2 * len(images.SIZES)

        # An upload still in flight (written a moment ago) is spared.
        assert services.delete_orphaned_files(utcnow() - timedelta(hours=1)) == 0
        assert len(stored_files(app)) == 2 * len(images.SIZES)

        assert services.delete_orphaned_files(utcnow() + timedelta(minutes=1)) == len(images.SIZES)

    assert stored_files(app) == kept
    assert served(ana, photo_key_of(app, person), 160).status_code == 200


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({"FILE_STORAGE": "s3"}, "needs S3_BUCKET"),
        ({"FILE_STORAGE": "ftp"}, "must be 'local' or 's3'"),
    ],
)
def test_a_storage_that_cannot_work_stops_the_app_at_start(make_app, settings, problem):
    from mentorapp.config import ConfigError

    with pytest.raises(ConfigError, match=problem):
        make_app(**settings)


def test_storage_keys_never_leave_their_folder(tmp_path):
    from mentorapp.storage import LocalStorage

    storage = LocalStorage(tmp_path / "files")
    for key in ("../secret", "photos/../../x", "/etc/passwd", "photos/.hidden", "a//b", ""):
        with pytest.raises(ValueError, match="not a storage key"):
            storage.put(key, b"x", "text/plain")
    assert not (tmp_path / "secret").exists()
