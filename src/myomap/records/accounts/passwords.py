"""Argon2id password hashing (argon2-cffi), with a cheap profile for tests."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10


@cache
def hasher(profile: str = "standard") -> PasswordHasher:
    if profile == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


def hash_password(password: str, *, profile: str = "standard") -> str:
    return hasher(profile).hash(password)


def verify_password(password_hash: str, password: str, *, profile: str = "standard") -> bool:
    try:
        return hasher(profile).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, *, profile: str = "standard") -> bool:
    try:
        return hasher(profile).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


# Verified against when the email is unknown, so both cases take about as long.
@cache
def dummy_hash(profile: str = "standard") -> str:
    return hash_password("not-a-real-password-0000", profile=profile)
