"""A mentor says which listed studio they work at; both pages say so."""

from tests.functional.listing_builders import make_listing, mentor_at, post, signed_in
from tests.helpers import text


def test_a_mentor_says_they_work_at_a_studio_and_both_pages_show_it(app):
    studio = make_listing(app, "Canal Street Studios")
    hidden = make_listing(app, "Not Yet Vetted", state="pending")
    mira = mentor_at(app, "mira@example.com", "Mira", None)
    client = signed_in(app, "mira@example.com")

    assert "I work here" in text(client.get(f"/directory/{studio}"))
    post(client, f"/directory/{studio}/work-here/yes")
    listing_page = text(client.get(f"/directory/{studio}"))
    assert "Your profile says you work here." in listing_page
    assert f'href="/people/{mira}">Mira</a>' in listing_page
    profile = text(app.test_client().get(f"/people/{mira}"))
    assert "Works at" in profile and "Canal Street Studios" in profile

    # Not a place the public cannot see; and the choice can be taken back.
    assert post(client, f"/directory/{hidden}/work-here/yes").status_code == 404
    post(client, f"/directory/{studio}/work-here/no")
    assert "Canal Street Studios" not in text(app.test_client().get(f"/people/{mira}"))


def test_only_mentors_say_where_they_work(app):
    studio = make_listing(app, "Canal Street Studios")
    from tests.functional.listing_builders import person

    person(app, "sam@example.com", "Sam")
    client = signed_in(app, "sam@example.com")
    assert "I work here" not in text(client.get(f"/directory/{studio}"))
    assert post(client, f"/directory/{studio}/work-here/yes").status_code == 404
    assert app.test_client().post(f"/directory/{studio}/work-here/yes").status_code in (302, 400)
