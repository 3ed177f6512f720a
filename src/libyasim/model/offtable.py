"""The offensives' table: every offensive launched in a run, one row each, as two
arrays the kernels of :mod:`.forces` and :mod:`.conflict` read and write in place.

``m.off_i`` (int64, ``[capacity, NI]``) and ``m.off_f`` (float64, ``[capacity, NF]``)
hold the rows; ``m.off_n`` (int64, ``[1]``) is the number of rows in use. Rows are
never removed: an offensive that ends keeps its row with its final ``STATUS``.
:class:`.forces.Offensive` objects (``m.offensives``) are views of these rows.
The column numbers are compiled into the kernels that read them.

An offensive's cause is an index into the model's list of causes (``m.off_causes``,
``"decided"`` first); its note an index into the model's list of note templates
(``m.off_notes``, :data:`NOTES` first), formatted with the row's two numbers
(``NOTE_A0``, ``NOTE_A1``) and the attacker's and target's ids (``{a}``, ``{t}``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: integer columns of ``off_i``
(
    ATTACKER,  # faction index
    TARGET,  # region index
    ORIGIN,  # region index where the attackers are massed
    DEFENDER,  # faction index, -1 when nobody holds or defends the target
    STATUS,  # ACTIVE, SUCCESS, STALEMATE or RETREAT
    MONTHS,  # months planned
    STARTED,  # step at which it was launched
    ELAPSED,  # months fought
    SIEGE,  # 1: on a region another holds; 0: clearing a pocket in its own region
    INVESTED,  # step at which it settled into an invested siege, -1: an assault
    BESIEGED_SINCE,  # step of its first investment, -1 if never
    CAUSE,  # index into the model's list of causes (``m.off_causes``)
    NOTE,  # index into the model's list of notes (``m.off_notes``), -1: none
) = range(13)
NI = 13
#: float columns of ``off_f``
MASSED, PROGRESS, NOTE_A0, NOTE_A1 = range(4)
NF = 4
#: values of the STATUS column
ACTIVE, SUCCESS, STALEMATE, RETREAT = range(4)
STATUS_NAMES = ("active", "success", "stalemate", "retreat")

#: the notes an offensive ends or settles with (the first entries of ``m.off_notes``)
NOTES = (
    "{a} holds {t}",
    "the enemy there is no longer hostile",
    "halted by a ceasefire",
    "after {0:.0f} months",
    "after {0:.0f} months, odds {1:.2f}",
    "siege broken after {0:.0f} months",
    "siege lifted after {0:.0f} months",
    "invested after {0:.0f} months, odds {1:.2f}",
    "after {0:.0f} months, progress {1:.2f}",
)
(
    N_HOLDS,
    N_NOT_HOSTILE,
    N_CEASEFIRE,
    N_AFTER,
    N_AFTER_ODDS,
    N_BROKEN,
    N_LIFTED,
    N_INVESTED,
    N_PROGRESS,
) = range(len(NOTES))
#: how many of the row's numbers each note of :data:`NOTES` takes
NOTE_NARGS = (0, 0, 0, 1, 2, 1, 1, 2, 2)
#: the first entries of ``m.off_causes``
CAUSES = ("decided",)
DECIDED = 0


def new_table(capacity: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An empty table: ``(off_i, off_f, off_n)``."""
    return (
        np.zeros((capacity, NI), dtype=np.int64),
        np.zeros((capacity, NF)),
        np.zeros(1, dtype=np.int64),
    )


def reserve(m: Any, extra: int) -> None:
    """Room for ``extra`` more rows in ``m.off_i``/``m.off_f`` (call it before a kernel
    that may add rows; the arrays are replaced by larger copies when full)."""
    off_i, off_f, n = m.off_i, m.off_f, int(m.off_n[0])
    cap = len(off_i)
    if n + extra <= cap:
        return
    while cap < n + extra:
        cap *= 2
    new_i, new_f = np.zeros((cap, NI), dtype=np.int64), np.zeros((cap, NF))
    new_i[:n], new_f[:n] = off_i[:n], off_f[:n]
    m.off_i, m.off_f = new_i, new_f
