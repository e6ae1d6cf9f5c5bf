"""Boundaries for maps: read GeoJSON boundary files, and draw an area that has no published boundary
by joining the shapes of its parts (a union with shapely)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from commonground.engine.tables import DataError

PRECISION = 1e-5  # the data pack's generalised boundaries are rounded to 5 decimal places (about 1 m)


def read_features(path: Path | str, code_keys: Iterable[str]) -> dict[str, dict]:
    """Geometry by area code from a GeoJSON FeatureCollection; the code property may be any of `code_keys`
    (case-insensitive, e.g. lsoa21_code or LSOA21CD)."""
    path = Path(path)
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(path, f"not a GeoJSON FeatureCollection ({exc})") from exc
    wanted = [k.lower() for k in code_keys]
    found: dict[str, dict] = {}
    for i, feature in enumerate(features):
        properties = {str(k).lower(): v for k, v in (feature.get("properties") or {}).items()}
        key = next((k for k in wanted if k in properties), None)
        code = str(properties.get(key, "") if key else "").strip().upper()
        if not code:
            raise DataError(path, f"feature {i + 1} has no {' or '.join(code_keys)} property")
        if not feature.get("geometry"):
            raise DataError(path, f"feature {i + 1} ({code}) has no geometry")
        found[code] = feature["geometry"]
    return found


def dissolve(geometries: Iterable[dict]) -> dict | None:
    """One (Multi)Polygon covering every part: the outline of an area drawn from its neighbourhoods."""
    import shapely
    from shapely.geometry import mapping, shape

    parts = [shape(g) for g in geometries]
    if not parts:
        return None
    union = shapely.set_precision(shapely.union_all([shapely.make_valid(p) for p in parts]), PRECISION)
    polygons = [g for g in getattr(union, "geoms", [union]) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        return None
    outline = polygons[0] if len(polygons) == 1 else shapely.union_all(polygons)
    return json.loads(json.dumps(mapping(outline)))


def dumps(geometry: dict) -> str:
    return json.dumps(geometry, separators=(",", ":"))


def points_inside(geometries: Iterable[dict], points: list[tuple[float, float]]) -> list[bool]:
    """Which (longitude, latitude) points lie inside any of the geometries (point in polygon)."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    if not points:
        return []
    xs, ys = (np.array(values, dtype=float) for values in zip(*points, strict=True))
    inside = np.zeros(len(points), dtype=bool)
    for geometry in geometries:
        inside |= shapely.contains_xy(shapely.make_valid(shape(geometry)), xs, ys)
    return inside.tolist()
