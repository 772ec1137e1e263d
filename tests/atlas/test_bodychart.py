"""The body chart: every atlas region drawn once on its view, mirrored sides, fills, marks, safety."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from myomap.atlas.bodychart import (
    HEAT_STOPS,
    ChartMark,
    RegionFill,
    heat_colour,
    point_in_region,
    region_axis,
    region_box,
    region_path,
    render_chart,
    view_box,
)
from myomap.atlas.regions import UnknownRegionError, View, load_atlas

SVG = "{http://www.w3.org/2000/svg}"
STATIC = Path(__file__).resolve().parents[2] / "src" / "myomap" / "web" / "static"
atlas = load_atlas()
MIDLINE = 200.0


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def svgs(root: ET.Element) -> dict[str, ET.Element]:
    return {view: svg for svg in root.iter(f"{SVG}svg") if (view := svg.get("data-view"))}


def attr(el: ET.Element, name: str) -> str:
    """The attribute's value; an element without it fails the test naming what is missing."""
    value = el.get(name)
    assert value is not None, f"<{el.tag}> has no {name}"
    return value


def child(el: ET.Element, tag: str) -> ET.Element:
    """The first ``tag`` inside ``el``; its absence fails the test naming what is missing."""
    found = el.find(tag)
    assert found is not None, f"<{el.tag}> has no {tag}"
    return found


def region_elements(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("data-region") is not None]


def polygons(d: str) -> list[list[tuple[float, float]]]:
    polys = []
    for sub in re.findall(r"M([^MZ]+)Z", d):
        pts = [(float(x), float(y)) for x, y in (p.split() for p in sub.split("L"))]
        polys.append(pts)
    return polys


def shoelace(poly: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True))) / 2


# ---- coverage -------------------------------------------------------------------------------------


def test_every_chart_region_is_drawn_exactly_once_on_its_view() -> None:
    root = parse(render_chart())
    seen: dict[str, str] = {}
    for view, svg in svgs(root).items():
        for el in region_elements(svg):
            rid = attr(el, "data-region")
            assert rid not in seen, f"{rid} drawn twice"
            seen[rid] = view
    assert set(seen) == set(atlas.regions)
    assert len(seen) == 203
    for rid, view in seen.items():
        assert view == atlas.regions[rid].view.value, rid


def test_regions_are_paths_with_class_and_title() -> None:
    root = parse(render_chart())
    for el in region_elements(root):
        rid = attr(el, "data-region")
        assert el.tag == f"{SVG}path"
        assert el.get("class") == "region"
        title = el.find(f"{SVG}title")
        assert title is not None and title.text == atlas.regions[rid].name


def test_one_view_only() -> None:
    root = parse(render_chart(views=(View.POSTERIOR,)))
    assert list(svgs(root)) == ["posterior"]
    ids = {el.get("data-region") for el in region_elements(root)}
    assert ids == {rid for rid, r in atlas.regions.items() if r.view is View.POSTERIOR}


# ---- geometry -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rid", sorted(atlas.regions))
def test_no_shape_is_degenerate_and_all_lie_in_the_view(rid: str) -> None:
    _, _, width, height = view_box()
    polys = polygons(region_path(rid))
    assert polys, rid
    for poly in polys:
        assert len(poly) >= 3
        assert shoelace(poly) > 4.0, rid
        for x, y in poly:
            assert 0 <= x <= width and 0 <= y <= height
    _view, x, y, w, h = region_box(rid)
    assert w > 1 and h > 1


def test_bilateral_pairs_are_mirrored_about_their_axis() -> None:
    for base in atlas.bases.values():
        if base.is_midline:
            continue
        lv, lx, ly, lw, lh = region_box(f"{base.id}.left")
        rv, rx, ry, rw, rh = region_box(f"{base.id}.right")
        axis = region_axis(f"{base.id}.left")
        assert axis == region_axis(f"{base.id}.right")
        assert lv == rv == base.view.value
        assert (ly, lh, lw) == pytest.approx((ry, rh, rw), abs=0.05), base.id
        assert (lx + lw / 2) + (rx + rw / 2) == pytest.approx(2 * axis, abs=0.05), base.id


def test_midline_regions_straddle_the_midline() -> None:
    for base in atlas.bases.values():
        if base.is_midline:
            _v, x, _y, w, _h = region_box(base.id)
            assert x + w / 2 == pytest.approx(MIDLINE, abs=0.05), base.id


def centre_x(rid: str) -> float:
    _view, x, _y, w, _h = region_box(rid)
    return x + w / 2


def test_client_sides_follow_the_view() -> None:
    # Front view: the client faces us, so their right is on the viewer's left.
    assert centre_x("temple.right") < MIDLINE < centre_x("temple.left")
    assert centre_x("anterior_thigh.right") < MIDLINE
    # Back view: we look at their back, so their right is on the viewer's right.
    assert centre_x("occiput.left") < MIDLINE < centre_x("occiput.right")
    assert centre_x("posterior_thigh.right") > MIDLINE
    # The soles inset sits beside the back view and keeps its orientation.
    assert centre_x("arch.left") < region_axis("arch.left") < centre_x("arch.right")


def test_anatomy_is_in_a_sensible_order_from_head_to_feet() -> None:
    def top(rid: str) -> float:
        return region_box(rid)[2]

    chain = ["forehead.left", "eye.left", "chin", "throat", "sternum", "umbilical", "suprapubic",
             "anterior_thigh.left", "patella.left", "anterior_leg.left", "dorsal_foot.left"]
    tops = [top(r) for r in chain]
    assert tops == sorted(tops)
    back = ["vertex", "occiput.left", "cervical_spine", "thoracic_spine", "lumbar_spine", "sacrum",
            "posterior_thigh.left", "popliteal.left", "upper_calf.left", "heel.left"]
    tops = [top(r) for r in back]
    assert tops == sorted(tops)
    # hands hang beside the thighs, lateral to the trunk
    _v, hx, hy, _w, _h = region_box("palm.left")
    assert hx > region_box("flank.left")[1] + region_box("flank.left")[3]
    assert 380 < hy < 480


def test_point_in_region_mirrors_u_and_stays_in_the_box() -> None:
    for base in ("temple", "lateral_thigh", "occiput", "arch", "thumb"):
        for u, v in ((0, 0), (0.2, 0.3), (0.5, 0.5), (1, 1)):
            lview, lx, ly = point_in_region(f"{base}.left", u, v)
            rview, rx, ry = point_in_region(f"{base}.right", u, v)
            axis = region_axis(f"{base}.left")
            assert lview == rview
            assert lx + rx == pytest.approx(2 * axis, abs=0.05)
            assert ly == pytest.approx(ry)
            for rid, x, y in ((f"{base}.left", lx, ly), (f"{base}.right", rx, ry)):
                _v, bx, by, bw, bh = region_box(rid)
                assert bx - 1e-6 <= x <= bx + bw + 1e-6 and by - 1e-6 <= y <= by + bh + 1e-6
    # u=1 is lateral: further from the axis than u=0
    _, x0, _ = point_in_region("lateral_thigh.right", 0, 0.5)
    _, x1, _ = point_in_region("lateral_thigh.right", 1, 0.5)
    assert abs(x1 - MIDLINE) > abs(x0 - MIDLINE)
    # midline regions: u=0.5 is the midline
    assert point_in_region("sternum", 0.5, 0.5)[1] == pytest.approx(MIDLINE, abs=0.05)


def test_unknown_regions_are_reported_with_suggestions() -> None:
    with pytest.raises(UnknownRegionError, match="temple"):
        region_box("temple.middle")
    with pytest.raises(UnknownRegionError):
        render_chart(fills={"templ.left": RegionFill(3)})
    with pytest.raises(UnknownRegionError):
        render_chart(marks=[ChartMark("nowhere", 0.5, 0.5, "x")])


# ---- colour -----------------------------------------------------------------------------------------


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_heat_scale_runs_from_pale_yellow_to_deep_red_and_darkens_monotonically() -> None:
    assert heat_colour(0) == "#ffffcc"
    assert heat_colour(10) == "#800026"
    assert heat_colour(-3) == heat_colour(0) and heat_colour(42) == heat_colour(10)
    lums = [luminance(heat_colour(i / 4)) for i in range(41)]
    assert all(a > b for a, b in zip(lums, lums[1:], strict=False))
    assert re.fullmatch(r"#[0-9a-f]{6}", heat_colour(6.3))


def test_the_javascript_holds_the_same_heat_scale() -> None:
    js = (STATIC / "bodychart.js").read_text(encoding="utf-8")
    found = re.search(r"HEAT_STOPS = \[(.*?)\];", js, re.S)
    assert found, "bodychart.js has no HEAT_STOPS"
    block = found.group(1)
    stops = [(float(x), c) for x, c in re.findall(r'\[([\d.]+),\s*"(#[0-9a-f]{6})"\]', block)]
    assert stops == [(float(x), c) for x, c in HEAT_STOPS]


# ---- fills, marks, legend ---------------------------------------------------------------------------


def find(root: ET.Element, rid: str) -> ET.Element:
    return next(el for el in region_elements(root) if el.get("data-region") == rid)


def test_fills_render_as_presentation_attributes() -> None:
    markup = render_chart(
        fills={
            "temple.left": RegionFill(7),
            "lumbar_paraspinal.right": RegionFill(style="essential"),
            "posterior_thigh.right": RegionFill(style="spillover"),
            "sternum": RegionFill(style="selected"),
            "chin": RegionFill(0),
        },
        dom_id="chart-a",
    )
    root = parse(markup)
    heat = find(root, "temple.left")
    assert "heat" in attr(heat, "class").split()
    assert heat.get("fill") == heat_colour(7)
    assert child(heat, f"{SVG}title").text == "Temple, left: 7/10"
    assert find(root, "lumbar_paraspinal.right").get("class") == "region essential"
    spill = find(root, "posterior_thigh.right")
    fill = re.fullmatch(r"url\(#([\w-]+)\)", attr(spill, "fill"))
    assert fill, "the spillover fill is not a pattern reference"
    ref = fill.group(1)
    assert ref.startswith("chart-a-")
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert ref in patterns
    assert "selected" in attr(find(root, "sternum"), "class")
    assert find(root, "chin").get("fill") is None  # intensity 0 is no fill
    legend = next(s for s in root.iter(f"{SVG}svg") if s.get("class") == "bodychart-legend")
    legend_text = " ".join(t.text or "" for t in legend.iter(f"{SVG}text"))
    assert "Key: pain intensity" in legend_text and "Essential" in legend_text and "Spillover" in legend_text


def test_no_legend_without_fills() -> None:
    assert "bodychart-legend" not in render_chart()


def test_marks_are_drawn_as_crosses_in_their_region() -> None:
    markup = render_chart(marks=[ChartMark("upper_buttock.left", 0.5, 0.5, "Gluteus medius TrP1")])
    root = parse(markup)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("data-mark-region") == "upper_buttock.left")
    assert child(group, f"{SVG}title").text == "Gluteus medius TrP1"
    d = attr(child(group, f"{SVG}path"), "d")
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = [tuple(map(float, p)) for p in re.findall(r"[ML]([\d.]+) ([\d.]+)", d)]
    assert (x0 + x1) / 2 == pytest.approx((x2 + x3) / 2) and (y0 + y1) / 2 == pytest.approx((y2 + y3) / 2)
    _view, cx, cy = point_in_region("upper_buttock.left", 0.5, 0.5)
    assert (x0 + x1) / 2 == pytest.approx(cx, abs=0.1) and (y0 + y1) / 2 == pytest.approx(cy, abs=0.1)
    # the mark is on the back view
    back = svgs(root)["posterior"]
    assert any(g.get("data-mark-region") for g in back.iter(f"{SVG}g"))
    assert "Trigger point" in markup


def test_interactive_charts_leave_button_semantics_to_the_script() -> None:
    # Without JavaScript a region does nothing, so the server must not announce it as a button;
    # bodychart.js adds tabindex/role/aria-pressed (tests/e2e/test_bodychart_widget.py).
    root = parse(render_chart(interactive=True, fills={"temple.left": RegionFill(4)}))
    assert root.get("data-interactive") == "true"
    pressed = find(root, "temple.left")
    assert pressed.get("tabindex") is None and pressed.get("role") is None
    assert pressed.get("data-pressed") == "true"
    assert child(pressed, f"{SVG}title").text == "Temple, left: 4/10"
    assert find(root, "temple.right").get("data-pressed") == "false"
    static = parse(render_chart())
    assert find(static, "temple.left").get("tabindex") is None


# ---- markup safety ----------------------------------------------------------------------------------


def test_markup_is_xml_with_svg_views_and_accessible_names() -> None:
    root = parse(render_chart(caption="Visit 3"))
    assert root.tag == "figure" and root.get("class") == "bodychart" and root.get("id") == "bodychart"
    views = svgs(root)
    assert views["anterior"].get("aria-label") == "Front view"
    assert views["posterior"].get("aria-label") == "Back view"
    for svg in views.values():
        assert svg.get("role") == "group"
        assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", attr(svg, "viewBox"))
        assert svg.get("width") is None and svg.get("height") is None  # scales to its container
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Front", "Back", "Left", "Right", "Soles"} <= texts
    assert child(root, "figcaption").text == "Visit 3"


def test_all_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & \'quotes\''
    markup = render_chart(caption=evil, marks=[ChartMark("sacrum", 0.5, 0.5, evil)], interactive=True)
    assert "<script>" not in markup
    root = parse(markup)  # still well-formed
    assert child(root, "figcaption").text == evil
    assert any(t.text == evil for t in root.iter(f"{SVG}title"))


def test_no_inline_styles_or_scripts_for_the_csp() -> None:
    markup = render_chart(
        fills={"temple.left": RegionFill(3), "arch.left": RegionFill(style="spillover")},
        marks=[ChartMark("sacrum", 0.5, 0.5, "x")],
        interactive=True,
    )
    assert "style=" not in markup
    assert "<script" not in markup and "javascript:" not in markup
    assert not re.search(r"\son[a-z]+=", markup)


def test_two_charts_on_a_page_do_not_share_ids() -> None:
    a = parse(render_chart(dom_id="before", fills={"arch.left": RegionFill(style="spillover")}))
    b = parse(render_chart(dom_id="after", fills={"arch.left": RegionFill(style="spillover")}))
    ids_a = {el.get("id") for el in a.iter() if el.get("id")}
    ids_b = {el.get("id") for el in b.iter() if el.get("id")}
    assert ids_a and not ids_a & ids_b
    for root in (a, b):
        refs = {m for el in root.iter() for v in el.attrib.values() for m in re.findall(r"url\(#([\w-]+)\)", v)}
        refs |= {href[1:] for el in root.iter() if (href := el.get("href"))}
        ids = {el.get("id") for el in root.iter() if el.get("id")}
        assert refs and refs <= ids


@pytest.mark.parametrize("bad", ["", "1chart", "a b", 'x"y', "a<b"])
def test_dom_id_must_be_an_identifier(bad: str) -> None:
    with pytest.raises(ValueError):
        render_chart(dom_id=bad)


# ---- insets (the zoom bar's enlarged views) ------------------------------------------------------


def test_each_inset_frames_every_region_it_enlarges_and_the_zoom_bar_carries_the_boxes() -> None:
    from myomap.atlas.bodychart.geometry import chart_geometry

    g, atlas = chart_geometry(), load_atlas()
    assert [i.label for i in g.insets] == ["Head and neck", "Right hand", "Left hand", "Feet"]
    for inset in g.insets:
        framed = [rid for rid, r in atlas.regions.items() if inset.frames(r)]
        assert framed, inset.id
        for rid in framed:
            shape = g.shapes[rid]
            x, y, w, h = inset.boxes[shape.view]
            bx, by, bw, bh = shape.box
            assert x <= bx and y <= by and bx + bw <= x + w and by + bh <= y + h, (inset.id, rid)
    # a hand inset shows one hand only: the other hand's regions lie outside its box
    right = next(i for i in g.insets if i.id == "right_hand")
    x, _, w, _ = right.boxes[View.ANTERIOR]
    other = g.shapes["thumb.left"].box
    assert other[0] > x + w
    markup = render_chart(interactive=True)
    assert 'data-inset="right_hand"' in markup and 'data-box-anterior="' in markup
    assert "data-zoom-bar" not in render_chart()  # a plain read-only chart has no zoom bar


def test_a_zoomable_read_only_chart_has_the_zoom_bar_and_insets_but_no_region_buttons() -> None:
    from myomap.atlas.bodychart.geometry import chart_geometry

    markup = render_chart(zoomable=True, fills={"temple.right": RegionFill(intensity=7)})
    root = ET.fromstring(markup)
    assert root.get("data-zoomable") == "true" and root.get("data-interactive") is None
    bar = root.find("div[@data-zoom-bar]")
    assert bar is not None and bar.get("hidden") == "hidden"  # shown by bodychart.js, which it needs
    insets = [b.get("data-inset") for b in bar.iter("button") if b.get("data-inset")]
    assert insets == [i.id for i in chart_geometry().insets]
    assert [b.text for b in bar.iter("button")][:3] == ["Zoom out", "Zoom in", "Whole body"]
    # the regions carry nothing that bodychart.js would turn into a toggle button
    assert "data-pressed" not in markup and "data-pressed" in render_chart(interactive=True)
    # an interactive chart is zoomable too (one marker for the zoom, one for the taps)
    interactive = ET.fromstring(render_chart(interactive=True))
    assert interactive.get("data-zoomable") == "true" and interactive.get("data-interactive") == "true"
