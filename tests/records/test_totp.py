"""TOTP against the test vectors of RFC 6238 appendix B (and RFC 4226 appendix D for HOTP)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from myomap.records.accounts import totp

RFC4226_KEY = b"12345678901234567890"
RFC4226_CODES = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

# (unix time, 8-digit code) for SHA-1 with the RFC's 20-byte ASCII key.
RFC6238_SHA1 = [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130"),
]
RFC6238_SHA256 = [(59, "46119246"), (1111111109, "68084774"), (20000000000, "77737706")]
SHA256_KEY = b"12345678901234567890123456789012"


@pytest.mark.parametrize(("counter", "code"), list(enumerate(RFC4226_CODES)))
def test_hotp_matches_rfc4226(counter: int, code: str) -> None:
    assert totp.hotp(RFC4226_KEY, counter) == code


@pytest.mark.parametrize(("unix", "code"), RFC6238_SHA1)
def test_totp_matches_rfc6238_sha1(unix: int, code: str) -> None:
    assert totp.hotp(RFC4226_KEY, totp.time_step(unix), digits=8) == code


@pytest.mark.parametrize(("unix", "code"), RFC6238_SHA256)
def test_totp_matches_rfc6238_sha256(unix: int, code: str) -> None:
    assert totp.hotp(SHA256_KEY, totp.time_step(unix), digits=8, digest="sha256") == code


def test_a_code_matches_its_step_and_one_either_side_but_never_twice() -> None:
    secret = base64.b32encode(RFC4226_KEY).decode()
    now = 1111111111
    code = totp.code_at(secret, now)
    assert code == "050471"  # the RFC's 8-digit 14050471, cut to the app's 6 digits
    step = totp.matching_step(secret, code, now)
    assert step == totp.time_step(now)
    assert totp.matching_step(secret, code, now + 30) == step  # the next step still accepts it
    assert totp.matching_step(secret, code, now + 90) is None  # too late
    assert totp.matching_step(secret, code, now, after_step=step) is None  # replayed
    assert totp.matching_step(secret, "12345", now) is None and totp.matching_step(secret, "abcdef", now) is None


def test_the_provisioning_uri_carries_the_secret_and_issuer() -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, account="tara@riverside.test", issuer="Myomap")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp" and parts.path == "/Myomap:tara@riverside.test"
    query = parse_qs(parts.query)
    assert query["secret"] == [secret] and query["issuer"] == ["Myomap"] and query["digits"] == ["6"]
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == totp.SECRET_BYTES
