"""The compiled month kernel: how the mechanism modules compile their arithmetic.

Each mechanism module (:mod:`.support`, :mod:`.politics`, ...) keeps its name
and holds its monthly arithmetic as plain functions decorated with
:func:`kernel` (numba's ``njit``): they take the model's arrays and write into
them **in place**, so the Mesa agents and the DataCollector, which read those
arrays, stay views. Events and anything with Python objects stay in Python
between kernel calls; the event log is arrays (:mod:`.eventlog`) that kernels
append to. Random numbers are the model's numpy Generator's: a kernel either
reads the Generator's own stream through its bit generator's C interface
(:mod:`.numeric`: ``uniform``, ``standard_normal``, ``poisson``; the conflict
month, and the one-call month's draws for the sponsors' utilities and the
offensive decisions), or is handed draws made in Python just before the call
(``rng.random(F)``, ``rng.standard_normal(out=...)`` when a month runs module by
module), so the streams are numpy's, whatever the executor. A Generator itself is never passed
to a kernel (numba unboxes it at 24-35 µs a call).

- **One call a month.** :mod:`.month` calls the modules' month kernels from one
  kernel, stopping only where Python must decide (a sponsor's rescue, a
  ceasefire's questions) and resuming there; its draws are the Generator's
  own, made inside (:func:`.numeric.standard_normal`, :func:`.numeric.uniform`).
  A month with red lines runs module by module; both give the same runs.
- **Arguments.** Unboxing an array argument costs a kernel call ~0.2-0.3 µs;
  the month's kernels take the model's long-lived arrays as one table of
  addresses instead (:mod:`.args`), and what a month may replace (tables that
  grow, the event log's buffers) as a table read again at each call.
- **Work arrays.** A kernel's own temporaries (a row of F, an F x R matrix)
  live on its stack (:mod:`.work`: ``alloca``), not on the heap: an array from
  ``np.empty`` costs a runtime record, ``malloc`` and ``free`` (25-40 ns), and a
  steady month made about 80 of them; it now makes 5.
- **Cache.** Compiled code is cached on disk (``cache=True``) in one directory
  per module and version of its source: ``kernels-<module>-<hash>``, the hash of
  the module's source and of every model module it imports from
  (:func:`source_hash`); under ``__pycache__`` next to the source when that is
  writable (an editable install, as ``make setup`` makes), else under the user's
  cache (``~/.cache/libyasim`` on Linux), or under ``$NUMBA_CACHE_DIR/libyasim``
  when that is set. A change to a module therefore recompiles its kernels and
  those of every module that imports from it, so a kernel may call the kernels
  of a module it imports (numba itself would notice a change to the caller's
  file only). ``make run`` / ``make test`` warm the cache (``python -m
  libyasim.model.jit``), so a worker process loads compiled code instead of
  compiling it; the warm-up keeps each module's newest two directories and
  removes older ones.
- **Debugging and coverage.** ``NUMBA_DISABLE_JIT=1`` runs every kernel as
  the plain Python it is written in, with the same results (tested); kernels
  therefore guard their divisions (Python floats raise on ``1/0``) and use
  only what both numba and Python accept.
- **Caveats.** A recursive kernel compiles and runs, but crashes the next
  process that loads it from the cache (segmentation fault, numba 0.68): no recursion in kernels.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numba
import numpy as np

_MODEL = Path(__file__).resolve().parent
# ``from .x import ...`` (group 1: x) or ``from . import x, y`` / ``(x, y)`` (groups 2, 3)
_IMPORT = re.compile(r"^from \.(\w*) import (?:\(([^)]*)\)|([^\n]*))", re.MULTILINE)
_hashes: dict[str, str] = {}


def source_hash(module: str) -> str:
    """12 hex digits of the SHA-1 of a model module's source and of every model
    module it imports from, transitively (``from .x import``, ``from . import x``):
    the version of that module's compiled kernels."""
    hit = _hashes.get(module)
    if hit is not None:
        return hit
    seen: list[str] = []
    todo = [module]
    while todo:
        name = todo.pop()
        path = _MODEL / f"{name}.py"
        if name in seen or not path.is_file():
            continue
        seen.append(name)
        todo.extend(_imports(path.read_text(encoding="utf-8")))
    h = hashlib.sha1()
    for name in sorted(seen):
        h.update(name.encode())
        h.update((_MODEL / f"{name}.py").read_bytes())
    _hashes[module] = h.hexdigest()[:12]
    return _hashes[module]


def _imports(source: str) -> list[str]:
    """The model modules a module's source imports from (``from .x import`` and
    ``from . import x, y``)."""
    out = []
    for module, wrapped, names in _IMPORT.findall(source):
        if module:
            out.append(module)
        else:
            text = re.sub(r"#[^\n]*", "", wrapped or names)
            out += [n.split()[0] for n in text.split(",") if n.strip()]
    return out


def cache_root() -> Path:
    """Where the directories of compiled kernels live (see the module docstring)."""
    env = os.environ.get("NUMBA_CACHE_DIR")
    if env:
        return Path(env) / "libyasim"
    here = _MODEL / "__pycache__"
    try:
        here.mkdir(exist_ok=True)
        if os.access(here, os.W_OK):
            return here
    except OSError:
        pass
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "libyasim"


CACHE_ROOT = cache_root()


def cache_dir(module: str) -> Path:
    """The directory of one model module's compiled kernels: ``kernels-<module>-<hash>``."""
    return CACHE_ROOT / f"kernels-{module}-{source_hash(module)}"


def prune(keep: int = 2) -> list[Path]:
    """Remove, for each module, all but the newest ``keep`` directories of its compiled
    kernels (never the current one); returns those removed."""
    old: list[Path] = []
    by_module: dict[str, list[Path]] = {}
    for d in CACHE_ROOT.glob("kernels-*-*"):
        by_module.setdefault(d.name.rsplit("-", 1)[0], []).append(d)
    for prefix, dirs in by_module.items():
        current = cache_dir(prefix.removeprefix("kernels-"))
        dirs.sort(key=lambda p: p.stat().st_mtime)
        old += [d for d in dirs[: max(len(dirs) - keep, 0)] if d != current]
    for d in old:
        shutil.rmtree(d, ignore_errors=True)
    return old


def kernel[F: Callable[..., Any]](fn: F) -> F:
    """Compile ``fn`` with numba (``njit``, cached on disk in its module's directory,
    :func:`cache_dir`; numpy's float semantics for division by zero); under
    ``NUMBA_DISABLE_JIT=1`` it stays Python."""
    module = fn.__module__.rsplit(".", 1)[-1]
    saved = numba.config.CACHE_DIR  # type: ignore[attr-defined]
    numba.config.CACHE_DIR = str(cache_dir(module))  # type: ignore[attr-defined]
    try:  # numba picks the cache's directory when the dispatcher is made
        return cast(F, numba.njit(cache=True, error_model="numpy")(fn))
    finally:
        numba.config.CACHE_DIR = saved  # type: ignore[attr-defined]


class Coefficients(SimpleNamespace):
    """The scenario's coefficients by name (``model.p.engagement_rate``), and, for
    the kernels, any subset of them as one float array (:meth:`array`: a kernel
    takes an array faster than a tuple) kept equal to the attributes: assigning
    ``model.p.x = v`` also updates every array that holds ``x``."""

    __slots__ = ("_arrays",)

    def __init__(self, **values: float) -> None:
        super().__init__(**values)
        object.__setattr__(self, "_arrays", {})

    def array(self, names: tuple[str, ...]) -> np.ndarray:
        """``[getattr(self, n) for n in names]`` as a float array, the same array
        each time (a module builds it once, with its own tuple of names)."""
        a = self._arrays.get(names)
        if a is None:
            a = self._arrays[names] = np.array([float(getattr(self, n)) for n in names])
        return a

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        for names, a in self._arrays.items():
            if name in names:
                a[names.index(name)] = float(value)


def disabled() -> bool:
    """True when ``NUMBA_DISABLE_JIT`` is set (kernels run as Python)."""
    return bool(numba.config.DISABLE_JIT)  # type: ignore[attr-defined]


def warm(months: int | None = None) -> None:
    """Compile (or load from the cache) every kernel: a run of each shipped scenario
    (their events call the kernels of rarer paths), then the public wrappers that
    tests and notebooks call on their own."""
    from ..scenario import load_scenario
    from . import politics, support
    from .model import LibyaModel

    root = Path(__file__).resolve().parents[3] / "scenarios"
    files = sorted(root.glob("*.yaml")) if root.is_dir() else []
    m = None
    for path in files:
        m = LibyaModel(load_scenario(path), rng=0, months=months)
        while m.running:
            m.step()
    if m is None:
        return
    support.scores(m)
    support.candidates(m)
    support.portfolio(np.array([[0.5, -0.2, 0.9]]))
    support._committed(m, support._weights(m))
    politics.condorcet(np.array([[0.5, 0.7], [0.3, 0.5]]))
    politics.power_shares(m)


#: end-of-run arrays compared by :func:`differences` (besides the series and the event log)
STATE = (
    "garrison", "control", "strength", "resources", "legitimacy", "popularity", "loyalty",
    "allocation", "flows", "budget", "positions", "settlement", "prevail", "power_share",
    "hostility", "alliance", "death_share", "ct_return",
)  # fmt: skip


def fingerprint(path: str | Path, seed: int, months: int | None = None) -> dict[str, Any]:
    """What two engines must agree on for one run: the event log (records as tuples),
    the recorded series table and the end state's arrays (:data:`STATE`)."""
    from ..scenario import load_scenario
    from .model import LibyaModel

    m = LibyaModel(load_scenario(path), rng=seed, months=months)
    while m.running:
        m.step()
    out: dict[str, Any] = {
        "events": [tuple(rec.values()) for rec in m.event_log],
        "series": m.recorder.table[: len(m.recorder.steps)].copy(),
    }
    for name in STATE:
        x = getattr(m, name, None)
        if x is not None:
            out[name] = np.array(x, dtype=float)
    return out


def differences(a: dict[str, Any], b: dict[str, Any], rtol: float = 1e-12) -> list[str]:
    """Where two fingerprints disagree: any event record, or an array element whose
    difference exceeds ``rtol`` × the larger magnitude of that array (its scale)."""
    out = []
    if a["events"] != b["events"]:
        k = next(
            (i for i, (x, y) in enumerate(zip(a["events"], b["events"], strict=False)) if x != y),
            min(len(a["events"]), len(b["events"])),
        )
        ea = a["events"][k] if k < len(a["events"]) else None
        eb = b["events"][k] if k < len(b["events"]) else None
        out.append(f"event log differs at record {k}: {ea} vs {eb}")
    for name in sorted(set(a) - {"events"}):
        x, y = a[name], b.get(name)
        if y is None:
            out.append(f"{name}: missing")
            continue
        if np.shape(x) != np.shape(y):
            out.append(f"{name}: shape {np.shape(x)} vs {np.shape(y)}")
            continue
        scale = max(float(np.max(np.abs(x), initial=0.0)), float(np.max(np.abs(y), initial=0.0)))
        err = float(np.max(np.abs(x - y), initial=0.0))
        if err > rtol * scale:
            out.append(f"{name}: relative difference {err / scale:.3g} (> {rtol:g})")
    return out


def max_relative(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The largest difference between two fingerprints' arrays, relative to each array's scale."""
    worst = 0.0
    for name in set(a) - {"events"}:
        x, y = a[name], b.get(name)
        if y is None or np.shape(x) != np.shape(y):
            return float("inf")
        scale = max(float(np.max(np.abs(x), initial=0.0)), float(np.max(np.abs(y), initial=0.0)))
        if scale > 0:
            worst = max(worst, float(np.max(np.abs(x - y))) / scale)
    return worst


def main(argv: list[str] | None = None) -> int:
    """``python -m libyasim.model.jit``: warm the compiled-code cache; ``--dump FILE``
    fingerprints the shipped scenarios (seeds 1-5) into FILE (pickle); ``--compare A B``
    reports where two dumps differ (e.g. the numpy engine and the kernel)."""
    import argparse
    import pickle
    import time

    ap = argparse.ArgumentParser(prog="python -m libyasim.model.jit", description=main.__doc__)
    ap.add_argument("--dump", metavar="FILE")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--months", type=int, default=None)
    args = ap.parse_args(argv)
    if args.compare:
        a, b = (pickle.loads(Path(f).read_bytes()) for f in args.compare)
        bad = 0
        worst = 0.0
        for key in sorted(a):
            if key not in b:
                print(f"{key}: missing from {args.compare[1]}")
                bad += 1
                continue
            problems = differences(a[key], b[key])
            worst = max(worst, max_relative(a[key], b[key]))
            bad += bool(problems)
            for line in problems:
                print(f"{key}: {line}")
        print(f"{len(a)} runs compared, {bad} differ; largest relative difference {worst:.3g}")
        return 1 if bad else 0
    t0 = time.perf_counter()
    if args.dump:
        root = Path(__file__).resolve().parents[3] / "scenarios"
        runs = {
            f"{path.stem}/seed{seed}": fingerprint(path, seed, args.months)
            for path in sorted(root.glob("*.yaml"))
            for seed in range(1, args.seeds + 1)
        }
        Path(args.dump).write_bytes(pickle.dumps(runs))
        print(
            f"{len(runs)} runs fingerprinted into {args.dump} in {time.perf_counter() - t0:.1f} s"
        )
        return 0
    warm()
    prune()
    where = "disabled (NUMBA_DISABLE_JIT)" if disabled() else "compiled or loaded from cache"
    print(f"libyasim kernels {where} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
