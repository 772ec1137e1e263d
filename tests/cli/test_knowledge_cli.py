"""`myomap regions`, `myomap muscles` and `myomap refer` as a therapist uses them."""

import json

from typer.testing import CliRunner, Result

from myomap.cli import _register, app

_register()
runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def test_regions_resolve_prints_the_region_as_json() -> None:
    result = invoke("regions", "resolve", "angle of jaw", "--side", "left", "--json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)["regions"]] == ["jaw.left"]


def test_regions_resolve_suggests_close_matches_for_a_typo() -> None:
    result = invoke("regions", "resolve", "laterl epicondyel", "--side", "left")  # two typos: no guess
    assert result.exit_code == 2
    assert "did you mean: lateral epicondyle" in result.output


def test_regions_list_json_lists_every_chart_region() -> None:
    data = json.loads(invoke("regions", "list", "--json").output)
    assert len(data) >= 120 and {"id", "name", "view", "side", "synonyms"} <= set(data[0])


def test_muscles_show_json_has_zones_as_region_ids_and_trigger_points() -> None:
    result = invoke("muscles", "show", "upper traps", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["id"] == "upper_trapezius"
    assert "temple" in data["essential_zones"] and data["trigger_points"]
    assert data["sources"][0]["locator"]


def test_muscles_show_unknown_name_lists_close_matches() -> None:
    result = invoke("muscles", "show", "upper trapezus")
    assert result.exit_code == 2 and "upper_trapezius" in result.output


def test_muscles_list_json() -> None:
    data = json.loads(invoke("muscles", "list", "--json").output)
    assert any(m["id"] == "upper_trapezius" for m in data)


def test_refer_ranks_muscles_for_a_drawing_in_the_documented_shape() -> None:
    result = invoke("refer", "temple=7", "posterior neck", "mastoid", "--side", "right", "--top", "5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"candidates", "groups", "cover", "unexplained", "symmetric", "entrapments", "readings"}
    assert len(data["groups"]) <= 5
    top = data["candidates"][0]
    assert top["muscle"] == "upper_trapezius" and "temple.right" in top["essential"]
    assert top["reasons"]


def test_refer_rejects_unknown_regions_with_suggestions_and_bad_intensities() -> None:
    result = invoke("refer", "zzqx", "--side", "right")
    assert result.exit_code == 2 and "zzqx" in result.output
    result = invoke("refer", "temple=5:fizzy", "--side", "right")
    assert result.exit_code == 2 and "unknown pain quality 'fizzy'" in result.output
    result = invoke("refer", "temple=eleven", "--side", "right")
    assert result.exit_code == 2 and "0 to 10" in result.output
    result = invoke("refer", "temple=0", "--side", "right")
    assert result.exit_code == 2 and "empty" in result.output


def test_refer_needs_a_side_for_two_sided_regions() -> None:
    result = invoke("refer", "temple")
    assert result.exit_code == 2 and "needs a side" in result.output


def test_refer_shows_what_it_read_ties_as_one_row_and_entrapments() -> None:
    result = invoke("refer", "pectoral=6", "interscapular=5", "anterior arm=4", "radial forearm=4",
                    "thenar=5:tingling", "--side", "left", "--top", "8")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Scalenes: Anterior scalene, Middle scalene, Posterior scalene" in out
    assert "Entrapment to test: Median nerve" in out or "Entrapment to test: Brachial plexus" in out
    typo = invoke("refer", "tempel=7", "--side", "right")
    assert "tempel (read as 'temple') → Temple, right" in typo.output


def test_refer_json_equals_the_shared_reader_and_side_findings_count() -> None:
    from myomap.referral.drawing import parse_phrase, refer_phrases

    result = invoke("refer", "temple=7", "posterior neck=5", "--side", "right", "--finding", "upper_trapezius.right=1",
                    "--json")
    data = json.loads(result.output)
    assert data == refer_phrases([parse_phrase("temple=7"), parse_phrase("posterior neck=5")], side="right",
                                 findings={"upper_trapezius.right": 1.0}).to_json(10)
    ut = next(c for c in data["candidates"] if c["muscle"] == "upper_trapezius")
    assert any("finding" in r for r in ut["reasons"])
    left = json.loads(invoke("refer", "temple=7", "posterior neck=5", "--side", "left", "--finding",
                             "upper_trapezius.right=1", "--json").output)
    assert not any("finding" in r for c in left["candidates"] if c["muscle"] == "upper_trapezius" for r in c["reasons"])
