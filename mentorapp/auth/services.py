"""Accounts: sign-up, login, verification, password reset.

Services add and flush; the request commits once (see `mentorapp.requests`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentorapp.auth import passwords
from mentorapp.auth.tokens import Purpose, make_token, read_token
from mentorapp.errors import DomainError
from mentorapp.extensions import db
from mentorapp.mail import public_url, queue_email
from mentorapp.models import Role, User
from mentorapp.models.types import utcnow
from mentorapp.trust import ages


class EmailTaken(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "An account with this email already exists. Log in, or reset your password.",
            field="email",
        )


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__("That email and password do not match an account.")


class AccountSuspended(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This account is suspended. If you think this is a mistake, reply to any email "
            "we sent you."
        )


class InvalidLink(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "This link has expired, was already used, or belongs to an older email address."
        )


def normalise_email(raw: str) -> str:
    """The canonical form we store and compare: trimmed and lower-cased."""
    return raw.strip().lower()


def is_valid_email(raw: str) -> bool:
    try:
        validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


@dataclass(frozen=True)
class SignUp:
    display_name: str
    email: str
    password: str
    role: Role
    date_of_birth: date
    conduct_version: int  # the version of the code of conduct the person accepted


def sign_up(data: SignUp) -> User:
    """Create an account for a mentee or a mentor and send the verification email.

    Under 13 is refused (`TooYoung`) before anything is looked up or stored."""
    from mentorapp.trust import conduct

    if ages.is_too_young_on(data.date_of_birth, utcnow().date()):
        raise conduct.TooYoung()
    if data.role not in (Role.MENTEE, Role.MENTOR):
        raise DomainError("Choose whether you want to learn or to teach.", field="role")
    email = normalise_email(data.email)
    if find_user_by_email(email) is not None:
        raise EmailTaken()
    problem = passwords.password_problem(data.password, email=email, name=data.display_name)
    if problem:
        raise DomainError(problem, field="password")
    user = User(
        email=email,
        display_name=data.display_name.strip(),
        password_hash=passwords.hash_password(data.password),
        is_mentee=data.role is Role.MENTEE,
        is_mentor=data.role is Role.MENTOR,
        date_of_birth=data.date_of_birth,
    )
    conduct.accept_conduct(user, data.conduct_version)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # two sign-ups with one email at the same moment
        raise EmailTaken() from None
    send_verification(user)
    return user


def send_verification(user: User) -> None:
    link = public_url("auth.verify_email", token=make_token(user, Purpose.VERIFY_EMAIL))
    queue_email(
        user.email, "Confirm your email for mentorapp", "verify_email", user=user, link=link
    )


def authenticate(email: str, password: str) -> User:
    """The account for these credentials; the same error and time for any mismatch."""
    user = find_user_by_email(email)
    if not passwords.verify_password(user.password_hash if user else None, password):
        raise InvalidCredentials()
    assert user is not None
    if user.suspended_at is not None:
        raise AccountSuspended()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def verification_target(token: str) -> User:
    user = read_token(token, Purpose.VERIFY_EMAIL, get_user)
    if user is None:
        raise InvalidLink()
    return user


def verify_email(token: str) -> User:
    user = verification_target(token)
    user.email_verified_at = utcnow()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or user.suspended_at is not None:
        return
    link = public_url("auth.reset_password", token=make_token(user, Purpose.RESET_PASSWORD))
    queue_email(user.email, "Reset your mentorapp password", "reset_password", user=user, link=link)


def reset_target(token: str) -> User:
    user = read_token(token, Purpose.RESET_PASSWORD, get_user)
    if user is None or user.suspended_at is not None:
        raise InvalidLink()
    return user


def reset_password(token: str, new_password: str) -> User:
    user = reset_target(token)
    set_password(user, new_password)
    # The reset link reached the inbox, so the address is proven too.
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def set_password(user: User, new_password: str) -> None:
    problem = passwords.password_problem(new_password, email=user.email, name=user.display_name)
    if problem:
        raise DomainError(problem, field="password")
    user.password_hash = passwords.hash_password(new_password)
    user.end_all_sessions()
