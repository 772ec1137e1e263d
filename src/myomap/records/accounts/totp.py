"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps make them.

Pure functions over the standard library: the secret is base32 text (what apps accept typed in or
in an ``otpauth://`` URI), codes are 6 digits from HMAC-SHA1 over 30-second steps, the defaults of
every common authenticator app.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

DIGITS = 6
STEP_SECONDS = 30
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 block RFC 4226 recommends
DRIFT_STEPS = 1  # a code from the step before or after is accepted (clock drift, typing time)


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    text = secret.replace(" ", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 section 5.3: HMAC of the 8-byte counter, dynamically truncated to ``digits``."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_at(secret: str, unix_time: float) -> str:
    return hotp(_key(secret), time_step(unix_time))


def matching_step(secret: str, code: str, unix_time: float, *, after_step: int | None = None) -> int | None:
    """The time step whose code equals ``code`` (within the drift allowed), or None.

    Steps at or before ``after_step`` (the last one accepted) never match, so an overheard code
    cannot be replayed."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret)
    now = time_step(unix_time)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps read (Google's Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"

