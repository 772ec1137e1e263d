"""``myomap muscles list QUERY`` is the atlas page's search: same order, same reasons."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from myomap.cli import _register, app
from myomap.knowledge.library import load_knowledge
from myomap.knowledge.search import search_muscles

_register()


def test_muscles_list_with_a_query_ranks_like_the_atlas_page_and_says_why() -> None:
    result = CliRunner().invoke(app, ["muscles", "list", "headache", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    expected = search_muscles(load_knowledge(), "headache", limit=500)
    assert [m["id"] for m in listed] == [h.muscle.id for h in expected]
    assert listed[0]["matched"] == list(expected[0].matched) and "(essential zone)" in listed[0]["matched"][0]
    table = CliRunner().invoke(app, ["muscles", "list", "headache"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "why it matches" in table.output and f"{len(listed)} muscles match 'headache'" in table.output
