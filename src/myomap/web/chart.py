"""The body chart, drawn by :mod:`myomap.atlas.bodychart` when it is installed.

Pages always work without it: the region checklist is the fallback (and the accessible path).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from types import ModuleType
from typing import Protocol

from markupsafe import Markup


@cache
def _module() -> ModuleType | None:
    try:
        from myomap.atlas import bodychart
    except Exception:  # missing, or mid-edit: fall back to the checklist
        return None
    return bodychart if hasattr(bodychart, "render_chart") else None


def available() -> bool:
    return _module() is not None


def render(
    intensities: Mapping[str, float] | None = None,
    *,
    interactive: bool = False,
    zoomable: bool = False,
    dom_id: str = "bodychart",
    caption: str | None = None,
) -> Markup | None:
    """The chart with each region filled by its intensity (heat style), or None without the module.
    ``zoomable`` gives a read-only chart the zoom bar (see ``render_chart``)."""
    module = _module()
    if module is None:
        return None
    fills = {rid: module.RegionFill(intensity=float(value), style="heat") for rid, value in (intensities or {}).items()}
    return Markup(module.render_chart(fills=fills, interactive=interactive, zoomable=zoomable, dom_id=dom_id,
                                         caption=caption))


class _Mark(Protocol):
    """A pain mark as stored or as submitted: its region and intensity."""

    @property
    def region_id(self) -> str: ...

    @property
    def intensity(self) -> int: ...


def intensities_of(marks: Iterable[_Mark]) -> dict[str, float]:
    return {m.region_id: float(m.intensity) for m in marks}
