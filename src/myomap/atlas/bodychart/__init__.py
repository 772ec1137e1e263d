"""The anatomical body chart: the 203 chart regions of the atlas drawn as a human figure.

Two jobs, two modules: :mod:`.geometry` says where each region lies (pure coordinates, from
``data/bodychart_geometry.yaml``); :mod:`.svg` draws it as markup. The names below are the public
surface callers import from ``myomap.atlas.bodychart``.
"""

from myomap.atlas.bodychart.geometry import point_in_region, region_axis, region_box, view_box
from myomap.atlas.bodychart.svg import HEAT_STOPS, ChartMark, RegionFill, heat_colour, region_path, render_chart

__all__ = [
    "HEAT_STOPS",
    "ChartMark",
    "RegionFill",
    "heat_colour",
    "point_in_region",
    "region_axis",
    "region_box",
    "region_path",
    "render_chart",
    "view_box",
]
