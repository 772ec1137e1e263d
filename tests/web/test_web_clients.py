"""Client pages: the front desk registers and edits, everyone searches, nobody overwrites a
colleague's change unknowingly, and other clinics' clients stay invisible."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from myomap.records.audit.models import AuditEvent
from myomap.records.clients.models import Client

if TYPE_CHECKING:
    from myomap.config import Settings
    from myomap.records.db import Database
    from tests.conftest import World
    from tests.web.conftest import ClientOf, SignedIn

NEW_CLIENT = {
    "given_name": "Grace", "family_name": "Hopper", "date_of_birth": "1980-04-03", "gender": "Female",
    "phone": "0412 555 018", "email": "grace@example.com", "address": "1 Harbour St", "occupation": "Admiral",
    "referring_provider": "Dr Who", "admin_notes": "Prefers mornings",
}


def test_the_front_desk_registers_a_new_client(signed_in: SignedIn, people: World, web_db: Database) -> None:
    desk = signed_in(people.front_desk)
    response = desk.submit("/clients/new", "/clients", NEW_CLIENT)
    assert response.status_code == 303
    page = desk.get(response.headers["location"])
    assert page.status_code == 200
    for value in ("Grace Hopper", "0412 555 018", "grace@example.com", "Prefers mornings", "3 Apr 1980"):
        assert value in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "Pain drawings" not in page.text  # clinical section hidden from the front desk...
    with web_db.sessions() as s:
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["client.create", "client.view"]
    assert "Pain drawings" in signed_in(people.therapist).get(response.headers["location"]).text  # ...shown to the therapist


def test_an_invalid_form_keeps_what_was_typed_and_says_what_is_wrong(signed_in: SignedIn, people: World, web_db: Database) -> None:
    desk = signed_in(people.front_desk)
    response = desk.submit("/clients/new", "/clients", {**NEW_CLIENT, "given_name": "", "email": "grace-at-example", "date_of_birth": "2999-01-01"})
    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert "must be an email address" in response.text and "cannot be in the future" in response.text
    assert 'value="grace-at-example"' in response.text and 'value="Hopper"' in response.text
    assert 'aria-invalid="true"' in response.text
    with web_db.sessions() as s:
        assert s.scalar(select(Client)) is None


def test_a_stale_edit_shows_both_versions_and_loses_nothing(signed_in: SignedIn, people: World, client_of: ClientOf, web_db: Database) -> None:
    cid = client_of(people.front_desk, phone="111", occupation="Nurse")
    tara, colin = signed_in(people.therapist), signed_in(people.colleague)
    tara_token = tara.token_from(f"/clients/{cid}/edit", f"/clients/{cid}")
    colin_token = colin.token_from(f"/clients/{cid}/edit", f"/clients/{cid}")
    base = {"given_name": "Ada", "family_name": "Lovelace", "version": "1"}
    saved = colin.http.post(f"/clients/{cid}", data={**base, "phone": "222", "occupation": "Nurse", "csrf_token": colin_token})
    assert saved.status_code == 303
    stale = tara.http.post(f"/clients/{cid}", data={**base, "phone": "111", "occupation": "Midwife", "csrf_token": tara_token})
    assert stale.status_code == 409
    assert "Someone else changed this client" in stale.text
    table = stale.text[stale.text.index("Your version"):stale.text.index("Save my version")]
    assert "Midwife" in table and "Nurse" in table and "222" in table  # both versions, field by field
    assert 'value="Midwife"' in stale.text and 'name="version" value="2"' in stale.text  # her input is kept
    with web_db.sessions() as s:
        assert s.get_one(Client, cid).occupation == "Nurse"
    # She decides her version is right and saves it deliberately.
    found = re.search(r'name="csrf_token" value="([^"]+)"', stale.text)
    assert found, "the conflict page has no form to save her version"
    token = found.group(1)
    again = tara.http.post(f"/clients/{cid}", data={**base, "version": "2", "phone": "222", "occupation": "Midwife", "csrf_token": token})
    assert again.status_code == 303
    with web_db.sessions() as s:
        client = s.get_one(Client, cid)
        assert (client.occupation, client.phone, client.version) == ("Midwife", "222", 3)


def test_archive_and_restore(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.front_desk, given_name="Archie")
    desk = signed_in(people.front_desk)
    assert desk.submit(f"/clients/{cid}", f"/clients/{cid}/archive", {}).status_code == 303
    assert "Archie" not in desk.get("/clients").text
    assert "Archie" in desk.get("/clients?status=archived").text
    page = desk.get(f"/clients/{cid}")
    assert "archived" in page.text and "Restore to active clients" in page.text
    assert desk.submit(f"/clients/{cid}", f"/clients/{cid}/restore", {}).status_code == 303
    assert "Archie" in desk.get("/clients").text


def test_live_search_returns_just_the_results_to_htmx(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    client_of(people.front_desk, given_name="Grace", family_name="Hopper", phone="0412 555 018")
    client_of(people.front_desk, given_name="Alan", family_name="Turing")
    therapist = signed_in(people.therapist)
    full = therapist.get("/clients?q=hopper")
    assert full.text.startswith("<!doctype html>") and "Hopper, Grace" in full.text and "Turing" not in full.text
    fragment = therapist.get("/clients?q=555+018", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Hopper, Grace" in fragment.text and "1 client matching" in fragment.text
    assert fragment.headers["cache-control"] == "no-store"
    restore = therapist.get("/clients?q=hopper", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert restore.text.startswith("<!doctype html>")  # history restores get the whole page


def test_the_client_list_pages_through_many_clients(signed_in: SignedIn, people: World, client_of: ClientOf, web_settings: Settings) -> None:
    for i in range(web_settings.page_size + 5):
        client_of(people.front_desk, given_name=f"Person{i:02d}", family_name="Many")
    visitor = signed_in(people.therapist)
    first = visitor.get("/clients")
    assert first.text.count("Many, Person") == web_settings.page_size
    found = re.search(r'href="(/clients\?[^"]*after=[^"]+)"', first.text)
    assert found, "no link to the next page"
    next_link = found.group(1).replace("&amp;", "&")
    second = visitor.get(next_link)
    assert second.text.count("Many, Person") == 5 and "Person29" in second.text and "Next →" not in second.text


def test_an_outsider_gets_404_for_another_clinics_client(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    cid = client_of(people.therapist, given_name="Secret")
    outsider = signed_in(people.outsider)
    for path in (f"/clients/{cid}", f"/clients/{cid}/edit", f"/clients/{cid}/pain-drawings/new"):
        response = outsider.get(path)
        assert response.status_code == 404 and "Secret" not in response.text
    token = outsider.session_csrf()
    edit = outsider.http.post(f"/clients/{cid}", data={"given_name": "Hacked", "family_name": "X", "version": "1", "csrf_token": token})
    assert edit.status_code == 404
    assert outsider.http.post(f"/clients/{cid}/archive", data={"csrf_token": token}).status_code == 404
    search = outsider.get("/clients?q=secret")
    assert search.status_code == 200 and "Secret" not in search.text
    assert "Secret" in signed_in(people.colleague).get("/clients?q=secret").text  # the same search in her clinic finds her


def test_the_dashboard_lists_recent_clients(signed_in: SignedIn, people: World, client_of: ClientOf) -> None:
    client_of(people.front_desk, given_name="Recent", family_name="Person")
    page = signed_in(people.therapist).get("/")
    assert "Recent Person" in page.text and "1 active clients" in page.text


def test_front_desk_pages_never_show_clinical_notes_and_keep_them_on_save(
    signed_in: SignedIn, people: World, client_of: ClientOf, web_db: Database
) -> None:
    cid = client_of(people.therapist, notes="Referred pain reproduced at infraspinatus", admin_notes="Prefers Tuesdays")
    desk = signed_in(people.front_desk)
    for path in (f"/clients/{cid}", f"/clients/{cid}/edit"):
        page = desk.get(path)
        assert page.status_code == 200 and "Prefers Tuesdays" in page.text
        assert "infraspinatus" not in page.text and 'name="notes"' not in page.text
    saved = desk.submit(f"/clients/{cid}/edit", f"/clients/{cid}", {
        "given_name": "Ada", "family_name": "Lovelace", "version": "1", "admin_notes": "Prefers Wednesdays",
    })
    assert saved.status_code == 303
    with web_db.sessions() as s:
        client = s.get_one(Client, cid)
        assert (client.admin_notes, client.notes) == ("Prefers Wednesdays", "Referred pain reproduced at infraspinatus")
    therapist_page = signed_in(people.therapist).get(f"/clients/{cid}")
    assert "Clinical notes" in therapist_page.text and "infraspinatus" in therapist_page.text
    assert 'name="notes"' in signed_in(people.therapist).get(f"/clients/{cid}/edit").text
