"""The web app and API on both engines: a short end-to-end pass over SQLite and PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from myomap.records.accounts.service import create_api_token

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from myomap.config import Settings
    from myomap.records.db import Database
    from tests.conftest import World

pytestmark = pytest.mark.storage


def test_the_api_works_the_same_on_both_engines(database: Database, db: Session, world: World, settings: Settings) -> None:
    from myomap.web.app import create_app

    token, _ = create_api_token(db=db, user=world.therapist, name="engines")
    db.commit()
    http = TestClient(create_app(settings, database=database), headers={"Authorization": f"Bearer {token}"})
    created = http.post("/api/clients", json={"given_name": "Élodie", "family_name": "Durand", "phone": "+33 6 55 55 01 02"})
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert [c["id"] for c in http.get("/api/clients", params={"q": "ELODIE"}).json()["items"]] == [cid]
    assert [c["id"] for c in http.get("/api/clients", params={"q": "55 01"}).json()["items"]] == [cid]
    drawing = http.post(f"/api/clients/{cid}/pain-drawings", json={
        "drawn_on": "2026-03-01", "marks": [{"region_id": "sacrum", "intensity": 6, "qualities": ["aching"]}],
    })
    assert drawing.status_code == 201, drawing.text
    assert http.get(f"/api/pain-drawings/{drawing.json()['id']}").json()["marks"][0]["qualities"] == ["aching"]
    assert http.patch(f"/api/clients/{cid}", json={"version": 1, "occupation": "Chef"}).json()["version"] == 2
    assert http.patch(f"/api/clients/{cid}", json={"version": 1, "occupation": "Baker"}).status_code == 409
    outsider_token, _ = create_api_token(db=db, user=world.outsider, name="engines")
    db.commit()
    assert http.get(f"/api/clients/{cid}", headers={"Authorization": f"Bearer {outsider_token}"}).status_code == 404
