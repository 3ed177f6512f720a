"""A kernel's work arrays on its own stack, not on the heap.

``np.empty`` inside a compiled kernel asks numba's runtime for memory
(``malloc`` and a reference-counted record) and gives it back when the array
dies: about 25-40 ns an array. A steady month made about 80 of them, most for a
few numbers (a row of F or S, an F × R matrix). The functions here give the
same array (C-contiguous, the same shape and type, its contents undefined, as
``np.empty``'s are) in memory the kernel reserves on its own stack frame
(LLVM's ``alloca``): nothing to allocate, count or free. The array has no
record, so numba's reference counting skips it, as it skips the views of
:mod:`.args`.

The array lives as long as the call of the kernel that made it, so:

- only for arrays that never leave that call (not returned, not stored in
  anything that outlives it; handing it to a kernel it calls is fine);
- never inside a loop of that kernel: each pass would reserve more stack,
  given back only when the kernel returns (a kernel that makes them may itself
  be called in a loop: its frame is given back at each return);
- only for the model's small arrays (a few thousand numbers at most: a
  thread's stack is a few megabytes).

Under ``NUMBA_DISABLE_JIT=1`` they are ``np.empty``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .jit import disabled


def _stack_array(dtype: Any, ndim: int) -> Any:
    """An intrinsic ``f(d0[, d1[, d2]])``: a C-contiguous ``dtype`` array of that
    shape on the calling kernel's stack."""
    arrty = types.Array(dtype, ndim, "C")

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        shape = [
            context.cast(builder, a, t, types.intp)
            for a, t in zip(args, signature.args, strict=True)
        ]
        count = shape[0]
        for d in shape[1:]:
            count = builder.mul(count, d)
        llty = context.get_data_type(dtype)
        itemsize = context.get_abi_sizeof(llty)
        data = builder.alloca(llty, size=count)
        data.align = 16
        strides: list[Any] = []
        step = context.get_constant(types.intp, itemsize)
        for d in reversed(shape):
            strides.insert(0, step)
            step = builder.mul(step, d)
        ary = context.make_array(arrty)(context, builder)
        context.populate_array(
            ary,
            data=data,
            shape=cgutils.pack_array(builder, shape),
            strides=cgutils.pack_array(builder, strides),
            itemsize=context.get_constant(types.intp, itemsize),
            meminfo=None,
        )
        return ary._getvalue()

    def typed(*dims: Any) -> Any:
        if all(isinstance(d, types.Integer) for d in dims):
            return arrty(*dims), codegen
        return None

    if ndim == 1:

        def one(typingctx: Any, d0: Any) -> Any:
            return typed(d0)

        return intrinsic(one)
    if ndim == 2:

        def two(typingctx: Any, d0: Any, d1: Any) -> Any:
            return typed(d0, d1)

        return intrinsic(two)

    def three(typingctx: Any, d0: Any, d1: Any, d2: Any) -> Any:
        return typed(d0, d1, d2)

    return intrinsic(three)


if disabled():

    def f1(d0: int) -> Any:
        return np.empty(d0)

    def f2(d0: int, d1: int) -> Any:
        return np.empty((d0, d1))

    def i1(d0: int) -> Any:
        return np.empty(d0, dtype=np.int64)

    def b1(d0: int) -> Any:
        return np.empty(d0, dtype=np.bool_)

    def b2(d0: int, d1: int) -> Any:
        return np.empty((d0, d1), dtype=np.bool_)

    def b3(d0: int, d1: int, d2: int) -> Any:
        return np.empty((d0, d1, d2), dtype=np.bool_)

else:
    #: float64 [d0], [d0, d1]; int64 [d0]; bool [d0], [d0, d1], [d0, d1, d2]
    f1 = _stack_array(types.float64, 1)
    f2 = _stack_array(types.float64, 2)
    i1 = _stack_array(types.int64, 1)
    b1 = _stack_array(types.boolean, 1)
    b2 = _stack_array(types.boolean, 2)
    b3 = _stack_array(types.boolean, 3)
