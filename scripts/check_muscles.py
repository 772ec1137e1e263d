"""Check one muscle file against the atlas and the shared knowledge files (for data authors).

Usage: .venv/bin/python scripts/check_muscles.py src/myomap/knowledge/data/muscles/FILE.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from pydantic import TypeAdapter

from myomap.atlas.regions import load_atlas
from myomap.knowledge import library
from myomap.knowledge.schema import Condition, EndangermentSite, Muscle, Source


def main(path: str) -> int:
    muscles = TypeAdapter(list[Muscle]).validate_python(yaml.safe_load(Path(path).read_text())["muscles"])
    kb = library.Knowledge(
        atlas=load_atlas(),
        sources=library._unique(library._parse(Source, library._read("data/sources.yaml")["sources"], "s"), "s"),
        conditions=library._unique(
            library._parse(Condition, library._read("data/conditions.yaml")["conditions"], "c"), "c"
        ),
        sites=library._unique(
            library._parse(EndangermentSite, library._read("data/endangerment_sites.yaml")["sites"], "e"), "e"
        ),
        muscles=library._unique(muscles, path),
    )
    problems = library.integrity_problems(kb)
    for p in problems:
        print("PROBLEM:", p)
    print(f"{len(muscles)} muscles, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
