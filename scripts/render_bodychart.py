#!/usr/bin/env python3
"""Write a standalone HTML page with the body chart and optionally screenshot it.

    python scripts/render_bodychart.py /tmp/bodychart.html --png docs/bodychart.png
    python scripts/render_bodychart.py /tmp/chart.html --interactive     # copies bodychart.js next to it
    python scripts/render_bodychart.py /tmp/chart.html --labels --png /tmp/labels.png   # region ids

The page inlines bodychart.css so it can be opened from disk. ``--demo`` (the default) paints a
few heat fills, a spillover zone and a trigger point so the screenshot shows the legend too.
Screenshots use Playwright with Debian's Chromium at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from myomap.atlas.bodychart import ChartMark, RegionFill, region_box, render_chart  # noqa: E402
from myomap.atlas.regions import load_atlas  # noqa: E402

STATIC = ROOT / "src" / "myomap" / "web" / "static"
CHROMIUM = "/usr/bin/chromium"

DEMO_FILLS = {
    "temple.right": RegionFill(6),
    "top_of_shoulder.right": RegionFill(8),
    "neck_shoulder_angle.right": RegionFill(4),
    "posterior_neck.right": RegionFill(3),
    "lumbar_paraspinal.left": RegionFill(7),
    "upper_buttock.left": RegionFill(5),
    "lateral_thigh.left": RegionFill(2),
    "lateral_hip.left": RegionFill(4),
    "anterior_shoulder.left": RegionFill(9),
    "lateral_elbow.right": RegionFill(5),
    "radial_forearm.right": RegionFill(3),
    "patella.left": RegionFill(1),
    "plantar_heel.right": RegionFill(8),
    "arch.right": RegionFill(3),
    "posterior_thigh.left": RegionFill(style="spillover"),
    "popliteal.left": RegionFill(style="spillover"),
}
DEMO_MARKS = [ChartMark("mid_buttock.left", 0.45, 0.5, "Piriformis TrP"), ChartMark("upper_buttock.right", 0.55, 0.5, "Gluteus medius TrP")]


def label_overlay(html: str) -> str:
    """Insert tiny base-id labels at region centres (a drawing aid, not for the product)."""
    atlas = load_atlas()
    texts: dict[str, list[str]] = {"anterior": [], "posterior": []}
    for rid, region in atlas.regions.items():
        if region.side is not None and rid.endswith(".right"):
            continue
        view, x, y, w, h = region_box(rid)
        texts[view].append(
            f'<text x="{x + w / 2:.1f}" y="{y + h / 2:.1f}" text-anchor="middle" class="debug-label">{escape(region.base.id)}</text>'
        )
    for view, items in texts.items():
        marker = f'data-view="{view}">'
        end = html.index("</svg>", html.index(marker))
        html = html[:end] + '<g pointer-events="none">' + "".join(items) + "</g>" + html[end:]
    return html


def page(chart: str, interactive: bool) -> str:
    css = (STATIC / "bodychart.css").read_text(encoding="utf-8")
    script = '<script type="module" src="bodychart.js"></script>' if interactive else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Myomap body chart</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ margin: 16px; background: #fff; font-family: system-ui, sans-serif; }}
.bodychart .debug-label {{ font-size: 4px; fill: #0b3d91; }}
{css}
</style>{script}</head>
<body>{chart}</body></html>
"""


def screenshot(html_path: Path, png: Path, width: int, scale: float) -> None:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        pg = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=scale)
        pg.goto(html_path.resolve().as_uri())
        pg.locator("figure.bodychart").screenshot(path=str(png))
        browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("html", type=Path, help="where to write the HTML page")
    ap.add_argument("--png", type=Path, help="also save a screenshot of the chart here")
    ap.add_argument("--plain", action="store_true", help="no demo fills or marks")
    ap.add_argument("--interactive", action="store_true", help="interactive chart; copies bodychart.js next to the page")
    ap.add_argument("--labels", action="store_true", help="overlay base region ids (drawing aid)")
    ap.add_argument("--width", type=int, default=1000, help="browser viewport width in CSS pixels")
    ap.add_argument("--scale", type=float, default=1.5, help="device pixel ratio of the screenshot")
    opts = ap.parse_args(argv)

    fills = {} if opts.plain else DEMO_FILLS
    marks = () if opts.plain else DEMO_MARKS
    chart = render_chart(fills=fills, marks=marks, interactive=opts.interactive, caption=None if opts.plain else "Example pain drawing")
    if opts.labels:
        chart = label_overlay(chart)
    opts.html.parent.mkdir(parents=True, exist_ok=True)
    opts.html.write_text(page(chart, opts.interactive), encoding="utf-8")
    if opts.interactive:
        shutil.copyfile(STATIC / "bodychart.js", opts.html.parent / "bodychart.js")
    print(f"wrote {opts.html}")
    if opts.png:
        opts.png.parent.mkdir(parents=True, exist_ok=True)
        screenshot(opts.html, opts.png, opts.width, opts.scale)
        print(f"wrote {opts.png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
