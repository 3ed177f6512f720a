"""The month's arithmetic in one kernel call, stopping only where Python must decide.

:meth:`LibyaModel.step <.model.LibyaModel.step>` runs the mechanism modules in
the order of DESIGN.md §3: the month's tallies reset, scheduled events, sponsors'
support (:func:`.support.exchange`), the economy (:func:`.forces.economy`),
forces (:func:`.forces.step`), skirmishes and raids (:func:`.conflict.step`),
politics (:func:`.politics.step`), the events' monthly updates, the series row.
Each module's month is one kernel already; called one by one from Python, each
call costs its dispatch (its arguments' types checked and unboxed) and the
Python around it (room in the log, the month's random draws, the tables of
arrays): about a third of a steady month.

:func:`run` makes the same calls from one kernel (:func:`_month_p`), with the
same arguments, in the same order, on the same arrays: the results are the
module-by-module month's, bit for bit (``tests/test_month.py`` compares the
two on every shipped scenario). Python still does, around the call, what the
modules' Python does around theirs, in the same order relative to the
arithmetic:

- before each call: room in the event log for every row the stages may append
  (writing first the records logged from Python: without red lines no stage
  before the forces appends a row), the ceasefires' matrix of bound pairs (as
  each module's call takes it), and, once a month, the conflict's random stream;
- inside, the draws the modules' Python makes (the sponsors' standard normals
  first, the forces' F uniforms after the economy) are the kernel's, from the
  model's Generator itself (:func:`.numeric.standard_normal`,
  :func:`.numeric.uniform`: numpy's own algorithms on its bit generator, the
  same numbers in the same order);
- where a stage stops for Python, as it does alone, the kernel returns
  (``out[OUT_STOP]``) and :func:`run` answers and calls it again at that stage:
  a sponsor entering to rescue a client (:data:`RESCUE`; the support stage
  resumes), a ceasefire's question to the forces (:data:`ASKED_FORCES`: does the
  bound attacker defect?) or to the skirmishes (:data:`ASKED_CONFLICT`: if it
  defects, the battle is fought in Python, and the skirmishes resume at the
  next pair). The notes of the forces' records are written after every call,
  before any answer, as after each of the forces' own calls;
- after: the threat, the positions moved.

Red lines keep a month module by module (:func:`fused`): the deterrence the
forces weigh is made from the support stage's results between the two calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import conflict, forces, outcomes, politics, support
from .args import b2, current, f1, f2, i1, i2, table, table_of
from .jit import kernel
from .numeric import model_stream, standard_normal, uniform

if TYPE_CHECKING:
    from .model import LibyaModel

#: :func:`_month_p`'s results (``out``): why it returned, the positions moved, the
#: pair the skirmishes stopped at
OUT_STOP, OUT_MOVES, OUT_AT = 0, 1, 2
#: why :func:`_month_p` returned: the month done, a sponsor to enter, a question
DONE, RESCUE, ASKED_FORCES, ASKED_CONFLICT = 0, 1, 2, 3
#: where :func:`_month_p` starts: the month's start, or resuming a stage
START, SUPPORT, FORCES, CONFLICT = 0, 1, 2, 3

#: :func:`_reset`'s arrays (the model's, by attribute name) in the slots of its table
#: (:mod:`.args`), for :func:`_reset_p`
RESET = (
    "region_deaths", "jihadist_attack_deaths", "involved", "losses", "jihadist_losses_by",
    "pair_deaths", "attacked", "tally",
)  # fmt: skip
_TALLY = 7  # the slot of "tally" in RESET
_WORK = 2  # the slot of "conflict_work" in conflict._MONTH
_CTL = 2  # the slot of "forces_ctl" in forces._STEP
#: the arrays :func:`_month_p` takes as one table read again at each call
#: (:func:`.args.current`: the model may replace them between calls, as the event
#: log and the offensives' tables grow), by attribute path, in the slots it reads
ARGS = (
    "red_table", "iv_table", "logbook.codes", "logbook.values", "logbook.used", "support_z",
    "month_draws", "off_i", "off_f", "no_deterrence", "off_fix", "recorder.table", "month_out",
)  # fmt: skip
#: the tables :func:`_month_p` takes, in its order
_TABLES = (
    RESET, support._EXCHANGE, forces._ECONOMY, forces._STEP, conflict._MONTH, politics._MONTH,
    outcomes._RECORD,
)  # fmt: skip


@kernel
def _reset_p(t: np.ndarray) -> None:
    """:func:`_reset` on the arrays of the table ``t`` (:data:`RESET`)."""
    _reset(f1(t, 0), f1(t, 1), b2(t, 2), f1(t, 3), f1(t, 4), f2(t, 5), b2(t, 6), f1(t, 7))


@kernel
def _reset(region_deaths: np.ndarray, jihadist_attack_deaths: np.ndarray, involved: np.ndarray,
           losses: np.ndarray, jihadist_losses_by: np.ndarray, pair_deaths: np.ndarray,
           attacked: np.ndarray, tally: np.ndarray) -> None:  # fmt: skip
    """The month's tallies back to zero (in place; the battles count runs on)."""
    tally[0] = tally[1] = 0.0
    region_deaths[:] = 0.0
    jihadist_attack_deaths[:] = 0.0
    involved[:, :] = False
    losses[:] = 0.0
    jihadist_losses_by[:] = 0.0
    pair_deaths[:, :] = 0.0
    attacked[:, :] = False


def reset(m: LibyaModel) -> None:
    """The month's tallies back to zero (:func:`_reset`)."""
    _reset_p(table(m, RESET))


def fused(m: LibyaModel) -> bool:
    """Can this month run as one kernel call (no red lines)?"""
    return not m.red_lines


def run(m: LibyaModel, reset_first: bool, record: bool) -> None:
    """Steps 2-5 of the month in one kernel call (:func:`_month_p`; the tallies reset
    first if ``reset_first``, the series row recorded last if ``record``: not when
    events update after politics), with the Python the modules do around their own
    calls, and their answers where a stage stops (see the module docstring). Only for
    a month that is :func:`fused`."""
    bits = model_stream(m)  # the month's draws are the model's Generator's
    conflict.follow_stream(m)
    rec = m.recorder
    row = rec.room() if record else -1
    out = m.month_out
    stage, at = START, -1
    tables = table_of(m, _TABLES)
    while True:
        forces._reserve(m, m.F, forces.records(m) + m.conflict_rows)
        _month_p(tables, current(m, ARGS), stage, reset_first, m.steps, m.threat, bits,
                 m.ceasefire_matrix(), at, m.steps == 0, row, m.I)  # fmt: skip
        stop = out.item(OUT_STOP)
        if stop == RESCUE:  # a sponsor enters (Python's), then support resumes
            support._rescue(m)
            stage = SUPPORT
            continue
        if m.forces_ctl.item(forces.C_FIXN):
            forces._fix_notes(m)
        if stop == ASKED_FORCES:  # does the bound attacker defect? the forces resume
            forces.answer(m)
            stage = FORCES
            continue
        m.threat = m.conflict_work.item(conflict.W_THREAT)
        if stop == ASKED_CONFLICT:  # if the bound side defects it fights; the next pair
            conflict.answer(m)
            stage, at = CONFLICT, out.item(OUT_AT) + 1
            continue
        break
    m.position_moves += out.item(OUT_MOVES)
    if record:
        rec.steps.append(m.steps)


@kernel
def _month_p(tables: np.ndarray, a: np.ndarray, stage: int, reset_first: bool, step: int,
             threat: float, bits: np.ndarray, bind: np.ndarray, at: int, start: bool, row: int,
             n_issues: int) -> None:  # fmt: skip
    """The month from ``stage`` (:data:`START`, or resuming :data:`SUPPORT`,
    :data:`FORCES`, or :data:`CONFLICT` at pair ``at``): the draws the modules'
    Python makes (``z``, the sponsors' standard normals, then ``draws``, the
    forces' F uniforms, from the model's Generator through ``bits``:
    :func:`.numeric.stream`), each module's kernel on its table (:mod:`.args`), as
    each module's Python calls it, in the model's order; ``out[OUT_STOP]`` says why
    it returned (:data:`DONE`, :data:`RESCUE`, :data:`ASKED_FORCES`,
    :data:`ASKED_CONFLICT` with the pair in ``out[OUT_AT]``), ``out[OUT_MOVES]`` the
    positions moved; the series' row ``row`` recorded last (none if ``row`` < 0). The
    arrays the model may replace are the table ``a`` (:data:`ARGS`); ``tables``: the
    modules' tables (:data:`_TABLES`, :func:`.args.table_of`)."""
    reset_t, exchange_t, economy_t = i2(tables, 0), i2(tables, 1), i2(tables, 2)
    step_t, conflict_t = i2(tables, 3), i2(tables, 4)
    politics_t, record_t = i2(tables, 5), i2(tables, 6)
    red_table, iv_table, codes, values, used = f2(a, 0), f2(a, 1), i2(a, 2), f2(a, 3), i1(a, 4)
    z, draws, off_i, off_f, deterrence = f2(a, 5), f1(a, 6), i2(a, 7), f2(a, 8), f2(a, 9)
    fix, series, out = i2(a, 10), f2(a, 11), i1(a, 12)
    out[OUT_STOP] = DONE
    if stage == START:
        if reset_first:
            _reset_p(reset_t)
        for i in range(z.shape[0]):  # support: the policy noise's S x F draws
            for j in range(z.shape[1]):
                z[i, j] = standard_normal(bits)
    if stage <= SUPPORT:
        if support._exchange_p(exchange_t, red_table, iv_table, step, threat, codes, values,
                               used):  # fmt: skip
            out[OUT_STOP] = RESCUE
            return
        forces._economy_p(economy_t)
        for f in range(draws.shape[0]):  # forces: the month's F decisions
            draws[f] = uniform(bits)
        i1(step_t, _CTL)[forces.C_STATE] = forces.STAGE_START
    if stage <= FORCES:
        if forces._step_p(step_t, draws, off_i, off_f, bind, deterrence, step, codes, values,
                          used, fix) >= 0:  # fmt: skip
            out[OUT_STOP] = ASKED_FORCES
            return
        at = -1
    stop = conflict._month_p(conflict_t, step, conflict.MONTH, at, threat, off_i, bind, codes,
                             values, used)  # fmt: skip
    if stop >= 0:
        out[OUT_STOP] = ASKED_CONFLICT
        out[OUT_AT] = stop
        return
    out[OUT_MOVES] = politics._month_p(politics_t, start)
    if row < 0:
        return
    tally = f1(reset_t, _TALLY)
    outcomes._record_p(record_t, series[row], n_issues, f1(conflict_t, _WORK)[conflict.W_THREAT],
                       tally[0], tally[1])  # fmt: skip
