"""Numerics the mechanism modules' kernels share: numpy's own order of summation, and
the model's random stream read from inside a kernel.

- :func:`pairwise` sums a slice in numpy's order (pairwise summation), so that a
  kernel's sums agree with ``np.add.reduce`` to the bit.
- :func:`uniform`, :func:`standard_normal` and :func:`poisson` draw from the model's
  numpy Generator itself, inside a kernel: :func:`stream` gives a kernel the
  addresses of the Generator's bit generator (its ``next_double`` and
  ``next_uint64`` functions and its state, numpy's documented ``ctypes`` interface
  of a bit generator) as integers, and :func:`uniform` calls that C function on
  that state. The draws are therefore the Generator's own (the same
  numbers, and the Generator ends where ``rng.random()`` called as many times would
  leave it), whatever the kernel reads and in whichever order, with no block of draws
  to hand over and no moving the Generator back afterwards. A Generator itself is never
  passed to a kernel (numba unboxes it at 24-35 µs a call); two integers cost nothing.
  :func:`poisson` is numpy's ``random_poisson`` (``Generator.poisson``) written out on
  :func:`uniform`: the multiplication method below a mean of 10, Hörmann's (1993)
  transformed rejection (PTRS) from 10 on, so it reads the stream as numpy does;
  :func:`standard_normal` is numpy's ``random_standard_normal`` (the ziggurat of
  ``Generator.standard_normal``) on the bit generator's ``next_uint64``, with the
  ziggurat's tables as numba ships them (numpy's, tested draw for draw).
  Under ``NUMBA_DISABLE_JIT=1`` the same C functions are called through
  :mod:`ctypes`.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

import numpy as np
from numba.np.random._constants import fi_double as _FI
from numba.np.random._constants import ki_double as _KI
from numba.np.random._constants import wi_double as _WI
from numba.np.random._constants import ziggurat_nor_inv_r as _NOR_INV_R
from numba.np.random._constants import ziggurat_nor_r as _NOR_R

from .jit import disabled, kernel

# ---------------------------------------------------------------- summation


@kernel
def pairwise(a: np.ndarray, lo: int, n: int) -> float:
    """Σ a[lo:lo + n] in numpy's order (pairwise summation: eight accumulators over
    blocks of at most 128, halves above), so that the sums agree with numpy's to the
    bit. (Iterative: numba cannot reload a recursive function from its cache.)"""
    if n <= 128:
        return _block(a, lo, n)
    # post-order walk of numpy's recursion: (lo, n, stage) on a stack, partial sums on another
    los, ns, stage = np.empty(64, np.int64), np.empty(64, np.int64), np.zeros(64, np.int64)
    vals = np.empty(64)
    top, nv = 0, 0
    los[0], ns[0] = lo, n
    while top >= 0:
        lo_t, n_t = los[top], ns[top]
        if n_t <= 128:
            vals[nv] = _block(a, lo_t, n_t)
            nv += 1
            top -= 1
        elif stage[top] == 0:  # push the left half, then the right
            n2 = n_t // 2
            n2 -= n2 % 8
            stage[top] = 1
            los[top + 1], ns[top + 1], stage[top + 1] = lo_t + n2, n_t - n2, 0
            los[top + 2], ns[top + 2], stage[top + 2] = lo_t, n2, 0
            top += 2
        else:  # both halves done: left + right
            vals[nv - 2] = vals[nv - 2] + vals[nv - 1]
            nv -= 1
            top -= 1
    return vals[0]


@kernel
def _block(a: np.ndarray, lo: int, n: int) -> float:
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@kernel
def sync(g: np.ndarray, strength: np.ndarray) -> None:
    """Garrisons clipped at 0 (in place); ``strength[f]`` (in place) the sum of row f
    in numpy's order (:func:`pairwise`): the model's ``sync_strength``."""
    F, R = g.shape
    for f in range(F):
        for r in range(R):
            if g[f, r] < 0.0:
                g[f, r] = 0.0
        strength[f] = 0.0 + pairwise(g[f], 0, R)


# ---------------------------------------------------------------- the random stream


def stream(rng: np.random.Generator) -> np.ndarray:
    """The addresses a kernel reads ``rng``'s stream through: int64 ``[next_double,
    state, next_uint64]`` of its bit generator (:func:`uniform` and :func:`poisson`
    read the first two). Valid while ``rng`` lives: keep a reference to it with the
    array (see :func:`model_stream`)."""
    # numpy's bitgen_t, from the bit generator's capsule (its ``ctypes`` view holds the
    # same addresses, but takes about 10 µs to make): {state, next_uint64, next_uint32,
    # next_double, next_raw}
    w = _BITGEN.from_address(_capsule_pointer(rng.bit_generator.capsule, b"BitGenerator"))
    return np.array([w[3], w[0], w[1]], dtype=np.int64)


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
_BITGEN = ctypes.c_int64 * 5  # numpy's bitgen_t: five pointers


def model_stream(m: Any) -> np.ndarray:
    """:func:`stream` of the model's Generator ``m.rng``, made once and remade if
    ``m.rng`` is replaced (the array holds the Generator it reads, so its addresses
    stay valid)."""
    held = m.__dict__.get("_stream")
    rng = m.rng
    if held is None or held[0] is not rng:
        held = m.__dict__["_stream"] = (rng, stream(rng))
    return held[1]


_DOUBLE = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_void_p)
_UINT64 = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)
_calls: dict[tuple[int, Any], Any] = {}


def _python_call(kind: Any) -> Any:
    """``fn(state)`` of C type ``kind`` through :mod:`ctypes` (kernels run as Python)."""

    def call(fn: int, state: int) -> Any:
        c = _calls.get((int(fn), kind))
        if c is None:
            c = _calls[(int(fn), kind)] = kind(int(fn))
        return c(int(state))

    return call


def _compiled_call(bits: int) -> Any:
    """A numba intrinsic: ``double`` (``bits`` 0) or ``uint64_t`` (64) ``fn(void *state)``
    called at address ``fn`` (the addresses come in at run time, so the cached code
    stays valid)."""
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    result = types.float64 if bits == 0 else types.uint64

    @intrinsic
    def call(typingctx: Any, fn: Any, state: Any) -> Any:
        sig = result(types.intp, types.intp)

        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            void_p = ir.IntType(8).as_pointer()
            ret = ir.DoubleType() if bits == 0 else ir.IntType(64)
            fnty = ir.FunctionType(ret, [void_p])
            f = builder.inttoptr(args[0], fnty.as_pointer())
            return builder.call(f, [builder.inttoptr(args[1], void_p)])

        return sig, codegen

    return call


_next_double: Any = _python_call(_DOUBLE) if disabled() else _compiled_call(0)
_next_uint64: Any = _python_call(_UINT64) if disabled() else _compiled_call(64)


@kernel
def uniform(bits: np.ndarray) -> float:
    """The Generator's next ``random()`` (a double in [0, 1)); ``bits`` from :func:`stream`."""
    return _next_double(bits[0], bits[1])


@kernel
def standard_normal(bits: np.ndarray) -> float:
    """The Generator's next ``standard_normal()``: numpy's ``random_standard_normal``
    (the 256-layer ziggurat, numpy's tables as numba ships them) on the bit
    generator's ``next_uint64`` and ``next_double``; ``bits`` from :func:`stream`."""
    while True:
        r = _next_uint64(bits[2], bits[1])
        idx = r & 0xFF
        r >>= 8
        sign = r & 0x1
        rabs = (r >> 1) & 0x000FFFFFFFFFFFFF
        x = rabs * _WI[idx]
        if sign & 0x1:
            x = -x
        if rabs < _KI[idx]:
            return x  # 99.3% of the draws
        if idx == 0:
            while True:
                xx = -_NOR_INV_R * math.log1p(-_next_double(bits[0], bits[1]))
                yy = -math.log1p(-_next_double(bits[0], bits[1]))
                if yy + yy > xx * xx:
                    return -(_NOR_R + xx) if (rabs >> 8) & 0x1 else _NOR_R + xx
        elif (_FI[idx - 1] - _FI[idx]) * _next_double(bits[0], bits[1]) + _FI[idx] < math.exp(
            -0.5 * x * x
        ):
            return x


@kernel
def loggam(x: float) -> float:
    """log Γ(x) as numpy's ``random_loggam`` computes it (the Poisson draw's acceptance test)."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = int(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = -1.39243221690590e00
    gl0 = gl0 * x2 + 1.796443723688307e-01
    gl0 = gl0 * x2 - 2.955065359477124e-02
    gl0 = gl0 * x2 + 6.410256410256410e-03
    gl0 = gl0 * x2 - 1.917526917526918e-03
    gl0 = gl0 * x2 + 8.417508417508418e-04
    gl0 = gl0 * x2 - 5.952380952380952e-04
    gl0 = gl0 * x2 + 7.936507936507937e-04
    gl0 = gl0 * x2 - 2.777777777777778e-03
    gl0 = gl0 * x2 + 8.333333333333333e-02
    gl = gl0 / x0 + 0.5 * 1.8378770664093453e00 + (x0 - 0.5) * math.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= math.log(x0 - 1.0)
            x0 -= 1.0
    return gl


@kernel
def poisson(bits: np.ndarray, lam: float) -> int:
    """The Generator's next ``poisson(lam)``: numpy's ``random_poisson`` on
    :func:`uniform` (multiplication method below 10, PTRS from 10 on)."""
    if lam >= 10.0:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform(bits) - 0.5
            v = uniform(bits)
            us = 0.5 - abs(u)
            if us <= 0.0:  # u = -0.5: k is -inf, numpy rejects it (k < 0)
                continue
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            # log(V) of V = 0 is -inf here, as in numpy (an acceptance)
            lv = math.log(v) if v > 0.0 else -math.inf
            if lv + math.log(invalpha) - math.log(a / (us * us) + b) <= (
                -lam + k * loglam - loggam(k + 1.0)
            ):
                return k
    if lam == 0.0:
        return 0
    enlam = math.exp(-lam)
    x = 0
    prod = 1.0
    while True:
        prod *= uniform(bits)
        if prod > enlam:
            x += 1
        else:
            return x
