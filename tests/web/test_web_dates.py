"""Every page writes dates the clinic's way (the clinic's locale, chosen by its owner; new clinics
take the deployment's setting), through the one date filter."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest

from myomap.dates import DATE_FORMATS, format_date, format_datetime

if TYPE_CHECKING:
    from pathlib import Path

    from fastapi import FastAPI

    from myomap.config import Settings
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ClientOf, Visitor


def test_dates_follow_the_locale_table() -> None:
    day, stamp = date(2026, 4, 3), datetime(2026, 4, 3, 14, 5, tzinfo=UTC).astimezone()
    assert format_date(day, "en-GB") == "3 Apr 2026" and format_date(day, "en-US") == "Apr 3, 2026"
    assert format_date(day, "en-CA") == "2026-04-03"
    assert format_datetime(stamp, "en-GB").endswith(stamp.strftime("%H:%M"))
    assert format_datetime(stamp, "en-US").endswith(stamp.strftime("%p"))
    assert set(DATE_FORMATS) >= {"en-GB", "en-US"}


def _set_locale(web_db: Database, clinic_id: int, locale: str) -> None:
    from myomap.records.clinics.models import Clinic

    with web_db.transaction() as db:
        clinic = db.get(Clinic, clinic_id)
        assert clinic is not None
        clinic.locale = locale


def test_two_clinics_see_dates_in_their_own_format_on_every_page_and_macro(
    app: FastAPI, web_db: Database, people: World, client_of: ClientOf, visitor_for: type[Visitor],
) -> None:
    _set_locale(web_db, people.other_clinic.id, "en-US")
    ours = client_of(people.therapist, date_of_birth=date(1980, 4, 3))
    theirs = client_of(people.outsider, date_of_birth=date(1980, 4, 3))
    oscar, tara = visitor_for(app), visitor_for(app)
    oscar.sign_in(people.outsider.email)
    tara.sign_in(people.therapist.email)
    listing, detail = oscar.get("/clients").text, oscar.get(f"/clients/{theirs}").text
    assert '<html lang="en-US"' in listing
    assert "Apr 3, 1980" in listing and "3 Apr 1980" not in listing  # the live-search list
    assert "Born Apr 3, 1980" in detail
    added = re.search(r"Added ([^·<]+) ·", detail)
    assert added and re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M", added.group(1).strip())
    # The same server, the same moment: the other clinic keeps its own (British) format.
    listing, detail = tara.get("/clients").text, tara.get(f"/clients/{ours}").text
    assert '<html lang="en-GB"' in listing
    assert "3 Apr 1980" in listing and "Apr 3, 1980" not in listing
    added = re.search(r"Added ([^·<]+) ·", detail)
    assert added and re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", added.group(1).strip())


def test_the_owner_chooses_the_date_format_and_every_user_of_the_clinic_follows(
    app: FastAPI, web_db: Database, people: World, client_of: ClientOf, visitor_for: type[Visitor],
) -> None:
    from sqlalchemy import select

    from myomap.records.audit.models import AuditEvent
    from myomap.records.clinics.models import Clinic

    cid = client_of(people.therapist, date_of_birth=date(1980, 4, 3))
    olivia, tara = visitor_for(app), visitor_for(app)
    olivia.sign_in(people.owner.email)
    tara.sign_in(people.therapist.email)
    page = olivia.get("/users").text
    assert '<option value="en-GB" selected>United Kingdom: 3 Apr 2026, 14:05</option>' in page
    assert '<option value="en-US">United States: Apr 3, 2026, 2:05 PM</option>' in page
    saved = olivia.submit("/users", "/users/locale", {"locale": "en-US"})
    assert saved.status_code == 303 and saved.headers["location"] == "/users?done=locale_saved"
    after = olivia.get(saved.headers["location"]).text
    assert "Date format saved" in after and '<option value="en-US" selected>' in after
    assert "Born Apr 3, 1980" in tara.get(f"/clients/{cid}").text  # a colleague's next page follows
    with web_db.transaction() as db:
        assert db.get_one(Clinic, people.clinic.id).locale == "en-US"
        assert db.get_one(Clinic, people.other_clinic.id).locale == "en-GB"
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "clinic.locale_changed"))
        assert event is not None and event.clinic_id == people.clinic.id
    # An unknown locale: the page again (200, no failed resource) saying why, nothing changed.
    refused = olivia.submit("/users", "/users/locale", {"locale": "fr-FR"})
    assert refused.status_code == 200 and "unknown locale &#39;fr-FR&#39;: use one of en-GB" in refused.text
    assert '<option value="en-US" selected>' in refused.text
    # Only the owner chooses.
    token = tara.session_csrf()
    assert tara.http.post("/users/locale", data={"locale": "en-CA", "csrf_token": token}).status_code == 403
    assert "Born Apr 3, 1980" in tara.get(f"/clients/{cid}").text


@pytest.mark.storage
def test_a_new_clinic_takes_the_deployment_setting(db_url: str, tmp_path: Path) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from myomap.cli import records_cmds

    cli = typer.Typer()
    records_cmds.register(cli)
    env = {"MYOMAP_DATA_DIR": str(tmp_path / "data"), "MYOMAP_DATABASE_URL": db_url}
    for name, locale in (("Boston NMT", "en-US"), ("Riverside NMT", "")):
        created = CliRunner().invoke(cli, ["clinic", "create", name], env={**env, "MYOMAP_LOCALE": locale})
        assert created.exit_code == 0, created.output
    listed = CliRunner().invoke(cli, ["clinic", "list", "--json"], env=env)
    assert {c["name"]: c["locale"] for c in json.loads(listed.output)} == {"Boston NMT": "en-US", "Riverside NMT": "en-GB"}


def test_an_unknown_locale_is_refused_naming_the_known_ones(web_settings: Settings) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="use one of en-GB"):
        type(web_settings)(locale="fr-FR")
