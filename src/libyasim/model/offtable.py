"""The offensives' table: every offensive launched in a run, one row each, as two
arrays the kernels of :mod:`.forces` and :mod:`.conflict` read and write in place.

``m.off_i`` (int64, ``[capacity, NI]``) and ``m.off_f`` (float64, ``[capacity, NF]``)
hold the rows; ``m.off_n`` (int64, ``[1]``) is the number of rows in use. Rows are
never removed: an offensive that ends keeps its row with its final ``STATUS``.
:class:`.forces.Offensive` objects (``m.offensives``) are views of these rows.
The column numbers are compiled into the kernels that read them.
"""

from __future__ import annotations

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
MASSED, PROGRESS = range(2)
NF = 2
#: values of the STATUS column
ACTIVE, SUCCESS, STALEMATE, RETREAT = range(4)
STATUS_NAMES = ("active", "success", "stalemate", "retreat")


def new_table(capacity: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An empty table: ``(off_i, off_f, off_n)``."""
    return (
        np.zeros((capacity, NI), dtype=np.int64),
        np.zeros((capacity, NF)),
        np.zeros(1, dtype=np.int64),
    )
