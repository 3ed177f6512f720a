"""Write a run to disk: series.parquet, events.parquet, summary.json, overview.png,
and the resolved scenario (scenario.json), and format a readable summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .palette import faction_colour, faction_colours

if TYPE_CHECKING:
    from .result import RunResult

FILES = ("series.parquet", "events.parquet", "summary.json", "overview.png")


def write_result(result: RunResult, out_dir: str | Path, plot: bool = True) -> Path:
    """Write ``result`` into ``out_dir`` (created if needed) and return the directory."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result.series.to_parquet(out / "series.parquet", index=False)
    result.events.to_parquet(out / "events.parquet", index=False)
    (out / "summary.json").write_text(
        json.dumps(result.summary, indent=2, default=_jsonable) + "\n", encoding="utf-8"
    )
    if result.scenario is not None:
        (out / "scenario.json").write_text(
            json.dumps(result.scenario, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    if plot:
        overview(result, out / "overview.png")
    return out


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


def _factions(result: RunResult) -> list[str]:
    return [c.split(".", 1)[1] for c in result.series.columns if c.startswith("strength.")]


# Libya's outline, hand-approximated from memory of a political map (about 50
# lon/lat points: the coast, then the borders with Egypt, Sudan, Chad, Niger,
# Algeria and Tunisia). APPROXIMATE: good to a few tens of kilometres, for
# orientation only -- not a survey-grade boundary.
LIBYA_OUTLINE: tuple[tuple[float, float], ...] = (
    (11.56, 33.17),
    (12.08, 32.93),
    (12.73, 32.80),
    (13.19, 32.91),
    (13.70, 32.80),
    (14.26, 32.66),
    (14.57, 32.50),
    (15.09, 32.42),
    (15.30, 32.20),
    (15.45, 31.85),
    (15.75, 31.40),
    (16.59, 31.21),
    (17.40, 31.05),
    (18.20, 30.80),
    (18.57, 30.52),
    (19.05, 30.27),
    (19.58, 30.42),
    (20.05, 30.85),
    (20.10, 31.40),
    (19.95, 31.80),
    (20.07, 32.12),
    (20.57, 32.53),
    (20.95, 32.71),
    (21.50, 32.85),
    (21.96, 32.92),
    (22.64, 32.78),
    (23.10, 32.62),
    (23.50, 32.20),
    (23.96, 32.08),
    (24.60, 31.95),
    (25.15, 31.65),
    (24.85, 30.90),
    (24.98, 30.00),
    (24.98, 22.00),
    (24.00, 20.00),
    (24.00, 19.50),
    (20.00, 21.50),
    (15.99, 23.45),
    (15.00, 23.00),
    (14.20, 22.60),
    (13.50, 23.00),
    (11.99, 23.52),
    (10.20, 24.80),
    (9.90, 25.40),
    (9.45, 26.20),
    (9.55, 27.00),
    (9.80, 28.00),
    (9.70, 29.00),
    (9.85, 30.00),
    (9.54, 30.23),
    (10.20, 30.85),
    (10.30, 31.60),
    (10.90, 32.10),
    (11.50, 32.40),
    (11.56, 33.17),
)


def overview(result: RunResult, path: str | Path) -> None:
    """Strength and population share over time, and a map of region control."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    s = result.series
    factions = _factions(result)
    colours = faction_colours(factions)
    fig = plt.figure(figsize=(13, 7.2), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=[1.05, 1])
    ax1, ax2, ax3 = (
        fig.add_subplot(grid[0, 0]),
        fig.add_subplot(grid[1, 0]),
        fig.add_subplot(grid[:, 1]),
    )
    x = np.arange(len(s))
    ticks = x[:: max(1, len(x) // 8)]
    for f in factions:
        ax1.plot(x, s[f"strength.{f}"], color=colours[f], label=f, lw=1.6)
        ax2.plot(x, s[f"population.{f}"], color=colours[f], label=f, lw=1.6)
    ax1.set_ylabel("fighters")
    ax1.set_title("Strength", loc="left", fontsize=10)
    ax2.set_ylabel("share of population controlled")
    ax2.set_title("Territory (population share)", loc="left", fontsize=10)
    ax2.set_ylim(0, 1)
    for ax in (ax1, ax2):
        ax.set_xticks(ticks, [s["month"].iloc[k] for k in ticks], rotation=30, fontsize=8)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, max(len(x) - 1, 1))
    # one legend for both time-series panels, in a row above them
    handles, labels = ax1.get_legend_handles_labels()
    ax1.legend(
        handles,
        labels,
        fontsize=7.5,
        ncol=min(len(labels), 5),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.08),
        frameon=False,
        handlelength=1.5,
        columnspacing=1.0,
    )
    _map(ax3, result, colours)
    summ = result.summary
    fig.suptitle(
        f"{summ.get('scenario_title', result.scenario_id)} — seed {result.seed}, "
        f"{summ.get('start')}–{summ.get('end')}: {summ.get('end_state', '?').replace('_', ' ')}"
        + (f" ({', '.join(summ.get('flags', []))})" if summ.get("flags") else ""),
        fontsize=11,
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _label(r: dict) -> str:
    return r.get("name", r["id"]).split(" (")[0].split(" and ")[0]


def _place_labels(
    pts: list[tuple[float, float]], texts: list[str], radii: list[float]
) -> list[tuple[float, float, str, str]]:
    """Greedy label placement in data units (degrees): for each point, the first of
    eight positions around its marker whose text box overlaps no placed box and
    no marker. Returns (x, y, ha, va) per label."""
    cw, ch = 0.16, 0.42  # approximate character width and line height at fontsize 7
    boxes: list[tuple[float, float, float, float]] = []
    markers = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(pts, radii, strict=True)]
    out = []

    def free(b: tuple[float, float, float, float], own: int) -> bool:
        for k, o in enumerate(boxes + markers):
            if k - len(boxes) == own:
                continue
            if b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]:
                return False
        return True

    # place labels of the most crowded points first
    crowd = [sum(1 for q in pts if abs(q[0] - p[0]) + abs(q[1] - p[1]) < 2.0) for p in pts]
    order = sorted(range(len(pts)), key=lambda i: -crowd[i])
    placed: dict[int, tuple[float, float, str, str]] = {}
    for i in order:
        (x, y), r, w = pts[i], radii[i], cw * len(texts[i])
        options = [
            (
                x,
                y - r - 0.05,
                "center",
                "top",
                (x - w / 2, y - r - 0.05 - ch, x + w / 2, y - r - 0.05),
            ),
            (
                x,
                y + r + 0.05,
                "center",
                "bottom",
                (x - w / 2, y + r + 0.05, x + w / 2, y + r + 0.05 + ch),
            ),
            (
                x + r + 0.08,
                y,
                "left",
                "center",
                (x + r + 0.08, y - ch / 2, x + r + 0.08 + w, y + ch / 2),
            ),
            (
                x - r - 0.08,
                y,
                "right",
                "center",
                (x - r - 0.08 - w, y - ch / 2, x - r - 0.08, y + ch / 2),
            ),
            (x + r, y + r, "left", "bottom", (x + r, y + r, x + r + w, y + r + ch)),
            (x - r, y + r, "right", "bottom", (x - r - w, y + r, x - r, y + r + ch)),
            (x + r, y - r, "left", "top", (x + r, y - r - ch, x + r + w, y - r)),
            (x - r, y - r, "right", "top", (x - r - w, y - r - ch, x - r, y - r)),
        ]
        choice = next((o for o in options if free(o[4], i)), options[0])
        boxes.append(choice[4])
        placed[i] = choice[:4]
    for i in range(len(pts)):
        out.append(placed[i])
    return out


def _map(ax: Any, result: RunResult, colours: dict[str, Any]) -> None:
    from matplotlib.patches import Polygon

    regions = (result.scenario or {}).get("regions", [])
    final = result.summary.get("final_control", {})
    if not regions:
        ax.text(0.5, 0.5, "no region data", ha="center", va="center")
        return
    ax.set_facecolor("#eaf2f8")  # the sea and the neighbours: pale blue
    ax.add_patch(
        Polygon(LIBYA_OUTLINE, closed=True, facecolor="#fbf8f1", edgecolor="0.45", lw=0.9, zorder=0)
    )
    pos = {r["id"]: (r["lon"], r["lat"]) for r in regions}
    for r in regions:
        for n in r.get("neighbours", []):
            if n in pos and r["id"] < n:
                (x0, y0), (x1, y1) = pos[r["id"]], pos[n]
                ax.plot([x0, x1], [y0, y1], color="0.72", lw=0.8, ls="--", zorder=1)
    pops = np.array([_num(r["population"]) for r in regions], dtype=float)
    size = 40 + 480 * np.sqrt(pops / pops.max()) if pops.max() > 0 else np.full(len(pops), 200.0)
    for r, sz in zip(regions, size, strict=True):
        owner = final.get(r["id"])
        ax.scatter(
            *pos[r["id"]],
            s=sz,
            color=colours.get(owner, faction_colour(owner)),
            edgecolor="k",
            lw=0.6,
            zorder=2,
        )
    # marker radius in degrees (approximate: the map is ~17 degrees over ~5.5 inches)
    deg_per_pt = 17.0 / (5.5 * 72)
    radii = [float(np.sqrt(sz) / 2 * deg_per_pt) for sz in size]
    texts = [_label(r) for r in regions]
    for (x, y, ha, va), t in zip(
        _place_labels([pos[r["id"]] for r in regions], texts, radii), texts, strict=True
    ):
        ax.text(x, y, t, fontsize=7, ha=ha, va=va, zorder=3)
    owners = [o for o in dict.fromkeys(final.values())]
    for o in owners:
        ax.scatter(
            [], [], color=colours.get(o, faction_colour(o)), edgecolor="k", label=o or "nobody"
        )
    # the legend sits in the south-west corner, which is Niger and Algeria: no regions there
    ax.legend(
        fontsize=7.5,
        loc="lower left",
        title="controller at end",
        title_fontsize=7.5,
        frameon=True,
        framealpha=0.9,
    )
    ax.set_xlim(9, 26)
    ax.set_ylim(19.3, 34)
    ax.set_aspect(1.0 / np.cos(np.radians(27.0)))  # degrees of longitude shrink at ~27°N
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(
        f"Region control, {result.summary.get('end', '')} (circle area: population; "
        "outline approximate)",
        loc="left",
        fontsize=10,
    )
    ax.grid(alpha=0.15)


def _num(x: Any) -> float:
    return float(x["value"]) if isinstance(x, dict) else float(x)


def format_summary(result: RunResult) -> str:
    """A short, readable account of a run for the terminal."""
    s = result.summary
    lines = [
        f"{s.get('scenario_title', result.scenario_id)} ({result.scenario_id}), "
        f"seed {result.seed}, {s['start']} to {s['end']} ({s['months']} months)",
        f"End state: {s['end_state'].replace('_', ' ')}"
        + (f"  [flags: {', '.join(s['flags'])}]" if s["flags"] else ""),
        f"Fatalities: {s['total_fatalities']:.0f} "
        f"({s['battle_deaths']:.0f} in {s['battles']} battles; "
        f"fighting in {s['months_of_fighting']} months); "
        f"{s['control_changes']} regions changed hands; "
        f"threat index {s['threat_index']:.2f}",
        "",
        f"{'faction':<22}{'fighters':>18}{'territory':>11}{'population':>12}{'legitimacy':>12}",
    ]
    for f, v in s["factions"].items():
        lines.append(
            f"{f:<22}{v['strength_start']:>8.0f} → {v['strength']:>7.0f}{v['territory']:>11.0%}"
            f"{v['population']:>12.0%}{v['legitimacy']:>12.2f}"
        )
    if s.get("settlement"):
        lines.append("")
        lines.append(
            "Settlement forecast: " + ", ".join(f"{k} {v:.2f}" for k, v in s["settlement"].items())
        )
    done = [i for i in s.get("interventions", []) if i.get("fired")]
    if done:
        lines.append("")
        lines.append("Interventions:")
        for i in done:
            if i.get("result"):  # each event states its outcome in words (events/)
                lines.append(f"  {i['date']} {i['type']} ({i['id']}): {i['result']}")
                continue
            extra = {
                k: v
                for k, v in i.items()
                if k not in ("id", "type", "date", "fired") and v not in (None, [], {})
            }
            detail = ", ".join(f"{k}={v}" for k, v in extra.items() if not isinstance(v, dict))
            lines.append(f"  {i['date']} {i['type']} ({i['id']}){': ' + detail if detail else ''}")
    return "\n".join(lines)
