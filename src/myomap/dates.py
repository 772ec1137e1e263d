"""Dates as the clinic writes them: one table of formats per locale, used by every page.

Each clinic has its locale (``Clinic.locale``, chosen by its owner on the Users page); a new clinic
starts with the deployment's ``locale`` setting (``MYOMAP_LOCALE``), which also serves pages seen
before signing in. Pages declare it as their language, so a browser that follows the page
language shows date inputs the same way.
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
#: locale -> the country an owner picks it by.
LOCALE_NAMES: dict[str, str] = {
    "en-GB": "United Kingdom", "en-IE": "Ireland", "en-AU": "Australia", "en-NZ": "New Zealand",
    "en-US": "United States", "en-CA": "Canada",
}
_SAMPLE = datetime(2026, 4, 3, 14, 5)


def locale_choices() -> list[tuple[str, str]]:
    """(locale, "United States: Apr 3, 2026, 2:05 PM") for the owner's choice of date format."""
    return [(code, f"{LOCALE_NAMES[code]}: {_SAMPLE.strftime(formats[1])}") for code, formats in DATE_FORMATS.items()]


def known_locale(value: str) -> str:
    """``value`` if it is a locale of :data:`DATE_FORMATS`; else a ValueError naming them."""
    if value not in DATE_FORMATS:
        raise ValueError(f"unknown locale {value!r}: use one of {', '.join(DATE_FORMATS)}")
    return value


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
