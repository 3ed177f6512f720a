"""The calibrated parameter sample: a Parquet file plus a small JSON header.

``libyasim calibrate`` writes the non-implausible parameter sets it found as
``NAME.parquet`` (one row per set, one column per ``parameters.*`` path, and
``wave``/``point`` columns saying where each came from) and ``NAME.json`` (the
provenance: scenario id and hash, patterns fitted, cut-off, waves, versions).

A scenario uses it with the top-level key ``parameters_from:
calibration/NAME.parquet`` (resolved relative to the scenario file): a
batch sampled with ``--sample lhs N`` then draws each point's ``parameters.*``
from these rows (with a generator seeded by the batch's root seed) instead
of the uniform ranges; ``sobol`` and ``morris`` designs, whose estimators
need their own structure, sample each calibrated parameter uniformly within
the calibrated sample's range. A parameter the using scenario cites from a
source (``source:``, not ``assumption:``) keeps the scenario's own record:
evidence for the scenario's period outranks a fit to 2014-2017.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..scenario import Scenario, ScenarioError
from ..scenario.errors import Problem

#: columns of the sample file that are not parameter paths
META_COLUMNS = ("wave", "point")


def header_path(path: str | Path) -> Path:
    return Path(path).with_suffix(".json")


def write_sample(path: str | Path, rows: Sequence[dict[str, Any]], header: dict[str, Any]) -> Path:
    """Write ``rows`` (``{path: value, 'wave': k, 'point': i}``) and the header beside it."""
    from ..batch.store import atomic_write_bytes, atomic_write_table

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = sorted({k for r in rows for k in r if k not in META_COLUMNS})
    data: dict[str, list[Any]] = {c: [r.get(c) for r in rows] for c in META_COLUMNS}
    data.update({c: [float(r[c]) for r in rows] for c in cols})
    table = pa.table(data) if rows else pa.table({c: pa.array([], pa.float64()) for c in cols})
    atomic_write_table(path, table)
    head = {**header, "file": path.name, "rows": len(rows), "parameters": cols}
    atomic_write_bytes(header_path(path), (json.dumps(head, indent=2) + "\n").encode())
    return path


def read_sample(path: str | Path) -> tuple[list[str], np.ndarray]:
    """The parameter paths and an array (rows x paths) of a sample file."""
    t = pq.read_table(path)
    names = [c for c in t.column_names if c not in META_COLUMNS]
    if not names:
        return [], np.zeros((0, 0))
    x = np.column_stack([t.column(c).to_numpy(zero_copy_only=False) for c in names]).astype(float)
    return names, x


def resolve(scenario: Scenario) -> Path | None:
    """The file a scenario's ``parameters_from`` names, resolved beside the scenario file."""
    ref = getattr(scenario, "parameters_from", None)
    if not ref:
        return None
    base = scenario.path.parent if scenario.path is not None else Path.cwd()
    return (base / ref).resolve()


def scenario_sample(scenario: Scenario) -> tuple[list[str], np.ndarray] | None:
    """The calibrated sample a scenario names, checked against its parameters; or None."""
    path = resolve(scenario)
    if path is None:
        return None
    where = str(scenario.path or scenario.id)
    if not path.is_file():
        raise ScenarioError(
            [Problem(where, None, "parameters_from", f"no such file {str(path)!r}")]
        )
    try:
        names, x = read_sample(path)
    except (OSError, pa.ArrowException) as exc:
        raise ScenarioError(
            [Problem(where, None, "parameters_from", f"cannot read {path.name}: {exc}")]
        ) from None
    known = scenario.uncertain()
    bad = [n for n in names if n not in known]
    if bad or not len(x):
        what = (
            f"names parameters the scenario does not have ({', '.join(bad[:5])})"
            if bad
            else "holds no parameter sets"
        )
        raise ScenarioError([Problem(where, None, "parameters_from", f"{path.name} {what}")])
    return names, x


def _cited(scenario: Scenario, path: str) -> bool:
    """Whether the scenario's own record at ``path`` cites a source (not an assumption)."""
    node: Any = scenario
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return False
    return bool(getattr(node, "source", None))


def calibrated_rows(
    rows: list[dict[str, Any]], scenario: Scenario, method: str | None, seed: int
) -> list[dict[str, Any]]:
    """Design rows with their calibrated parameters taken from the scenario's sample
    (see the module docstring); rows unchanged when the scenario names none. The
    rows' numbers as a matrix through :func:`calibrated_columns`."""
    if not rows:
        return rows
    names = list(rows[0])
    x = np.array([[_number(r.get(n)) for n in names] for r in rows], dtype=float)
    y, changed = _calibrated(names, x, scenario, method, seed)
    if not changed:
        return rows
    picked = [names[j] for j in changed]
    return [
        {**r, **dict(zip(picked, row.tolist(), strict=True))}
        for r, row in zip(rows, y[:, changed], strict=True)
    ]


def _number(v: Any) -> float:
    """A row's value as a float for the matrix (NaN for what is not a number: such a
    column is never a calibrated parameter's)."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return math.nan


def calibrated_columns(
    names: Sequence[str], x: np.ndarray, scenario: Scenario, method: str | None, seed: int
) -> np.ndarray:
    """A design given as a matrix (rows x ``names``) with the columns of its calibrated
    parameters taken from the scenario's sample (see the module docstring); ``x``
    itself when the scenario names none."""
    return _calibrated(names, x, scenario, method, seed)[0]


def _calibrated(
    names: Sequence[str], x: np.ndarray, scenario: Scenario, method: str | None, seed: int
) -> tuple[np.ndarray, list[int]]:
    """:func:`calibrated_columns`, and the positions of the columns it replaced."""
    got = scenario_sample(scenario)
    if got is None or not len(x):
        return x, []
    cal_names, cal = got
    present = [n for n in cal_names if n in names and not _cited(scenario, n)]
    if not present:
        return x, []
    out = x.copy()
    cols = [cal_names.index(n) for n in present]
    where = [list(names).index(n) for n in present]
    if method == "lhs":
        pick = np.random.default_rng(seed).integers(0, len(cal), size=len(x))
        out[:, where] = cal[np.ix_(pick, cols)]
        return out, where
    lo, hi = cal[:, cols].min(axis=0), cal[:, cols].max(axis=0)
    ranges = scenario.uncertain()
    for k, (n, a, b) in enumerate(zip(present, lo, hi, strict=True)):
        r_lo, r_hi = ranges[n]
        u = (x[:, where[k]] - r_lo) / (r_hi - r_lo) if r_hi > r_lo else np.zeros(len(x))
        out[:, where[k]] = np.clip(a + u * (b - a), r_lo, r_hi)
    return out, where


__all__ = [
    "META_COLUMNS",
    "calibrated_columns",
    "calibrated_rows",
    "header_path",
    "read_sample",
    "resolve",
    "scenario_sample",
    "write_sample",
]
