"""libyasim as an EMA Workbench model (Kwakkel 2017, *Environmental Modelling &
Software* 96): uncertainties, levers and outcomes declared, not coded.

>>> from ema_workbench import perform_experiments                    # doctest: +SKIP
>>> from libyasim import ema
>>> m = ema.model("scenarios/paris_2017.yaml", months=24,
...               levers={"events.paris_ceasefire.enabled": [False, True]})  # doctest: +SKIP
>>> experiments, outcomes = perform_experiments(m, scenarios=200)     # doctest: +SKIP

:func:`model` returns an EMA ``ReplicatorModel`` whose function is
:func:`libyasim.experiment`:

- **names**: EMA needs Python identifiers; a scenario path becomes its column
  name (``parameters.engagement_rate`` → ``parameters__engagement_rate``,
  :mod:`libyasim.batch.columns`) and the parameter's ``variable_name`` keeps
  the path, so the model receives the path itself. ``model.paths`` maps
  one to the other.
- **uncertainties**: by default every number of the scenario that has a
  ``range``; a range of zero width is dropped (listed in ``model.dropped``).
  A number whose value and range are whole numbers spanning at least 2 is an
  ``IntegerParameter``, any other a ``RealParameter``.
- **levers** (and uncertainties given as a mapping): ``(low, high)`` gives a
  real or integer parameter as above; a list of ``True``/``False`` a
  ``BooleanParameter``; any other list a ``CategoricalParameter``
  (``events.<id>.date`` over months). ``None`` takes the range from the
  scenario.
- **outcomes**: an ``ArrayOutcome`` for every name :func:`libyasim.experiment`
  returns (or the ``outcomes`` given), as EMA does for replicated models:
  ``outcomes[name]`` has one row per experiment and one column per
  replication (``.mean(axis=1)`` is a probability for ``end_state__*``).
- **seeds**: replication ``r`` of an experiment runs with
  ``run_seed(root_seed, point, r)`` (libyasim's own, as in batches), where
  ``point`` is a digest of the experiment's parameter values: the seed
  depends on what is run, never on the order, process or evaluator. With
  ``common_random_numbers=True`` every experiment uses ``point = 0``.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

with warnings.catch_warnings():  # EMA warns at import about optional parallel back-ends
    warnings.simplefilter("ignore", UserWarning)
    try:
        from ema_workbench import (
            ArrayOutcome,
            BooleanParameter,
            CategoricalParameter,
            IntegerParameter,
            RealParameter,
            ReplicatorModel,
        )
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "libyasim.ema needs EMA Workbench: pip install -c constraints.txt -e '.[ema]'"
        ) from exc

from .batch.columns import column_name
from .batch.design import run_seed
from .experiment import _scenario, experiment, outcome_names
from .scenario import Scenario

__all__ = ["LibyaEMAModel", "model", "prim_inputs"]

#: what a lever or uncertainty may be given as
Spec = tuple[float, float] | Sequence[Any] | None


class LibyaEMAModel(ReplicatorModel):  # type: ignore[misc]
    """An EMA ``ReplicatorModel`` over :func:`libyasim.experiment`; made by :func:`model`.

    ``paths``: EMA name → scenario path; ``dropped``: uncertainties left out
    because their range has zero width; ``scenario``: the libyasim scenario.
    """

    paths: dict[str, str]
    dropped: list[str]
    scenario: Scenario


class _Run:
    """The function EMA calls (picklable, for EMA's multiprocessing evaluator)."""

    def __init__(
        self, scenario: Scenario, root_seed: int, months: int | None, common: bool
    ) -> None:
        self.scenario, self.root_seed, self.months, self.common = (
            scenario,
            root_seed,
            months,
            common,
        )

    def __call__(self, replicate: int = 0, **values: Any) -> dict[str, float]:
        values = {k: v.item() if isinstance(v, np.generic) else v for k, v in values.items()}
        point = 0 if self.common else _digest(values)
        seed = run_seed(self.root_seed, point, int(replicate))
        return experiment(self.scenario, seed=seed, months=self.months, **values)


def model(
    scenario: Scenario | str | Path,
    uncertainties: Iterable[str] | Mapping[str, Spec] | None = None,
    levers: Iterable[str] | Mapping[str, Spec] | None = None,
    outcomes: Iterable[str] | None = None,
    *,
    replications: int = 1,
    root_seed: int | None = None,
    months: int | None = None,
    common_random_numbers: bool = False,
    name: str | None = None,
) -> LibyaEMAModel:
    """An EMA Workbench ``ReplicatorModel`` of ``scenario`` (see the module docstring).

    ``uncertainties``/``levers``: scenario paths (ranges from the scenario)
    or a mapping path → ``(low, high)``, a list of values, or ``None``.
    A path given as a lever is not also an uncertainty. ``root_seed``
    defaults to the scenario's ``seed``; ``months`` to its length.
    """
    spec = _scenario(scenario)
    if replications < 1:
        raise ValueError(f"The 'replications' parameter must be >= 1. Got {replications} instead.")
    ranges = spec.uncertain()
    lever_specs = _specs(levers, ranges, "levers")
    if uncertainties is None:
        unc_specs: dict[str, Spec] = {p: None for p in ranges if p not in lever_specs}
    else:
        unc_specs = _specs(uncertainties, ranges, "uncertainties")
    paths: dict[str, str] = {}
    dropped: list[str] = []

    def build(specs: Mapping[str, Spec]) -> list[Any]:
        out = []
        for path, given in specs.items():
            param = _parameter(path, ranges[path] if given is None else given, paths)
            if param is None:
                dropped.append(path)
            else:
                out.append(param)
        return out

    m = LibyaEMAModel(
        name or column_name(spec.id),
        function=_Run(
            spec, spec.seed if root_seed is None else int(root_seed), months, common_random_numbers
        ),
    )
    m.uncertainties = build(unc_specs)
    m.levers = build(lever_specs)
    names = list(outcomes) if outcomes is not None else outcome_names(spec)
    m.outcomes = [ArrayOutcome(n) for n in names]
    m.replications = [{"replicate": r} for r in range(replications)]
    m.paths, m.dropped, m.scenario = paths, dropped, spec
    return m


def prim_inputs(experiments: Any, drop: Sequence[str] = ("model", "policy", "scenario")) -> Any:
    """EMA's experiments table as EMA's ``Prim`` accepts it under pandas 3: whole-number
    columns as floats (PRIM writes box limits such as 5.5 into them) and
    True/False columns as categories; EMA's bookkeeping columns dropped.

    >>> box = prim.Prim(ema.prim_inputs(experiments), y).find_box()  # doctest: +SKIP
    """
    import pandas as pd

    x = experiments.drop(columns=[c for c in drop if c in experiments.columns])
    for c in x.columns:
        if pd.api.types.is_bool_dtype(x[c]):
            x[c] = pd.Categorical(x[c].astype(bool))
        elif pd.api.types.is_integer_dtype(x[c]):
            x[c] = x[c].astype(float)
    return x


def _specs(
    given: Iterable[str] | Mapping[str, Spec] | None, ranges: dict[str, Any], what: str
) -> dict[str, Spec]:
    if given is None:
        return {}
    if isinstance(given, str):
        raise TypeError(f"The '{what}' parameter must be a list or mapping of paths, not a string.")
    specs = dict(given) if isinstance(given, Mapping) else dict.fromkeys(given)
    missing = [p for p, s in specs.items() if s is None and p not in ranges]
    if missing:
        raise ValueError(
            f"The '{what}' parameter names {', '.join(map(repr, missing))}, which have no "
            "range in the scenario; give each a (low, high) or a list of values."
        )
    return specs


def _parameter(path: str, spec: Spec, paths: dict[str, str]) -> Any:
    ema_name = column_name(path)
    if ema_name in paths and paths[ema_name] != path:
        raise ValueError(f"{path!r} and {paths[ema_name]!r} both map to the EMA name {ema_name!r}")
    paths[ema_name] = path
    if isinstance(spec, tuple) and len(spec) == 2 and all(_is_number(x) for x in spec):
        lo, hi = float(spec[0]), float(spec[1])
        if lo > hi:
            raise ValueError(f"{path}: low {lo:g} is above high {hi:g}")
        if lo == hi:
            del paths[ema_name]
            return None
        if lo.is_integer() and hi.is_integer() and hi - lo >= 2:
            return IntegerParameter(ema_name, int(lo), int(hi), variable_name=path)
        return RealParameter(ema_name, lo, hi, variable_name=path)
    values = list(spec or [])
    if len(values) < 2:
        raise ValueError(f"{path}: give a (low, high) pair or at least two values; got {spec!r}")
    if all(isinstance(v, bool | np.bool_) for v in values):
        return BooleanParameter(ema_name, variable_name=path)
    return CategoricalParameter(ema_name, values, variable_name=path)


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | np.number) and not isinstance(x, bool) and math.isfinite(x)


def _digest(values: Mapping[str, Any]) -> int:
    """A 32-bit point number from the parameter values (same values, same point)."""
    text = json.dumps(values, sort_keys=True, default=str)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
