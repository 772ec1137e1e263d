"""Every page writes dates the clinic's way (the locale setting), through the one date filter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest

from myomap.dates import DATE_FORMATS, format_date, format_datetime

if TYPE_CHECKING:
    from fastapi import FastAPI

    from myomap.config import Settings
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ClientOf, Visitor


@pytest.fixture
def us_app(web_settings: Settings, web_db: Database) -> Iterator[FastAPI]:
    from myomap.web.app import create_app

    yield create_app(web_settings.model_copy(update={"locale": "en-US"}), database=web_db)


def test_dates_follow_the_locale_table() -> None:
    day, stamp = date(2026, 4, 3), datetime(2026, 4, 3, 14, 5, tzinfo=UTC).astimezone()
    assert format_date(day, "en-GB") == "3 Apr 2026" and format_date(day, "en-US") == "Apr 3, 2026"
    assert format_date(day, "en-CA") == "2026-04-03"
    assert format_datetime(stamp, "en-GB").endswith(stamp.strftime("%H:%M"))
    assert format_datetime(stamp, "en-US").endswith(stamp.strftime("%p"))
    assert set(DATE_FORMATS) >= {"en-GB", "en-US"}


def test_a_us_clinic_sees_us_dates_on_every_page_and_macro(
    us_app: FastAPI, people: World, client_of: ClientOf, visitor_for: type[Visitor],
) -> None:
    cid = client_of(people.therapist, date_of_birth=date(1980, 4, 3))
    tara = visitor_for(us_app)
    tara.sign_in(people.therapist.email)
    listing = tara.get("/clients").text
    detail = tara.get(f"/clients/{cid}").text
    assert '<html lang="en-US"' in listing
    assert "Apr 3, 1980" in listing and "3 Apr 1980" not in listing  # the live-search list
    assert "Born Apr 3, 1980" in detail
    added = re.search(r"Added ([^·<]+) ·", detail)
    assert added and re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M", added.group(1).strip())


def test_an_unknown_locale_is_refused_naming_the_known_ones(web_settings: Settings) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="use one of en-GB"):
        type(web_settings)(locale="fr-FR")
