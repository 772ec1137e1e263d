"""The settings object: documented, safe by default, overridable from the environment."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from myomap.config import Settings


def test_every_setting_is_documented() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 30, f"setting {name} has no real description"
        assert f"MYOMAP_{name.upper()}" in field.description, f"setting {name} does not name its env var"


def test_defaults_keep_data_under_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.data_dir == tmp_path / "data"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'data' / 'myomap.db'}"
    assert settings.is_sqlite


def test_environment_variables_override_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "MYOMAP_DATA_DIR": str(tmp_path),
            "MYOMAP_LOGIN_FREE_FAILURES": "3",
            "MYOMAP_COOKIE_SECURE": "false",
            "MYOMAP_SESSION_LIFETIME_MINUTES": "60",
        }
    )
    assert settings.data_dir == tmp_path
    assert settings.login_free_failures == 3
    assert settings.cookie_secure is False
    assert settings.session_lifetime_minutes == 60


@pytest.mark.parametrize("given", ["postgresql://u:p@db/myomap", "postgres://u:p@db/myomap", "postgresql+psycopg://u:p@db/myomap"])
def test_postgresql_urls_use_psycopg3(given: str) -> None:
    settings = Settings.from_env({"MYOMAP_DATABASE_URL": given})
    assert settings.resolved_database_url == "postgresql+psycopg://u:p@db/myomap"
    assert not settings.is_sqlite


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        Settings.from_env({"MYOMAP_LOGIN_FREE_FAILURES": "many"})
    with pytest.raises(ValidationError):
        Settings.model_validate({"not_a_setting": 1})


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = settings.resolved_secret_key()
    second = Settings(data_dir=tmp_path / "data").resolved_secret_key()
    assert first == second and len(first) >= 40
    mode = stat.S_IMODE(os.stat(tmp_path / "data" / "secret_key").st_mode)
    assert mode == 0o600


def test_a_given_secret_key_wins(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path, secret_key="s3cret").resolved_secret_key() == "s3cret"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("host", "explicit", "secure"),
    [("127.0.0.1", None, False), ("localhost", None, False), ("0.0.0.0", None, True), ("clinic.example", None, True),
     ("0.0.0.0", False, False), ("127.0.0.1", True, True)],
)
def test_cookies_are_secure_unless_serving_on_loopback(host: str, explicit: bool | None, secure: bool) -> None:
    assert Settings(host=host, cookie_secure=explicit).effective_cookie_secure is secure


def test_the_foundation_docs_list_every_setting() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "foundation.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`MYOMAP_{name.upper()}`" in docs, f"docs/foundation.md does not document MYOMAP_{name.upper()}"
