"""Every chapter a muscle cites is the chapter about that muscle.

A locator such as "ts1, ch. 45" must be used by one coherent set of muscles: the ones that chapter
covers, per the table of contents in trigger_point_manual_chapters.yaml."""

import re
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
