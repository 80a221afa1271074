from sqlalchemy import func, select

from mentorapp.demo import APPLICANTS, DEMO_PASSWORD, NAMED_PEOPLE
from mentorapp.extensions import db
from mentorapp.models import User
from tests.conftest import post_form
from tests.helpers import get_user, user_count


def test_create_admin_with_a_password_option(app, runner):
    result = runner.invoke(
        args=[
            "create-admin",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--password",
            "an admin passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    user = get_user(app, "boss@example.com")
    assert user.is_admin and user.is_verified


def test_create_admin_asks_for_the_password(app, runner):
    result = runner.invoke(
        args=["create-admin", "boss@example.com"],
        input="an admin passphrase\nan admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert get_user(app, "boss@example.com").is_admin


def test_create_admin_refuses_a_weak_password_or_bad_email(app, runner):
    weak = runner.invoke(args=["create-admin", "boss@example.com", "--password", "short"])
    bad = runner.invoke(args=["create-admin", "not-an-email", "--password", "a fine passphrase"])
    assert weak.exit_code != 0 and "at least 10" in weak.output
    assert bad.exit_code != 0
    assert user_count(app) == 0


def test_create_admin_promotes_an_existing_account(app, runner, users):
    users(email="priya@example.com")
    result = runner.invoke(args=["create-admin", "priya@example.com", "--password", "ignored!!"])
    assert result.exit_code == 0 and "now an admin" in result.output
    assert get_user(app, "priya@example.com").is_admin


def test_seed_demo_is_idempotent_and_its_logins_work(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert user_count(app) == len(NAMED_PEOPLE) + len(APPLICANTS) + 150
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert user_count(app) == len(NAMED_PEOPLE) + len(APPLICANTS) + 150
    with app.app_context():
        admins = db.session.scalar(select(func.count(User.id)).where(User.is_admin))
    assert admins == 1
    client = app.test_client()
    for email, landing in [
        ("admin@example.com", "/admin"),
        ("mentor@example.com", "/account"),
        ("mentee@example.com", "/account"),
    ]:
        post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
        assert client.get(landing).status_code == 200, email
        post_form(client, "/logout", {}, page="/dashboard")


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, runner, users):
    users(email="someone@example.com")
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "left as it is" in result.output
    assert user_count(app) == 1
