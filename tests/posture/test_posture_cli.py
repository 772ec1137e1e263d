"""``myomap posture``: JSON output and clean errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from posture_helpers import fixture_path
from typer.testing import CliRunner

from myomap.cli import posture_cmds
from tests.standing_photo import standing_front_photo


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:  # a group, so that the command is called by name as in `myomap posture`
        pass

    posture_cmds.register(app)
    return app


def test_non_image_is_a_clear_error(app: typer.Typer, tmp_path: Path) -> None:
    notes = tmp_path / "notes.jpg"
    notes.write_text("not a photo at all\n")
    result = CliRunner().invoke(app, ["posture", str(notes), "--view", "anterior"])
    assert result.exit_code == 2
    assert "unsupported file type: text" in result.output
    assert "Traceback" not in result.output


def test_missing_file_and_bad_box(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["posture", str(tmp_path / "nope.jpg"), "--view", "left"])
    assert result.exit_code == 2 and "no such file" in result.output
    result = CliRunner().invoke(app, ["posture", str(tmp_path), "--view", "left"])
    assert result.exit_code == 2


def _standing() -> Path:
    photo = standing_front_photo()
    if not photo.exists():
        pytest.skip("the standing photo could not be made from the squat video")
    return photo


@pytest.mark.slow
def test_json_output_shape(app: typer.Typer, tmp_path: Path) -> None:
    photo = _standing()
    out_png = tmp_path / "annotated.png"
    result = CliRunner().invoke(
        app, ["posture", str(photo), "--view", "anterior", "--height-cm", "178", "--json", "--annotate", str(out_png)]
    )
    assert result.exit_code == 0, result.output
    start = result.stdout.index("{")
    data = json.loads(result.stdout[start:])
    assert set(data) == {"view", "landmarks", "metrics", "patterns"}
    assert data["view"] == "anterior"
    assert {"x", "y", "visibility", "source", "passes"} == set(data["landmarks"]["nose"])
    assert len(data["landmarks"]["nose"]["passes"]) == 3  # photo, crop, mirrored crop
    for m in data["metrics"]:
        assert {"id", "name", "value", "uncertainty", "unit", "status", "reason", "source"} <= set(m)
        if m["status"] != "not measured":
            assert m["uncertainty"] is not None and m["uncertainty"] >= 0
        assert m["status"] in ("normal", "deviation", "not measured")
        assert m["value"] is None or isinstance(m["value"], float)
    assert out_png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_table_output_and_bad_box(app: typer.Typer) -> None:
    photo = _standing()
    result = CliRunner().invoke(app, ["posture", str(photo), "--view", "anterior"])
    assert result.exit_code == 0, result.output
    assert "Shoulder height difference" in result.output
    result = CliRunner().invoke(app, ["posture", str(photo), "--view", "anterior", "--box", "1,2,3"])
    assert result.exit_code == 2 and "--box: give the box as four whole numbers X,Y,W,H" in result.output


def test_a_wrong_view_is_one_clear_line(app: typer.Typer) -> None:
    photo = fixture_path("tfjs_pose.jpg")
    result = CliRunner().invoke(app, ["posture", str(photo), "--view", "right"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "not the right side view chosen. Retake the photo with the client's right side to the camera" in " ".join(result.output.split())
