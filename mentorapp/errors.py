"""Domain errors: what services raise, with a message a person can read."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the product refused an action. `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The person may not do this (maps to 403)."""


class Conflict(DomainError):
    """The action no longer applies, e.g. decided by someone else (maps to 409)."""
