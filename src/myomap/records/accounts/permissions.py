"""Who may do what: roles map to permissions, and an :class:`Actor` carries the user into services.

- front desk: client contact details (create, view, edit, archive, restore, search);
- therapist: that, plus clinical records (pain drawings);
- owner: everything, including managing the clinic's users and reading the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from myomap.records.accounts.models import Role, User
from myomap.records.errors import Forbidden


class Permission(StrEnum):
    CLIENTS = "clients"
    CLINICAL = "clinical"
    USERS = "users"
    AUDIT = "audit"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.THERAPIST: frozenset({Permission.CLIENTS, Permission.CLINICAL}),
    Role.FRONT_DESK: frozenset({Permission.CLIENTS}),
}

_DENIED = {
    Permission.CLIENTS: "Your role cannot work with client records.",
    Permission.CLINICAL: "Only therapists and owners can see or record clinical information such as pain drawings.",
    Permission.USERS: "Only the clinic owner can manage users.",
    Permission.AUDIT: "Only the clinic owner can read the audit log.",
}

Via = Literal["web", "api", "cli"]


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in user behind a service call, and where the call came from (for the audit log)."""

    user: User
    ip: str | None = None
    via: Via = "web"

    @property
    def clinic_id(self) -> int:
        return self.user.clinic_id

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.user.role]


TWO_FACTOR_ROLES = frozenset({Role.OWNER, Role.THERAPIST})  # whom a clinic can require two-factor of
TWO_FACTOR_REQUIRED = ("Two-factor sign-in is required by your clinic: enrol in the web app first "
                       "(sign in there and follow the steps); your API tokens work again once you have.")


def must_enrol(user: User) -> bool:
    """The clinic requires two-factor sign-in of this user's role, and they have not enrolled."""
    return user.clinic.require_two_factor and user.role in TWO_FACTOR_ROLES and not user.has_two_factor


def require(actor: Actor, permission: Permission) -> None:
    """Raise :class:`Forbidden` unless the actor's role grants ``permission``."""
    if not actor.can(permission):
        raise Forbidden(_DENIED[permission])
