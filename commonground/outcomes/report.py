"""The State of the Neighbourhood report: the area's dashboard as a PDF (WeasyPrint).

Charts and the map are drawn server-side with matplotlib as SVG (vector, selectable text) from the
same figures as the dashboard; page numbers, sources and data dates sit in every page's footer.
"""

from __future__ import annotations

import base64
import io

from django.template.loader import render_to_string

from commonground.engine import outcomes as engine
from commonground.outcomes import dashboards
from commonground.places.models import Area

BLUE, GREY, BLACK = "#1d70b8", "#b1b4b6", "#0b0c0c"
# ColorBrewer "Purples", light to dark, for map classes (colour-blind safe, sequential).
CLASSES = ["#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"]


def _svg(figure) -> str:
    import matplotlib

    buffer = io.StringIO()
    # Text stays text (not glyph outlines): smaller files, selectable words, faster PDF layout.
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode()).decode()


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def comparison_chart(board: dict) -> str | None:
    """Grouped bars: the area, similar areas and England for each measure with figures."""
    rows = [m for t in board["themes"] for m in t["measures"] if m.get("comparison")]
    if not rows:
        return None
    import numpy as np

    figure = _figure(7, 0.45 * len(rows) + 1.2)
    axes = figure.subplots()
    y = np.arange(len(rows))
    series = [
        ("this_area", board["area"]["name"], BLUE),
        ("similar", "Similar areas (same IMD decile)", "#6f72af"),
        ("england", rows[0]["comparison"]["england_label"], GREY),
    ]
    height = 0.8 / len(series)
    for i, (key, label, colour) in enumerate(series):
        values = [m["comparison"][key] if m["comparison"][key] is not None else 0 for m in rows]
        axes.barh(y + i * height, values, height=height, label=label, color=colour)
    axes.set_yticks(y + height, [m["name"] for m in rows], fontsize=8)
    axes.invert_yaxis()
    axes.tick_params(axis="x", labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    return _svg(figure)


def trend_chart(measure: dict, area_name: str) -> str | None:
    if len(measure["series"]) < 2:
        return None
    figure = _figure(4, 2.4)
    axes = figure.subplots()
    periods = [p["period"] for p in measure["series"]]
    axes.plot(periods, [p["value"] for p in measure["series"]], marker="o", color=BLUE, label=area_name)
    axes.set_title(measure["name"], fontsize=9)
    axes.tick_params(labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


MAX_RING_POINTS = 150  # enough for a 15 cm map; full-resolution rings make the PDF slow to lay out


def _rings(geometry: dict) -> list:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    rings = [ring for polygon in polygons for ring in polygon[:1]]  # outer rings: holes are rare and tiny here
    return [ring[:: max(1, len(ring) // MAX_RING_POINTS)] + ring[-1:] for ring in rings]


def map_svg(collection: dict, highlight: str | None) -> str | None:
    """The map: each area's outline as a vector path, shaded by the measure's quantile class."""
    from matplotlib.collections import PolyCollection

    features = [f for f in collection["features"] if f.get("geometry")]
    if not features:
        return None
    breaks = engine.quantile_breaks([f["properties"]["value"] for f in features], len(CLASSES))
    polygons, fills, edges, widths = [], [], [], []
    for f in features:
        k = engine.class_of(f["properties"]["value"], breaks)
        colour = CLASSES[round(k * (len(CLASSES) - 1) / max(len(breaks) - 1, 1))] if k is not None else GREY
        is_highlight = f["properties"]["code"] == highlight
        for ring in _rings(f["geometry"]):
            polygons.append(ring)
            fills.append(colour)
            edges.append(BLACK if is_highlight else "#ffffff")
            widths.append(2.0 if is_highlight else 0.3)
    figure = _figure(5.5, 4.2)
    axes = figure.subplots()
    axes.add_collection(PolyCollection(polygons, facecolors=fills, edgecolors=edges, linewidths=widths))
    axes.autoscale_view()
    axes.set_aspect(1.6)  # roughly 1/cos(52°): degrees of longitude are shorter in England
    axes.set_axis_off()
    return _svg(figure)


def legend(collection: dict) -> list[dict]:
    breaks = engine.quantile_breaks([f["properties"]["value"] for f in collection["features"]], len(CLASSES))
    lower = min(
        (f["properties"]["value"] for f in collection["features"] if f["properties"]["value"] is not None), default=None
    )
    out = []
    for i, upper in enumerate(breaks):
        colour = CLASSES[round(i * (len(CLASSES) - 1) / max(len(breaks) - 1, 1))]
        out.append({"colour": colour, "low": lower if i == 0 else breaks[i - 1], "high": upper})
    return out


def context(area: Area) -> dict:
    board = dashboards.area_dashboard(area)
    measure = dashboards.find_measure(None)
    headline = next(
        (m for t in board["themes"] for m in t["measures"] if m["slug"] == getattr(measure, "slug", "")), None
    )
    collection = dashboards.map_collection(area, measure) if measure else {"features": []}
    sources = "; ".join(
        f"{s['name']} ({s['source']}; {s['licence']}{'; released ' + s['release_date'] if s['release_date'] else ''})"
        for s in board["sources"]
    )
    return {
        "board": board,
        "headline": headline,
        "comparison_chart": comparison_chart(board),
        "trends": [c for c in (trend_chart(m, area.name) for t in board["themes"] for m in t["measures"]) if c],
        "map": map_svg(collection, area.code),
        "legend": legend(collection) if collection["features"] else [],
        "footer": f"Sources: {sources or 'none loaded'}. Data version {board['data_version']}, generated "
        f"{board['generated'][:10]}.",
    }


def render_html(area: Area) -> str:
    return render_to_string("outcomes/report.html", context(area))


def render_pdf(area: Area) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(area)).write_pdf()
