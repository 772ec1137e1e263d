"""The audit log as CSV, streamed in keyset batches so a long log never sits in memory.

:func:`start_export` checks the owner's right and records the export in the request's
transaction; :func:`csv_chunks` then reads with short read-only sessions of its own, because the
response is streamed after the request's transaction has ended.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from myomap.records.accounts.permissions import Actor, Permission, require
from myomap.records.audit.models import AuditEvent
from myomap.records.audit.service import AuditFilter, encode_cursor, filtered_events, record
from myomap.records.db import Database

CSV_HEADER = ("time_utc", "user", "action", "record_type", "record_id", "via", "ip", "detail")
BATCH = 500
# A spreadsheet runs a cell starting with these as a formula (CSV injection): such cells get a
# leading apostrophe, which spreadsheets show as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditExport:
    """An export the owner was allowed to start: which clinic's rows, with which filter."""

    clinic_id: int
    filter: AuditFilter


def start_export(*, db: Session, actor: Actor, criteria: AuditFilter) -> AuditExport:
    """Check the owner may read the log and audit the export itself (``audit.export``)."""
    require(actor, Permission.AUDIT)
    record(db=db, actor=actor, action="audit.export", object_type="audit", detail=criteria.query())
    return AuditExport(actor.clinic_id, criteria)


def safe_cell(value: object) -> str:
    """``value`` as CSV text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(event: AuditEvent) -> list[str]:
    detail = json.dumps(event.detail, sort_keys=True, ensure_ascii=False) if event.detail else ""
    cells = (event.at.isoformat(), event.actor, event.action, event.object_type, event.object_id, event.via,
             event.ip, detail)
    return [safe_cell(c) for c in cells]


def csv_chunks(database: Database, export: AuditExport, batch: int = BATCH) -> Iterator[str]:
    """The header, then one chunk of CSV text per batch of rows, newest first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    after: str | None = None
    while True:
        with database.sessions() as session:
            session.connection(execution_options={"sqlite_begin": "DEFERRED"})  # a reader: no write lock
            rows = list(session.scalars(filtered_events(export.clinic_id, export.filter, after).limit(batch)))
            writer.writerows(_row(e) for e in rows)
            after = encode_cursor(rows[-1]) if rows else None
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(rows) < batch:
            return
