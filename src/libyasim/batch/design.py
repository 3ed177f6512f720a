"""The experimental design of a batch: scenarios × parameter points × replicates.

A :class:`Design` is declared, not coded (EMA Workbench's vocabulary):

- ``sets``: ``{dotted.path: value}`` overrides applied to every run;
- ``sweeps``: ``path=a:b:n`` grids (``numpy.linspace(a, b, n)``), crossed
  with each other;
- ``sample``: ``lhs``, ``sobol`` or ``morris`` with ``N``, drawn by SALib over
  the ``range`` of every uncertain parameter of the scenarios
  (:meth:`Scenario.uncertain`), optionally restricted by ``vary`` globs;
  crossed with the sweep grid;
- ``rows``: explicit points, each ``{path: value}``;
- ``replicates`` runs per scenario and point, with seeds from
  ``numpy.random.SeedSequence(root_seed, spawn_key=(point, replicate))``
  (``common_seeds``: ``spawn_key=(0, replicate)`` for every point, so that
  points are compared on the same draws).

The seed of a run depends only on (root seed, point, replicate): never on the
scenario (common random numbers: scenarios are compared on the same draws),
the executor, the number of workers or the order of execution.
"""

from __future__ import annotations

import fnmatch
import hashlib
import itertools
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from ..scenario import Scenario

SAMPLE_METHODS = ("lhs", "sobol", "morris")
#: the most parameter points a design may have (checked before any is allocated)
MAX_POINTS = 1_000_000
#: the most replicates per point
MAX_RUNS = 100_000_000


class DesignError(ValueError):
    """A design that cannot be built (bad path, bad range, bad sample size)."""


@dataclass(frozen=True)
class Sweep:
    """``path`` takes ``n`` evenly spaced values from ``lo`` to ``hi``."""

    path: str
    lo: float
    hi: float
    n: int

    def values(self) -> list[float | int]:
        """The grid, rounded to 12 significant digits (0.3, not 0.30000000000000004);
        whole numbers when every value is whole (for integer fields such as ``months``)."""
        vals = [float(f"{v:.12g}") for v in np.linspace(self.lo, self.hi, self.n)]
        if all(v.is_integer() for v in vals):
            return [int(v) for v in vals]
        return vals


@dataclass(frozen=True)
class Design:
    """What to run; see the module docstring."""

    replicates: int = 1
    root_seed: int = 0
    sets: dict[str, Any] = field(default_factory=dict)
    sweeps: tuple[Sweep, ...] = ()
    sample: str | None = None
    sample_n: int = 0
    vary: tuple[str, ...] = ()
    months: int | None = None
    #: explicit points: a Parquet file, one column per dotted path, one row per point
    rows_from: str | None = None
    #: explicit points given inline, each ``{path: value}`` (a point sets only its
    #: own paths; e.g. the audit's one-at-a-time range ends)
    rows: tuple[dict[str, Any], ...] = ()
    #: every point runs the same seeds: replicate r of any point gets the seed of
    #: point 0, replicate r (common random numbers, so points compare paired)
    common_seeds: bool = False

    def __post_init__(self) -> None:
        if self.replicates < 1:
            raise DesignError(
                f"The 'replicates' parameter must be >= 1. Got {self.replicates} instead."
            )
        if not 0 <= self.root_seed < 2**63:
            raise DesignError(
                f"The 'seed' parameter must be in [0, 2**63). Got {self.root_seed} instead."
            )
        if self.sample is not None:
            if self.sample not in SAMPLE_METHODS:
                raise DesignError(
                    f"The 'sample' parameter must be one of {', '.join(SAMPLE_METHODS)}. "
                    f"Got {self.sample!r} instead."
                )
            if self.sample_n < 1:
                raise DesignError(f"The sample size must be >= 1. Got {self.sample_n} instead.")
            if self.sample == "sobol" and self.sample_n & (self.sample_n - 1):
                raise DesignError(
                    f"Sobol sampling needs a power of two for N (e.g. "
                    f"{1 << max(0, self.sample_n.bit_length() - 1)} or "
                    f"{1 << self.sample_n.bit_length()}). Got {self.sample_n} instead."
                )
        for s in self.sweeps:
            if s.n < 1:
                raise DesignError(
                    f"sweep {s.path}: the number of values must be >= 1. Got {s.n} instead."
                )
        if self.vary and self.sample is None:
            raise DesignError(
                "--vary chooses which parameters --sample varies: give --sample METHOD N too"
            )
        grid = math.prod(s.n for s in self.sweeps) * max(1, self.sample_n)
        if self.sample_n > MAX_POINTS or grid > MAX_POINTS:
            raise DesignError(
                f"the design has {grid:,} parameter points (sweeps x sample size), more than "
                f"the limit of {MAX_POINTS:,}; refused before allocating anything"
            )
        if self.replicates > MAX_RUNS:
            raise DesignError(
                f"The 'replicates' parameter must be <= {MAX_RUNS:,}. "
                f"Got {self.replicates:,} instead."
            )
        if self.rows_from is not None and self.sample is not None:
            raise DesignError("give either explicit points (rows_from) or --sample, not both")
        if self.rows and (self.rows_from is not None or self.sample is not None):
            raise DesignError("give one of explicit rows, rows_from or --sample, not several")
        if self.months is not None and self.months < 1:
            raise DesignError(f"The 'months' parameter must be >= 1. Got {self.months} instead.")
        paths = [s.path for s in self.sweeps]
        dup = {p for p in paths if paths.count(p) > 1} | (set(paths) & set(self.sets))
        if dup:
            raise DesignError(
                f"parameter(s) given more than once in --set/--sweep: {', '.join(sorted(dup))}"
            )

    # -- serialisation (the manifest) -------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sweeps"] = [asdict(s) for s in self.sweeps]
        d["vary"] = list(self.vary)
        # written only when used, so that batches made before they existed resume
        d["rows"] = [dict(r) for r in self.rows]
        for key in ("rows", "common_seeds"):
            if not d[key]:
                del d[key]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Design:
        d = dict(d)
        d["sweeps"] = tuple(Sweep(**s) for s in d.get("sweeps", ()))
        d["vary"] = tuple(d.get("vary", ()))
        d["rows"] = tuple(dict(r) for r in d.get("rows", ()))
        return cls(**d)

    # -- the points ---------------------------------------------------------
    def sampled_ranges(self, scenarios: Sequence[Scenario]) -> dict[str, tuple[float, float]]:
        """The parameters the sample varies, with their ranges.

        Only parameters uncertain in every scenario are sampled, so every
        scenario runs the same points; where the scenarios give a parameter
        different ranges, the sample covers their intersection (a value outside
        one scenario's range would be rejected by it). ``vary`` globs restrict
        the parameters further; swept and set parameters are left out.
        """
        if self.sample is None:
            return {}
        first = scenarios[0].uncertain()
        others = [s.uncertain() for s in scenarios[1:]]
        common = [p for p in first if all(p in u for u in others)]
        if self.vary:
            exact = {g for g in self.vary if not any(c in g for c in "*?[")}
            globs = [g for g in self.vary if g not in exact]  # (a list of paths: no matching)
            common = [
                p for p in common if p in exact or any(fnmatch.fnmatchcase(p, g) for g in globs)
            ]
        fixed = set(self.sets) | {s.path for s in self.sweeps}
        chosen: dict[str, tuple[float, float]] = {}
        disjoint = []
        for p in common:
            if p in fixed:
                continue
            lo = max([first[p][0], *(u[p][0] for u in others)])
            hi = min([first[p][1], *(u[p][1] for u in others)])
            if hi < lo:
                disjoint.append(p)
            elif hi > lo:
                chosen[p] = (lo, hi)
        if disjoint:
            raise DesignError(
                "--sample: the scenarios give disjoint ranges to "
                + ", ".join(disjoint)
                + "; sample them in separate batches, or leave them out with --vary"
            )
        if not chosen:
            what = f" matching {', '.join(self.vary)}" if self.vary else ""
            raise DesignError(
                f"--sample: no uncertain parameter (with a range) common to the scenarios{what}"
            )
        return chosen

    def points(self, scenarios: Sequence[Scenario]) -> Points:
        """Every parameter point: ``{path: value}`` (without ``sets``), in a fixed order
        (the sweep grid's combinations, each crossed with every row, grid-major)."""
        paths = [s.path for s in self.sweeps]
        combos = list(itertools.product(*(s.values() for s in self.sweeps)))
        if self.rows:
            grid = [dict(zip(paths, combo, strict=True)) for combo in combos]
            return Points.from_rows([{**g, **dict(r)} for g in grid for r in self.rows])
        names, columns = self._file_rows() if self.rows_from else self._sample_rows(scenarios)
        n_rows = len(columns[0]) if columns else 1
        if set(paths) & set(names):  # a path both swept and in the rows: the rows' value wins
            grid = [dict(zip(paths, combo, strict=True)) for combo in combos]
            rows = Points(names, columns, n_rows)
            return Points.from_rows([{**g, **r} for g in grid for r in rows])
        grid_cols = [_column([c[j] for c in combos]) for j in range(len(paths))]
        return Points(
            paths + names,
            [
                np.repeat(c, n_rows) if isinstance(c, np.ndarray) else _repeat(c, n_rows)
                for c in grid_cols
            ]
            + [
                np.tile(c, len(combos)) if isinstance(c, np.ndarray) else c * len(combos)
                for c in columns
            ],
            len(combos) * n_rows,
        )

    def _file_rows(self) -> tuple[list[str], list[np.ndarray]]:
        from ..calibration.sample import read_sample

        names, x = read_sample(str(self.rows_from))
        return names, [np.ascontiguousarray(x[:, j]) for j in range(len(names))]

    def _sample_rows(self, scenarios: Sequence[Scenario]) -> tuple[list[str], list[np.ndarray]]:
        """The sample's parameters and their columns (no sample: none)."""
        if self.sample is None:
            return [], []
        ranges = self.sampled_ranges(scenarios)
        names = list(ranges)
        problem = {
            "num_vars": len(names),
            "names": names,
            "bounds": [list(ranges[n]) for n in names],
        }
        seed = int(self.root_seed % 2**32)
        per = {"lhs": 1, "sobol": len(names) + 2, "morris": len(names) + 1}[self.sample]
        total = self.sample_n * per * math.prod(s.n for s in self.sweeps)
        if total > MAX_POINTS:
            raise DesignError(
                f"--sample {self.sample} {self.sample_n} over {len(names)} parameters gives "
                f"{total:,} points (with the sweeps), more than the limit of {MAX_POINTS:,}; "
                "refused before allocating anything"
            )
        # each sampler imported alone (SALib's sobol imports scipy.stats: ~0.6 s)
        if self.sample == "lhs":
            from SALib.sample import latin

            x = latin.sample(problem, self.sample_n, seed=seed)
        elif self.sample == "sobol":
            from SALib.sample import sobol

            x = sobol.sample(problem, self.sample_n, calc_second_order=False, seed=seed)
        else:
            from SALib.sample import morris

            x = morris.sample(problem, self.sample_n, seed=seed)
        from ..calibration.sample import calibrated_columns  # scenario's parameters_from

        x = calibrated_columns(names, np.asarray(x, dtype=float), scenarios[0], self.sample, seed)
        whole = whole_paths(scenarios[0])
        return names, [conform(x[:, j], ranges[n], whole=n in whole) for j, n in enumerate(names)]


def _column(values: list[Any]) -> np.ndarray | list[Any]:
    """A column of a sweep's values: an array when they are all floats, all whole
    numbers or all booleans (of the same Python type), else the list."""
    kinds = {type(v) for v in values}
    if kinds == {float}:
        return np.array(values, dtype=np.float64)
    if kinds == {int}:
        return np.array(values, dtype=np.int64)
    if kinds == {bool}:
        return np.array(values, dtype=np.bool_)
    return list(values)


def _repeat(values: list[Any], n: int) -> list[Any]:
    return [v for v in values for _ in range(n)]


class Points(Sequence[dict[str, Any]]):
    """A batch's parameter points, kept column by column.

    Reads as a list of ``{path: value}`` dicts (each made when asked for), but a
    sampled design's 20,000 points of 300 numbers are a few arrays rather than
    20,000 dicts: the batch's hash, its points table and the context sent to each
    worker are made from the arrays. Columns are float64, int64 or bool arrays
    (values read back as Python floats, ints, bools) or lists of other values.
    Each read makes a new dict: code that reads every point many times should
    take ``list(points)`` once.
    Points whose keys differ from point to point (explicit ``rows``) are kept as
    their dicts (:meth:`from_rows`).
    """

    def __init__(self, names: Sequence[str], columns: Sequence[Any], n: int):
        self.names: tuple[str, ...] = tuple(names)
        self.columns: list[Any] = list(columns)
        self._n = int(n)
        self._rows: list[dict[str, Any]] | None = None
        if len(self.names) != len(self.columns) or any(len(c) != n for c in self.columns):
            raise ValueError("Points: one column of n values per name")
        # the arrays of one dtype as one matrix, and the columns views of it (a row is
        # then one tolist per dtype; a pickle sends each matrix once)
        self._blocks: list[tuple[list[int], np.ndarray]] = []
        self._lists: list[int] = []
        by_kind: dict[str, list[int]] = {}
        for j, c in enumerate(self.columns):
            if isinstance(c, np.ndarray):
                by_kind.setdefault(c.dtype.str, []).append(j)
            else:
                self._lists.append(j)
        for idx in by_kind.values():
            self._blocks.append((idx, np.column_stack([self.columns[j] for j in idx])))
        self._views()
        self._hash: str | None = None
        # numeric(): every column float64 or int64 -> (paths in row order, int64 positions)
        self._numeric: tuple[tuple[str, ...], list[int]] | None = None
        if (
            self._blocks
            and not self._lists
            and all(b.dtype in (np.float64, np.int64) for _, b in self._blocks)
        ):
            order = [j for idx, _ in self._blocks for j in idx]
            ints = [k for k, j in enumerate(order) if self.columns[j].dtype == np.int64]
            self._numeric = (tuple(self.names[j] for j in order), ints)

    @classmethod
    def from_rows(cls, rows: Sequence[dict[str, Any]]) -> Points:
        """Points given as dicts (their keys may differ), kept as they are."""
        out = cls((), (), 0)
        out._rows = [dict(r) for r in rows]
        out._n = len(out._rows)
        return out

    def __len__(self) -> int:
        return self._n

    def _row(self, i: int) -> dict[str, Any]:
        if self._rows is not None:
            return dict(self._rows[i])
        vals: list[Any] = [None] * len(self.names)
        for idx, block in self._blocks:
            for j, v in zip(idx, block[i].tolist(), strict=True):
                vals[j] = v
        for j in self._lists:
            vals[j] = self.columns[j][i]
        return dict(zip(self.names, vals, strict=True))

    def numeric(self) -> tuple[tuple[str, ...], list[int]] | None:
        """When every column is float64 or int64 (a sampled design): the paths in the
        order of :meth:`numeric_row`'s values, and the positions in it of the int64
        columns; None otherwise (points given as dicts among them)."""
        return self._numeric if self._rows is None else None

    def numeric_row(self, i: int) -> np.ndarray:
        """Point ``i``'s values as one float64 row (read only), in the order of
        :meth:`numeric` (only where that is not None): no dict made."""
        if len(self._blocks) == 1 and self._blocks[0][1].dtype == np.float64:
            return self._blocks[0][1][i]
        return np.concatenate([b[i] for _, b in self._blocks]).astype(np.float64)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._row(k) for k in range(*i.indices(self._n))]
        k = i.__index__()
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(f"point {i} of {self._n}")
        return self._row(k)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for k in range(self._n):
            yield self._row(k)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Points):
            if self._rows is None and other._rows is None and self.names == other.names:
                return self._n == other._n and all(
                    _same(a, b) for a, b in zip(self.columns, other.columns, strict=True)
                )
            return list(self) == list(other)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like a list

    def __repr__(self) -> str:
        return f"Points({self._n} points of {len(self.paths())} paths)"

    def paths(self) -> list[str]:
        """Every path some point sets, sorted."""
        if self._rows is not None:
            return sorted({k for p in self._rows for k in p})
        return sorted(self.names)

    def table(self) -> pa.Table:
        """``point`` (0, 1, ...) and one column per path (sorted; null where a point
        does not set it): the batch's ``points.parquet``."""
        cols: dict[str, Any] = {"point": np.arange(self._n, dtype=np.int64)}
        if self._rows is not None:
            for k in self.paths():
                cols[k] = [p.get(k) for p in self._rows]
        else:
            where = {n: j for j, n in enumerate(self.names)}
            for k in self.paths():
                cols[k] = self.columns[where[k]]
        return pa.table(cols)

    def hash(self) -> str:
        """SHA-256 of the points (what a resumed batch must match): of their JSON for
        points kept as dicts (:func:`points_hash`), else of the columns' names, types
        and bytes, in path order."""
        if self._hash is None:
            if self._rows is not None:
                self._hash = points_hash(self._rows)
            else:
                h = hashlib.sha256(f"libyasim-points-v2:{self._n}".encode())
                for j in sorted(range(len(self.names)), key=self.names.__getitem__):
                    c = self.columns[j]
                    h.update(json.dumps(self.names[j]).encode())
                    if isinstance(c, np.ndarray):
                        h.update(c.dtype.str.encode() + np.ascontiguousarray(c).tobytes())
                    else:
                        h.update(json.dumps(c, default=str).encode())
                self._hash = h.hexdigest()
        return self._hash

    def _views(self) -> None:
        for idx, block in self._blocks:
            for pos, j in enumerate(idx):
                self.columns[j] = block[:, pos]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        arrays = {j for idx, _ in self._blocks for j in idx}
        state["columns"] = [None if j in arrays else c for j, c in enumerate(self.columns)]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._views()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and a == b


def conform(values: Any, bounds: tuple[float, float], *, whole: bool = False) -> np.ndarray:
    """Sampled ``values`` made acceptable to the schema: clipped to ``bounds`` (a
    scenario validates every range against its field's bounds, so a value in the
    range is valid; a sampler's arithmetic can overshoot it by a rounding error,
    e.g. Morris' 0.9000000000000001 for a range ending at 0.9), and for whole-number
    fields rounded to the nearest integer inside the range."""
    lo, hi = bounds
    x = np.asarray(values, dtype=float)
    if whole:
        return np.clip(np.round(x), math.ceil(lo), math.floor(hi)).astype(np.int64)
    return np.clip(x, lo, hi)


def whole_paths(scenario: Scenario) -> set[str]:
    """Dotted paths of the quantities the model reads as whole numbers (fields
    declared with :data:`~libyasim.scenario.quantity.Count`), e.g.
    ``parameters.battle_substeps`` or an election's ``preconditions.months``."""
    from pydantic import BaseModel

    from ..scenario.quantity import Quantity, WholeNumber
    from ..scenario.walk import walk

    out = set()
    parents: dict[tuple, Any] = {}
    for loc, path, value in walk(scenario):
        parents[loc] = value
        if not isinstance(value, Quantity) or not loc:
            continue
        parent = parents.get(loc[:-1])
        if not isinstance(parent, BaseModel):
            continue  # a quantity inside a dict (e.g. interests): never a count
        for name, info in type(parent).model_fields.items():
            if (info.alias or name) == loc[-1]:
                if any(isinstance(m, WholeNumber) for m in info.metadata):
                    out.add(path)
                break
    return out


def points_hash(points: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of the points' JSON (keys sorted): how a batch's points were hashed
    before :class:`Points` (a columnar set hashes its arrays: :meth:`Points.hash`);
    a folder written then still resumes."""
    blob = json.dumps(list(points), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


# --------------------------------------------------------------------------- runs


@dataclass(frozen=True)
class RunSpec:
    """One run to do: which scenario, point and replicate, with which seed."""

    index: int  # position in the batch (stable order)
    run_id: str
    scenario: int  # index into the batch's scenarios
    scenario_id: str
    point: int
    replicate: int
    seed: int
    attempt: int = 1


def run_seed(root_seed: int, point: int, replicate: int) -> int:
    """The seed of run (point, replicate): ``SeedSequence(root, spawn_key=(point, replicate))``.

    63 bits, so it fits a scenario's ``seed`` field and numpy generators.
    """
    ss = np.random.SeedSequence(root_seed, spawn_key=(point, replicate))
    hi, lo = (int(x) for x in ss.generate_state(2, np.uint32))
    return ((hi << 32) | lo) & (2**63 - 1)


def run_id(scenario_id: str, point: int, replicate: int) -> str:
    """Deterministic, readable, sortable: ``baseline_2017.p00003.r00012``."""
    return f"{scenario_id}.p{point:05d}.r{replicate:05d}"


def iter_runs(
    scenario_ids: Sequence[str],
    n_points: int,
    replicates: int,
    root_seed: int,
    common_seeds: bool = False,
) -> Iterator[RunSpec]:
    """Every run of the batch, scenario by scenario, point by point (lazily);
    ``common_seeds``: every point runs point 0's seeds."""
    index = 0
    for si, sid in enumerate(scenario_ids):
        for p in range(n_points):
            sp = 0 if common_seeds else p
            for r in range(replicates):
                yield RunSpec(index, run_id(sid, p, r), si, sid, p, r, run_seed(root_seed, sp, r))
                index += 1


def n_runs(n_scenarios: int, n_points: int, replicates: int) -> int:
    return n_scenarios * n_points * replicates


# --------------------------------------------------------------------------- CLI parsing


def parse_value(text: str, where: str = "--set") -> Any:
    """A --set value as YAML would read it: ``0.3`` → float, ``true`` → bool, else text;
    under a scenario file's limits (size, nesting, aliases): past them, a DesignError."""
    from ..scenario import ScenarioError
    from ..scenario.loader import read_value

    try:
        return read_value(text, where)
    except ScenarioError as exc:
        raise DesignError("; ".join(str(p) for p in exc.problems)) from None


def parse_set(spec: str) -> tuple[str, Any]:
    if "=" not in spec or not spec.split("=", 1)[0].strip():
        raise DesignError(f"--set takes PATH=VALUE (e.g. parameters.raid_rate=0.2); got {spec!r}")
    path, value = spec.split("=", 1)
    return path.strip(), parse_value(value.strip(), f"--set {path.strip()[:80]}")


def parse_sweep(spec: str) -> Sweep:
    if "=" not in spec:
        raise DesignError(
            f"--sweep takes PATH=LO:HI:N (e.g. parameters.raid_rate=0.1:0.5:5); got {spec!r}"
        )
    path, rng = spec.split("=", 1)
    parts = rng.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise DesignError(
            f"--sweep {path}: expected LO:HI:N with numbers and a whole N "
            f"(e.g. 0.1:0.5:5); got {rng!r}"
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise DesignError(f"--sweep {path}: bounds must be finite; got {rng!r}")
    return Sweep(path.strip(), lo, hi, n)
