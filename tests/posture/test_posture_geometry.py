"""Geometry helpers on shapes whose angles are known (image y points down)."""

from __future__ import annotations

import math

import pytest

from myomap.posture import geometry as g


def test_line_angle_counts_counter_clockwise_on_screen() -> None:
    assert g.line_angle((0, 0), (10, 0)) == pytest.approx(0)
    assert g.line_angle((0, 0), (0, -10)) == pytest.approx(90)  # up on screen
    assert g.line_angle((0, 0), (0, 10)) == pytest.approx(-90)  # down on screen
    assert g.line_angle((0, 0), (-10, 0)) == pytest.approx(180)
    assert g.line_angle((0, 0), (10, -10)) == pytest.approx(45)


def test_line_angle_rejects_coincident_points() -> None:
    with pytest.raises(ValueError):
        g.line_angle((1, 1), (1, 1))


def test_tilt_from_horizontal_ignores_point_order() -> None:
    rising = ((0, 10), (10, 0))
    assert g.tilt_from_horizontal(*rising) == pytest.approx(45)
    assert g.tilt_from_horizontal(*rising[::-1]) == pytest.approx(45)
    falling = ((0, 0), (100, 100 * math.tan(math.radians(5))))
    assert g.tilt_from_horizontal(*falling) == pytest.approx(-5)


def test_tilt_from_vertical_sign() -> None:
    assert g.tilt_from_vertical((0, 100), (0, 0)) == pytest.approx(0)
    assert g.tilt_from_vertical((0, 100), (100, 0)) == pytest.approx(45)  # upper point to the right
    assert g.tilt_from_vertical((0, 100), (-100, 0)) == pytest.approx(-45)


def test_angles_of_a_right_triangle() -> None:
    a, b, c = (0, 0), (3, 0), (3, 4)  # right angle at b
    assert g.vertex_angle(a, b, c) == pytest.approx(90)
    assert g.vertex_angle(b, a, c) == pytest.approx(math.degrees(math.atan2(4, 3)))
    assert g.segment_angle(a, b, b, c) == pytest.approx(90)
    assert g.deviation_from_straight((0, 0), (0, 5), (0, 10)) == pytest.approx(0)
    assert g.angle_between((1, 0), (-1, 0)) == pytest.approx(180)


def test_signed_vertex_angle() -> None:
    # From ray to the right to ray going up on screen: +90 (counter-clockwise on screen).
    assert g.signed_vertex_angle((10, 0), (0, 0), (0, -10)) == pytest.approx(90)
    assert g.signed_vertex_angle((0, -10), (0, 0), (10, 0)) == pytest.approx(-90)
    assert g.signed_vertex_angle((10, 0), (0, 0), (10, -10)) == pytest.approx(45)


def test_offsets() -> None:
    assert g.offset_from_vertical((12, 40), 10) == pytest.approx(2)
    # Knee 5 px right of the hip-ankle line at its height.
    assert g.offset_from_line((105, 50), (100, 0), (100, 100)) == pytest.approx(5)
    assert g.offset_from_line((5, 50), (0, 0), (20, 100)) == pytest.approx(-5)
    with pytest.raises(ValueError):
        g.offset_from_line((0, 0), (0, 5), (10, 5))


def test_rotate_and_mirror() -> None:
    x, y = g.rotate_point((10, 0), 90, (0, 0))
    assert (x, y) == pytest.approx((0, -10))  # counter-clockwise on screen: right -> up
    pts = g.rotate_points([(0, 0), (10, 0)], 5, (0, 0))
    assert g.tilt_from_horizontal(*pts) == pytest.approx(5)
    assert g.mirror_point((10, 7), 100) == (90, 7)
    assert g.mirror_points([(0, 0), (100, 1)], 100) == [(100, 0), (0, 1)]
    assert g.midpoint((0, 0), (4, 2)) == (2, 1)
    assert g.distance((0, 0), (3, 4)) == pytest.approx(5)
