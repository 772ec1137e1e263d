"""Security plumbing shared by pages and API: headers on every response, CSRF tokens, cookies.

CSRF model:
- signed-in pages: a per-session token (stored with the session) must come back on every
  POST/PUT/PATCH/DELETE, as the form field ``csrf_token`` or the header ``X-CSRF-Token`` (htmx
  sends the header; ``hx-headers`` on ``<body>`` carries it);
- the sign-in form (no session yet): a double-submit token, a random value in a cookie signed
  with the secret key, echoed in a hidden field;
- the JSON API: the session cookie plus ``X-CSRF-Token``, or ``Authorization: Bearer <API token>``
  (no cookie involved, so no CSRF possible).

Client address: the connecting peer, unless it is a configured trusted proxy; only then is
``X-Forwarded-For`` read (right to left, skipping trusted proxies).

Trusted browsers: after a successful sign-in the browser gets a cookie holding a random id signed
together with the account's email (the email itself is not in it); the sign-in backoff counts that
browser's failures on their own, so a stranger's failures elsewhere never slow it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from myomap.config import IPNetwork

SESSION_COOKIE = "myomap_session"
LOGIN_CSRF_COOKIE = "myomap_login_csrf"
DEVICE_COOKIE = "myomap_device"
DEVICE_COOKIE_DAYS = 180
DEVICE_COOKIE_ENTRIES = 5  # accounts remembered per browser (a shared front-desk PC)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """Adds the CSP and friends to every HTTP response, and ``no-store`` to all but static files.

    Client data must not linger in a shared front-desk PC's cache, so every page and API
    response is ``Cache-Control: no-store``; static assets are revalidated (``no-cache``).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-cache" if is_static else b"no-store"),
                ]
                if not is_static:
                    headers.append((b"vary", b"Cookie, HX-Request"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_login_csrf(secret: str) -> tuple[str, str]:
    """A (token, cookie value) pair for the sign-in form."""
    token = secrets.token_urlsafe(24)
    return token, f"{token}.{_sign(secret, token)}"


def login_csrf_ok(secret: str, cookie_value: str | None, submitted: str | None) -> bool:
    if not cookie_value or not submitted or "." not in cookie_value:
        return False
    token, _, signature = cookie_value.rpartition(".")
    return hmac.compare_digest(signature, _sign(secret, token)) and hmac.compare_digest(token, submitted)


def login_token_from_cookie(secret: str, cookie_value: str | None) -> str | None:
    """The token in a valid sign-in CSRF cookie (reused so several open tabs keep working)."""
    if not cookie_value or "." not in cookie_value:
        return None
    token, _, signature = cookie_value.rpartition(".")
    return token if hmac.compare_digest(signature, _sign(secret, token)) else None


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), b"login-csrf:" + value.encode(), hashlib.sha256).hexdigest()


# ---- client address -----------------------------------------------------------------------


def _is_trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str | None:
    """The client's address: the peer, or, when the peer is a trusted proxy, the nearest address
    in ``X-Forwarded-For`` that is not itself a trusted proxy."""
    if peer is None or not trusted or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from the proxy's client side: fall back to what we know
    return hops[0] if hops else peer


# ---- trusted browsers ---------------------------------------------------------------------


def _device_signature(secret: str, device: str, email: str) -> str:
    return hmac.new(secret.encode(), f"device:{device}:{email}".encode(), hashlib.sha256).hexdigest()[:32]


def trusted_device(secret: str, cookie_value: str | None, email: str) -> str | None:
    """The browser's id if its cookie vouches for this (normalised) email, else None."""
    for entry in (cookie_value or "").split("~")[:DEVICE_COOKIE_ENTRIES]:
        device, _, signature = entry.partition(".")
        if device and signature and hmac.compare_digest(signature, _device_signature(secret, device, email)):
            return device
    return None


def remember_device(secret: str, cookie_value: str | None, email: str) -> str:
    """The cookie value after a successful sign-in to ``email``: its entry first, the oldest dropped."""
    device = trusted_device(secret, cookie_value, email) or secrets.token_urlsafe(12)
    entry = f"{device}.{_device_signature(secret, device, email)}"
    others = [e for e in (cookie_value or "").split("~") if e and e != entry]
    return "~".join([entry, *others][:DEVICE_COOKIE_ENTRIES])
