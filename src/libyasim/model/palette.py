"""One colour per faction id, shared by every plot (overview PNG, dashboard, analysis).

Known ids of the shipped scenarios have fixed colours chosen by camp (eastern
camp in reds and browns, western camp in blues and greens, jihadist groups in
greys and dark purples); any other id gets a stable colour from a spare
palette, derived from the id itself, so a faction keeps its colour across
runs, scenarios and pages.

>>> faction_colour("lna")
'#c0392b'
>>> faction_colours(["gna", "lna"])["gna"]
'#1f77b4'
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

#: fixed colours of the factions of the shipped scenarios
KNOWN: dict[str, str] = {
    "lna": "#c0392b",  # eastern camp
    "hor": "#e59866",
    "gna": "#1f77b4",  # western camp
    "misrata": "#17a589",
    "libya_shield": "#7d9a3a",
    "daesh": "#2c2c2c",  # jihadist groups
    "ansar_benghazi": "#7f6a93",
    "ansar_derna": "#5b2c6f",
    "aqim": "#8c8c8c",
}

#: colours for ids not in KNOWN (none of them close to a KNOWN colour)
SPARE = (
    "#ff7f0e",
    "#9467bd",
    "#d4ac0d",
    "#e377c2",
    "#17becf",
    "#8c564b",
    "#bcbd22",
    "#2e86c1",
    "#a93226",
    "#148f77",
)

#: colour of a region no faction controls
NOBODY = "#d9d9d9"


def faction_colour(fid: str | None) -> str:
    """The colour of faction ``fid`` (``NOBODY`` for None)."""
    if fid is None:
        return NOBODY
    if fid in KNOWN:
        return KNOWN[fid]
    return SPARE[zlib.crc32(fid.encode("utf-8")) % len(SPARE)]


def faction_colours(ids: Iterable[str]) -> dict[str, str]:
    """``{id: colour}`` for ``ids``; unknown ids that would share a spare colour get
    the next free one (in the order given), so one figure never shows two alike."""
    out: dict[str, str] = {}
    used = set()
    for fid in ids:
        colour = faction_colour(fid)
        if fid not in KNOWN and colour in used:
            free = [c for c in SPARE if c not in used]
            colour = free[0] if free else colour
        out[fid] = colour
        used.add(colour)
    return out
