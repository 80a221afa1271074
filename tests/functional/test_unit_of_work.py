"""The request's single commit: a conflict or a failing database found at commit time
answers with its error page, never a 500, and leaves nothing behind."""

from flask import session
from sqlalchemy import func, select

from mentorapp.extensions import db
from mentorapp.models import User
from tests.factories import make_user
from tests.helpers import text


def test_a_conflict_found_at_commit_is_a_409_and_saves_nothing(make_app, users):
    app = make_app()
    users(email="taken@example.com")

    @app.post("/test-only/duplicate")
    def duplicate():
        # Neither row is flushed before the commit: the unique email fails there.
        session["seen"] = True  # a response that sets the cookie, as a login does
        db.session.add(make_user(email="taken@example.com"))
        db.session.add(make_user(email="new@example.com"))
        return "saved", 200

    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post("/test-only/duplicate")
    assert response.status_code == 409
    assert "saved" not in text(response) and "IntegrityError" not in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1
