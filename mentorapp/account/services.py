"""What a signed-in person does to their own account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from mentorapp.apprenticeships.services import close_all_of
from mentorapp.auth import passwords
from mentorapp.auth.services import (
    EmailTaken,
    InvalidLink,
    find_user_by_email,
    get_user,
    normalise_email,
    set_password,
)
from mentorapp.auth.tokens import Purpose, make_token, read_token
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.mail import public_url, queue_email
from mentorapp.models import Apprenticeship, OutboundEmail, Reference, Role, User
from mentorapp.models.apprenticeship import State
from mentorapp.models.types import utcnow
from mentorapp.photos import services as photos


class WrongPassword(DomainError):
    def __init__(self, field: str = "current_password") -> None:
        super().__init__("That is not your current password.", field=field)


def _check_password(user: User, password: str, field: str) -> None:
    if not passwords.verify_password(user.password_hash, password):
        raise WrongPassword(field)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password and sign out every other session."""
    _check_password(user, current_password, "current_password")
    if current_password == new_password:
        raise DomainError(
            "Choose a password different from your current one.", field="new_password"
        )
    try:
        set_password(user, new_password)
    except DomainError as error:
        raise DomainError(error.message, field="new_password") from None
    queue_email(
        user.email,
        "Your mentorapp password was changed",
        "password_changed",
        user=user,
        reset_link=public_url("auth.forgot_password"),
    )


def change_display_name(user: User, name: str) -> None:
    """The name shown on the person's profile, cards, messages and emails."""
    user.display_name = name.strip()


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Send a confirmation link to the new address; the email changes once it is opened."""
    _check_password(user, password, "password")
    email = normalise_email(new_email)
    if email == user.email:
        raise DomainError("That is already your email address.", field="new_email")
    if find_user_by_email(email) is not None:
        raise DomainError(EmailTaken().message, field="new_email")
    user.pending_email = email
    link = public_url("account.confirm_email_change", token=make_token(user, Purpose.CHANGE_EMAIL))
    queue_email(
        email, "Confirm your new email for mentorapp", "confirm_email_change", user=user, link=link
    )


def email_change_target(token: str) -> User:
    user = read_token(token, Purpose.CHANGE_EMAIL, get_user)
    if user is None or not user.pending_email:
        raise InvalidLink()
    return user


def confirm_email_change(token: str) -> User:
    user = email_change_target(token)
    old_email, new_email = user.email, user.pending_email
    assert new_email is not None
    if find_user_by_email(new_email) is not None:
        raise DomainError(EmailTaken().message)
    user.email = new_email
    user.pending_email = None
    user.email_verified_at = utcnow()
    user.end_all_sessions()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DomainError(EmailTaken().message) from None
    queue_email(
        old_email,
        "Your mentorapp email was changed",
        "email_changed",
        user=user,
        new_email=new_email,
    )
    return user


def add_role(user: User, role: Role) -> None:
    """A mentee may also teach, and a mentor may also learn."""
    if role is Role.MENTOR:
        user.is_mentor = True
    elif role is Role.MENTEE:
        user.is_mentee = True
    else:
        raise DomainError("That role cannot be added from account settings.")


@dataclass(frozen=True)
class WhatGoes:
    """What deleting an account takes with it, for the person to read first."""

    running: int  # apprenticeships that end
    waiting: int  # requests that close
    references_written: int  # references this person wrote (they stay, unsigned)
    references_received: int


def what_deleting_removes(user: User) -> WhatGoes:
    mine = or_(Apprenticeship.mentor_id == user.id, Apprenticeship.mentee_id == user.id)
    states = dict(
        db.session.execute(
            select(Apprenticeship.state, func.count(Apprenticeship.id))
            .where(mine)
            .group_by(Apprenticeship.state)
        ).all()
    )
    written, received = db.session.execute(
        select(
            func.count(Reference.id).filter(Apprenticeship.mentor_id == user.id),
            func.count(Reference.id).filter(Apprenticeship.mentee_id == user.id),
        )
        .select_from(Reference)
        .join(Apprenticeship, Apprenticeship.id == Reference.apprenticeship_id)
        .where(mine)
    ).one()
    return WhatGoes(
        running=states.get(State.ACCEPTED, 0),
        waiting=states.get(State.REQUESTED, 0),
        references_written=written,
        references_received=received,
    )


def delete_account(user: User, password: str) -> None:
    """Remove the account and the personal data tied to it."""
    _check_password(user, password, "password")
    close_all_of(user)
    # Apprenticeships go with either person, but for the completed ones with a
    # reference: those outlive their mentor (mentor_id becomes NULL), so the apprentice
    # keeps the reference, "from a former mentor".
    with_reference = select(Reference.apprenticeship_id)
    db.session.execute(
        delete(Apprenticeship)
        .where(
            Apprenticeship.mentor_id == user.id,
            Apprenticeship.id.not_in(with_reference),
        )
        .execution_options(synchronize_session=False)
    )
    addresses = {user.email, *([user.pending_email] if user.pending_email else [])}
    db.session.execute(delete(OutboundEmail).where(OutboundEmail.recipient.in_(addresses)))
    photos.forget_photo_of(user)  # its files go once the deletion has committed
    db.session.delete(user)
    db.session.flush()
