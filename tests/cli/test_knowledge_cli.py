"""`myomap regions`, `myomap muscles` and `myomap refer` as a therapist uses them."""

import json

from typer.testing import CliRunner

from myomap.cli import _register, app

_register()
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args))


def test_regions_resolve_prints_the_region_as_json():
    result = invoke("regions", "resolve", "angle of jaw", "--side", "left", "--json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)["regions"]] == ["jaw.left"]


def test_regions_resolve_suggests_close_matches_for_a_typo():
    result = invoke("regions", "resolve", "laterl epicondyel", "--side", "left")  # two typos: no guess
    assert result.exit_code == 2
    assert "lateral_elbow" in result.output


def test_regions_list_json_lists_every_chart_region():
    data = json.loads(invoke("regions", "list", "--json").output)
    assert len(data) >= 120 and {"id", "name", "view", "side", "synonyms"} <= set(data[0])


def test_muscles_show_json_has_zones_as_region_ids_and_trigger_points():
    result = invoke("muscles", "show", "upper traps", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["id"] == "upper_trapezius"
    assert "temple" in data["essential_zones"] and data["trigger_points"]
    assert data["sources"][0]["locator"]


def test_muscles_show_unknown_name_lists_close_matches():
    result = invoke("muscles", "show", "upper trapezus")
    assert result.exit_code == 2 and "upper_trapezius" in result.output


def test_muscles_list_json():
    data = json.loads(invoke("muscles", "list", "--json").output)
    assert any(m["id"] == "upper_trapezius" for m in data)


def test_refer_ranks_muscles_for_a_drawing_in_the_documented_shape():
    result = invoke("refer", "temple=7", "posterior neck", "mastoid", "--side", "right", "--top", "5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"candidates", "groups", "cover", "unexplained", "symmetric", "entrapments"}
    assert len(data["groups"]) <= 5
    top = data["candidates"][0]
    assert top["muscle"] == "upper_trapezius" and "temple.right" in top["essential"]
    assert top["reasons"]


def test_refer_rejects_unknown_regions_with_suggestions_and_bad_intensities():
    result = invoke("refer", "tempel", "--side", "right")
    assert result.exit_code == 2 and "temple" in result.output
    result = invoke("refer", "temple=eleven", "--side", "right")
    assert result.exit_code == 2 and "0 to 10" in result.output
    result = invoke("refer", "temple=0", "--side", "right")
    assert result.exit_code == 2 and "empty" in result.output


def test_refer_needs_a_side_for_two_sided_regions():
    result = invoke("refer", "temple")
    assert result.exit_code == 2 and "needs a side" in result.output
