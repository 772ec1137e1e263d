"""Client use cases: create, read, edit (optimistic concurrency), search, archive and restore.

Every access goes through :func:`get_client_for_user`, and every read or change is audited.
Clinical fields (:data:`CLINICAL_FIELDS`) are neither shown to nor changed by front desk.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.service import record
from myomap.records.base import utcnow
from myomap.records.clients.models import Client
from myomap.records.clients.schemas import CLINICAL_FIELDS, ClientCreate, ClientUpdate, fields_for
from myomap.records.clients.search import ClientQuery, digits, fold, parse_query, sort_name
from myomap.records.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from myomap.records.validation import MAX_RECORD_ID

Status = Literal["active", "archived", "all"]
MAX_PAGE_SIZE = 200


def get_client_for_user(db: Session, actor: Actor, client_id: int) -> Client:
    """The client if it belongs to the actor's clinic; :class:`NotFound` otherwise (no hint why)."""
    require(actor, Permission.CLIENTS)
    client = db.get(Client, client_id)
    if client is None or client.clinic_id != actor.clinic_id:
        raise NotFound("client")
    return client


def client_values(client: Client, actor: Actor) -> dict[str, Any]:
    """The fields of ``client`` that ``actor`` may see and edit, in form order."""
    return {name: getattr(client, name) for name in fields_for(actor)}


def _refuse_clinical(actor: Actor, given: set[str]) -> None:
    """Front desk may not write clinical fields (even blank: that would erase them)."""
    if given & CLINICAL_FIELDS and not actor.can(Permission.CLINICAL):
        raise Forbidden("Only therapists and owners can write clinical notes; use the administrative notes instead.")


def _refresh_keys(client: Client) -> None:
    client.sort_name = sort_name(client.given_name, client.family_name)
    client.phone_digits = digits(client.phone) or None
    client.email_key = fold(client.email) or None


def read_client(*, db: Session, actor: Actor, client_id: int) -> Client:
    """Open a client's record (audited as ``client.view``)."""
    client = get_client_for_user(db, actor, client_id)
    record(db=db, actor=actor, action="client.view", object_type="client", object_id=client.id)
    return client


def create_client(*, db: Session, actor: Actor, data: ClientCreate) -> Client:
    require(actor, Permission.CLIENTS)
    _refuse_clinical(actor, data.model_fields_set)
    now = utcnow()
    client = Client(
        clinic_id=actor.clinic_id,
        created_by_id=actor.user.id,
        updated_by_id=actor.user.id,
        created_at=now,
        updated_at=now,
        **data.model_dump(),
    )
    _refresh_keys(client)
    db.add(client)
    db.flush()
    record(db=db, actor=actor, action="client.create", object_type="client", object_id=client.id)
    return client


def _conflict(db: Session, actor: Actor, client: Client, expected: int) -> VersionConflict:
    db.refresh(client)
    return VersionConflict("client", expected, client.version, client_values(client, actor))


def _save(db: Session, actor: Actor, client: Client, expected_version: int) -> None:
    """Flush ``client``; a concurrent change between our read and this write becomes a conflict."""
    try:
        db.flush()
    except StaleDataError:
        db.rollback()
        raise _conflict(db, actor, client, expected_version) from None


def update_client(*, db: Session, actor: Actor, client_id: int, data: ClientUpdate) -> Client:
    """Apply the fields given in ``data``; a stale ``data.version`` raises :class:`VersionConflict`."""
    client = get_client_for_user(db, actor, client_id)
    _refuse_clinical(actor, data.model_fields_set)
    if client.version != data.version:
        raise VersionConflict("client", data.version, client.version, client_values(client, actor))
    changes = {k: v for k, v in data.changes().items() if getattr(client, k) != v}
    if not changes:
        record(db=db, actor=actor, action="client.update", object_type="client", object_id=client.id, detail={"fields": []})
        return client
    for name, value in changes.items():
        setattr(client, name, value)
    client.updated_at = utcnow()
    client.updated_by_id = actor.user.id
    _refresh_keys(client)
    _save(db, actor, client, data.version)
    record(
        db=db, actor=actor, action="client.update", object_type="client", object_id=client.id,
        detail={"fields": sorted(changes)},
    )
    return client


def _set_archived(db: Session, actor: Actor, client_id: int, archived: bool, version: int | None) -> Client:
    client = get_client_for_user(db, actor, client_id)
    if version is not None and client.version != version:
        raise VersionConflict("client", version, client.version, client_values(client, actor))
    if client.is_archived != archived:
        expected = client.version
        client.is_archived = archived
        client.archived_at = utcnow() if archived else None
        client.updated_at = utcnow()
        client.updated_by_id = actor.user.id
        _save(db, actor, client, expected)
    action = "client.archive" if archived else "client.restore"
    record(db=db, actor=actor, action=action, object_type="client", object_id=client.id)
    return client


def archive_client(*, db: Session, actor: Actor, client_id: int, version: int | None = None) -> Client:
    """Hide a client from the active list (kept, and restorable)."""
    return _set_archived(db, actor, client_id, True, version)


def restore_client(*, db: Session, actor: Actor, client_id: int, version: int | None = None) -> Client:
    return _set_archived(db, actor, client_id, False, version)


# ---- search and pagination ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClientListing:
    """A client as a list shows it: the columns of :class:`ClientRead` plus the sort key, read as
    plain values (a list of 200 needs no ORM objects, identity map or change tracking)."""

    id: int
    given_name: str
    family_name: str
    date_of_birth: date | None
    gender: str | None
    phone: str | None
    email: str | None
    address: str | None
    occupation: str | None
    referring_provider: str | None
    admin_notes: str | None
    notes: str | None
    is_archived: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    sort_name: str

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


_LISTING_COLUMNS = tuple(getattr(Client, name) for name in ClientListing.__dataclass_fields__)


@dataclass(frozen=True)
class ClientResults:
    items: list[ClientListing]
    total: int
    next_cursor: str | None
    prev_cursor: str | None
    query: ClientQuery
    status: Status


def encode_cursor(client: Client | ClientListing) -> str:
    raw = json.dumps([client.sort_name, client.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, cid = json.loads(raw)
        if not isinstance(name, str) or not isinstance(cid, int) or not 1 <= cid <= MAX_RECORD_ID or "\x00" in name:
            raise ValueError
        return name, cid
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise ValidationFailed({"cursor": "is not a valid page cursor; start again from the first page"}) from None


def _filtered(stmt: Select[Any], actor: Actor, query: ClientQuery, status: Status) -> Select[Any]:
    stmt = stmt.where(Client.clinic_id == actor.clinic_id)
    if status == "active":
        stmt = stmt.where(Client.is_archived.is_(False))
    elif status == "archived":
        stmt = stmt.where(Client.is_archived.is_(True))
    for term in query.name_terms:
        stmt = stmt.where(Client.sort_name.contains(term, autoescape=True))
    if query.dates_of_birth:
        stmt = stmt.where(Client.date_of_birth.in_(query.dates_of_birth))
    if query.email:
        stmt = stmt.where(Client.email_key.contains(query.email, autoescape=True))
    if query.phone_digits:
        phone = Client.phone_digits.contains(query.phone_digits, autoescape=True)
        if query.birth_year:
            year = Client.date_of_birth.between(date(query.birth_year, 1, 1), date(query.birth_year, 12, 31))
            stmt = stmt.where(or_(phone, year))
        else:
            stmt = stmt.where(phone)
    return stmt


def _listings(db: Session, stmt: Select[Any]) -> list[ClientListing]:
    """Run ``stmt`` on the session's connection as plain Core (ORM result handling skipped)."""
    return [ClientListing(*row) for row in db.connection().execute(stmt)]


def search_clients(
    *,
    db: Session,
    actor: Actor,
    text: str | None = None,
    status: Status = "active",
    after: str | None = None,
    before: str | None = None,
    limit: int = 25,
) -> ClientResults:
    """One page of the clinic's clients matching ``text``, in name order (keyset pagination)."""
    require(actor, Permission.CLIENTS)
    if status not in ("active", "archived", "all"):
        raise ValidationFailed({"status": "must be active, archived or all"})
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = parse_query(text)
    base = _filtered(select(*_LISTING_COLUMNS), actor, query, status)
    total = db.scalar(_filtered(select(func.count()).select_from(Client), actor, query, status)) or 0

    key = (Client.sort_name, Client.id)
    if before:
        name, cid = decode_cursor(before)
        stmt = base.where(or_(Client.sort_name < name, and_(Client.sort_name == name, Client.id < cid)))
        rows = _listings(db, stmt.order_by(Client.sort_name.desc(), Client.id.desc()).limit(limit + 1))
        has_prev = len(rows) > limit
        items = list(reversed(rows[:limit]))
        has_next = True
    else:
        stmt = base
        if after:
            name, cid = decode_cursor(after)
            stmt = stmt.where(or_(Client.sort_name > name, and_(Client.sort_name == name, Client.id > cid)))
        rows = _listings(db, stmt.order_by(*key).limit(limit + 1))
        has_next = len(rows) > limit
        items = rows[:limit]
        has_prev = after is not None
    record(
        db=db, actor=actor, action="client.list", object_type="client",
        detail={"query": query.text, "status": status, "shown": len(items)},
    )
    return ClientResults(
        items=items,
        total=total,
        next_cursor=encode_cursor(items[-1]) if has_next and items else None,
        prev_cursor=encode_cursor(items[0]) if has_prev and items else None,
        query=query,
        status=status,
    )


def recent_clients(*, db: Session, actor: Actor, limit: int = 8) -> list[Client]:
    """The clinic's most recently added or changed active clients (for the dashboard)."""
    require(actor, Permission.CLIENTS)
    stmt = (
        select(Client)
        .where(Client.clinic_id == actor.clinic_id, Client.is_archived.is_(False))
        .order_by(Client.updated_at.desc(), Client.id.desc())
        .limit(limit)
    )
    items = list(db.scalars(stmt))
    record(db=db, actor=actor, action="client.list", object_type="client", detail={"recent": len(items)})
    return items


def count_clients(*, db: Session, actor: Actor) -> int:
    return db.scalar(
        select(func.count()).select_from(Client).where(Client.clinic_id == actor.clinic_id, Client.is_archived.is_(False))
    ) or 0
