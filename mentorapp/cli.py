"""Command-line tools: `flask worker`, `create-admin`, `seed-demo`, `send-outbox`,
`remind-requests` and `match-cohort`."""

from __future__ import annotations

import functools

import click
from flask import Flask
from sqlalchemy import select

from mentorapp import exports
from mentorapp.auth.passwords import hash_password, password_problem
from mentorapp.auth.services import find_user_by_email, is_valid_email, normalise_email
from mentorapp.demo import DEMO_PASSWORD, seed_demo
from mentorapp.extensions import db
from mentorapp.mail import deliver
from mentorapp.models import User
from mentorapp.models.types import utcnow
from mentorapp.programme import planning

COHORT_CSV_HEADER = (
    "mentee_id",
    "mentee",
    "mentee_city",
    "mentor_id",
    "mentor",
    "mentor_city",
    "score",
)


def _cohort_csv_rows(plan):
    mentees, mentors = plan.people()
    for mentee_id, mentor_id, score in plan.result.pairs:
        mentee, mentor = mentees[mentee_id], mentors[mentor_id]
        yield (
            mentee_id,
            mentee.name,
            mentee.city,
            mentor_id,
            mentor.name,
            mentor.city,
            f"{score:.4f}",
        )


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed when there are no accounts yet.")
    def seed_demo_command(if_empty: bool) -> None:
        """Fill the database with demo people (safe to run again)."""
        if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
            click.echo("The database already has accounts; demo data left as it is.")
            return
        created = seed_demo()
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

    @app.cli.command("worker")
    @click.option(
        "--workers",
        "-w",
        default=2,
        show_default=True,
        type=click.IntRange(1, 64),
        help="Tasks run at once by this worker.",
    )
    @click.option(
        "--worker-type",
        "-k",
        type=click.Choice(["thread", "process"]),
        default="thread",
        show_default=True,
        help="Threads (light, the default) or processes.",
    )
    @click.option(
        "--no-periodic",
        is_flag=True,
        help="Leave periodic work (reminders, the sweep...) to other workers.",
    )
    def worker(workers: int, worker_type: str, no_periodic: bool) -> None:
        """Run the task queue's consumer: email, imports, periodic work. Ctrl-C stops it
        after the tasks in hand finish."""
        import logging

        from flask import current_app

        from mentorapp import tasks

        huey_log = logging.getLogger("huey")
        if not huey_log.handlers and not logging.getLogger().handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
            )
            huey_log.addHandler(handler)
        huey_log.setLevel(current_app.logger.level or logging.INFO)
        # Connections must not cross into worker processes.
        db.session.remove()
        db.engine.dispose()
        url = current_app.config["TASK_QUEUE_URL"] or "SQLite, instance/tasks.sqlite3"
        click.echo(f"Worker on {url.split('@')[-1]}: {workers} {worker_type}(s).")
        consumer = tasks.huey.create_consumer(
            workers=workers,
            worker_type=worker_type,
            periodic=not no_periodic,
            check_worker_health=True,
            # An idle worker polls (SQLite) or retries a queue that went away (Redis)
            # at least every 2 s, so work is picked up soon after it arrives or returns.
            max_delay=2.0,
        )
        consumer.run()

    @app.cli.command("send-outbox")
    def send_outbox() -> None:
        """Send every email still waiting now, whatever its backoff (a manual nudge: the
        worker delivers and retries them by itself)."""
        sent, failed = deliver()
        click.echo(f"{sent} sent, {failed} failed.")

    @app.cli.command("remind-requests")
    def remind_requests() -> None:
        """Remind people of requests waiting a week; expire those waiting two (the worker
        does this every quarter hour; this runs it now)."""
        from mentorapp.apprenticeships.services import remind_and_expire

        reminded, expired = remind_and_expire()
        # The emails go to the queue once this commits.
        db.session.commit()
        click.echo(f"{reminded} reminded, {expired} expired.")

    @app.cli.command("match-cohort")
    @click.option(
        "--strategy",
        type=click.Choice(planning.STRATEGIES),
        default="optimal",
        show_default=True,
        help="optimal: most placed, then the best total score; stable: no blocking pair.",
    )
    @click.option(
        "--top",
        default=50,
        show_default=True,
        type=click.IntRange(1, 500),
        help="How many of each mentee's best mentors to consider.",
    )
    @click.option("--dry-run", is_flag=True, help="Print the plan; record nothing.")
    @click.option(
        "--commit",
        "commit_as",
        metavar="ADMIN_EMAIL",
        help="Make a cohort of the whole intake, run it and send its pairs as programme "
        "invitations, in the name of this admin (audited as on /admin/cohorts).",
    )
    @click.option("--name", default="", help="The cohort's name with --commit.")
    @click.option(
        "--show",
        default=10,
        show_default=True,
        type=click.IntRange(0),
        help="How many pairs to list.",
    )
    @click.option(
        "--csv",
        "csv_file",
        type=click.File("w", encoding="utf-8"),
        help="Write every proposed pair to this CSV file ('-' for standard output).",
    )
    def match_cohort(
        strategy: str, top: int, dry_run: bool, commit_as, name: str, show: int, csv_file
    ) -> None:
        """Pair every active mentee with a mentor, under the mentors' capacities."""
        if commit_as and dry_run:
            raise click.UsageError("Choose --dry-run or --commit, not both.")
        if commit_as:
            _commit_cohort(commit_as, name, strategy)
            return
        if not dry_run:
            raise click.UsageError(
                "Use --dry-run to see the plan (and --csv to keep it), or --commit "
                "ADMIN_EMAIL to send its pairs as programme invitations."
            )
        plan = planning.plan_cohort(strategy, top)
        # With the CSV on standard output, the summary goes to standard error.
        to_err = csv_file is not None and csv_file.name == "<stdout>"
        echo = functools.partial(click.echo, err=to_err)
        width = max(len(label) for label, _ in planning.summary_lines(plan))
        echo("Cohort pairing, dry run: nothing recorded")
        for label, value in planning.summary_lines(plan):
            echo(f"  {label:<{width}}  {value}")
        if show and plan.result.pairs:
            mentees, mentors = plan.people()
            echo(f"Best {min(show, plan.result.placed)} pairs:")
            best = sorted(plan.result.pairs, key=lambda pair: (-pair[2], pair[0]))[:show]
            for mentee_id, mentor_id, score in best:
                mentee, mentor = mentees[mentee_id], mentors[mentor_id]
                echo(
                    f"  {score:.3f}  {mentee.name} ({mentee.city}) with "
                    f"{mentor.name} ({mentor.city})"
                )
        if csv_file is not None:
            # Names are the members' own text: through the formula guard, as every
            # download. A file gets the byte order mark spreadsheets need; a pipe does not.
            lines = exports.csv_lines if to_err else exports.csv_rows
            csv_file.writelines(lines(COHORT_CSV_HEADER, _cohort_csv_rows(plan)))


def _commit_cohort(admin_email: str, name: str, strategy: str) -> None:
    """`match-cohort --commit`: the admin screen's own steps (intake, run, commit), here
    in the foreground; a worker that picks up the same tasks finds them taken."""
    from mentorapp.errors import DomainError
    from mentorapp.models.types import utcnow
    from mentorapp.programme import commit, intake, preview

    admin = find_user_by_email(admin_email)
    if admin is None or not admin.is_admin:
        raise click.BadParameter("no admin has this email", param_hint="--commit")
    try:
        made = intake.cohort_of_everyone(admin, name or f"Intake of {utcnow():%d %B %Y}")
        run = preview.start_run(admin, made, strategy)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    preview.run_preview(run.id)
    db.session.refresh(run)
    if run.state != "finished":
        raise click.ClickException(run.failure or "The run did not finish.")
    stats = run.stats
    click.echo(f"Cohort {made.name} (id {made.id}), run {run.id}, {run.strategy}:")
    click.echo(f"  Placed          {stats['placed']:,} of {stats['mentees']:,}")
    click.echo(f"  Mean score      {stats['mean']:.3f}")
    click.echo(f"  Lowest score    {stats['lowest']:.3f}")
    click.echo(f"  Blocking pairs  {stats['blocking']:,}")
    commit.start_commit(admin, made, run)
    db.session.commit()
    commit.run_commit(run.id)
    db.session.refresh(run)
    click.echo(f"  Invited         {run.invited:,}")
    click.echo(f"  Skipped         {run.skipped:,} (checked again: no longer holding)")
