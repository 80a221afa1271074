"""A mentor's page as a storefront: credits as a list (added, edited, removed, refused
with a message and the typing kept, never another mentor's), the profile's credits text
kept as the list's summary (what the search and the vetting re-check read), terms,
portfolio links named by host whose players load nothing before play, the CSP's frames,
and the track record on known data. On SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy import text as sql

from mentorapp import create_app
from mentorapp.apprenticeships.track_record import track_record
from mentorapp.extensions import db
from mentorapp.models import (
    Apprenticeship,
    MentorApplication,
    MentorCredit,
    MentorProfile,
    User,
    Vetting,
    WorkSession,
)
from mentorapp.models.types import utcnow
from mentorapp.profiles.portfolio import PLAYER_HOSTS, describe
from tests.conftest import post_form
from tests.factories import make_user
from tests.functional.test_mentor_vetting_migration import _fresh_database, _insert_people
from tests.functional.test_profiles import MENTOR_SECTIONS, edit_url
from tests.functional.vetting_builders import mentor_applying
from tests.helpers import text

PLAYABLE = [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://soundcloud.com/harbour-records/night-ferry",
    "https://bandcamp.com/EmbeddedPlayer/album=1234567/size=large/",
    "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
]


@pytest.fixture
def mentor(users, auth):
    user_id = users(email="mo@example.com", display_name="Mo Mensah", is_mentor=True)
    auth.login("mo@example.com")
    return user_id


def credits_of(app, user_id) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(
            select(MentorCredit)
            .where(MentorCredit.mentor_id == user_id)
            .order_by(MentorCredit.position)
        )
        return [(c.id, c.title, c.artist, c.role, c.year, c.link) for c in rows]


def summary_of(app, user_id) -> str:
    with app.app_context():
        return db.session.get(MentorProfile, user_id).credits


def row(index: int, title="", artist="", role="", year="", link="", credit_id="", remove=False):
    data = {
        f"rows-{index}-credit_id": str(credit_id),
        f"rows-{index}-title": title,
        f"rows-{index}-artist": artist,
        f"rows-{index}-role": role,
        f"rows-{index}-year": str(year),
        f"rows-{index}-link": link,
    }
    if remove:
        data[f"rows-{index}-remove"] = "y"
    return data


def save_credits(client, user_id, data, **kwargs):
    return post_form(client, edit_url(user_id, "mentor", "credits"), data, **kwargs)


# --- Credits ----------------------------------------------------------------------------


def test_a_mentor_adds_edits_reorders_and_removes_credits(app, client, mentor):
    form = text(client.get(edit_url(mentor, "mentor", "credits")))
    assert 'name="rows-0-title"' in form and 'name="rows-1-title"' not in form  # one blank row

    response = save_credits(
        client,
        mentor,
        {
            **row(0, "Night Ferry", "Harbour", "mixing engineer", 2024, "https://example.org/nf"),
            **row(1, "Glass Rooms", role="producer"),
            **row(2),  # left blank: no credit
        },
    )
    assert response.status_code == 302
    (first, *_), (second, *_) = credits_of(app, mentor)
    assert credits_of(app, mentor) == [
        (first, "Night Ferry", "Harbour", "mixing engineer", 2024, "https://example.org/nf"),
        (second, "Glass Rooms", "", "producer", None, ""),
    ]
    assert summary_of(app, mentor) == (
        "Night Ferry by Harbour (2024), mixing engineer · https://example.org/nf\n"
        "Glass Rooms, producer"
    )
    page = text(client.get(f"/people/{mentor}"))
    assert "Night Ferry" in page and "Glass Rooms" in page

    # The form shows the two, and a blank row; edit the second, add a third.
    form = text(client.get(edit_url(mentor, "mentor", "credits")))
    assert 'value="Night Ferry"' in form and 'name="rows-2-title"' in form
    response = save_credits(
        client,
        mentor,
        {
            **row(0, "Night Ferry", "Harbour", "mixing engineer", 2024, credit_id=first),
            **row(1, "Glass Rooms (deluxe)", role="producer", year=2025, credit_id=second),
            **row(2, "Low Tide", "Sea Wall", "co-writer"),
        },
    )
    assert response.status_code == 302
    rows = credits_of(app, mentor)
    assert [r[1] for r in rows] == ["Night Ferry", "Glass Rooms (deluxe)", "Low Tide"]
    assert rows[0][0] == first and rows[1][0] == second  # edited in place, same ids

    # Remove the first.
    response = save_credits(
        client,
        mentor,
        {
            **row(0, "Night Ferry", credit_id=first, remove=True),
            **row(1, "Glass Rooms (deluxe)", role="producer", year=2025, credit_id=second),
            **row(2, "Low Tide", "Sea Wall", "co-writer", credit_id=rows[2][0]),
        },
    )
    assert response.status_code == 302
    assert [r[1] for r in credits_of(app, mentor)] == ["Glass Rooms (deluxe)", "Low Tide"]
    assert (
        summary_of(app, mentor)
        == "Glass Rooms (deluxe) (2025), producer\nLow Tide by Sea Wall, co-writer"
    )


def test_add_another_row_and_move_up_keep_the_typing_and_save_nothing(app, client, mentor):
    typed = {**row(0, "Night Ferry", "Harbour"), **row(1, "Low Tide", year="20")}
    response = save_credits(client, mentor, {**typed, "action": "add"})
    body = text(response)
    assert response.status_code == 200
    assert 'value="Night Ferry"' in body and 'value="Low Tide"' in body and 'value="20"' in body
    assert 'name="rows-2-title"' in body  # the added row
    assert credits_of(app, mentor) == []

    response = save_credits(client, mentor, {**typed, "action": "up-1"})
    body = text(response)
    assert body.index('value="Low Tide"') < body.index('value="Night Ferry"')
    assert 'name="rows-0-title" type="text" value="Low Tide"' in body
    assert credits_of(app, mentor) == []


BAD_ROWS = [
    ({"rows-0-title": "", "rows-0-artist": "Harbour"}, "rows-0-title", "Write the title"),
    ({"rows-0-title": "x" * 201}, "rows-0-title", "under 200"),
    ({"rows-0-artist": "x" * 201}, "rows-0-artist", "under 200"),
    ({"rows-0-role": "x" * 121}, "rows-0-role", "under 120"),
    ({"rows-0-year": "last year"}, "rows-0-year", "Not a valid integer"),
    ({"rows-0-year": "1850"}, "rows-0-year", "from 1900 to"),
    ({"rows-0-link": "javascript:alert(1)"}, "rows-0-link", "http:// or https://"),
    ({"rows-0-link": "https://example.org/a b"}, "rows-0-link", "space"),
    ({"rows-0-link": "https://example.org/" + "a" * 300}, "rows-0-link", "under 300"),
]


def limited_input(body: str, name: str) -> str:
    found = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', body)
    assert found, f"no field {name}"
    return found.group(0)


@pytest.mark.parametrize(
    ("section", "limits"),
    [
        (
            "credits",
            {"rows-0-title": 200, "rows-0-artist": 200, "rows-0-role": 120, "rows-0-link": 300},
        ),
        ("terms", {"terms_rate": 200, "typical_week": 1000}),
    ],
)
def test_every_text_field_states_its_limit_and_counts_it_and_nothing_cuts(
    client, mentor, section, limits
):
    """The limit stated, counted live by char-count.js, refused by the server (the
    tests below) and never cut by a maxlength."""
    body = text(client.get(edit_url(mentor, "mentor", section)))
    assert "char-count.js" in body
    for name, limit in limits.items():
        tag = limited_input(body, name)
        assert "maxlength" not in tag, tag
        assert f'data-limit="{limit}"' in tag and f"{name}-count" in tag  # described by it
        assert f'<p class="field__count" id="{name}-count" data-count-for="{name}">' in body
        assert f"Up to {limit:,} characters." in body


@pytest.mark.parametrize(("change", "field", "message"), BAD_ROWS)
def test_a_bad_credit_is_refused_next_to_its_field_with_the_typing_kept(
    app, client, mentor, change, field, message
):
    data = {
        **row(0, "Night Ferry", "Harbour", "mixing engineer", 2024),
        **row(1, "Low Tide", "Sea Wall"),
        **change,
    }
    response = save_credits(client, mentor, data)
    assert response.status_code == 422
    body = text(response)
    assert f'id="{field}-error"' in body, body[:3000]
    assert message in body[body.index(f'id="{field}-error"') :][:400]
    assert f'href="#{field}"' in body  # the error summary links to the field
    assert 'value="Low Tide"' in body and 'value="Sea Wall"' in body
    assert all(f'value="{typed}"' in body for typed in change.values())  # even past a limit
    assert credits_of(app, mentor) == []  # nothing half-saved
    with app.app_context():
        assert db.session.get(MentorProfile, mentor) is None


def test_nobody_can_edit_another_mentors_credits(app, client, users, auth, mentor):
    save_credits(client, mentor, row(0, "Night Ferry", "Harbour"))
    ((mine, *_),) = credits_of(app, mentor)
    auth.logout()
    users(email="eve@example.com", display_name="Eve", is_mentor=True)
    auth.login("eve@example.com")
    # Her own form cannot reach Mo's page at all...
    assert client.get(edit_url(mentor, "mentor", "credits")).status_code == 403
    with app.app_context():
        eve = db.session.scalar(select(User.id).where(User.email == "eve@example.com"))
    token_page = edit_url(eve, "mentor", "credits")
    response = post_form(
        client, edit_url(mentor, "mentor", "credits"), row(0, "Stolen"), page=token_page
    )
    assert response.status_code == 403
    # ...and Mo's credit's id in her own form only adds a credit of her own.
    response = post_form(client, token_page, row(0, "Stolen", credit_id=mine))
    assert response.status_code == 302
    assert credits_of(app, mentor) == [(mine, "Night Ferry", "Harbour", "", None, "")]
    assert [r[1] for r in credits_of(app, eve)] == ["Stolen"]
    assert summary_of(app, mentor) == "Night Ferry by Harbour"


def test_a_vetted_mentor_who_changes_credits_is_checked_again(app, client, auth):
    mentor = mentor_applying(app, "mo@example.com", "Mo Mentor", Vetting.APPROVED, vetted=True)
    auth.login("mo@example.com")
    with app.app_context():
        approved = db.session.get(MentorApplication, mentor).approved_data["credits"]
    # The same credits as a list's one row: the summary is unchanged, no re-check.
    assert save_credits(client, mentor, row(0, approved)).status_code == 302
    with app.app_context():
        assert db.session.get(MentorApplication, mentor).state == Vetting.APPROVED
    # A new credit changes the summary: the admins check it again, the mark stays.
    ((first, *_),) = credits_of(app, mentor)
    data = {**row(0, approved, credit_id=first), **row(1, "A number one single", role="producer")}
    assert save_credits(client, mentor, data).status_code == 302
    with app.app_context():
        application = db.session.get(MentorApplication, mentor)
        assert application.state == Vetting.PENDING and application.vetted_at is not None
        assert application.data["credits"] == f"{approved}\nA number one single, producer"
    # Removing it is a change too.
    assert save_credits(client, mentor, row(0, approved, credit_id=first)).status_code == 302
    with app.app_context():
        assert db.session.get(MentorApplication, mentor).data["credits"] == approved


def test_credits_and_portfolio_count_towards_completeness(app, client, mentor):
    for section in ("about", "craft", "place", "week"):
        post_form(client, edit_url(mentor, "mentor", section), MENTOR_SECTIONS[section])
    body = text(client.get("/dashboard"))
    assert "Mentor profile complete: <strong>90%</strong>" in body  # credits missing
    save_credits(client, mentor, row(0, "Night Ferry"))
    assert "Mentor profile complete: <strong>100%</strong>" in text(client.get("/dashboard"))
    about = {**MENTOR_SECTIONS["about"], "portfolio_links": ""}
    post_form(client, edit_url(mentor, "mentor", "about"), about)
    assert "Mentor profile complete: <strong>90%</strong>" in text(client.get("/dashboard"))


def test_the_old_free_text_credits_become_rows_when_migrating(database_uri, tmp_path, monkeypatch):
    from tests.conftest import test_config

    admin, target, fresh = _fresh_database(database_uri, tmp_path)
    monkeypatch.setenv("MENTORAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app(test_config(target, str(tmp_path)))
    long_line = " ".join(["word"] * 60)  # 299 characters: two titles
    try:
        with app.app_context():
            upgrade(revision="e1f0a0000002")
            with db.engine.begin() as conn:
                _insert_people(conn)
            upgrade(revision="e1f0a0000006")
            with db.engine.begin() as conn:
                conn.execute(
                    sql("UPDATE mentor_profiles SET credits = :c WHERE user_id = 1"),
                    {"c": f"Two albums.\n\n  Night Ferry  (mix)\n{long_line}"},
                )
            upgrade(revision="e1f0a0000007")
            with db.engine.connect() as conn:
                rows = conn.execute(
                    sql("SELECT mentor_id, position, title FROM mentor_credits ORDER BY position")
                ).all()
                kept = conn.execute(
                    sql("SELECT credits FROM mentor_profiles WHERE user_id = 1")
                ).scalar_one()
            titles = [r.title for r in rows]
            assert titles[:2] == ["Two albums.", "Night Ferry (mix)"]
            assert " ".join(titles[2:]) == long_line and all(len(t) <= 200 for t in titles)
            assert {r.mentor_id for r in rows} == {1} and [r.position for r in rows] == [0, 1, 2, 3]
            assert kept.startswith("Two albums.")  # the text stays as the mentor wrote it
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn, contextlib.suppress(Exception):
                conn.execute(sql(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
            admin.dispose()


# --- Terms ------------------------------------------------------------------------------


def test_terms_are_saved_and_shown(app, client, mentor):
    url = edit_url(mentor, "mentor", "terms")
    response = post_form(
        client, url, {"terms": "paid", "terms_rate": "", "typical_week": "Mixing."}
    )
    assert response.status_code == 422
    body = text(response)
    assert "Say what an apprentice pays" in body[body.index('id="terms_rate-error"') :][:300]
    assert "Mixing." in body

    for bad, field, message in [
        ({"terms": "barter"}, "terms", "Not a valid choice"),
        ({"terms_rate": "x" * 201}, "terms_rate", "under 200"),
        ({"typical_week": "x" * 1001}, "typical_week", "under 1,000"),
    ]:
        data = {"terms": "paid", "terms_rate": "£40 a session", "typical_week": "Mixing.", **bad}
        response = post_form(client, url, data)
        assert response.status_code == 422 and f'id="{field}-error"' in text(response)
        assert message in text(response)
    with app.app_context():
        assert db.session.get(MentorProfile, mentor) is None

    week = "Two evening sessions at the desk; Saturday we track a band."
    response = post_form(
        client, url, {"terms": "paid", "terms_rate": "£40 a session", "typical_week": week}
    )
    assert response.status_code == 302
    page = text(client.get(f"/people/{mentor}"))
    assert "Paid: £40 a session" in page and week.replace("'", "&#39;") in page
    # Free drops the rate.
    post_form(client, url, {"terms": "free", "terms_rate": "£40 a session", "typical_week": ""})
    with app.app_context():
        profile = db.session.get(MentorProfile, mentor)
        assert (profile.terms, profile.terms_rate, profile.typical_week) == ("free", "", "")
    assert "apprentices pay nothing" in text(client.get(f"/people/{mentor}"))


# --- Portfolio and the CSP ----------------------------------------------------------------


def test_the_csp_allows_exactly_the_four_players_as_frames(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-src"].split() == [
        "https://www.youtube-nocookie.com",
        "https://w.soundcloud.com",
        "https://bandcamp.com",
        "https://open.spotify.com",
    ]
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"


@pytest.mark.parametrize(
    ("link", "name", "player", "player_id"),
    [
        (PLAYABLE[0], "YouTube", "youtube", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?t=3", "YouTube", "youtube", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/@harbour", "YouTube", None, ""),
        (PLAYABLE[1], "SoundCloud", "soundcloud", "harbour-records/night-ferry"),
        ("https://harbour.bandcamp.com/album/night-ferry", "Bandcamp", None, ""),
        (PLAYABLE[2], "Bandcamp", "bandcamp", "album=1234567"),
        (PLAYABLE[3], "Spotify", "spotify", "track/4uLU6hMCjMI75M1A2tKUQC"),
        (
            "https://open.spotify.com/intl-de/album/4uLU6hMCjMI75M1A2tKUQC",
            "Spotify",
            "spotify",
            "album/4uLU6hMCjMI75M1A2tKUQC",
        ),
        ("http://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", "Spotify", None, ""),
        ("https://www.mo-mixes.example.org/reel", "mo-mixes.example.org", None, ""),
    ],
)
def test_links_are_named_by_host_and_players_only_for_the_four(link, name, player, player_id):
    described = describe(link)
    assert (described.name, described.player, described.player_id) == (name, player, player_id)


def test_the_page_holds_no_third_party_request_before_play(app, client, mentor):
    links = [*PLAYABLE, "https://www.mo-mixes.example.org/reel"]
    about = {**MENTOR_SECTIONS["about"], "portfolio_links": "\n".join(links)}
    assert post_form(client, edit_url(mentor, "mentor", "about"), about).status_code == 302
    save_credits(client, mentor, row(0, "Night Ferry", link="https://credits.example.org/nf"))
    visitor = app.test_client()
    html = visitor.get(f"/people/{mentor}").get_data(as_text=True)
    for name in ("YouTube", "SoundCloud", "Bandcamp", "Spotify", "mo-mixes.example.org"):
        assert f">{name}</a>" in html
    assert "<iframe" not in html
    # Every absolute address on the page is a plain link the mentor gave, in an href.
    allowed = {*links, "https://credits.example.org/nf"}
    for match in re.finditer(r'(\w[\w-]*)="(https?://[^"]+)"', html):
        attribute, url = match.groups()
        assert attribute == "href" and url.replace("&amp;", "&") in allowed, match.group(0)
    rest = html
    for link in allowed:
        rest = rest.replace(f'href="{link}"', "")
    for host in PLAYER_HOSTS:
        assert host not in rest
    assert html.count('class="player"') == 4
    assert 'src="/static/portfolio-player.js"' in html


# --- Track record -----------------------------------------------------------------------


def test_the_track_record_on_known_data(app, client, mentor):
    now = utcnow()
    day = timedelta(days=1)
    with app.app_context():
        mo = db.session.get(User, mentor)
        mo.created_at = now.replace(year=2025, month=3, day=10)
        mentees = [make_user(email=f"m{n}@example.com") for n in range(8)]
        db.session.add(MentorProfile(user_id=mentor, headline="Mixes"))

        def pair(mentee, state, asked, answered=None, reason=None, by="mentee"):
            a = Apprenticeship(
                mentor_id=mentor,
                mentee_id=mentee.id,
                state=state,
                requested_by=by,
                created_at=now - asked * day,
                decided_at=now - (asked - answered) * day if answered is not None else None,
                reason=reason,
            )
            db.session.add(a)
            return a

        # Answers by the mentor: 1, 2, 4 and 6 days after asking (median 3 days).
        running = pair(mentees[0], "accepted", 50, answered=1)
        done = pair(mentees[1], "completed", 200, answered=2)
        pair(mentees[2], "declined", 40, answered=4, reason="no_time")
        pair(mentees[3], "ended", 100, answered=6)
        # Not the mentor's answers: expired, closed for being full, withdrawn, an
        # invitation the apprentice answered, a request still waiting.
        pair(mentees[4], "declined", 30, answered=14, reason="expired")
        pair(mentees[5], "declined", 30, answered=0.01, reason="full")
        pair(mentees[6], "withdrawn", 20, answered=1)
        pair(mentees[7], "requested", 3)
        db.session.flush()
        pair(mentees[1], "declined", 10, answered=9, reason="expired", by="mentor")
        # A second, earlier apprenticeship with the same apprentice counts them once.
        pair(mentees[0], "completed", 400, answered=3)
        db.session.flush()
        for apprenticeship, minutes, confirmed in (
            (running, 120, True),
            (running, 90, False),  # not confirmed: not counted
            (done, 180, True),
            (done, 30, True),
        ):
            db.session.add(
                WorkSession(
                    apprenticeship_id=apprenticeship.id,
                    held_on=now.date(),
                    minutes=minutes,
                    covered="Mixing.",
                    confirmed_at=now if confirmed else None,
                )
            )
        db.session.commit()
        record = track_record(db.session.get(User, mentor))
    assert record.apprentices_taught == 3  # mentees 0, 1 and 3
    assert record.completed == 2
    assert record.confirmed_minutes == 330 and record.confirmed_hours == 5
    assert record.answers_within_days == 3  # median of 1, 2, 3, 4, 6 days
    page = text(app.test_client().get(f"/people/{mentor}"))
    facts = page[page.index("Track record") :]
    assert "<dt>Apprentices taught</dt><dd>3</dd>" in facts
    assert "<dt>Apprenticeships completed</dt><dd>2</dd>" in facts
    assert "<dt>Confirmed hours</dt><dd>5</dd>" in facts
    assert "usually within 3 days" in facts
    assert "<dt>Member since</dt><dd>March 2025</dd>" in facts


def test_answers_are_shown_only_from_three_and_from_the_last_twenty(app, mentor):
    now, day = utcnow(), timedelta(days=1)
    with app.app_context():
        mentees = [make_user(email=f"a{n}@example.com") for n in range(23)]
        # Two quick answers: too few to say.
        for n in range(2):
            db.session.add(
                Apprenticeship(
                    mentor_id=mentor,
                    mentee_id=mentees[n].id,
                    state="declined",
                    requested_by="mentee",
                    created_at=now - 100 * day,
                    decided_at=now - 99.5 * day,
                    reason="level",
                )
            )
        db.session.commit()
        assert track_record(db.session.get(User, mentor)).answers_within_days is None
        # Twenty slow answers later on: the two quick ones drop out of the last twenty.
        for n in range(2, 22):
            db.session.add(
                Apprenticeship(
                    mentor_id=mentor,
                    mentee_id=mentees[n].id,
                    state="declined",
                    requested_by="mentee",
                    created_at=now - 60 * day + n * day,
                    decided_at=now - 50 * day + n * day,
                    reason="other",
                )
            )
        db.session.commit()
        assert track_record(db.session.get(User, mentor)).answers_within_days == 10


def test_the_track_record_runs_a_fixed_number_of_queries(app, mentor, count_queries):
    with app.app_context():
        mentees = [make_user(email=f"q{n}@example.com") for n in range(6)]
        for n, mentee in enumerate(mentees):
            db.session.add(
                Apprenticeship(
                    mentor_id=mentor,
                    mentee_id=mentee.id,
                    state="completed",
                    requested_by="mentee",
                    created_at=utcnow() - timedelta(days=30 + n),
                    decided_at=utcnow() - timedelta(days=29),
                )
            )
        db.session.commit()
        mo = db.session.get(User, mentor)
        assert mo.created_at is not None  # loaded before counting
        with count_queries() as queries:
            track_record(mo)
    assert len(queries) == 2


def test_a_list_longer_than_the_limit_is_refused_with_every_row_kept(app, client, mentor):
    data = {}
    for n in range(41):
        data.update(row(n, f"Record {n}"))
    response = save_credits(client, mentor, data)
    assert response.status_code == 422
    body = text(response)
    assert 'href="#rows"' in body and "List at most 40 credits." in body
    assert 'value="Record 40"' in body
    assert credits_of(app, mentor) == []
