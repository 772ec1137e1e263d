"""Dates as the clinic writes them: one table of formats per locale, used by every page.

The clinic's locale is the ``locale`` setting (``MYOMAP_LOCALE``); pages also declare it as their
language, so a browser that follows the page language shows date inputs the same way.
Month names are English abbreviations in every locale (the app's text is English).
"""

from __future__ import annotations

from datetime import date, datetime

#: locale -> (date format, date and time format), in ``strftime`` codes.
DATE_FORMATS: dict[str, tuple[str, str]] = {
    "en-GB": ("%-d %b %Y", "%-d %b %Y, %H:%M"),  # 3 Apr 2026, 14:05
    "en-IE": ("%-d %b %Y", "%-d %b %Y, %H:%M"),
    "en-AU": ("%-d %b %Y", "%-d %b %Y, %-I:%M %p"),  # 3 Apr 2026, 2:05 PM
    "en-NZ": ("%-d %b %Y", "%-d %b %Y, %-I:%M %p"),
    "en-US": ("%b %-d, %Y", "%b %-d, %Y, %-I:%M %p"),  # Apr 3, 2026, 2:05 PM
    "en-CA": ("%Y-%m-%d", "%Y-%m-%d, %H:%M"),  # 2026-04-03, 14:05
}
DEFAULT_LOCALE = "en-GB"


def format_date(value: date | datetime | None, locale: str) -> str:
    """A date (a time stamp: its local day) as the clinic writes it; "" for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone()
    return value.strftime(DATE_FORMATS[locale][0])


def format_datetime(value: datetime | None, locale: str) -> str:
    """A time stamp in the server's time zone, as the clinic writes it; "" for none."""
    return "" if value is None else value.astimezone().strftime(DATE_FORMATS[locale][1])
