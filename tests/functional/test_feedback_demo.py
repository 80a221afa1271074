"""The demo data carries feedback: the demo mentor's finished apprenticeship has both
sides' feedback and a testimonial on his public page, and the demo admin finds a mentor
flagged for low recent ratings."""

from __future__ import annotations

from sqlalchemy import select

from mentorapp.demo import DEMO_PASSWORD
from mentorapp.extensions import db
from mentorapp.models import Apprenticeship, Feedback, State, User
from tests.conftest import post_form
from tests.helpers import text


def test_the_demo_shows_feedback_to_the_public_and_a_flag_to_the_admin(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        marcus = db.session.scalar(select(User).where(User.email == "mentor@example.com"))
        [finished] = [
            a
            for a in db.session.scalars(
                select(Apprenticeship).where(Apprenticeship.mentor_id == marcus.id)
            )
            if a.state == State.COMPLETED
        ]
        sides = sorted(f.side for f in finished.feedback)
        shown = [f.testimonial for f in finished.feedback if f.testimonial_shown]
        marcus_id, finished_id = marcus.id, finished.id
        private = [f.private_words for f in db.session.scalars(select(Feedback))]
    assert sides == ["mentee", "mentor"] and len(shown) == 1

    public = text(app.test_client().get(f"/people/{marcus_id}"))
    assert shown[0] in public and "1 apprenticeship completed on mentorapp." in public
    assert not any(words and words in public for words in private)

    client = app.test_client()
    post_form(client, "/login", {"email": "mentor@example.com", "password": DEMO_PASSWORD})
    workspace = text(client.get(f"/apprenticeships/{finished_id}"))
    assert "Your public profile shows it." in workspace and "You gave your feedback" in workspace
    post_form(client, "/logout", {}, page="/dashboard")

    post_form(client, "/login", {"email": "admin@example.com", "password": DEMO_PASSWORD})
    ratings = text(client.get("/admin/feedback?flagged=1"))
    assert ratings.count("low recent ratings") == 1
