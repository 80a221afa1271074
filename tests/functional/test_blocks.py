"""Blocks over HTTP: a person blocks another from a profile or the workspace; from then
on neither sees the other in suggestions (both views, the saved list) or cohort runs, no
request, invitation or message passes, an open request closes and a running
apprenticeship may be ended, all with neutral words: the blocked person only ever
reads "not available", never "block". Unblocking from account settings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mentorapp.demo import seed_demo
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, Block, MarkKind, State, SuggestionMark, ThreadMessage
from mentorapp.programme.planning import plan_cohort
from tests.conftest import post_form
from tests.functional.apprenticeship_builders import (
    REQUEST_MESSAGE,
    apprentices_of,
    count,
    flashed,
    make_apprenticeship,
    notes_for,
    post,
    state_of,
)
from tests.functional.safety_builders import blocks_of, build_scene
from tests.functional.test_profiles import MENTEE_SECTIONS, MENTOR_SECTIONS, edit_url
from tests.helpers import text

BLOCK_WORD = re.compile(r"\bblock", re.I)


@pytest.fixture
def scene(app):
    return build_scene(app)


def no_block_word(body: str) -> None:
    """The blocked person's pages never say "block" (the workspace's own link to block
    the other person aside: that is the reader's own choice, not news about them)."""
    visible = re.sub(r"<[^>]+>", " ", body)
    visible = visible.replace("Block Mira Okafor", "").replace("Block Priya Raman", "")
    assert not BLOCK_WORD.search(visible), BLOCK_WORD.search(visible)


def test_block_from_a_profile_in_two_clicks(scene):
    olu = scene.client("olu")
    profile = text(olu.get(f"/people/{scene.mira}"))
    assert f'href="/people/{scene.mira}/block"' in profile
    page = text(olu.get(f"/people/{scene.mira}/block"))
    assert "Block Mira Okafor?" in page and "not available" in page
    response = post(olu, f"/people/{scene.mira}/block", {}, follow_redirects=True)
    body = flashed(response)
    assert "You blocked Mira Okafor" in body
    assert response.request.path == "/account/blocked" and "Mira Okafor" in body
    assert blocks_of(scene.app) == [(scene.olu, scene.mira)]
    # Blocking twice is once.
    post(olu, f"/people/{scene.mira}/block", {})
    assert blocks_of(scene.app) == [(scene.olu, scene.mira)]
    profile = text(olu.get(f"/people/{scene.mira}"))
    assert "You blocked Mira Okafor" in profile and "Ask for an apprenticeship" not in profile


def test_block_from_the_workspace(scene):
    priya = scene.client("priya")
    page = text(priya.get(f"/apprenticeships/{scene.a}"))
    assert f'href="/people/{scene.mira}/block"' in page
    block_page = text(priya.get(f"/people/{scene.mira}/block"))
    assert "Also end the apprenticeship we run together" in block_page


def test_nobody_blocks_themselves(scene):
    mira = scene.client("mira")
    assert f'href="/people/{scene.mira}/block"' not in text(mira.get(f"/people/{scene.mira}"))
    response = post(mira, f"/people/{scene.mira}/block", {}, follow_redirects=True)
    assert "You cannot block yourself." in flashed(response)
    assert "You cannot block yourself." in flashed(
        mira.get(f"/people/{scene.mira}/block", follow_redirects=True)
    )
    assert blocks_of(scene.app) == []


def test_unknown_people_bad_ids_csrf_and_login(scene, app):
    olu = scene.client("olu")
    for user_id in (999_999, 0, -1, 2**31, 2**63):
        assert olu.get(f"/people/{user_id}/block").status_code == 404
        assert post(olu, f"/people/{user_id}/block", {}).status_code == 404
    assert olu.post(f"/people/{scene.mira}/block").status_code == 400
    assert olu.post(f"/people/{scene.mira}/block", data={"csrf_token": "x"}).status_code == 400
    assert olu.post(f"/people/{scene.mira}/unblock").status_code == 400
    response = app.test_client().post(f"/people/{scene.mira}/block")
    assert response.status_code in (302, 400)
    assert blocks_of(scene.app) == []


def test_requests_invitations_and_messages_are_refused_both_ways(scene):
    post(scene.client("olu"), f"/people/{scene.mira}/block", {})
    olu, mira = scene.client("olu"), scene.client("mira")
    before = count(scene.app, Apprenticeship)
    # The blocker cannot ask; the blocked cannot invite; neither gets past the ask page.
    asked = olu.get(f"/people/{scene.mira}/ask", follow_redirects=True)
    assert "Mira Okafor is not available." in flashed(asked)
    sent = post(
        olu, f"/people/{scene.mira}/ask", {"message": REQUEST_MESSAGE}, follow_redirects=True
    )
    assert "not available" in flashed(sent)
    invited = post(
        mira, f"/people/{scene.olu}/invite", {"message": REQUEST_MESSAGE}, follow_redirects=True
    )
    body = flashed(invited)
    assert "Olu Bello is not available." in body
    no_block_word(body)
    assert count(scene.app, Apprenticeship) == before
    # The services refuse too, whatever the page.
    from mentorapp.apprenticeships import services
    from mentorapp.errors import DomainError
    from mentorapp.models import User

    with scene.app.test_request_context():
        mira_user = db.session.get(User, scene.mira)
        olu_user = db.session.get(User, scene.olu)
        with pytest.raises(DomainError, match="not available"):
            services.invite_apprentice(mira_user, scene.olu, REQUEST_MESSAGE)
        with pytest.raises(DomainError, match="not available"):
            services.request_apprenticeship(olu_user, scene.mira, REQUEST_MESSAGE)
        db.session.rollback()


def test_no_message_passes_in_a_running_apprenticeship_kept_open(scene):
    priya = scene.client("priya")
    post(priya, f"/people/{scene.mira}/block", {})  # without ending the apprenticeship
    assert state_of(scene.app, scene.a) == State.ACCEPTED
    before = count(scene.app, ThreadMessage)
    mira = scene.client("mira")
    response = post(
        mira,
        f"/apprenticeships/{scene.a}/messages",
        {"body": "Are you there?", "nonce": "n1"},
        follow_redirects=True,
    )
    body = flashed(response)
    assert "Priya Raman is not available." in body
    no_block_word(body)
    response = post(
        priya,
        f"/apprenticeships/{scene.a}/messages",
        {"body": "Bye.", "nonce": "n2"},
        follow_redirects=True,
    )
    assert "Mira Okafor is not available." in flashed(response)
    assert count(scene.app, ThreadMessage) == before


def test_an_open_request_closes_with_a_neutral_reason(scene):
    request = make_apprenticeship(scene.app, scene.mira, scene.olu)  # Olu asked Mira
    post(scene.client("mira"), f"/people/{scene.olu}/block", {})
    assert state_of(scene.app, request) == State.DECLINED
    [note] = [n for n in notes_for(scene.app, scene.olu) if n.apprenticeship_id == request]
    assert note.text == "Mira Okafor is not available, so your request with them is closed."
    olu = scene.client("olu")
    page = text(olu.get(f"/apprenticeships/{request}"))
    assert "Mira Okafor is not available, so this request closed" in page
    no_block_word(page)
    # The blocker reads what they did.
    assert "You closed this request" in text(
        scene.client("mira").get(f"/apprenticeships/{request}")
    )


def test_a_running_apprenticeship_can_be_ended_by_the_blocker(scene):
    assert apprentices_of(scene.app, scene.mira) == 1
    post(scene.client("priya"), f"/people/{scene.mira}/block", {"end_running": "y"})
    assert state_of(scene.app, scene.a) == State.ENDED
    assert apprentices_of(scene.app, scene.mira) == 0  # the place is free again
    with scene.app.app_context():
        a = db.session.get(Apprenticeship, scene.a)
        assert (a.reason, a.ended_by_id) == ("unavailable", scene.priya)
    notes = notes_for(scene.app, scene.mira)
    assert (
        notes[-1].text
        == "Priya Raman is not available, so your apprenticeship with them is closed."
    )
    page = text(scene.client("mira").get(f"/apprenticeships/{scene.a}"))
    assert "Priya Raman is not available, so this apprenticeship closed" in page
    no_block_word(page.replace(f'href="/people/{scene.priya}/block"', ""))


def test_the_end_box_does_nothing_without_a_running_apprenticeship(scene):
    request = make_apprenticeship(scene.app, scene.mira, scene.olu)
    post(scene.client("olu"), f"/people/{scene.mira}/block", {"end_running": "y"})
    assert state_of(scene.app, request) == State.DECLINED
    assert state_of(scene.app, scene.a) == State.ACCEPTED  # Mira and Priya's goes on


def test_the_blocked_person_only_sees_not_available(scene):
    post(scene.client("mira"), f"/people/{scene.olu}/block", {})
    olu = scene.client("olu")
    profile = text(olu.get(f"/people/{scene.mira}"))
    assert "Mira Okafor is not available." in profile
    assert "Ask for an apprenticeship" not in profile and "Twenty years" not in profile
    no_block_word(profile)
    for url in (f"/people/{scene.mira}/ask", "/notifications", "/dashboard", "/apprenticeships"):
        no_block_word(text(olu.get(url, follow_redirects=True)))
    # Olu's own list of blocks is empty: he cannot see Mira's.
    assert "Mira" not in text(olu.get("/account/blocked"))
    # And he cannot lift her block.
    post(olu, f"/people/{scene.mira}/unblock", {})
    assert blocks_of(scene.app) == [(scene.mira, scene.olu)]


def test_unblock_from_account_settings(scene):
    olu = scene.client("olu")
    post(olu, f"/people/{scene.mira}/block", {})
    settings = text(olu.get("/account"))
    assert 'href="/account/blocked"' in settings
    listed = text(olu.get("/account/blocked"))
    assert "Mira Okafor" in listed and f'action="/people/{scene.mira}/unblock"' in listed
    response = post(olu, f"/people/{scene.mira}/unblock", {}, follow_redirects=True)
    assert "You unblocked Mira Okafor." in flashed(response)
    assert blocks_of(scene.app) == []
    assert "Mira Okafor" not in text(olu.get("/account/blocked"))
    # They can meet again.
    response = post(olu, f"/people/{scene.mira}/ask", {"message": REQUEST_MESSAGE})
    assert response.status_code == 302
    assert count(scene.app, Apprenticeship, Apprenticeship.mentee_id == scene.olu) == 1


# Suggestions and cohorts


def build(client, auth, users, email: str, name: str, role: str) -> int:
    person = users(
        email=email, display_name=name, is_mentor=role == "mentor", is_mentee=role == "mentee"
    )
    auth.login(email)
    for section, data in (MENTOR_SECTIONS if role == "mentor" else MENTEE_SECTIONS).items():
        response = post_form(client, edit_url(person, role, section), data)
        assert response.status_code == 302, text(response)[:500]
    auth.logout()
    return person


def names(body: str) -> list[str]:
    return re.findall(r'class="suggestion__name"><a href="/people/\d+">([^<]+)</a>', body)


@pytest.mark.parametrize("blocker", ["mentee", "mentor"])
def test_a_blocked_pair_is_out_of_suggestions_both_views_and_the_saved_list(
    app, client, auth, users, blocker
):
    mira = build(client, auth, users, "mira@example.com", "Mira", "mentor")
    build(client, auth, users, "kofi@example.com", "Kofi", "mentor")
    priya = build(client, auth, users, "priya@example.com", "Priya", "mentee")
    build(client, auth, users, "lena@example.com", "Lena", "mentee")
    with app.app_context():
        db.session.add(SuggestionMark(user_id=priya, other_id=mira, kind=MarkKind.FAVOURITE))
        db.session.commit()
    auth.login("priya@example.com")
    assert set(names(text(client.get("/suggestions")))) == {"Mira", "Kofi"}
    auth.logout()
    auth.login("mira@example.com")
    assert set(names(text(client.get("/suggestions/mentees")))) == {"Priya", "Lena"}
    auth.logout()
    with app.app_context():
        one, other = (priya, mira) if blocker == "mentee" else (mira, priya)
        db.session.add(Block(blocker_id=one, blocked_id=other))
        db.session.commit()
    auth.login("priya@example.com")
    assert names(text(client.get("/suggestions"))) == ["Kofi"]
    assert names(text(client.get("/suggestions?saved=1"))) == []  # saved, but blocked
    auth.logout()
    auth.login("mira@example.com")
    assert names(text(client.get("/suggestions/mentees"))) == ["Lena"]
    auth.logout()


@pytest.mark.parametrize("strategy", ["optimal", "stable"])
def test_a_blocked_pair_is_never_proposed_in_a_cohort_run(app, strategy):
    with app.app_context():
        seed_demo(mentors=12, mentees=30)
        db.session.commit()
        first = plan_cohort(strategy)
        proposed = [(mentee, mentor) for mentee, mentor, _ in first.result.pairs]
        assert proposed
        for i, (mentee, mentor) in enumerate(proposed):
            # Half blocked by the apprentice, half by the mentor.
            db.session.add(
                Block(blocker_id=mentee, blocked_id=mentor)
                if i % 2
                else Block(blocker_id=mentor, blocked_id=mentee)
            )
        db.session.commit()
        second = plan_cohort(strategy)
        again = {(mentee, mentor) for mentee, mentor, _ in second.result.pairs}
        assert again.isdisjoint(proposed)
        assert second.result.placed > 0  # the others are still paired


def test_match_cohort_from_the_command_line_leaves_blocked_pairs_out(app, runner):
    with app.app_context():
        seed_demo(mentors=6, mentees=10)
        db.session.commit()
        pairs = [(a, b) for a, b, _ in plan_cohort().result.pairs]
        for mentee, mentor in pairs:
            db.session.add(Block(blocker_id=mentee, blocked_id=mentor))
        db.session.commit()
    result = runner.invoke(args=["match-cohort", "--dry-run", "--csv", "-"])
    assert result.exit_code == 0, result.output
    rows = {
        (int(m.group(1)), int(m.group(2)))
        for m in re.finditer(r"^(\d+),[^,]*,[^,]*,(\d+),", result.stdout, re.M)
    }
    assert rows and rows.isdisjoint(pairs)


def test_a_block_needs_the_blocker_s_own_session(scene):
    """Another person's block is theirs: it never shows or changes from elsewhere."""
    post(scene.client("priya"), f"/people/{scene.olu}/block", {})
    assert "Olu" not in text(scene.client("mira").get("/account/blocked"))
    post(scene.client("mira"), f"/people/{scene.olu}/unblock", {})
    with scene.app.app_context():
        assert db.session.scalars(select(Block.blocker_id)).all() == [scene.priya]


def test_a_studio_s_page_leaves_out_a_blocked_mentor(app):
    from tests.functional.listing_builders import make_listing, mentor_at, person
    from tests.functional.listing_builders import signed_in as listing_client

    studio = make_listing(app, "Canal Street Studios")
    mira = mentor_at(app, "mira@example.com", "Mira", studio)
    kofi = mentor_at(app, "kofi@example.com", "Kofi", studio)
    sam = person(app, "sam@example.com", "Sam")
    with app.app_context():
        db.session.add(Block(blocker_id=mira, blocked_id=sam))
        db.session.commit()
    page = text(listing_client(app, "sam@example.com").get(f"/directory/{studio}"))
    assert f'href="/people/{kofi}">Kofi</a>' in page and f'href="/people/{mira}"' not in page
    public = text(app.test_client().get(f"/directory/{studio}"))
    assert f'href="/people/{mira}">Mira</a>' in public
