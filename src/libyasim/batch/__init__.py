"""Ensembles and sweeps: many runs of the model, on one machine or a Dask cluster.

>>> from libyasim.batch import Design, run_batch, load_runs  # doctest: +SKIP
>>> run_batch(["scenarios/baseline_2017.yaml"], "out/ens", Design(replicates=100, root_seed=1))
>>> load_runs("out/ens").end_state.value_counts()

See docs/batch.md. The public API: :class:`Design`, :func:`run_batch`,
:func:`plan_batch`, :func:`load_runs`, :func:`load_series`,
:func:`load_events`, :func:`run_seed`, :func:`run_id`.
"""

from .design import Design, DesignError, RunSpec, Sweep, run_id, run_seed
from .engine import BatchError, BatchInterrupted, BatchResult, plan_batch, run_batch
from .store import BatchStore, StoreError, load_events, load_runs, load_series

__all__ = [
    "BatchError",
    "BatchInterrupted",
    "BatchResult",
    "BatchStore",
    "Design",
    "DesignError",
    "RunSpec",
    "StoreError",
    "Sweep",
    "load_events",
    "load_runs",
    "load_series",
    "plan_batch",
    "run_batch",
    "run_id",
    "run_seed",
]
