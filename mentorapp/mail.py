"""The email outbox: services queue messages in the request's transaction; a task on the
queue delivers each after the commit, by SMTP when MAIL_SERVER is set, otherwise to the
log (so a developer can click the link). Only the worker talks to SMTP.

A failed try is retried after 1 min, 5 min, 30 min, 2 h and 12 h (MAIL_RETRY_DELAYS);
after the last the email is failed for good (`failed_at`) until an admin resends it. The
row is the record: a claim (a conditional UPDATE) makes one worker the sender of a try,
and the sweep re-enqueues emails whose task was lost (Redis was away at the commit).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, has_request_context, render_template, url_for
from sqlalchemy import select, update

from mentorapp import tasks
from mentorapp.database import read_only, write_intent
from mentorapp.extensions import db
from mentorapp.models import OutboundEmail
from mentorapp.models.types import utcnow
from mentorapp.observability.metrics import count_email

# A claim holds an email this long: a worker killed while sending leaves it to the
# sweep after that (the one case where an email may go twice).
SENDING_LEASE = timedelta(minutes=10)
# A task may run a little ahead of its time (the scheduler ticks once a second).
EARLY = timedelta(seconds=2)
# The sweep re-enqueues emails overdue by more than this (their task was lost).
SWEEP_GRACE = timedelta(seconds=15)
SWEEP_BATCH = 500


class DeliveryFailed(Exception):
    """An email's last try failed: it is failed for good until an admin resends it."""


def retry_delays() -> list[float]:
    return [float(d) for d in current_app.config["MAIL_RETRY_DELAYS"]]


def max_attempts() -> int:
    return len(retry_delays()) + 1


def public_url(endpoint: str, **values) -> str:
    """An absolute link built from PUBLIC_URL, never from the request's Host header.

    Works outside a request too (a CLI command such as `flask remind-requests`)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"] + path


def queue_email(
    recipient: str, subject: str, template: str, *, batch: list | None = None, **context
) -> OutboundEmail:
    """Write an email into the outbox; it goes out after the current transaction commits.

    With `batch`, the email is only added to the session and to that list: the caller
    sends the whole batch with `deliver_after_commit` (one flush for many emails)."""
    body = render_template(f"email/{template}.txt", **context)
    # A subject is one header line: whatever a name in it holds, no line break.
    subject = " ".join(subject.split())[:200]
    message = OutboundEmail(recipient=recipient, subject=subject, body_text=body)
    db.session.add(message)
    if batch is not None:
        batch.append(message)
    else:
        deliver_after_commit([message])
    return message


def deliver_after_commit(messages: list[OutboundEmail]) -> None:
    """Give these outbox emails (added to the session) to the queue once the
    transaction commits."""
    db.session.flush()
    for message in messages:
        tasks.enqueue_after_commit(deliver_email, message.id)


@dataclass(frozen=True)
class Envelope:
    """What a try sends, read before SMTP is spoken to, so no transaction (and, on
    SQLite, no write lock) stays open while a slow server makes the worker wait."""

    id: int
    recipient: str
    subject: str
    body_text: str
    attempts: int


def _send_smtp(message: Envelope) -> None:
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="mentorapp")
    email.set_content(message.body_text)
    timeout = cfg["MAIL_TIMEOUT"]
    if cfg["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            cfg["MAIL_SERVER"],
            cfg["MAIL_PORT"],
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
    with smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(email)


def _send(message: Envelope) -> None:
    if current_app.config["MAIL_SERVER"]:
        _send_smtp(message)
    else:
        current_app.logger.info(
            "Email (no MAIL_SERVER set, so logged instead of sent)\nTo: %s\nSubject: %s\n\n%s",
            message.recipient,
            message.subject,
            message.body_text,
        )


def _claim(message_id: int, now: datetime, *, due_only: bool) -> Envelope | None:
    """Make this worker the sender of the email's next try, committed at once, or None
    when it is sent, failed for good, being sent elsewhere or (due_only) not yet due."""
    conditions = [
        OutboundEmail.id == message_id,
        OutboundEmail.sent_at.is_(None),
        OutboundEmail.failed_at.is_(None),
        OutboundEmail.sending_since.is_(None) | (OutboundEmail.sending_since < now - SENDING_LEASE),
    ]
    if due_only:
        conditions.append(
            OutboundEmail.next_attempt_at.is_(None) | (OutboundEmail.next_attempt_at <= now + EARLY)
        )
    claimed = db.session.execute(
        update(OutboundEmail)
        .where(*conditions)
        .values(attempts=OutboundEmail.attempts + 1, sending_since=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return None
    with read_only():
        message = db.session.get(OutboundEmail, message_id, populate_existing=True)
        envelope = Envelope(
            message.id, message.recipient, message.subject, message.body_text, message.attempts
        )
        db.session.rollback()
    return envelope


def _try(envelope: Envelope, now: datetime) -> tuple[float | None, str | None]:
    """Send the claimed email and record the outcome (committed). Returns (None, None)
    when sent, else (seconds until the next try, the error); 0 seconds when that was the
    last try and the email is failed for good."""
    try:
        _send(envelope)
    except (OSError, smtplib.SMTPException) as error:
        count_email("failed")
        reason = f"{type(error).__name__}: {error}"[:500]
        delays = retry_delays()
        message = db.session.get(OutboundEmail, envelope.id)
        message.sending_since = None
        message.last_error = reason
        if envelope.attempts > len(delays):
            message.failed_at = utcnow()
            message.next_attempt_at = None
            wait = 0.0
            current_app.logger.warning(
                "Email %s failed for good after %s tries: %s", envelope.id, envelope.attempts, error
            )
        else:
            wait = delays[envelope.attempts - 1]
            message.next_attempt_at = utcnow() + timedelta(seconds=wait)
            current_app.logger.warning(
                "Email %s not sent (try %s), next in %ss: %s",
                *(envelope.id, envelope.attempts, wait, error),
            )
        db.session.commit()
        return wait, reason
    count_email("sent")
    message = db.session.get(OutboundEmail, envelope.id)
    message.sent_at = utcnow()
    message.sending_since = None
    message.next_attempt_at = None
    message.last_error = None
    db.session.commit()
    return None, None


@tasks.task()
def deliver_email(message_id: int) -> str:
    """Deliver one outbox email (one try); a failed try schedules the next with backoff."""
    now = utcnow()
    token = write_intent.set(True)
    try:
        envelope = _claim(message_id, now, due_only=True)
        if envelope is None:
            return "skipped"
        wait, error = _try(envelope, now)
        if wait is None:
            return "sent"
        if wait == 0:
            raise DeliveryFailed(f"Email {message_id} failed for good: {error}")
        # huey keeps the retry; should it be lost, the sweep finds the email overdue.
        raise tasks.RetryTask(f"try {envelope.attempts} failed: {error}", delay=wait)
    finally:
        write_intent.reset(token)


@tasks.register_sweeper("email")
def sweep_outbox(now: datetime | None = None) -> int:
    """Enqueue emails overdue for their try (the queue lost or never got their task)."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(OutboundEmail.id)
        .where(
            OutboundEmail.sent_at.is_(None),
            OutboundEmail.failed_at.is_(None),
            OutboundEmail.next_attempt_at <= now - SWEEP_GRACE,
            OutboundEmail.sending_since.is_(None)
            | (OutboundEmail.sending_since < now - SENDING_LEASE),
        )
        .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
        .limit(SWEEP_BATCH)
    ).all()
    db.session.rollback()  # end the read before enqueuing (SQLite: let writers in)
    enqueued = 0
    for message_id in ids:
        enqueued += tasks.enqueue(deliver_email, message_id)
    return enqueued


def resend(message_id: int) -> bool:
    """Give an email failed for good a fresh set of tries (an admin's decision); the
    caller commits, and the email is enqueued after that commit."""
    reopened = db.session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.id == message_id,
            OutboundEmail.sent_at.is_(None),
            OutboundEmail.failed_at.is_not(None),
        )
        .values(failed_at=None, attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if reopened == 1:
        tasks.enqueue_after_commit(deliver_email, message_id)
    return reopened == 1


def deliver(ids: list[int] | None = None) -> tuple[int, int]:
    """Send committed emails that are not sent nor failed for good, now, whatever their
    backoff (`flask send-outbox`, a manual nudge). Returns (sent, failed)."""
    token = write_intent.set(True)
    sent = failed = 0
    try:
        query = select(OutboundEmail.id).where(
            OutboundEmail.sent_at.is_(None), OutboundEmail.failed_at.is_(None)
        )
        if ids is not None:
            query = query.where(OutboundEmail.id.in_(ids))
        message_ids = db.session.scalars(query.order_by(OutboundEmail.id)).all()
        db.session.commit()
        for message_id in message_ids:
            now = utcnow()
            envelope = _claim(message_id, now, due_only=False)
            if envelope is None:
                continue
            wait, _error = _try(envelope, now)
            if wait is None:
                sent += 1
            else:
                failed += 1
                if wait:
                    # Its next try on the queue, as a task would have scheduled it.
                    tasks.enqueue(deliver_email, message_id, delay=wait)
    finally:
        write_intent.reset(token)
    return sent, failed
