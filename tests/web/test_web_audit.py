"""The audit page: owners filter the log by user, client, action and date, page through it, and
export it as CSV (the same filters, safe to open in a spreadsheet, the export itself audited)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from myomap.records.audit.models import AuditEvent

if TYPE_CHECKING:
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ClientOf, DrawingOf, SignedIn


def rows_of(html: str) -> list[str]:
    """The text of each row of the audit table (tags removed)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_only_the_owner_reads_or_exports_the_log(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.front_desk)
    for persona in (people.therapist, people.front_desk):
        visitor = signed_in(persona)
        assert visitor.get("/audit").status_code == 403
        assert visitor.get("/audit.csv").status_code == 403
        assert f'href="/audit?client={cid}"' not in visitor.get(f"/clients/{cid}").text
    owner = signed_in(people.owner)
    assert owner.get("/audit").status_code == 200
    assert f'href="/audit?client={cid}"' in owner.get(f"/clients/{cid}").text  # the client's own log, one click away


def test_the_owner_filters_by_user_client_action_and_date(
    signed_in: SignedIn, people: World, client_of: ClientOf, drawing_of: DrawingOf, web_db: Database
) -> None:
    ada = client_of(people.front_desk, given_name="Ada")
    bob = client_of(people.front_desk, given_name="Bob")
    drawing = drawing_of(people.therapist, ada, "2026-11-20", {"temple.right": 6})
    tara = signed_in(people.therapist)
    tara.get(f"/clients/{bob}")
    tara.get(f"/pain-drawings/{drawing}")
    with web_db.transaction() as s:  # one old event, to filter by date
        old = s.scalars(select(AuditEvent).where(AuditEvent.action == "client.create", AuditEvent.object_id == bob)).one()
        old.at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    owner = signed_in(people.owner)

    by_client = rows_of(owner.get(f"/audit?client={ada}").text)
    assert by_client and all(f"client {ada}" in r or f"pain drawing {drawing}" in r for r in by_client)
    assert any("pain_drawing.view" in r for r in by_client) and not any(f"client {bob}" in r for r in by_client)
    page = owner.get(f"/audit?client={ada}")
    assert "Showing Ada Lovelace" in page.text

    by_user = rows_of(owner.get(f"/audit?user={people.therapist.id}").text)
    assert by_user and all(people.therapist.email in r for r in by_user)

    by_action = rows_of(owner.get("/audit?action=client.create").text)
    assert len(by_action) == 2 and all("client.create" in r for r in by_action)

    today = datetime.now().date()
    recent = rows_of(owner.get(f"/audit?action=client.create&since={today - timedelta(days=1)}&until={today}").text)
    assert [f"client {ada}" in r for r in recent] == [True]
    long_ago = rows_of(owner.get("/audit?since=2025-03-01&until=2025-03-01").text)
    assert len(long_ago) == 1 and f"client {bob}" in long_ago[0]

    blank = owner.get("/audit?user=&client=&action=&since=&until=")  # the form's empty fields mean "any"
    assert blank.status_code == 200 and len(rows_of(blank.text)) >= len(by_client) + len(by_action)


def test_bad_filters_are_answered_with_what_to_correct_not_an_error(signed_in: SignedIn, people: World) -> None:
    owner = signed_in(people.owner)
    for query, field in (("until=2025-01-01&since=2025-02-01", "date"), ("client=abc", "client"),
                         ("user=99999999999", "user"), ("after=garbage", "after"), ("action=%00x", "action")):
        response = owner.get(f"/audit?{query}")
        assert response.status_code == 200 and "Please check what was entered" in response.text, (query, response.status_code)
        assert field in response.text, query


def test_another_clinics_events_never_show(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    theirs = client_of(people.outsider, given_name="Hidden")
    signed_in(people.outsider).get(f"/clients/{theirs}")
    owner = signed_in(people.owner)
    assert people.outsider.email not in owner.get("/audit").text
    assert rows_of(owner.get(f"/audit?client={theirs}").text) == []
    assert "No client with this number" in owner.get(f"/audit?client={theirs}").text
    exported = csv_rows(owner.get(f"/audit.csv?user={people.outsider.id}").text)
    assert exported == []


def test_a_long_log_pages_with_a_cursor(signed_in: SignedIn, people: World, client_of: ClientOf, web_db: Database) -> None:
    cid = client_of(people.front_desk)
    tara = signed_in(people.therapist)
    for _ in range(120):
        tara.get(f"/clients/{cid}")
    owner = signed_in(people.owner)
    first = owner.get(f"/audit?client={cid}&action=client.view")
    assert len(rows_of(first.text)) == 100
    found = re.search(r'href="(/audit\?[^"]*after=[^"]+)"', first.text)
    assert found, "no link to older events"
    link = found.group(1).replace("&amp;", "&")
    assert f"client={cid}" in link and "action=client.view" in link  # the filter carries over
    second = owner.get(link)
    assert len(rows_of(second.text)) == 20 and "Older events" not in second.text
    with web_db.sessions() as s:
        assert len(s.scalars(select(AuditEvent.id).where(AuditEvent.action == "client.view")).all()) == 120


def test_the_csv_export_has_the_filtered_rows_is_injection_safe_and_is_audited(
    signed_in: SignedIn, people: World, client_of: ClientOf, web_db: Database
) -> None:
    cid = client_of(people.front_desk, given_name="=HYPERLINK(\"http://evil\")")
    with web_db.transaction() as s:  # an address field an attacker controls ends up in the log
        s.execute(update(AuditEvent).values(ip="+1-555", detail={"query": "@SUM(A1)"}))
    owner = signed_in(people.owner)
    response = owner.get(f"/audit.csv?client={cid}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    rows = csv_rows(response.text)
    assert [r["action"] for r in rows] == ["client.create"] and rows[0]["record_id"] == str(cid)
    assert rows[0]["ip"] == "'+1-555" and rows[0]["user"] == people.front_desk.email
    assert rows[0]["detail"].startswith("{")  # JSON starts with "{", not a formula
    assert datetime.fromisoformat(rows[0]["time_utc"]).tzinfo is not None
    with web_db.sessions() as s:
        export = s.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
    assert export.user_id == people.owner.id and export.detail == {"client": str(cid)}
    everything = csv_rows(owner.get("/audit.csv").text)
    assert {r["action"] for r in everything} >= {"client.create", "audit.export"}


def test_every_formula_start_is_neutralised() -> None:
    from myomap.records.audit.export import safe_cell

    for dangerous in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("client.view") == "client.view" and safe_cell(None) == "" and safe_cell(12) == "12"


def test_a_big_export_streams_in_batches(people: World, client_of: ClientOf, web_db: Database) -> None:
    from myomap.records.audit.export import AuditExport, csv_chunks
    from myomap.records.audit.service import AuditFilter

    cid = client_of(people.front_desk)
    with web_db.transaction() as s:
        s.add_all([AuditEvent(clinic_id=people.clinic.id, user_id=people.therapist.id, actor="t@x", action="client.view",
                              object_type="client", object_id=cid, via="web") for _ in range(25)])
    chunks = list(csv_chunks(web_db, AuditExport(people.clinic.id, AuditFilter()), batch=10))
    assert len(chunks) == 3  # 26 rows in batches of 10: 10 (after the header), 10, 6
    assert chunks[0].startswith("time_utc,") and chunks[0].count("\n") == 11 and chunks[2].count("\n") == 6
    rows = csv_rows("".join(chunks))
    assert len(rows) == 26 and [r["action"] for r in rows][-1] == "client.create"  # newest first, none twice
