"""Every chapter a muscle cites is the chapter about that muscle.

A locator such as "ts1, ch. 45" must be used by one coherent set of muscles: the ones that chapter
covers, per the table of contents in trigger_point_manual_chapters.yaml."""

import re
from importlib import resources
from pathlib import Path

import yaml

from myomap.knowledge.library import load_knowledge

kb = load_knowledge()
CHAPTERS: dict[str, dict[int, list[str]]] = yaml.safe_load(
    (Path(__file__).parent / "trigger_point_manual_chapters.yaml").read_text("utf-8")
)
CHAPTER = re.compile(r"ch\.\s*(\d+)\b")


def test_the_chapter_table_names_only_real_muscles() -> None:
    named = {m for book in CHAPTERS.values() for muscles in book.values() for m in muscles}
    assert named - set(kb.muscles) == set()


def test_each_trigger_point_manual_chapter_cited_covers_the_muscle() -> None:
    wrong = []
    for m in kb.muscles.values():
        for ref in m.sources:
            found = CHAPTER.match(ref.locator)
            if ref.source not in CHAPTERS or not found:
                continue
            # A pattern borrowed from a neighbour's chapter must say so in its locator.
            if "neighbouring pattern" in ref.locator:
                continue
            if m.id not in CHAPTERS[ref.source].get(int(found.group(1)), []):
                wrong.append(f"{m.id}: {ref.source} {ref.locator}")
    assert wrong == []


def test_every_muscle_cites_its_trigger_point_manual_chapter() -> None:
    covered = {m for book in CHAPTERS.values() for muscles in book.values() for m in muscles}
    citing = {m.id for m in kb.muscles.values() if any(r.source in CHAPTERS for r in m.sources)}
    assert covered <= citing


ROOT = Path(__file__).resolve().parents[2]
CASE_FILES = sorted((ROOT / "bench").glob("referral_cases*/*.yaml"))
MIDLINE = resources.files("myomap.knowledge").joinpath("data/midline_neighbours.yaml")


def _chapter(source: dict[str, str]) -> list[str] | None:
    """The muscles of the trigger point manual chapter a source cites, or None if it cites no such chapter."""
    found = CHAPTER.match(source.get("locator", ""))
    if source.get("source") not in CHAPTERS or not found:
        return None
    return CHAPTERS[source["source"]].get(int(found.group(1)), [])


def test_each_referral_case_cites_the_chapter_of_a_muscle_it_expects() -> None:
    assert CASE_FILES
    wrong = []
    for path in CASE_FILES:
        for case in yaml.safe_load(path.read_text("utf-8"))["cases"]:
            chapter = _chapter(case.get("source") or {})
            if chapter is not None and not set(case.get("expected", [])) & set(chapter):
                wrong.append(f"{path.name} {case['id']}: {case['source']['locator']}")
    assert wrong == []


def test_each_midline_neighbour_source_cites_a_chapter_on_muscles_referring_there() -> None:
    """A chapter cited for "pain beside this midline region" must cover a muscle whose zones reach
    one of the neighbouring regions (a coarse check: a neighbouring trunk chapter, such as serratus
    posterior inferior for the thoracic paraspinals, still passes)."""
    wrong = []
    for entry in yaml.safe_load(MIDLINE.read_text("utf-8"))["midline"]:
        chapter = _chapter(entry["source"])
        if chapter is None:
            continue
        reach = {z.region for m in chapter for z in kb.muscles[m].essential_zones + kb.muscles[m].spillover_zones}
        if not reach & set(entry["neighbours"]):
            wrong.append(f"{entry['region']}: {entry['source']['locator']}")
    assert wrong == []
