"""One typed settings object for the whole application.

Every setting has a safe default, can be set through an environment variable named
``MYOMAP_<FIELD NAME IN CAPITALS>`` (for example ``MYOMAP_DATA_DIR``), and is documented in its
field description (``tests/records/test_config.py`` keeps that true). With no configuration at all
Myomap keeps its SQLite database and secret key in ``./data``.

Use :func:`get_settings` (reads the environment) or build :class:`Settings` directly in tests::

    settings = Settings(data_dir=tmp_path, password_hash_profile="fast")
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from myomap.dates import DATE_FORMATS, DEFAULT_LOCALE, known_locale

ENV_PREFIX = "MYOMAP_"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _default_data_dir() -> Path:
    return Path.cwd() / "data"


def _default_cache_dir() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "myomap"


def cache_dir_from_env(environ: Mapping[str, str] | None = None) -> Path:
    """The ``cache_dir`` setting read on its own, without validating the others: the knowledge
    loaders need only it, at every start, and must not fail for an unrelated bad setting."""
    raw = (os.environ if environ is None else environ).get(ENV_PREFIX + "CACHE_DIR", "").strip()
    return Path(raw).expanduser().absolute() if raw else _default_cache_dir()


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use the psycopg 3 driver for them."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseModel):
    """Myomap's settings. Each field's description is its documentation."""

    # defer_build: importing this module stays cheap (the knowledge loaders only need one value).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder for the SQLite database, the generated secret key and uploads. "
        "Default: `./data` under the current directory. Env: MYOMAP_DATA_DIR.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy database URL. Default: the SQLite file `<data dir>/myomap.db`. "
        "For PostgreSQL give `postgresql+psycopg://user:password@host/dbname`; `postgresql://` and "
        "`postgres://` are accepted and rewritten to the psycopg 3 driver. Env: MYOMAP_DATABASE_URL.",
    )
    secret_key: str | None = Field(
        default=None,
        repr=False,
        description="Secret used to sign the sign-in form's CSRF cookie and to seal the authenticator "
        "(two-factor) secrets. Default: generated once and stored in `<data dir>/secret_key` (file mode "
        "0600). Give the same value to every server of one clinic; with another key, two-factor sign-in "
        "fails until the key is restored or the owner resets it. Env: MYOMAP_SECRET_KEY.",
    )
    host: str = Field(
        default="127.0.0.1",
        description="Address `myomap serve` listens on (overridden by `--host`). It also decides the "
        "default of `cookie_secure`. Env: MYOMAP_HOST.",
    )
    port: int = Field(
        default=8000,
        ge=1,
        le=65535,
        description="Port `myomap serve` listens on (overridden by `--port`). Env: MYOMAP_PORT.",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Folder for the compiled knowledge cache (the atlas and trigger-point data, "
        "parsed once and rebuilt whenever the packaged files change), so commands and servers "
        "start fast. Default: `$XDG_CACHE_HOME/myomap`, else `~/.cache/myomap`. Safe to delete. "
        "Env: MYOMAP_CACHE_DIR.",
    )
    locale: str = Field(
        default=DEFAULT_LOCALE,
        description="The locale of new clinics (each clinic's owner can change theirs on the Users "
        "page) and of pages seen before signing in: how pages write dates and times (e.g. en-GB "
        "'3 Apr 2026, 14:05', en-US 'Apr 3, 2026, 2:05 PM', en-CA '2026-04-03'), and the pages' "
        "language. One of: " + ", ".join(DATE_FORMATS) + ". Env: MYOMAP_LOCALE.",
    )
    cookie_secure: bool | None = Field(
        default=None,
        description="Send the session cookie with the `Secure` flag (browsers then only return it "
        "over HTTPS). Default (unset): secure, unless the server listens on 127.0.0.1, localhost or "
        "::1. Set to false only to serve plain HTTP on a trusted network (not recommended). "
        "Env: MYOMAP_COOKIE_SECURE.",
    )
    session_lifetime_minutes: int = Field(
        default=12 * 60,
        ge=5,
        description="How long a sign-in lasts, in minutes, before the user must sign in again "
        "(default 720 = 12 hours, one working day). Env: MYOMAP_SESSION_LIFETIME_MINUTES.",
    )
    session_idle_minutes: int = Field(
        default=60,
        ge=1,
        description="Minutes without a request after which a sign-in ends (default 60), so a "
        "browser left open on a shared front-desk PC does not stay signed in all day. "
        "Env: MYOMAP_SESSION_IDLE_MINUTES.",
    )
    login_free_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins for one account from one address (or from one browser that has "
        "signed in to that account before) after which each further attempt must wait; the wait "
        "starts at 2 seconds and doubles with every failure. Env: MYOMAP_LOGIN_FREE_FAILURES.",
    )
    login_free_failures_per_account: int = Field(
        default=20,
        ge=1,
        description="Failed sign-ins for one account from all addresses before the doubling wait "
        "applies to attempts from any new address. Browsers that have signed in to the account "
        "before are not slowed by it, so a stranger cannot lock a therapist out. "
        "Env: MYOMAP_LOGIN_FREE_FAILURES_PER_ACCOUNT.",
    )
    login_free_failures_per_ip: int = Field(
        default=100,
        ge=1,
        description="Failed sign-ins from one address, over all accounts, before the doubling wait "
        "applies to that address; high, so a whole clinic behind one address is not slowed by one "
        "person's typos (browsers that have signed in before are exempt). "
        "Env: MYOMAP_LOGIN_FREE_FAILURES_PER_IP.",
    )
    login_max_delay_seconds: int = Field(
        default=900,
        ge=1,
        description="The longest wait between sign-in attempts once failures pile up "
        "(default 900 = 15 minutes). Env: MYOMAP_LOGIN_MAX_DELAY_SECONDS.",
    )
    login_failure_window_minutes: int = Field(
        default=60,
        ge=1,
        description="How long a failed sign-in is remembered (default 60 minutes); a successful "
        "sign-in forgets that browser's or address's failures at once. "
        "Env: MYOMAP_LOGIN_FAILURE_WINDOW_MINUTES.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks (e.g. `127.0.0.1, 10.0.0.0/8`) of reverse "
        "proxies whose `X-Forwarded-For` header is believed. Default: none, so the client address "
        "logged and rate-limited is always the connecting one and no caller can write another "
        "address into the audit log. Env: MYOMAP_TRUSTED_PROXIES.",
    )
    upload_max_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted, in bytes, including uploaded files "
        "(default 20 MiB). Larger requests get 413. Env: MYOMAP_UPLOAD_MAX_BYTES.",
    )
    posture_concurrent_analyses: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Posture photos decoded and analysed at once per process; further uploads wait "
        "their turn. Each decode may take up to 160 MiB, so this bounds the memory uploads can take. "
        "Env: MYOMAP_POSTURE_CONCURRENT_ANALYSES.",
    )
    form_max_fields: int = Field(
        default=5000,
        ge=100,
        description="Most fields accepted in one submitted form (a full pain drawing has about "
        "three per chart region). Env: MYOMAP_FORM_MAX_FIELDS.",
    )
    request_deadline_s: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="Server-side deadline of one web or API request, in seconds: a request still "
        "waiting for the database then gets 503, and one whose work ran past it is rolled back and "
        "gets 503 (nothing saved), so one slow request cannot hold up the clinic. "
        "Env: MYOMAP_REQUEST_DEADLINE_S.",
    )
    page_size: int = Field(
        default=25,
        ge=5,
        le=500,
        description="Clients shown per page in lists, and the API's default page size. "
        "Env: MYOMAP_PAGE_SIZE.",
    )
    password_hash_profile: Literal["standard", "fast"] = Field(
        default="standard",
        description="Argon2id cost: `standard` (argon2-cffi's RFC 9106 low-memory defaults) for real "
        "use; `fast` (tiny memory and time cost) only for tests and benchmarks. "
        "Env: MYOMAP_PASSWORD_HASH_PROFILE.",
    )
    sqlite_busy_timeout_ms: int = Field(
        default=5000,
        ge=0,
        description="How long a SQLite connection waits for another writer before giving up with "
        "'database is locked' (the web app then answers 503 and nothing is lost). "
        "Env: MYOMAP_SQLITE_BUSY_TIMEOUT_MS.",
    )

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        return known_locale(value)

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalise_database_url(value)

    @field_validator("data_dir", "cache_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        for item in _split(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return ", ".join(_split(value))

    # ---- derived values -------------------------------------------------------------------

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use: the configured one, or the SQLite file in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'myomap.db'}"

    @property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        return tuple(ipaddress.ip_network(item, strict=False) for item in _split(self.trusted_proxies))

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def effective_cookie_secure(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.host not in LOCAL_HOSTS

    def resolved_secret_key(self) -> str:
        """The configured secret key, or the one stored in the data dir (created on first use)."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner only: key and records
        key = secrets.token_urlsafe(48)
        tmp = path.with_name(f".secret_key.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key + "\n")
        try:
            os.link(tmp, path)  # fails if another process won the race; then use its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return path.read_text(encoding="utf-8").strip()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``MYOMAP_*`` variables (``os.environ`` by default), then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw.strip() != "":
                values[name] = raw.strip()
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


def get_settings() -> Settings:
    """Settings from the environment (a new object each call; cheap)."""
    return Settings.from_env()
