"""Matplotlib figures of one run for the Run page.

Each function reads a model's public state (``LibyaModel``'s arrays, its
recorder frame and event log) and returns a ``Figure``; none changes the
model. Figures are built with ``matplotlib.figure.Figure`` (no pyplot), so
threads and sessions never share global figure state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon

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

_PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#111111",
    "#8c564b",
    "#9467bd",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#98df8a",
    "#ffbb78",
]
NO_CONTROL = "#dddddd"


def faction_colors(faction_ids: list[str]) -> dict[str, str]:
    """A fixed colour per faction, by its position in the scenario."""
    return {f: _PALETTE[i % len(_PALETTE)] for i, f in enumerate(faction_ids)}


def _figure(w: float, h: float) -> Figure:
    return Figure(figsize=(w, h), layout="constrained", dpi=90)


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


def map_figure(model: Any) -> Figure:
    """Regions coloured by controller; a red ring where fighting happened this month."""
    fig = _figure(6.4, 5.2)
    ax = fig.add_subplot()
    ax.add_patch(
        Polygon(LIBYA_OUTLINE, closed=True, facecolor="#f6f1e7", edgecolor="#8a7f6a", lw=1.2)
    )
    regions = model.spec.regions
    lon = np.array([r.lon for r in regions])
    lat = np.array([r.lat for r in regions])
    for i, r in enumerate(regions):
        for n in r.neighbours:
            j = model.ridx.get(n)
            if j is not None and j > i:
                ax.plot([lon[i], lon[j]], [lat[i], lat[j]], color="#b9b2a3", lw=0.8, zorder=1)
    colors = faction_colors(model.faction_ids)
    ctrl = [model.faction_ids[c] if c >= 0 else None for c in model.control]
    face = [colors[c] if c else NO_CONTROL for c in ctrl]
    pop = np.asarray(model.population, dtype=float)
    size = 60 + 520 * np.sqrt(pop / pop.max()) if pop.max() > 0 else np.full(len(pop), 300.0)
    ax.scatter(lon, lat, s=size, c=face, edgecolors="white", linewidths=1.5, zorder=3)
    fight = fighting_regions(model)
    if fight.any():
        ax.scatter(
            lon[fight],
            lat[fight],
            s=size[fight] * 1.9,
            facecolors="none",
            edgecolors="#e00000",
            linewidths=2.2,
            zorder=4,
        )
        ax.scatter(lon[fight], lat[fight], s=60, marker="x", c="#e00000", zorder=5, linewidths=2)
    for i, r in enumerate(regions):
        ax.annotate(
            short_name(r.name),
            (lon[i], lat[i]),
            xytext=(7, -9),
            textcoords="offset points",
            fontsize=7.5,
            color="#333",
        )
    ax.set_xlim(9.0, 25.8)
    ax.set_ylim(19.2, 34.0)
    ax.set_aspect(1.1)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    held = [f for f in model.faction_ids if f in ctrl]
    handles: list[Artist] = [Patch(facecolor=colors[f], label=f) for f in held]
    if fight.any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                markerfacecolor="none",
                markeredgecolor="#e00000",
                linestyle="none",
                markersize=10,
                label="fighting this month",
            )
        )
    ax.legend(
        handles=handles,
        loc="lower left",
        fontsize=8,
        frameon=True,
        title="controller",
        title_fontsize=8,
    )
    ax.set_title(f"{model.spec.id} — {model.month}: control and fighting (schematic)", fontsize=10)
    return fig


def flows_of(model: Any) -> np.ndarray:
    """Support sent [sponsor, faction, channel] this month."""
    flows = getattr(model, "flows", None)
    if flows is None or (
        model.steps == 0 and not np.asarray(flows).any()
    ):  # before the first month
        flows = np.asarray(model.allocation) * np.asarray(model.budget)[:, None, :]
    return np.asarray(flows)


CHANNEL_COLORS = {
    "military": "#c0392b",
    "financial": "#2e86c1",
    "political": "#7d3c98",
    "direct": "#d68910",
}


def network_figure(model: Any) -> Figure:
    """Sponsors (left) to factions (right); edge width = support, colour = channel."""
    from ..scenario.schema import CHANNELS

    flows = flows_of(model)
    S, F = len(model.sponsor_ids), len(model.faction_ids)
    fig = _figure(6.4, 5.2)
    ax = fig.add_subplot()
    ys = np.linspace(1, 0, max(S, 1))
    yf = np.linspace(1, 0, max(F, 1))
    top = flows.max() if flows.size and flows.max() > 0 else 1.0
    for s in range(S):
        for f in range(F):
            for c, ch in enumerate(CHANNELS):
                v = flows[s, f, c]
                if v <= 1e-6:
                    continue
                off = (c - 1) * 0.012
                ax.plot(
                    [0.1, 0.9],
                    [ys[s] + off, yf[f] + off],
                    color=CHANNEL_COLORS[ch.value],
                    lw=0.6 + 7.0 * v / top,
                    alpha=0.55,
                    solid_capstyle="round",
                )
    colors = faction_colors(model.faction_ids)
    active = np.asarray(getattr(model, "active", np.ones(S)), dtype=bool)
    for s, sid in enumerate(model.sponsor_ids):
        ax.scatter([0.1], [ys[s]], s=160, c="#555" if active[s] else "#ccc", zorder=3)
        ax.text(0.07, ys[s], sid, ha="right", va="center", fontsize=9)
    for f, fid in enumerate(model.faction_ids):
        ax.scatter([0.9], [yf[f]], s=160, c=colors[fid], zorder=3)
        ax.text(0.93, yf[f], fid, ha="left", va="center", fontsize=9)
    ax.set_xlim(-0.2, 1.25)
    ax.set_ylim(-0.08, 1.08)
    ax.axis("off")
    ax.legend(
        handles=[Line2D([], [], color=v, lw=3, label=k) for k, v in CHANNEL_COLORS.items()],
        loc="lower center",
        ncols=3,
        fontsize=8,
        bbox_to_anchor=(0.5, -0.06),
    )
    ax.set_title(f"Support this month (sponsors → factions), {model.month}", fontsize=10)
    return fig


def series_figure(frame: Any, faction_ids: list[str], hide: set[str] | None = None) -> Figure:
    """Strength, territory and legitimacy per faction over time."""
    colors = faction_colors(faction_ids)
    fig = _figure(6.4, 6.0)
    axes = fig.subplots(3, 1, sharex=True)
    x = frame["step"].to_numpy()
    for ax, var, label in zip(
        axes,
        ("strength", "territory", "legitimacy"),
        ("fighters", "share of regions", "legitimacy (0–1)"),
        strict=True,
    ):
        for f in faction_ids:
            col = f"{var}.{f}"
            if col in frame and f not in (hide or set()):
                ax.plot(
                    x,
                    frame[col].to_numpy(),
                    color=colors[f],
                    lw=1.6,
                    label=f,
                    marker="o" if len(x) < 3 else None,
                )
        ax.set_ylabel(label, fontsize=8)
        ax.set_title(var, fontsize=9, loc="left")
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[-1].set_xlabel("months from start", fontsize=8)
    axes[0].legend(fontsize=7, ncols=3, loc="upper left")
    return fig


def settlement_figure(model: Any, frame: Any) -> Figure:
    """The settlement forecast on the first issue axis (``haftar_role``), and who stands where."""
    fig = _figure(6.4, 3.6)
    if not model.issue_ids:
        ax = fig.add_subplot()
        ax.text(0.5, 0.5, "this scenario defines no issue axis", ha="center")
        ax.axis("off")
        return fig
    issue = "haftar_role" if "haftar_role" in model.issue_ids else model.issue_ids[0]
    k = model.issue_ids.index(issue)
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[2, 1])
    col = f"settlement.{issue}"
    if col in frame:
        ax1.plot(frame["step"], frame[col], color="#222", lw=2)
    ax1.set_ylim(0, 1)
    ax1.set_xlabel("months from start", fontsize=8)
    axis = model.spec.issues[k]
    ax1.set_ylabel(f"0 = {axis.low}\n1 = {axis.high}", fontsize=7)
    ax1.set_title(f"settlement forecast: {issue}", fontsize=9, loc="left")
    ax1.grid(alpha=0.3)
    colors = faction_colors(model.faction_ids)
    has = np.asarray(model.has_position)[:, k]
    pos = np.asarray(model.positions)[:, k]
    prevail = np.asarray(model.prevail)
    ids = [a for a, h in zip(model.actor_ids, has, strict=True) if h]
    idx = [i for i, h in enumerate(has) if h]
    order = sorted(range(len(idx)), key=lambda j: pos[idx[j]])
    for row, j in enumerate(order):
        i = idx[j]
        c = colors.get(ids[j], "#777")
        ax2.scatter([pos[i]], [row], s=30 + 400 * prevail[i], c=c, zorder=3)
        ax2.text(1.03, row, ids[j], va="center", fontsize=7, transform=ax2.get_yaxis_transform())
    ax2.axvline(float(model.settlement[k]), color="#222", lw=1.5, ls="--")
    ax2.set_xlim(0, 1)
    ax2.set_yticks([])
    ax2.set_title("positions (size = P prevail)", fontsize=9, loc="left")
    ax2.tick_params(labelsize=8)
    return fig
