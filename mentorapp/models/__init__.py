"""Typed models, one module per part of the domain. Models never commit."""

from mentorapp.models.outbox import OutboundEmail
from mentorapp.models.user import Role, User

__all__ = ["OutboundEmail", "Role", "User"]
