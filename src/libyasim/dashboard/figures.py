"""The dashboard's charts as Vega-Lite specs and the data sets that feed them.

Each chart is two pure functions: a ``*_spec`` built once per scenario (axes,
colours, the layout of labels) and a ``*_data`` read from a model's public
state each month (``LibyaModel``'s arrays, its recorder frame and event log)
or from an ensemble's runs. The browser draws them (:mod:`.charts`); a new
month sends only the data. Nothing here changes a model.

Hygiene rules the specs follow (docs/dashboard.md, "Charts"): time on a
calendar axis over the whole scenario (never "months from start"); full
faction and sponsor names; a faction that has nothing to show in a panel (the
House of Representatives has no fighters) is left out of it and named under
it; shares compared across panels share a 0–1 axis; overlapping bands of two
scenarios are outlined, never blended; map labels are placed so that they
neither collide with each other nor sit under a region's ring.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .charts import base_spec

#: A schematic outline of Libya's borders (lon, lat), clockwise from Ras Ajdir.
#: Coarse by design: it frames the regions, it is not a survey.
LIBYA_OUTLINE = [
    (11.56, 33.17),
    (12.35, 32.83),
    (13.2, 32.9),
    (14.2, 32.72),
    (15.2, 32.36),
    (15.6, 31.6),
    (16.6, 31.2),
    (18.2, 30.75),
    (19.0, 30.27),
    (19.7, 30.5),
    (20.1, 31.0),
    (20.05, 32.1),
    (20.6, 32.55),
    (21.4, 32.9),
    (22.6, 32.78),
    (23.2, 32.4),
    (24.0, 32.05),
    (25.15, 31.6),
    (24.85, 30.9),
    (24.98, 29.2),
    (25.0, 22.0),
    (25.0, 20.0),
    (24.0, 20.0),
    (24.0, 19.5),
    (15.9, 23.45),
    (14.98, 22.99),
    (14.14, 22.49),
    (13.58, 23.04),
    (11.97, 23.52),
    (11.56, 24.3),
    (10.25, 24.6),
    (10.1, 25.35),
    (9.4, 26.2),
    (9.9, 26.5),
    (9.85, 27.9),
    (9.7, 28.6),
    (9.95, 29.2),
    (9.9, 30.4),
    (10.3, 30.95),
    (10.9, 31.7),
    (11.4, 32.4),
]

#: a categorical palette whose neighbours stay distinct (Tableau 10, then extras)
PALETTE = [
    "#4e79a7",
    "#e15759",
    "#59a14f",
    "#f28e2b",
    "#222222",
    "#9c755f",
    "#b07aa1",
    "#ff9da7",
    "#76b7b2",
    "#edc948",
    "#bab0ac",
    "#1b9e77",
    "#d95f02",
    "#7570b3",
]
NO_CONTROL = "#d9d9d9"
NO_ONE = "held by no one"
#: colours for scenarios compared on one chart: far apart in hue and lightness
SCENARIO_COLORS = ["#1f4e9c", "#e08a00", "#2a9d3a", "#c2185b", "#6a3d9a", "#4d4d4d"]

CHANNEL_COLORS = {
    "military": "#c0392b",
    "financial": "#2e86c1",
    "political": "#7d3c98",
    "direct": "#d68910",
}

#: nominal drawing sizes of the fixed-layout charts (scaled to the width they get)
MAP_W, MAP_H = 640, 620
MAP_LON = (9.0, 25.8)
MAP_LAT = (19.2, 34.0)
LABEL_FONT = 11.0
CHAR_W = 6.4  # px per character at LABEL_FONT (a generous estimate: no collisions)
LINE_H = 14.0


def faction_colors(faction_ids: Sequence[str]) -> dict[str, str]:
    """A fixed colour per faction, by its position in the scenario."""
    return {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(faction_ids)}


def names_of(scenario: Any) -> dict[str, str]:
    """Full names of factions, sponsors and regions by id."""
    out = {r.id: r.name for r in scenario.regions}
    out.update({s.id: s.name for s in scenario.sponsors})
    out.update({f.id: f.name for f in scenario.factions})
    return out


def month_date(month: str) -> str:
    """'2017-08' -> '2017-08-01' (what a temporal axis reads)."""
    return f"{month}-01"


def time_axis(scenario: Any) -> dict[str, Any]:
    """The x encoding every time chart shares: calendar months over the whole scenario."""
    return {
        "field": "date",
        "type": "temporal",
        "title": None,
        "scale": {"domain": [month_date(scenario.start), month_date(scenario.end)]},
        "axis": {
            "format": "%b %Y",
            "labelOverlap": "greedy",
            "tickCount": {"interval": "month", "step": months_step(scenario)},
            "grid": True,
        },
    }


def months_step(scenario: Any) -> int:
    """Months between time-axis ticks: at most nine ticks over the scenario."""
    months = int(getattr(scenario, "months", 48) or 48)
    for step in (1, 2, 3, 6, 12, 24):
        if months / step <= 9:
            return step
    return 60


def short_name(name: str) -> str:
    """'Tobruk and the Jebel Akhdar' -> 'Tobruk'; 'Oil crescent (Ras Lanuf)' -> 'Oil crescent'."""
    for cut in (" (", " and the ", " and "):
        name = name.split(cut)[0]
    return name


def fighting_regions(model: Any) -> np.ndarray:
    """Boolean per region: battles or raids there during the last month."""
    involved = np.asarray(model.involved).any(axis=0) if model.steps else np.zeros(model.R, bool)
    deaths = np.asarray(model.region_deaths) > 0 if model.steps else np.zeros(model.R, bool)
    return involved | deaths


# ---------------------------------------------------------------------- map


def _px(lon: float, lat: float) -> tuple[float, float]:
    x = (lon - MAP_LON[0]) / (MAP_LON[1] - MAP_LON[0]) * MAP_W
    y = (MAP_LAT[1] - lat) / (MAP_LAT[1] - MAP_LAT[0]) * MAP_H
    return x, y


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon = MAP_LON[0] + x / MAP_W * (MAP_LON[1] - MAP_LON[0])
    lat = MAP_LAT[1] - y / MAP_H * (MAP_LAT[1] - MAP_LAT[0])
    return lon, lat


def region_radius(population: np.ndarray) -> np.ndarray:
    """Marker radius in px by population (area proportional to the square root)."""
    pop = np.asarray(population, dtype=float)
    top = pop.max() if pop.size and pop.max() > 0 else 1.0
    return np.sqrt((40.0 + 260.0 * np.sqrt(np.maximum(pop, 0) / top)) / math.pi)


RING_GAP = 4.0  # px between a region's marker and its fighting ring


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def place_labels(
    points: Sequence[tuple[float, float]],
    radii: Sequence[float],
    texts: Sequence[str],
    width: float = MAP_W,
    height: float = MAP_H,
    keep_out: Sequence[tuple[float, float, float, float]] = (),
) -> list[tuple[float, float, float, float]]:
    """A box (x0, y0, x1, y1) in px for each label, beside its point.

    Greedy, largest marker first: of eight positions around the point's ring, the
    first whose box meets no other label, no ring (every region's, drawn or not,
    so labels stay put while fighting comes and goes), no ``keep_out`` box and
    stays inside the chart; failing that, the one with the least overlap."""
    rings = [
        (x - r - RING_GAP - 2, y - r - RING_GAP - 2, x + r + RING_GAP + 2, y + r + RING_GAP + 2)
        for (x, y), r in zip(points, radii, strict=True)
    ]
    placed: dict[int, tuple[float, float, float, float]] = {}
    order = sorted(range(len(points)), key=lambda i: -radii[i])
    for i in order:
        x, y = points[i]
        d = radii[i] + RING_GAP + 4
        w, h = CHAR_W * len(texts[i]) + 2, LINE_H
        candidates = [
            (x + d, y - h / 2),  # right
            (x - d - w, y - h / 2),  # left
            (x - w / 2, y - d - h),  # above
            (x - w / 2, y + d),  # below
            (x + d * 0.7, y - d * 0.7 - h),  # upper right
            (x + d * 0.7, y + d * 0.7),  # lower right
            (x - d * 0.7 - w, y - d * 0.7 - h),  # upper left
            (x - d * 0.7 - w, y + d * 0.7),  # lower left
        ]
        for far in (1.6, 2.4):  # then further out
            candidates += [(x + d * far, y - h / 2), (x - d * far - w, y - h / 2)]
            candidates += [(x - w / 2, y - d * far - h), (x - w / 2, y + d * far)]
        best, best_cost = None, math.inf
        for cx, cy in candidates:
            box = (cx, cy, cx + w, cy + h)
            cost = sum(_overlap(box, b) for b in placed.values())
            cost += sum(_overlap(box, b) for j, b in enumerate(rings) if j != i)
            cost += sum(_overlap(box, b) for b in keep_out)
            if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
                cost += 1e6
            if cost < best_cost:
                best, best_cost = box, cost
            if cost == 0:
                break
        assert best is not None
        placed[i] = best
    return [placed[i] for i in range(len(points))]


#: where the map's legend sits (px): kept free of labels
MAP_LEGEND_BOX = (0.0, MAP_H - 175.0, 250.0, MAP_H)


def map_spec(scenario: Any) -> dict[str, Any]:
    """Regions coloured by controller; a red ring where fighting happened this month."""
    ids = [f.id for f in scenario.factions]
    colors = faction_colors(ids)
    names = names_of(scenario)
    x = {
        "field": "x",
        "type": "quantitative",
        "scale": {"domain": [0, MAP_W], "range": [0, MAP_W], "nice": False, "zero": False},
        "axis": None,
    }
    y = {
        "field": "y",
        "type": "quantitative",
        "scale": {"domain": [0, MAP_H], "range": [0, MAP_H], "nice": False, "zero": False},
        "axis": None,
    }
    color = {
        "field": "controller",
        "type": "nominal",
        "title": "controller",
        "scale": {
            "domain": [names[f] for f in ids] + [NO_ONE],
            "range": [colors[f] for f in ids] + [NO_CONTROL],
        },
        "legend": {
            "orient": "none",
            "legendX": MAP_LEGEND_BOX[0] + 6,
            "legendY": MAP_LEGEND_BOX[1] + 4,
            "symbolSize": 90,
            "labelFontSize": 10,
            "labelLimit": 230,
            "fillColor": "rgba(255,255,255,0.85)",
            "padding": 4,
        },
    }
    tooltip = [
        {"field": "name", "title": "region"},
        {"field": "controller", "title": "held by"},
        {"field": "population", "title": "population", "format": ","},
        {"field": "fighting", "title": "fighting this month"},
    ]
    return base_spec(
        width=MAP_W,
        height=MAP_H,
        autosize={"type": "none"},
        padding=0,
        layer=[
            {
                "data": {"name": "outline"},
                "mark": {
                    "type": "line",
                    "interpolate": "linear-closed",
                    "stroke": "#8a7f6a",
                    "strokeWidth": 1.2,
                    "fill": "#f6f1e7",
                },
                "encoding": {"x": x, "y": y, "order": {"field": "i"}},
            },
            {
                "data": {"name": "edges"},
                "mark": {"type": "rule", "stroke": "#b9b2a3", "strokeWidth": 0.8},
                "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}},
            },
            {
                "data": {"name": "regions"},
                "mark": {"type": "circle", "opacity": 1, "stroke": "white", "strokeWidth": 1.5},
                "encoding": {
                    "x": x,
                    "y": y,
                    "size": {"field": "area", "type": "quantitative", "scale": None},
                    "color": color,
                    "tooltip": tooltip,
                    "order": {"field": "area", "sort": "descending"},
                },
            },
            {
                "data": {"name": "regions"},
                "transform": [{"filter": "datum.fighting == 'yes'"}],
                "mark": {
                    "type": "point",
                    "shape": "circle",
                    "filled": False,
                    "stroke": "#e00000",
                    "strokeWidth": 2.2,
                    "opacity": 1,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "size": {"field": "ring", "type": "quantitative", "scale": None},
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"name": "labels"},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "fontSize": LABEL_FONT,
                    "stroke": "white",
                    "strokeWidth": 3,
                    "strokeOpacity": 0.9,
                },
                "encoding": {"x": x, "y": y, "text": {"field": "label"}},
            },
            {
                "data": {"name": "labels"},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "fontSize": LABEL_FONT,
                    "fill": "#222",
                },
                "encoding": {"x": x, "y": y, "text": {"field": "label"}},
            },
        ],
    )


def map_static(scenario: Any) -> dict[str, list[dict[str, Any]]]:
    """The parts of the map that never change within a run: outline, links, labels."""
    regions = scenario.regions
    pts = [_px(r.lon, r.lat) for r in regions]
    radii = region_radius(np.array([float(r.population.value) for r in regions]))
    texts = [short_name(r.name) for r in regions]
    boxes = place_labels(pts, list(radii), texts, keep_out=[MAP_LEGEND_BOX])
    index = {r.id: i for i, r in enumerate(regions)}
    edges = []
    for i, r in enumerate(regions):
        for n in r.neighbours:
            j = index.get(n)
            if j is not None and j > i:
                edges.append({"x": pts[i][0], "y": pts[i][1], "x2": pts[j][0], "y2": pts[j][1]})
    outline = [
        {"i": i, **dict(zip("xy", _px(lo, la), strict=True))}
        for i, (lo, la) in enumerate(LIBYA_OUTLINE)
    ]
    labels = [
        {"label": t, "x": b[0] + 1, "y": (b[1] + b[3]) / 2, "region": r.id}
        for t, b, r in zip(texts, boxes, regions, strict=True)
    ]
    return {"outline": outline, "edges": edges, "labels": labels}


def map_data(
    model: Any, static: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """This month's control and fighting, plus the static parts."""
    names = names_of(model.spec)
    pop = np.asarray(model.population, dtype=float)
    radii = region_radius(np.array([float(r.population.value) for r in model.spec.regions]))
    fight = fighting_regions(model)
    rows = []
    for i, r in enumerate(model.spec.regions):
        c = int(model.control[i])
        x, y = _px(r.lon, r.lat)
        rows.append(
            {
                "region": r.id,
                "name": r.name,
                "x": x,
                "y": y,
                "area": round(math.pi * radii[i] ** 2, 1),
                "ring": round(math.pi * (radii[i] + RING_GAP) ** 2 * 1.0, 1),
                "controller": names[model.faction_ids[c]] if c >= 0 else NO_ONE,
                "population": int(pop[i] + 0.5),
                "fighting": "yes" if fight[i] else "no",
            }
        )
    return {"regions": rows, **static}


# ------------------------------------------------------------------ network


def flows_of(model: Any) -> np.ndarray:
    """Support sent [sponsor, faction, channel] this month."""
    flows = getattr(model, "flows", None)
    if flows is None or (model.steps == 0 and not np.asarray(flows).any()):  # before month 1
        flows = np.asarray(model.allocation) * np.asarray(model.budget)[:, None, :]
    return np.asarray(flows)


NET_W = 640
NET_ROW = 30.0
NET_SX, NET_FX = 215.0, 425.0


def network_height(scenario: Any) -> float:
    return max(len(scenario.sponsors), len(scenario.factions)) * NET_ROW + 90


def network_spec(scenario: Any) -> dict[str, Any]:
    """Sponsors (left) to factions (right); line width = support, colour = channel."""
    h = network_height(scenario)
    x = {
        "field": "x",
        "type": "quantitative",
        "scale": {"domain": [0, NET_W], "range": [0, NET_W]},
        "axis": None,
    }
    y = {
        "field": "y",
        "type": "quantitative",
        "scale": {"domain": [0, h], "range": [0, h]},
        "axis": None,
    }
    return base_spec(
        width=NET_W,
        height=h,
        autosize={"type": "none"},
        padding=0,
        layer=[
            {
                "data": {"name": "flows"},
                "mark": {"type": "rule", "strokeCap": "round", "opacity": 0.6},
                "encoding": {
                    "x": x,
                    "y": y,
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                    "strokeWidth": {"field": "width", "type": "quantitative", "scale": None},
                    "color": {
                        "field": "channel",
                        "type": "nominal",
                        "title": "channel",
                        "scale": {
                            "domain": list(CHANNEL_COLORS),
                            "range": list(CHANNEL_COLORS.values()),
                        },
                        "legend": {
                            "orient": "none",
                            "direction": "horizontal",
                            "legendX": 150,
                            "legendY": h - 48,
                        },
                    },
                    "tooltip": [
                        {"field": "sponsor"},
                        {"field": "faction"},
                        {"field": "channel"},
                        {"field": "amount", "format": ",.0f"},
                    ],
                },
            },
            {
                "data": {"name": "nodes"},
                "mark": {"type": "circle", "size": 150, "opacity": 1},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {"field": "colour", "type": "nominal", "scale": None},
                    "tooltip": [{"field": "name"}, {"field": "note"}],
                },
            },
            *[
                {
                    "data": {"name": "nodes"},
                    "transform": [{"filter": f"datum.align == '{align}'"}],
                    "mark": {
                        "type": "text",
                        "baseline": "middle",
                        "align": align,
                        "fontSize": 11,
                        "limit": 205,
                    },
                    "encoding": {
                        "x": {
                            "field": "tx",
                            "type": "quantitative",
                            "scale": {"domain": [0, NET_W], "range": [0, NET_W]},
                        },
                        "y": y,
                        "text": {"field": "name"},
                        "tooltip": [{"field": "name"}, {"field": "note"}],
                    },
                }
                for align in ("left", "right")
            ],
        ],
    )


def network_data(model: Any) -> dict[str, list[dict[str, Any]]]:
    from ..scenario.schema import CHANNELS

    names = names_of(model.spec)
    flows = flows_of(model)
    S, F = len(model.sponsor_ids), len(model.faction_ids)
    h = network_height(model.spec)
    ys = np.linspace(20, h - 70, max(S, 1)) if S > 1 else np.array([h / 2 - 25])
    yf = np.linspace(20, h - 70, max(F, 1)) if F > 1 else np.array([h / 2 - 25])
    top = float(flows.max()) if flows.size and flows.max() > 0 else 1.0
    rows = []
    for s in range(S):
        for f in range(F):
            for c, ch in enumerate(CHANNELS):
                val = float(flows[s, f, c])
                if val <= 1e-6:
                    continue
                off = (c - 1.5) * 2.5
                rows.append(
                    {
                        "x": NET_SX,
                        "y": float(ys[s]) + off,
                        "x2": NET_FX,
                        "y2": float(yf[f]) + off,
                        "width": round(0.8 + 8.0 * val / top, 2),
                        "channel": ch.value,
                        "sponsor": names[model.sponsor_ids[s]],
                        "faction": names[model.faction_ids[f]],
                        "amount": val,
                    }
                )
    colors = faction_colors(model.faction_ids)
    active = np.asarray(getattr(model, "active", np.ones(S)), dtype=bool)
    nodes = [
        {
            "name": names[sid],
            "x": NET_SX,
            "tx": NET_SX - 12,
            "y": float(ys[s]),
            "align": "right",
            "colour": "#555" if active[s] else "#ccc",
            "note": "sponsor" + ("" if active[s] else " (not active)"),
        }
        for s, sid in enumerate(model.sponsor_ids)
    ] + [
        {
            "name": names[fid],
            "x": NET_FX,
            "tx": NET_FX + 12,
            "y": float(yf[f]),
            "align": "left",
            "colour": colors[fid],
            "note": "faction",
        }
        for f, fid in enumerate(model.faction_ids)
    ]
    return {"flows": rows, "nodes": nodes}


# ------------------------------------------------------------------- series

#: the run's time-series panels: (variable, title, y-axis title, share?)
SERIES_PANELS = (
    ("strength", "Fighters", "fighters", False),
    ("territory", "Territory", "share of regions held", True),
    ("legitimacy", "Legitimacy", "legitimacy (0–1)", True),
)


def faction_color_scale(scenario: Any) -> dict[str, Any]:
    ids = [f.id for f in scenario.factions]
    colors = faction_colors(ids)
    names = names_of(scenario)
    return {"domain": [names[f] for f in ids], "range": [colors[f] for f in ids]}


INDEPENDENT_COLOURS = {"scale": {"color": "independent"}, "legend": {"color": "independent"}}


def marker_layer(scenario: Any) -> dict[str, Any]:
    """Key events as dashed rules over calendar months (data set ``markers``)."""
    return {
        "data": {"name": "markers"},
        "mark": {"type": "rule", "strokeDash": [4, 3], "strokeWidth": 1.5},
        "encoding": {
            "x": time_axis(scenario),
            "color": {"field": "colour", "type": "nominal", "scale": None, "legend": None},
            "tooltip": [{"field": "month"}, {"field": "what", "title": "event"}],
        },
    }


def series_spec(
    scenario: Any, variable: str, y_title: str, share: bool, shown: Sequence[str] = ()
) -> dict[str, Any]:
    """One panel: a line per faction over calendar months, key events as marked rules.
    The legend lists the factions ``shown`` (full names; all when empty)."""
    y: dict[str, Any] = {"field": "value", "type": "quantitative", "title": y_title}
    if share:
        y["scale"] = {"domain": [0, 1]}
    return base_spec(
        width="container",
        height=190,
        resolve=INDEPENDENT_COLOURS,
        layer=[
            marker_layer(scenario),
            {
                # the unchanged run (no levers, same seed), faint behind the changed one
                "data": {"name": "reference"},
                "mark": {"type": "line", "strokeWidth": 2, "opacity": 0.3, "strokeDash": [2, 2]},
                "encoding": {
                    "x": time_axis(scenario),
                    "y": y,
                    "color": {
                        "field": "faction",
                        "type": "nominal",
                        "scale": faction_color_scale(scenario),
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "month"},
                        {"field": "faction"},
                        {"field": "value", "title": "without the levers", "format": ",.2f"},
                    ],
                },
            },
            {
                "data": {"name": "series"},
                "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 2},
                "encoding": {
                    "x": time_axis(scenario),
                    "y": y,
                    "color": {
                        "field": "faction",
                        "type": "nominal",
                        "title": None,
                        "scale": faction_color_scale(scenario),
                        "legend": {
                            "orient": "bottom",
                            "columns": 2,
                            "symbolType": "stroke",
                            **({"values": list(shown)} if shown else {}),
                        },
                    },
                    "tooltip": [
                        {"field": "month"},
                        {"field": "faction"},
                        {"field": "value", "format": ",.2f" if share else ",.0f", "title": y_title},
                    ],
                },
            },
        ],
    )


def series_data(
    frame: pd.DataFrame, scenario: Any, variable: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows (month, date, faction, value) and the factions left out because they have
    nothing to show in this panel (all zero all along)."""
    names = names_of(scenario)
    months = frame["month"].astype(str).tolist()
    dates = [month_date(m) for m in months]
    rows: list[dict[str, Any]] = []
    empty: list[str] = []
    for f in scenario.factions:
        col = f"{variable}.{f.id}"
        if col not in frame:
            continue
        vals = frame[col].to_numpy(dtype=float)
        if not np.any(np.abs(vals) > 1e-9):
            empty.append(names[f.id])
            continue
        name = names[f.id]
        rows.extend(
            {"month": m, "date": d, "faction": name, "value": round(float(val), 4)}
            for m, d, val in zip(months, dates, vals, strict=True)
        )
    return rows, empty


def settlement_spec(scenario: Any, issue: Any) -> dict[str, Any]:
    return base_spec(
        width="container",
        height=170,
        resolve=INDEPENDENT_COLOURS,
        layer=[
            marker_layer(scenario),
            {
                "data": {"name": "settlement"},
                "mark": {
                    "type": "line",
                    "color": "#222",
                    "strokeWidth": 2,
                    "point": {"size": 18, "color": "#222"},
                },
                "encoding": {
                    "x": time_axis(scenario),
                    "y": {
                        "field": "value",
                        "type": "quantitative",
                        "scale": {"domain": [0, 1]},
                        "title": f"0 = {issue.low} … 1 = {issue.high}",
                    },
                    "tooltip": [
                        {"field": "month"},
                        {"field": "value", "format": ".2f", "title": "forecast"},
                    ],
                },
            },
        ],
    )


def positions_spec(scenario: Any, issue: Any) -> dict[str, Any]:
    colors = faction_colors([f.id for f in scenario.factions])
    names = names_of(scenario)
    domain = [names.get(a, a) for a in colors] + [s.name for s in scenario.sponsors]
    rng = list(colors.values()) + ["#777"] * len(scenario.sponsors)
    return base_spec(
        width="container",
        height={"step": 20},
        layer=[
            {
                "data": {"name": "positions"},
                "mark": {"type": "circle", "opacity": 0.9},
                "encoding": {
                    "x": {
                        "field": "position",
                        "type": "quantitative",
                        "scale": {"domain": [0, 1]},
                        "title": f"0 = {issue.low} … 1 = {issue.high}",
                    },
                    "y": {
                        "field": "actor",
                        "type": "nominal",
                        "sort": {"field": "position"},
                        "title": None,
                    },
                    "size": {
                        "field": "prevail",
                        "type": "quantitative",
                        "scale": {"domain": [0, 1], "range": [20, 420]},
                        "title": "P(prevails)",
                        "legend": None,
                    },
                    "color": {
                        "field": "actor",
                        "type": "nominal",
                        "scale": {"domain": domain, "range": rng},
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "actor"},
                        {"field": "position", "format": ".2f"},
                        {"field": "prevail", "format": ".0%", "title": "P(its position prevails)"},
                    ],
                },
            },
            {
                "data": {"name": "forecast"},
                "mark": {"type": "rule", "strokeDash": [5, 3], "color": "#222", "strokeWidth": 1.5},
                "encoding": {
                    "x": {"field": "value", "type": "quantitative"},
                    "tooltip": [{"field": "value", "format": ".2f", "title": "forecast now"}],
                },
            },
        ],
    )


def settlement_issue(model_or_scenario: Any) -> int | None:
    """Index of the issue axis shown (``haftar_role`` if there is one)."""
    spec = getattr(model_or_scenario, "spec", model_or_scenario)
    ids = [i.id for i in spec.issues]
    if not ids:
        return None
    return ids.index("haftar_role") if "haftar_role" in ids else 0


def settlement_data(model: Any, frame: pd.DataFrame, k: int) -> dict[str, list[dict[str, Any]]]:
    names = names_of(model.spec)
    issue = model.issue_ids[k]
    col = f"settlement.{issue}"
    months = frame["month"].astype(str).tolist()
    series = (
        [
            {"month": m, "date": month_date(m), "value": round(float(v), 4)}
            for m, v in zip(months, frame[col].to_numpy(dtype=float), strict=True)
        ]
        if col in frame
        else []
    )
    has = np.asarray(model.has_position)[:, k]
    pos = np.asarray(model.positions)[:, k]
    prevail = np.asarray(model.prevail)
    positions = [
        {
            "actor": names.get(a, a),
            "position": round(float(pos[i]), 4),
            "prevail": round(float(prevail[i]), 4),
        }
        for i, (a, h) in enumerate(zip(model.actor_ids, has, strict=True))
        if h
    ]
    return {
        "settlement": series,
        "positions": positions,
        "forecast": [{"value": round(float(model.settlement[k]), 4)}],
    }


# ----------------------------------------------------------------- timeline

TIMELINE_ROWS = (
    "Ceasefires and talks",
    "Elections",
    "Offensives and control",
    "Sponsors and outsiders",
)
TIMELINE_COLORS = dict(
    zip(TIMELINE_ROWS, ("#2a9d3a", "#6a3d9a", "#c0392b", "#e08a00"), strict=True)
)


def timeline_spec(scenario: Any) -> dict[str, Any]:
    return base_spec(
        width="container",
        height=150,
        data={"name": "timeline"},
        mark={"type": "point", "filled": True, "size": 90, "opacity": 0.9},
        encoding={
            "x": time_axis(scenario),
            "y": {
                "field": "row",
                "type": "nominal",
                "title": None,
                "sort": list(TIMELINE_ROWS),
                "scale": {"domain": list(TIMELINE_ROWS)},
            },
            "color": {
                "field": "row",
                "type": "nominal",
                "scale": {"domain": list(TIMELINE_COLORS), "range": list(TIMELINE_COLORS.values())},
                "legend": None,
            },
            "shape": {"field": "shape", "type": "nominal", "scale": None},
            "tooltip": [{"field": "month"}, {"field": "what", "title": "event"}],
        },
    )


# ---------------------------------------------------------------- ensembles


def bars_spec(n_scenarios: int) -> dict[str, Any]:
    """End-state probabilities with their 95% intervals, one colour per scenario."""
    from ..model.outcomes import END_STATES

    states = [s.replace("_", " ") for s in END_STATES]
    enc_y: dict[str, Any] = {
        "field": "end state",
        "type": "nominal",
        "sort": states,
        "title": None,
        "scale": {"domain": states},
    }
    color = {
        "field": "scenario",
        "type": "nominal",
        "title": None,
        "scale": {"range": SCENARIO_COLORS},
        "legend": {"orient": "bottom"} if n_scenarios > 1 else None,
    }
    offset = {"yOffset": {"field": "scenario"}} if n_scenarios > 1 else {}
    tooltip = [
        {"field": "scenario"},
        {"field": "end state"},
        {"field": "p", "format": ".0%", "title": "probability"},
        {"field": "lo", "format": ".0%", "title": "95% low"},
        {"field": "hi", "format": ".0%", "title": "95% high"},
        {"field": "runs"},
    ]
    x = {
        "field": "p",
        "type": "quantitative",
        "scale": {"domain": [0, 1]},
        "axis": {"format": "%"},
        "title": "probability (95% Wilson interval)",
    }
    return base_spec(
        width="container",
        height={"step": 14 * max(1, n_scenarios) + 6},
        data={"name": "bars"},
        layer=[
            {
                "mark": {"type": "bar"},
                "encoding": {"y": enc_y, "x": x, "color": color, "tooltip": tooltip, **offset},
            },
            {
                "mark": {"type": "rule", "color": "#111", "strokeWidth": 1.5},
                "encoding": {
                    "y": enc_y,
                    "x": {"field": "lo", "type": "quantitative"},
                    "x2": {"field": "hi"},
                    "tooltip": tooltip,
                    **offset,
                },
            },
        ],
    )


def bars_data(table: pd.DataFrame) -> list[dict[str, Any]]:
    t = table[table["kind"] == "end_state"]
    return [
        {
            "scenario": str(r.scenario),
            "end state": str(r.outcome).replace("_", " "),
            "p": round(float(r.p), 4),
            "lo": round(float(r.lo), 4),
            "hi": round(float(r.hi), 4),
            "runs": int(r.n),
        }
        for r in t.itertuples()
    ]


def fan_spec(scenario: Any, variable: str, n_scenarios: int, share: bool) -> dict[str, Any]:
    """Median and bands over calendar months, one colour per scenario. One scenario:
    50% and 90% bands filled; several: each band drawn as its dashed edges, so that
    overlapping bands keep their own colours."""
    x = time_axis(scenario)
    y_title = dict((v, t) for v, _, t, _ in SERIES_PANELS).get(variable, variable)
    y: dict[str, Any] = {"field": "q50", "type": "quantitative", "title": y_title}
    if share:
        y["scale"] = {"domain": [0, 1]}
    color = {
        "field": "scenario",
        "type": "nominal",
        "title": None,
        "scale": {"range": SCENARIO_COLORS},
        "legend": {"orient": "bottom"} if n_scenarios > 1 else None,
    }
    tooltip = [
        {"field": "scenario"},
        {"field": "month"},
        {"field": "q50", "title": "median", "format": ",.3~f"},
        {"field": "q25", "title": "25%", "format": ",.3~f"},
        {"field": "q75", "title": "75%", "format": ",.3~f"},
        {"field": "q05", "title": "5%", "format": ",.3~f"},
        {"field": "q95", "title": "95%", "format": ",.3~f"},
    ]
    layers: list[dict[str, Any]] = []
    if n_scenarios == 1:
        layers += [
            {
                "mark": {"type": "area", "opacity": 0.18},
                "encoding": {
                    "x": x,
                    "y": {**y, "field": "q05"},
                    "y2": {"field": "q95"},
                    "color": color,
                },
            },
            {
                "mark": {"type": "area", "opacity": 0.35},
                "encoding": {
                    "x": x,
                    "y": {**y, "field": "q25"},
                    "y2": {"field": "q75"},
                    "color": color,
                },
            },
        ]
    else:
        for q in ("q25", "q75"):
            layers.append(
                {
                    "mark": {"type": "line", "strokeDash": [5, 3], "strokeWidth": 1.3},
                    "encoding": {
                        "x": x,
                        "y": {**y, "field": q},
                        "color": color,
                        "detail": {"field": "scenario"},
                    },
                }
            )
    layers.append(
        {
            "mark": {"type": "line", "strokeWidth": 2.2},
            "encoding": {"x": x, "y": y, "color": color, "tooltip": tooltip},
        }
    )
    return base_spec(
        width="container",
        height=230,
        data={"name": "fan"},
        layer=layers,
    )


def fan_data(
    series: pd.DataFrame, variable: str, actor: str, label_of: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Quantiles (5, 25, 50, 75, 95%) per scenario and month of one faction's ``variable``."""
    s = series[(series["variable"] == variable) & (series["actor"] == actor)]
    if s.empty:
        return []
    q = (
        s.groupby(["scenario", "month"], sort=False)["value"]
        .quantile([0.05, 0.25, 0.5, 0.75, 0.95])
        .unstack()
    )
    q.columns = ["q05", "q25", "q50", "q75", "q95"]
    rows = []
    for (sc, month), r in q.iterrows():
        rows.append(
            {
                "scenario": str(sc),
                "month": str(month),
                "date": month_date(str(month)),
                **{k: round(float(r[k]), 4) for k in q.columns},
            }
        )
    return rows


def nonzero_actors(series: pd.DataFrame, variable: str, order: Iterable[str]) -> list[str]:
    """Factions with something to show for ``variable`` in any run (in scenario order)."""
    s = series[series["variable"] == variable]
    live = set(s.loc[s["value"].abs() > 1e-9, "actor"])
    return [a for a in order if a in live]
