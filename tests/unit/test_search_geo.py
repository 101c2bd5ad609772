"""Offline places, distances and the grid cover used for radius filters."""

from __future__ import annotations

import numpy as np
import pytest

from services.search import geo


def test_zip_codes_and_cities_resolve_offline():
    austin_zip = geo.zip_point("78701")
    austin = geo.city_point("Austin", "TX")
    assert austin_zip is not None and austin is not None
    assert geo.distance_km(austin_zip, austin) < 30


def test_a_zip_code_typed_into_the_city_field_is_understood():
    downtown_austin = geo.Point(30.27, -97.74)
    typed_in_city = geo.city_point("78701", None)
    assert typed_in_city is not None
    assert geo.distance_km(typed_in_city, downtown_austin) < 5
    assert typed_in_city == geo.zip_point("78701") == geo.city_point("78701", "TX")


def test_an_unknown_place_has_no_point():
    assert geo.zip_point("00000") is None
    assert geo.city_point("Nowhereville", "TX") is None


def test_distance_between_austin_and_dallas_is_about_300_km():
    assert geo.distance_km(geo.zip_point("78701"), geo.zip_point("75201")) == pytest.approx(292, abs=15)


def test_miles_convert_to_kilometres():
    assert geo.to_km(10, "mi") == pytest.approx(16.09344)
    assert geo.to_km(10, "km") == 10


def test_cells_wholly_inside_the_circle_are_inside_and_cut_cells_are_edge():
    center = geo.Point(30.27, -97.74)
    cover = geo.cover_circle(center, 50.0)
    assert geo.cell_of(center) in cover.inside
    far = geo.cell_of(geo.Point(31.5, -97.74))
    assert far not in cover.inside and far not in cover.edge
    near_edge = geo.cell_of(geo.Point(30.27 + 0.45, -97.74))
    assert near_edge in cover.edge


def test_every_point_within_the_radius_falls_in_a_covered_cell():
    center = geo.Point(40.75, -73.99)
    cover = geo.cover_circle(center, 20.0)
    covered = set(cover.inside) | set(cover.edge)
    for i in range(-30, 31):
        for j in range(-30, 31):
            point = geo.Point(center.lat + i * 0.006, center.lon + j * 0.008)
            if geo.distance_km(center, point) <= 20.0:
                assert geo.cell_of(point) in covered


def test_distances_to_many_points_at_once_agree_with_one_at_a_time():
    center = geo.Point(40.75, -73.99)
    points = [geo.Point(40.0 + i / 7, -74.5 + i / 5) for i in range(20)]
    many = geo.distances_km(center, np.array([p.lat for p in points]), np.array([p.lon for p in points]))
    assert many.tolist() == pytest.approx([geo.distance_km(center, p) for p in points], abs=1e-9)
    assert np.isnan(geo.distances_km(center, np.array([np.nan]), np.array([np.nan]))[0])
