"""Which polygon a point lies in: GeoJSON Polygon and MultiPolygon, holes respected. Pure, no Django.

Used to place a service given by latitude and longitude in its LSOA (even-odd ray casting on WGS84
coordinates; boundary files generalised for the web make points within a few metres of a boundary
uncertain, which callers say).
"""

from __future__ import annotations


def _in_ring(x: float, y: float, ring: list) -> bool:
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _in_polygon(x: float, y: float, rings: list) -> bool:
    if not rings or not _in_ring(x, y, rings[0]):
        return False
    return not any(_in_ring(x, y, hole) for hole in rings[1:])


def contains(geometry: dict, longitude: float, latitude: float) -> bool:
    """Whether the GeoJSON geometry contains the point (longitude first, as GeoJSON orders them)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return _in_polygon(longitude, latitude, geometry["coordinates"])
    if kind == "MultiPolygon":
        return any(_in_polygon(longitude, latitude, rings) for rings in geometry["coordinates"])
    return False


def bounds(geometry: dict) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a Polygon or MultiPolygon."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    xs = [p[0] for rings in polygons for ring in rings for p in ring]
    ys = [p[1] for rings in polygons for ring in rings for p in ring]
    return min(xs), min(ys), max(xs), max(ys)
