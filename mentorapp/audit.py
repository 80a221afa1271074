"""The audit log: every admin decision, who made it, when, on what, and why."""

from __future__ import annotations

from sqlalchemy import select

from mentorapp.extensions import db
from mentorapp.models import AuditEntry, User

AUDIT_PAGE = 50


def record(admin: User, action: str, subject: str, subject_id: int, name: str, why: str = ""):
    db.session.add(
        AuditEntry(
            actor_id=admin.id,
            actor_name=admin.display_name,
            action=action,
            subject=subject,
            subject_id=subject_id,
            subject_name=name[:200],
            reason=why,
        )
    )


def audit_log(page: int = 1, listing_id: int | None = None) -> tuple[list[AuditEntry], bool]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if listing_id is not None:
        query = query.where(AuditEntry.subject == "listing", AuditEntry.subject_id == listing_id)
    rows = db.session.scalars(query.offset((page - 1) * AUDIT_PAGE).limit(AUDIT_PAGE + 1)).all()
    return list(rows[:AUDIT_PAGE]), len(rows) > AUDIT_PAGE
