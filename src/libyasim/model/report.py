"""Write a run to disk: series.parquet, events.parquet, summary.json, overview.png,
and the resolved scenario (scenario.json), and format a readable summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

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


def overview(result: RunResult, path: str | Path) -> None:
    """Strength and population share over time, and a map of region control."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    s = result.series
    factions = _factions(result)
    colours = {f: plt.get_cmap("tab10")(i % 10) for i, f in enumerate(factions)}
    fig = plt.figure(figsize=(13, 7.5), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=[1.1, 1])
    ax1, ax2, ax3 = (
        fig.add_subplot(grid[0, 0]),
        fig.add_subplot(grid[1, 0]),
        fig.add_subplot(grid[:, 1]),
    )
    x = np.arange(len(s))
    ticks = x[:: max(1, len(x) // 8)]
    for f in factions:
        ax1.plot(x, s[f"strength.{f}"], color=colours[f], label=f)
        ax2.plot(x, s[f"population.{f}"], color=colours[f], label=f)
    ax1.set_ylabel("fighters")
    ax1.set_title("Strength")
    ax2.set_ylabel("share of population controlled")
    ax2.set_title("Territory (population share)")
    ax2.set_ylim(0, 1)
    for ax in (ax1, ax2):
        ax.set_xticks(ticks, [s["month"].iloc[k] for k in ticks], rotation=30, fontsize=8)
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.0, 1.0)) if len(
        factions
    ) > 6 else ax1.legend(fontsize=7)
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


def _map(ax: Any, result: RunResult, colours: dict[str, Any]) -> None:
    regions = (result.scenario or {}).get("regions", [])
    final = result.summary.get("final_control", {})
    if not regions:
        ax.text(0.5, 0.5, "no region data", ha="center", va="center")
        return
    pos = {r["id"]: (r["lon"], r["lat"]) for r in regions}
    for r in regions:
        for n in r.get("neighbours", []):
            if n in pos:
                (x0, y0), (x1, y1) = pos[r["id"]], pos[n]
                ax.plot([x0, x1], [y0, y1], color="0.75", lw=0.8, zorder=1)
    pops = np.array([_num(r["population"]) for r in regions], dtype=float)
    size = 80 + 900 * np.sqrt(pops / pops.max()) if pops.max() > 0 else np.full(len(pops), 200.0)
    for r, sz in zip(regions, size, strict=True):
        owner = final.get(r["id"])
        ax.scatter(
            *pos[r["id"]], s=sz, color=colours.get(owner, "0.85"), edgecolor="k", lw=0.6, zorder=2
        )
        ax.annotate(
            r.get("name", r["id"]).split(" (")[0].split(" and ")[0],
            pos[r["id"]],
            fontsize=7,
            xytext=(0, -14 - np.sqrt(sz) / 3),
            textcoords="offset points",
            ha="center",
            zorder=3,
        )
    owners = [o for o in dict.fromkeys(final.values()) if o]
    for o in owners:
        ax.scatter([], [], color=colours.get(o, "0.85"), edgecolor="k", label=o)
    ax.legend(fontsize=7, loc="lower left", title="controller at end", title_fontsize=7)
    ax.set_xlim(9, 26)
    ax.set_ylim(19.5, 34)
    ax.set_aspect("equal")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"Region control, {result.summary.get('end', '')} (circle size: population)")
    ax.grid(alpha=0.2)


def _num(x: Any) -> float:
    return float(x["value"]) if isinstance(x, dict) else float(x)


def format_summary(result: RunResult) -> str:
    """A short, readable account of a run for the terminal."""
    s = result.summary
    lines = [
        f"{s.get('scenario_title', result.scenario_id)} ({result.scenario_id}), seed {result.seed}, "
        f"{s['start']} to {s['end']} ({s['months']} months)",
        f"End state: {s['end_state'].replace('_', ' ')}"
        + (f"  [flags: {', '.join(s['flags'])}]" if s["flags"] else ""),
        f"Fatalities: {s['total_fatalities']:.0f} ({s['battle_deaths']:.0f} in {s['battles']} battles; "
        f"fighting in {s['months_of_fighting']} months); {s['control_changes']} regions changed hands; "
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
            if i.get("result"):  # each event states its outcome in words (model/events.py)
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
