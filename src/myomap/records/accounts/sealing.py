"""Authenticator secrets sealed at rest, so a copy of the database alone cannot make sign-in codes.

Sealed with Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) under a key derived by
HKDF-SHA256 from the app's secret key (``MYOMAP_SECRET_KEY`` or ``<data dir>/secret_key``), which
every server of a clinic already shares. A secret saved before sealing existed is plain base32 and
is still read (:func:`is_sealed` tells them apart); the caller seals it again on that read.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from myomap.records.errors import SignInError

_HKDF_INFO = b"myomap two-factor secret v1"  # a key of its own: not the one signing cookies
_PLAIN_BASE32 = re.compile(r"[A-Z2-7]+")  # how totp.new_secret writes a secret; a Fernet token has lower case

UNREADABLE = (
    "This server cannot read your authenticator key: it was saved under a different secret key. "
    "Ask the clinic's administrator to give every server the same MYOMAP_SECRET_KEY "
    "(or the data folder's secret_key file); an owner can also reset your two-factor sign-in."
)


class SecretUnreadable(SignInError):
    """A sealed secret does not open with this server's key: refuse (never treat it as a wrong code)."""

    def __init__(self) -> None:
        super().__init__(UNREADABLE)


class SecretSealer:
    """Seals and opens authenticator secrets with one app secret key."""

    def __init__(self, app_secret_key: str) -> None:
        if not app_secret_key:
            raise ValueError("the app secret key is empty")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
            app_secret_key.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("ascii")).decode("ascii")

    def open(self, stored: str) -> str:
        """The secret from what the database holds (sealed, or plain from before sealing existed)."""
        if not is_sealed(stored):
            return stored
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as exc:
            raise SecretUnreadable() from exc


def is_sealed(stored: str) -> bool:
    return _PLAIN_BASE32.fullmatch(stored) is None


@lru_cache(maxsize=4)
def sealer_for(app_secret_key: str) -> SecretSealer:
    """One sealer per key, so a request does not derive the key again."""
    return SecretSealer(app_secret_key)
