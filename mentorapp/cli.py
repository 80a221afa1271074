"""Command-line tools: `flask create-admin`, `flask seed-demo`, `flask send-outbox`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from mentorapp.auth.passwords import hash_password, password_problem
from mentorapp.auth.services import find_user_by_email, is_valid_email, normalise_email
from mentorapp.extensions import db
from mentorapp.mail import deliver
from mentorapp.models import User
from mentorapp.models.types import utcnow

DEMO_PASSWORD = "studio-demo-pass"  # noqa: S105 (documented demo login)

# (email, name, mentor?, mentee?, admin?)
DEMO_PEOPLE: list[tuple[str, str, bool, bool, bool]] = [
    ("admin@example.com", "Ada Okafor", False, False, True),
    ("mentor@example.com", "Marcus Lindqvist", True, False, False),
    ("mentee@example.com", "Priya Raman", False, True, False),
    ("sofia.alvarez@example.com", "Sofía Álvarez", True, False, False),
    ("kenji.watanabe@example.com", "Kenji Watanabe", True, False, False),
    ("amara.nwosu@example.com", "Amara Nwosu", True, False, False),
    ("liam.obrien@example.com", "Liam O'Brien", True, True, False),
    ("fatima.zahra@example.com", "Fatima Zahra Benali", True, False, False),
    ("jonas.becker@example.com", "Jonas Becker", True, False, False),
    ("chloe.martin@example.com", "Chloé Martin", True, False, False),
    ("diego.santos@example.com", "Diego Santos", True, False, False),
    ("hannah.cohen@example.com", "Hannah Cohen", True, False, False),
    ("tariq.hassan@example.com", "Tariq Hassan", False, True, False),
    ("mia.kowalski@example.com", "Mia Kowalski", False, True, False),
    ("noah.jensen@example.com", "Noah Jensen", False, True, False),
    ("aisha.bello@example.com", "Aisha Bello", False, True, False),
    ("lucas.ferreira@example.com", "Lucas Ferreira", False, True, False),
    ("yuki.tanaka@example.com", "Yuki Tanaka", False, True, False),
    ("emma.rossi@example.com", "Emma Rossi", False, True, False),
    ("oscar.nilsson@example.com", "Oscar Nilsson", False, True, False),
    ("zanele.dlamini@example.com", "Zanele Dlamini", False, True, False),
    ("mateo.garcia@example.com", "Mateo García", False, True, False),
    ("ines.moreau@example.com", "Inès Moreau", False, True, False),
    ("ravi.patel@example.com", "Ravi Patel", False, True, False),
]


def seed_demo_people() -> int:
    """Create the demo accounts that do not exist yet; return how many were created."""
    existing = set(db.session.scalars(select(User.email)))
    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    for email, name, mentor, mentee, admin in DEMO_PEOPLE:
        if email in existing:
            continue
        db.session.add(
            User(
                email=email,
                display_name=name,
                password_hash=password_hash,
                is_mentor=mentor,
                is_mentee=mentee,
                is_admin=admin,
                email_verified_at=utcnow(),
            )
        )
        created += 1
    return created


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed when there are no accounts yet.")
    def seed_demo(if_empty: bool) -> None:
        """Fill the database with demo people (safe to run again)."""
        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            click.echo("The database already has accounts; demo data left as it is.")
            return
        created = seed_demo_people()
        db.session.commit()
        click.echo(
            f"Demo data ready ({created} accounts created). Log in as "
            f"admin@example.com, mentor@example.com or mentee@example.com "
            f"with the password {DEMO_PASSWORD!r}."
        )

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Admin", show_default=True, help="Display name.")
    @click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Asked for when not given (give it only in scripts).",
    )
    def create_admin(email: str, name: str, password: str) -> None:
        """Create an admin account, or make an existing account an admin."""
        if not is_valid_email(email):
            raise click.BadParameter("not a valid email address", param_hint="EMAIL")
        user = find_user_by_email(email)
        if user is not None:
            user.is_admin = True
            db.session.commit()
            click.echo(f"{user.email} is now an admin (password unchanged).")
            return
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise click.BadParameter(problem, param_hint="--password")
        user = User(
            email=normalise_email(email),
            display_name=name,
            password_hash=hash_password(password),
            is_admin=True,
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.commit()
        click.echo(f"Admin {user.email} created.")

    @app.cli.command("send-outbox")
    def send_outbox() -> None:
        """Send every email still waiting in the outbox (retries failed ones)."""
        sent, failed = deliver()
        click.echo(f"{sent} sent, {failed} failed.")
