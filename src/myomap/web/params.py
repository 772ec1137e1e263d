"""Path and query parameter types shared by every route, with the bounds the server enforces.

A record id outside these bounds can name no record, and would overflow the database's integer
(SQLite raises OverflowError, PostgreSQL "integer out of range"): it is refused as invalid input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path, Query

from myomap.records.validation import MAX_RECORD_ID

RecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="A record id (a positive 32-bit integer).")]
"""Every ``{..._id}`` in a route's path."""


AtlasId = Annotated[str, Path(min_length=1, max_length=80, description="An id from the atlas, e.g. `upper_trapezius`.")]
"""A muscle (or other atlas entry) named in a route's path."""


def record_id_query(description: str) -> Any:
    """A record id given in the query string (e.g. the two drawings to compare)."""
    return Query(ge=1, le=MAX_RECORD_ID, description=description)


def version_in(where: Callable[..., Any], description: str) -> Any:
    """A record's ``version`` given as a query or form field (``where``: ``Query`` or ``Form``);
    versions live in the same integer columns as ids (a stale one, even 0, gets 409)."""
    return where(ge=0, le=MAX_RECORD_ID, description=description)
