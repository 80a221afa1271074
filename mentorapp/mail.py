"""The email outbox: services queue messages in the request's transaction; they are
delivered only after it commits, by SMTP when MAIL_SERVER is set, otherwise to the log
(so a developer can click the link)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, g, has_request_context, render_template, url_for
from sqlalchemy import select, update

from mentorapp.database import write_intent
from mentorapp.extensions import db
from mentorapp.models import OutboundEmail
from mentorapp.models.types import utcnow

MAX_ATTEMPTS = 5


def public_url(endpoint: str, **values) -> str:
    """An absolute link built from PUBLIC_URL, never from the request's Host header.

    Works outside a request too (a CLI command such as `flask remind-requests`)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"] + path


def queue_email(recipient: str, subject: str, template: str, **context) -> OutboundEmail:
    """Write an email into the outbox; it goes out after the current transaction commits."""
    body = render_template(f"email/{template}.txt", **context)
    # A subject is one header line: whatever a name in it holds, no line break.
    subject = " ".join(subject.split())[:200]
    message = OutboundEmail(recipient=recipient, subject=subject, body_text=body)
    db.session.add(message)
    db.session.flush()
    g.setdefault("outbox_ids", []).append(message.id)
    return message


def _send_smtp(message: OutboundEmail) -> None:
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


def _send(message: OutboundEmail) -> None:
    if current_app.config["MAIL_SERVER"]:
        _send_smtp(message)
    else:
        current_app.logger.info(
            "Email (no MAIL_SERVER set, so logged instead of sent)\nTo: %s\nSubject: %s\n\n%s",
            message.recipient,
            message.subject,
            message.body_text,
        )


def deliver(ids: list[int] | None = None) -> tuple[int, int]:
    """Send committed, unsent messages (these ids, or every one due). Returns (sent, failed)."""
    token = write_intent.set(True)
    sent = failed = 0
    try:
        query = select(OutboundEmail.id).where(
            OutboundEmail.sent_at.is_(None), OutboundEmail.attempts < MAX_ATTEMPTS
        )
        if ids is not None:
            query = query.where(OutboundEmail.id.in_(ids))
        for message_id in db.session.scalars(query.order_by(OutboundEmail.id)).all():
            # Claim the message so two senders never both send it.
            claimed = db.session.execute(
                update(OutboundEmail)
                .where(
                    OutboundEmail.id == message_id,
                    OutboundEmail.sent_at.is_(None),
                    OutboundEmail.attempts < MAX_ATTEMPTS,
                )
                .values(attempts=OutboundEmail.attempts + 1)
            ).rowcount
            db.session.commit()
            if claimed != 1:
                continue
            message = db.session.get(OutboundEmail, message_id)
            try:
                _send(message)
            except (OSError, smtplib.SMTPException) as error:
                message.last_error = f"{type(error).__name__}: {error}"[:500]
                failed += 1
                current_app.logger.warning("Email %s not sent: %s", message_id, error)
            else:
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
            db.session.commit()
    finally:
        write_intent.reset(token)
    return sent, failed
