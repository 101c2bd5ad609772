"""Places without the network: ZIP codes and cities to coordinates, distances, and grid cells.

Coordinates come from the offline `zipcodes` dataset. A city is placed at the mean of its ZIP
codes' coordinates. The search index files every practice location under a grid cell of
`CELL_DEGREES`; a radius query asks for the cells the circle touches and checks only the hits in
cells that the circle cuts exactly.
"""

from __future__ import annotations

import gc
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import orjson

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
CELL_DEGREES = 0.1
ZIP_PATTERN = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class _Places:
    by_zip: dict[str, Point]
    by_city: dict[tuple[str, str], Point]
    city_names: dict[str, list[tuple[str, str]]]  # lower-case city -> [(city key, state)]


def _city_key(city: str) -> str:
    return " ".join(city.lower().replace(".", "").split())


def _zip_rows() -> list[list]:
    """(ZIP, lat, lon, [city names], state) of every ZIP code. The package's list of 42,000 dicts
    is about 100 MiB of small objects: only the rows are kept (copied out through one JSON
    string, so that nothing kept is allocated among the dicts and their memory can be returned),
    and the package's cache of that list is let go."""
    import zipcodes  # imported lazily: the dataset takes a moment to load

    packed = orjson.dumps(
        [
            [e["zip_code"], e["lat"], e["long"], [e["city"], *(e.get("acceptable_cities") or [])], e["state"]]
            for e in zipcodes.list_all()
        ]
    )
    if getattr(zipcodes, "_zips_cache", None) is not None:
        zipcodes._zips_cache = None
    gc.collect()
    return orjson.loads(packed)


@cache
def _places() -> _Places:
    by_zip: dict[str, Point] = {}
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for zip_code, lat, lon, names, state in _zip_rows():
        try:
            point = Point(float(lat), float(lon))
        except (TypeError, ValueError):
            continue
        by_zip[zip_code] = point
        for name in names:
            total = sums[(_city_key(name), state)]
            total[0] += point.lat
            total[1] += point.lon
            total[2] += 1
    by_city = {key: Point(t[0] / t[2], t[1] / t[2]) for key, t in sums.items()}
    city_names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for city, state in by_city:
        city_names[city].append((city, state))
    return _Places(by_zip, by_city, dict(city_names))


def preload() -> None:
    """Load the place list now (a second or so), rather than in the first request that needs it."""
    _places()


def zip_point(code: str) -> Point | None:
    match = ZIP_PATTERN.match(code or "")
    return _places().by_zip.get(match.group(1)) if match else None


def city_point(city: str, state: str | None) -> Point | None:
    """The city's centre; without a state only a city name found in exactly one state counts."""
    if not city:
        return None
    if ZIP_PATTERN.match(city):  # a ZIP code typed into the city field
        return zip_point(city)
    places = _places()
    key = _city_key(city)
    if state:
        return places.by_city.get((key, state.upper()))
    candidates = places.city_names.get(key, [])
    return places.by_city[candidates[0]] if len(candidates) == 1 else None


def locate(
    *,
    zip_code: str | None = None,
    city: str | None = None,
    state: str | None = None,
    point: tuple[float, float] | None = None,
) -> Point | None:
    """Best coordinates for a practice location: its own point, its ZIP code, then its city."""
    if point is not None:
        return Point(*point)
    if zip_code:
        found = zip_point(zip_code)
        if found:
            return found
    return city_point(city or "", state)


def distance_km(a: Point, b: Point) -> float:
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distances_km(a: Point, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """`distance_km` from `a` to many points at once (NaN coordinates give NaN)."""
    lat1 = math.radians(a.lat)
    lat2 = np.radians(lats)
    dlon = np.radians(lons - a.lon)
    h = np.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def to_km(radius: float, unit: str) -> float:
    return radius * KM_PER_MILE if unit == "mi" else radius


def cell_of(point: Point) -> str:
    return f"{math.floor(point.lat / CELL_DEGREES)}:{math.floor(point.lon / CELL_DEGREES)}"


@dataclass(frozen=True)
class CircleCover:
    """Grid cells wholly inside a circle, and the cells its edge cuts (hits there are checked)."""

    inside: tuple[str, ...]
    edge: tuple[str, ...]


def _nearest_in_cell(center: Point, lat0: float, lon0: float) -> Point:
    return Point(
        min(max(center.lat, lat0), lat0 + CELL_DEGREES), min(max(center.lon, lon0), lon0 + CELL_DEGREES)
    )


@lru_cache(maxsize=4096)  # bounded: centres and radii come from visitors
def cover_circle(center: Point, radius_km: float) -> CircleCover:
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    coslat = max(0.01, math.cos(math.radians(min(89.0, abs(center.lat) + dlat))))
    dlon = min(180.0, dlat / coslat)
    inside: list[str] = []
    edge: list[str] = []
    for i in range(
        math.floor((center.lat - dlat) / CELL_DEGREES), math.floor((center.lat + dlat) / CELL_DEGREES) + 1
    ):
        lat0 = i * CELL_DEGREES
        for j in range(
            math.floor((center.lon - dlon) / CELL_DEGREES), math.floor((center.lon + dlon) / CELL_DEGREES) + 1
        ):
            lon0 = j * CELL_DEGREES
            if distance_km(center, _nearest_in_cell(center, lat0, lon0)) > radius_km:
                continue
            corners = [Point(lat0 + a, lon0 + b) for a in (0, CELL_DEGREES) for b in (0, CELL_DEGREES)]
            whole = all(distance_km(center, c) <= radius_km for c in corners)
            (inside if whole else edge).append(f"{i}:{j}")
    return CircleCover(tuple(inside), tuple(edge))
