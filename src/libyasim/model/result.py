"""What one run returns: the contract between the model and everything that
consumes runs (CLI, batch, dashboard, notebooks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: columns of RunResult.events, in order
EVENT_COLUMNS = [
    "step",
    "month",
    "event_type",
    "kind",
    "region",
    "actor1",
    "actor2",
    "fatalities",
    "note",
]

#: ACLED-style event types used in the event log
ACLED_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Strategic developments",
)


@dataclass
class RunResult:
    """One run of one scenario with one seed.

    ``series``: one row per month, step 0 the initial state; columns ``step``,
    ``month`` (``YYYY-MM``) then floats named ``<variable>.<actor>``:
    ``strength.<faction>``, ``territory.<faction>`` (share of regions),
    ``population.<faction>`` (share of population controlled),
    ``legitimacy.<faction>``, ``popularity.<faction>``,
    ``support.<sponsor>.<faction>`` (all channels), ``budget.<sponsor>``,
    ``settlement.<issue>`` (forecast position), and scalars ``threat_index``,
    ``fatalities`` (this month, all causes), ``battle_deaths``.

    ``events``: the event log, columns :data:`EVENT_COLUMNS`; ``event_type``
    one of :data:`ACLED_TYPES`; ``kind`` finer (battle, raid, control_change,
    ceasefire_signed, ceasefire_broken, election_held, ...).

    ``summary``: JSON-able: ``end_state`` (unified_election, takeover,
    partition, renewed_war, or status_quo), ``flags`` (list, e.g.
    ``jihadist_resurgence``), ``interventions`` (what each event did),
    key figures, ``seed``, ``scenario_id``, ``scenario_hash``, ``versions``.
    """

    scenario_id: str
    scenario_hash: str
    seed: int
    series: pd.DataFrame
    events: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    #: the scenario object the run used, if known (see :attr:`scenario`)
    spec: Any = field(default=None, repr=False)

    @property
    def scenario(self) -> dict[str, Any] | None:
        """The resolved scenario (plain data) the run used, if known; built on
        demand, so that runs that never write it (batches) don't pay for it."""
        return None if self.spec is None else self.spec.resolved

    @property
    def end_state(self) -> str:
        return str(self.summary["end_state"])

    @property
    def flags(self) -> list[str]:
        return list(self.summary.get("flags", []))

    def write(self, out_dir: Any, plot: bool = True) -> Any:
        """Write series.parquet, events.parquet, summary.json, overview.png (and
        scenario.json) into ``out_dir``; returns the directory as a Path."""
        from .report import write_result

        return write_result(self, out_dir, plot=plot)
