"""Errors raised by services. Every face maps them the same way (404, 403, 400, 409)."""

from __future__ import annotations

from typing import Any


class RecordsError(Exception):
    """Base class: ``str(error)`` is a message fit to show the user."""


class NotFound(RecordsError):
    """No such record, or it belongs to another clinic (the two look the same on purpose)."""

    def __init__(self, what: str = "record") -> None:
        super().__init__(f"{what} not found")
        self.what = what


class Forbidden(RecordsError):
    """The user's role does not allow this."""


class Duplicate(RecordsError):
    """A record with the same unique key (clinic name, email address) exists."""


class ValidationFailed(RecordsError):
    """Input is invalid; ``errors`` lists every problem (field -> message), nothing was saved."""

    def __init__(self, errors: dict[str, str] | list[tuple[str, str]]) -> None:
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in self.errors.items()))


class VersionConflict(RecordsError):
    """The record changed since the version the edit was based on."""

    def __init__(self, what: str, expected: int, current: int, current_values: dict[str, Any]) -> None:
        self.what = what
        self.expected = expected
        self.current = current
        self.current_values = current_values
        super().__init__(
            f"this {what} was changed by someone else (you edited version {expected}, "
            f"it is now version {current}); nothing was saved"
        )


class SignInError(RecordsError):
    """Sign-in failed; the message never says whether the email exists."""


class LockedOut(SignInError):
    """Too many failed sign-ins recently."""
