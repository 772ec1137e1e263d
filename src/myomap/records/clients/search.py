"""Understand what was typed in the one client search box (pure functions, no database).

One box finds clients by name, phone, email or date of birth:

- ``1980-04-03``, ``03/04/1980``, ``3.4.1980`` -> date of birth (day/month order is ambiguous,
  so both readings are tried);
- anything with ``@`` -> email contains;
- only digits and phone punctuation, at least 3 digits -> phone number contains (digits compared);
  a lone 4-digit year (``1980``) also matches the year of birth;
- anything else -> every word must appear in the name (case and accents ignored).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

_PHONE_RE = re.compile(r"^[\d\s()+\-./]+$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def fold(text: str | None) -> str:
    """Lower-case, accents removed, whitespace collapsed: the form search keys are stored in."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def digits(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def sort_name(given_name: str, family_name: str) -> str:
    return fold(f"{family_name} {given_name}")


def _date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_dates(text: str) -> list[date]:
    """The dates ``text`` can mean (none, one, or two when day and month could swap)."""
    text = text.strip()
    if m := _ISO_RE.match(text):
        found = _date(int(m[1]), int(m[2]), int(m[3]))
        return [found] if found else []
    if m := _DMY_RE.match(text):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        options = [_date(year, b, a), _date(year, a, b)]  # day-first, then month-first
        out: list[date] = []
        for option in options:
            if option and option not in out:
                out.append(option)
        return out
    return []


@dataclass(frozen=True)
class ClientQuery:
    """What to filter on; empty means every client."""

    text: str = ""
    name_terms: tuple[str, ...] = ()
    dates_of_birth: tuple[date, ...] = ()
    birth_year: int | None = None
    phone_digits: str | None = None
    email: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.name_terms or self.dates_of_birth or self.phone_digits or self.email or self.birth_year)


def parse_query(text: str | None) -> ClientQuery:
    raw = " ".join((text or "").split())[:200]
    if not raw:
        return ClientQuery()
    if dates := parse_dates(raw):
        return ClientQuery(text=raw, dates_of_birth=tuple(dates))
    if "@" in raw:
        return ClientQuery(text=raw, email=fold(raw))
    if _PHONE_RE.match(raw) and len(digits(raw)) >= 3:
        number = digits(raw)
        year = int(number) if len(number) == 4 and raw.isdigit() and 1900 <= int(number) <= 2100 else None
        return ClientQuery(text=raw, phone_digits=number, birth_year=year)
    terms = tuple(t for t in re.split(r"[\s,;]+", fold(raw)) if t)
    return ClientQuery(text=raw, name_terms=terms)
