"""Kernel-side numerics (libyasim.model.numeric): the model's random stream read inside a
kernel is numpy's own (uniforms, standard normals and Poisson draws, and the Generator's
state after them),
compiled and as plain Python (NUMBA_DISABLE_JIT=1, in a subprocess since numba reads the
variable when it is imported); sums are numpy's to the bit."""

from __future__ import annotations

import ctypes
import os
import pickle
import subprocess
import sys
import types

import numba
import numpy as np
import pytest
from paths import REPO

from libyasim.model import numeric

#: means below numpy's switch at 10 (multiplication method) and from it on (PTRS)
LAMS = (0.0, 0.4, 1.0, 4.0, 9.99, 10.0, 12.5, 40.0, 1000.0)
UNIFORM, NORMAL = -1.0, -2.0  # (in place of a mean) the draws are uniforms, standard normals
SEEDS = (0, 1, 7)


@numba.njit
def _draw(bits: np.ndarray, lam: float, out: np.ndarray) -> None:
    for i in range(out.shape[0]):
        if lam == NORMAL:
            out[i] = numeric.standard_normal(bits)
        else:
            out[i] = numeric.poisson(bits, lam) if lam >= 0 else numeric.uniform(bits)


def _streams(n: int) -> dict[tuple[int, float], tuple[np.ndarray, dict, float]]:
    """For each seed and mean: the kernel's ``n`` draws (uniforms where the mean is
    :data:`UNIFORM`, standard normals where it is :data:`NORMAL`), the Generator's state
    after them and its next uniform."""
    out = {}
    for seed in SEEDS:
        for lam in (NORMAL, UNIFORM, *LAMS):
            rng = np.random.default_rng(seed)
            draws = np.empty(n, dtype=float if lam < 0 else np.int64)
            _draw(numeric.stream(rng), lam, draws)
            out[seed, lam] = (draws, rng.bit_generator.state, rng.random())
    return out


def _numpy(n: int) -> dict[tuple[int, float], tuple[np.ndarray, dict, float]]:
    out = {}
    for seed in SEEDS:
        for lam in (NORMAL, UNIFORM, *LAMS):
            rng = np.random.default_rng(seed)
            if lam == NORMAL:
                draws = rng.standard_normal(n)
            else:
                draws = rng.random(n) if lam < 0 else rng.poisson(lam, n)
            out[seed, lam] = (draws, rng.bit_generator.state, rng.random())
    return out


def _assert_same(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for key, (draws, state, after) in ours.items():
        ref, ref_state, ref_after = theirs[key]
        assert np.array_equal(draws, ref), key
        assert draws.dtype == ref.dtype, key
        assert state == ref_state, key
        assert after == ref_after, key


def test_kernel_draws_are_the_generators_own():
    _assert_same(_streams(3000), _numpy(3000))


def test_kernel_normals_are_the_generators_own_in_the_ziggurats_rare_branches():
    """Enough draws that the ziggurat's wedges (~0.7% of draws) and its tail (layer 0)
    are taken many times: the same numbers, and the Generator left where numpy leaves it."""
    rng, ref = np.random.default_rng(11), np.random.default_rng(11)
    draws = np.empty(300_000)
    _draw(numeric.stream(rng), NORMAL, draws)
    expected = ref.standard_normal(draws.size)
    assert np.array_equal(draws, expected)
    assert (np.abs(expected) > 3.6541528853610088).sum() > 20  # the tail, beyond layer 0's edge
    assert rng.bit_generator.state == ref.bit_generator.state


_PYTHON_SIDE = """
import pickle, sys
sys.path.insert(0, sys.argv[1])
from libyasim.model import jit
assert jit.disabled(), "NUMBA_DISABLE_JIT did not reach numba"
import test_numeric
sys.stdout.buffer.write(pickle.dumps(test_numeric._streams(int(sys.argv[2]))))
"""


@pytest.mark.slow
def test_python_draws_are_the_generators_own():
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", _PYTHON_SIDE, str(REPO / "tests"), "400"],
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    _assert_same(pickle.loads(proc.stdout), _numpy(400))


def test_model_stream_follows_a_replaced_generator():
    m = types.SimpleNamespace(rng=np.random.default_rng(3))
    first = numeric.model_stream(m)
    assert numeric.model_stream(m) is first
    m.rng = np.random.default_rng(3)
    again = numeric.model_stream(m)
    assert again is not first and again[1] != first[1]
    twin = np.random.default_rng(3)
    assert numeric.uniform(again) == twin.random()


@pytest.mark.parametrize("bits", [np.random.PCG64, np.random.Philox, np.random.SFC64])
def test_stream_is_the_bit_generators_own_addresses(bits):
    """The addresses read from the bit generator's capsule are those its ctypes view
    gives (next_double, state, next_uint64), and they draw its numbers."""
    rng = np.random.Generator(bits(7))
    c = rng.bit_generator.ctypes
    expect = [
        ctypes.cast(c.next_double, ctypes.c_void_p).value,
        c.state_address,
        ctypes.cast(c.next_uint64, ctypes.c_void_p).value,
    ]
    assert numeric.stream(rng).tolist() == expect
    twin = np.random.Generator(bits(7))
    assert [numeric.uniform(numeric.stream(rng)) for _ in range(3)] == twin.random(3).tolist()


@pytest.mark.parametrize("n", [0, 5, 8, 13, 127, 128, 129, 1000, 4099])
def test_pairwise_sums_as_numpy_does(n):
    rng = np.random.default_rng(n)
    a = rng.normal(size=n + 3) * rng.lognormal(0.0, 8.0, size=n + 3)  # wide magnitudes
    assert numeric.pairwise(a, 3, n) == np.add.reduce(a[3:])
