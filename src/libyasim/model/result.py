"""What one run returns: the contract between the model and everything that
consumes runs (CLI, batch, dashboard, notebooks).

A run's series and event log are kept as arrays (:class:`SeriesTable`,
:class:`EventTable`); :attr:`RunResult.series` and :attr:`RunResult.events`
are pandas DataFrames built from them on first use, so that a batch, which
stores the arrays, never pays for a DataFrame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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
#: the text columns of the event log (the others: ``step`` int, ``fatalities`` float)
EVENT_TEXT = ("month", "event_type", "kind", "region", "actor1", "actor2", "note")

#: ACLED-style event types used in the event log
ACLED_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Strategic developments",
)


@dataclass(frozen=True)
class SeriesTable:
    """The monthly series as arrays: row ``i`` is step ``steps[i]`` (month
    ``months[i]``, ``YYYY-MM``), column ``j`` the variable ``columns[j]``."""

    steps: np.ndarray  # int64, one per row
    months: Sequence[str]
    columns: Sequence[str]
    values: np.ndarray  # float64, rows x columns

    def __len__(self) -> int:
        return len(self.steps)

    def index(self) -> dict[str, int]:
        """Each column's position."""
        return {c: j for j, c in enumerate(self.columns)}

    def column(self, name: str) -> np.ndarray:
        """One variable over the months (a view)."""
        return self.values[:, list(self.columns).index(name)]

    def frame(self) -> pd.DataFrame:
        """The ``RunResult.series`` DataFrame: ``step``, ``month``, then the variables."""
        df = pd.DataFrame(self.values, columns=list(self.columns))
        df.insert(0, "month", list(self.months))
        df.insert(0, "step", np.asarray(self.steps, dtype=np.int64))
        return df

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> SeriesTable:
        names = [str(c) for c in df.columns]
        value_cols = [c for c in names if c not in ("step", "month")]
        return cls(
            steps=df["step"].to_numpy(dtype=np.int64),
            months=[str(m) for m in df["month"].tolist()],
            columns=value_cols,
            values=df[value_cols]
            .to_numpy(dtype=float, na_value=np.nan)
            .reshape(len(df), len(value_cols)),
        )


@dataclass(frozen=True)
class EventTable:
    """The event log as columns (:data:`EVENT_COLUMNS`): ``step`` int64,
    ``fatalities`` float64, the others lists of texts (``None`` where missing)."""

    columns: Mapping[str, Any]

    def __len__(self) -> int:
        return len(self.columns["step"])

    def __getitem__(self, name: str) -> Any:
        return self.columns[name]

    def frame(self) -> pd.DataFrame:
        """The ``RunResult.events`` DataFrame."""
        data = {c: self.columns[c] for c in EVENT_COLUMNS}
        df = pd.DataFrame(data, columns=EVENT_COLUMNS)
        df["step"] = df["step"].astype(np.int64)
        df["fatalities"] = df["fatalities"].astype(float)
        return df

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> EventTable:
        """From one mapping per event (keys :data:`EVENT_COLUMNS`)."""
        cols: dict[str, Any] = {c: [r[c] for r in records] for c in EVENT_TEXT}
        cols["step"] = np.fromiter((r["step"] for r in records), np.int64, len(records))
        cols["fatalities"] = np.fromiter(
            (r["fatalities"] for r in records), np.float64, len(records)
        )
        return cls(cols)

    @classmethod
    def from_frame(cls, df: pd.DataFrame | None) -> EventTable:
        if df is None or not len(df):
            return cls.from_records([])
        cols: dict[str, Any] = {
            c: df[c].astype(object).where(df[c].notna(), None).tolist()
            for c in EVENT_TEXT
            if c in df
        }
        for c in EVENT_TEXT:
            cols.setdefault(c, [None] * len(df))
        cols["step"] = df["step"].to_numpy(dtype=np.int64)
        cols["fatalities"] = df["fatalities"].to_numpy(dtype=float, na_value=np.nan)
        return cls(cols)


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

    Both are pandas DataFrames, built on first use from the arrays the run
    keeps (:attr:`series_table`, :attr:`event_table`); either may be given as
    a DataFrame or as arrays.

    ``summary``: JSON-able: ``end_state`` (unified_election, takeover,
    partition, renewed_war, or status_quo), ``flags`` (list, e.g.
    ``jihadist_resurgence``), ``interventions`` (what each event did),
    key figures, ``seed``, ``scenario_id``, ``scenario_hash``, ``versions``.
    """

    def __init__(
        self,
        scenario_id: str,
        scenario_hash: str,
        seed: int,
        series: pd.DataFrame | SeriesTable,
        events: pd.DataFrame | EventTable | None,
        summary: dict[str, Any] | None = None,
        spec: Any = None,
    ) -> None:
        self.scenario_id = scenario_id
        self.scenario_hash = scenario_hash
        self.seed = seed
        self._series = series
        self._events = events
        self.summary: dict[str, Any] = {} if summary is None else summary
        #: the scenario object the run used, if known (see :attr:`scenario`)
        self.spec = spec

    def __repr__(self) -> str:
        return (
            f"RunResult(scenario_id={self.scenario_id!r}, seed={self.seed!r}, "
            f"end_state={self.summary.get('end_state')!r})"
        )

    @property
    def series(self) -> pd.DataFrame:
        if isinstance(self._series, SeriesTable):
            self._series = self._series.frame()
        return self._series

    @series.setter
    def series(self, value: pd.DataFrame | SeriesTable) -> None:
        self._series = value

    @property
    def events(self) -> pd.DataFrame:
        if isinstance(self._events, EventTable):
            self._events = self._events.frame()
        elif self._events is None:
            self._events = EventTable.from_records([]).frame()
        return self._events

    @events.setter
    def events(self, value: pd.DataFrame | EventTable | None) -> None:
        self._events = value

    @property
    def series_table(self) -> SeriesTable:
        """The series as arrays (no DataFrame built when the run made them)."""
        s = self._series
        return s if isinstance(s, SeriesTable) else SeriesTable.from_frame(s)

    @property
    def event_table(self) -> EventTable:
        """The event log as columns (no DataFrame built when the run made them)."""
        e = self._events
        return e if isinstance(e, EventTable) else EventTable.from_frame(e)

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
