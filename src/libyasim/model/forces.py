"""Forces and fronts (issue 10 part 1): the war economy, redeployment, offensives, sieges.

**Economy** (:func:`economy`, step 3): income (financial support, oil of the
regions held and not blockaded, taxes of the population held; jihadists:
extortion where they operate) pays the **upkeep** of the force first; an
unpaid share makes fighters leave. What is left funds recruitment, bounded by
a **ceiling**: ``mobilisation_ceiling`` × supporters (population × popularity)
of the regions a faction holds or garrisons; a jihadist group adds a pool in
**ungoverned or aggrieved space** where it is present (Fearon & Laitin 2003:
insurgency grows where the state cannot reach — rough terrain, weak
presence; Kalyvas 2006: collaboration follows control, and contested zones
are where armed groups recruit; Kress & Szechtman 2009: insurgent recruitment
rises with the collateral damage of counter-insurgency, here the grievance
left by violence), filled at ``jihadist_recruitment`` a month, plus
``foreign_fighters`` arriving from abroad (a scenario number per faction).

**Redeployment** (:func:`redeploy`, step 4): a transport rule. Each faction
wants ``redeploy_cover`` own fighters per hostile fighter in or next to each
region it holds (fewer in cities: divided by the region's defence factor);
forces beyond that and beyond a policing floor (``governance_density``) are
spare and move, ``redeploy_rate`` of them a month, to the regions short of
cover, in proportion to need × ``(1 − hop_loss)^hops``, losing ``hop_loss``
per region crossed.

**Offensives** (:func:`decide`, :func:`launch`, :func:`press`): a faction
launches one when its expected gain — the target's value (population and oil)
times its chance on that front (its massed force plus allies, against the
defenders' times the defence factor, each times sponsors'
``support.combat_multiplier``; a Tullock/Hirshleifer contest) — beats the
expected cost (losses, sponsors' red lines via ``support.deterrence_cost``,
a ceasefire it would have to break). It masses ``offensive_share`` of its
forces next to the target (or inside it) and fights every month at
``offensive_intensity`` (Lanchester 1916 aimed fire; Deitchman 1962 against
insurgents, whose area fire the city's cover blunts). **Siege progress**
accumulates, ``siege_speed·(2P − 1)/defence`` a month, and control changes
only when it reaches 1 (sustained superiority; a larger defender advantage in
cities: Biddle 2004). An offensive ends in success, in retreat (heavy losses
or bad odds) or in stalemate when its months run out; the besiegers stay and
the front goes quiet (skirmishes only, :mod:`.conflict`).

State: ``offensives`` (list of :class:`Offensive`), ``siege[F, R]``,
``pair_deaths[F, F]`` and ``attacked[F, F]`` (this month, for ceasefire
attribution), ``grievance[R]``, ``ungoverned[R]``, ``blockades[R]``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

from . import offtable as ot
from . import support, work
from .args import b1, b2, f1, f2, f3, i1, i2, table
from .conflict import STRATEGIC, _fight
from .eventlog import NOTE, append
from .jit import disabled, kernel
from .numeric import sync as _sync

_sum, _dot = np.add.reduce, np.dot  # ufunc reductions and dot without the method wrappers

if TYPE_CHECKING:
    from .model import LibyaModel

MIL, FIN = 0, 1

#: the scenario coefficients (``m.p``) the kernels read, in the order of the array
#: ``m.forces_k``; each upper-case name below is the index of one
COEFFICIENTS = (
    "oil_income",
    "tax_income",
    "financial_to_resources",
    "ally_share",
    "mobilisation_ceiling",
    "grievance_weight",
    "jihadist_mobilisation",
    "upkeep_cost",
    "resource_spend",
    "military_to_fighters",
    "recruitment_rate",
    "attrition_rate",
    "unpaid_desertion",
    "jihadist_recruitment",
    "redeploy_rate",
    "ally_cover",
    "siege_intensity",
    "offensive_intensity",
    "pocket_front",
    "siege_speed",
    "insurgent_seizure",
    "siege_ratio",
    "retreat_share",
    "siege_patience",
    "retreat_odds",
    "offensive_cooldown",
    "contest_exponent",
    "insurgent_cover",
    "entrenchment",
    "entrenchment_months",
    "siege_attrition",
    "siege_decay",
    "occupation_share",
    "offensive_share",
    "offensive_rate",
    "offensive_cost",
    "offensive_threshold",
    "offensive_months",
    "jihadist_prize",
)
(
    OIL_INCOME,
    TAX_INCOME,
    FINANCIAL_TO_RESOURCES,
    ALLY_SHARE,
    MOBILISATION_CEILING,
    GRIEVANCE_WEIGHT,
    JIHADIST_MOBILISATION,
    UPKEEP_COST,
    RESOURCE_SPEND,
    MILITARY_TO_FIGHTERS,
    RECRUITMENT_RATE,
    ATTRITION_RATE,
    UNPAID_DESERTION,
    JIHADIST_RECRUITMENT,
    REDEPLOY_RATE,
    ALLY_COVER,
    SIEGE_INTENSITY,
    OFFENSIVE_INTENSITY,
    POCKET_FRONT,
    SIEGE_SPEED,
    INSURGENT_SEIZURE,
    SIEGE_RATIO,
    RETREAT_SHARE,
    SIEGE_PATIENCE,
    RETREAT_ODDS,
    OFFENSIVE_COOLDOWN,
    CONTEST_EXPONENT,
    INSURGENT_COVER,
    ENTRENCHMENT,
    ENTRENCHMENT_MONTHS,
    SIEGE_ATTRITION,
    SIEGE_DECAY,
    OCCUPATION_SHARE,
    OFFENSIVE_SHARE,
    OFFENSIVE_RATE,
    OFFENSIVE_COST,
    OFFENSIVE_THRESHOLD,
    OFFENSIVE_MONTHS,
    JIHADIST_PRIZE,
) = range(len(COEFFICIENTS))


def _int_column(col: int) -> Any:
    def get(self: Offensive) -> int:
        return int(self._m.off_i[self.k, col])

    def put(self: Offensive, value: int) -> None:
        self._m.off_i[self.k, col] = value

    return property(get, put)


def _float_column(col: int) -> Any:
    def get(self: Offensive) -> float:
        return float(self._m.off_f[self.k, col])

    def put(self: Offensive, value: float) -> None:
        self._m.off_f[self.k, col] = value

    return property(get, put)


class Offensive:
    """An offensive under way (or ended): a view of row ``k`` of the model's
    offensives' table (:mod:`.offtable`, ``m.off_i``/``m.off_f``). ``status`` is
    ``active``, ``success``, ``stalemate`` or ``retreat``; ``invested`` the step at
    which it settled into an invested siege (−1: an assault); ``besieged_since`` the
    step of its first investment (a renewed assault keeps it); ``siege`` False when
    it clears a pocket in a region the attacker holds."""

    __slots__ = ("_m", "k")

    def __init__(self, m: LibyaModel, k: int) -> None:
        self._m = m
        self.k = k

    attacker = _int_column(ot.ATTACKER)
    target = _int_column(ot.TARGET)
    origin = _int_column(ot.ORIGIN)
    defender = _int_column(ot.DEFENDER)
    months = _int_column(ot.MONTHS)
    started = _int_column(ot.STARTED)
    elapsed = _int_column(ot.ELAPSED)
    invested = _int_column(ot.INVESTED)
    besieged_since = _int_column(ot.BESIEGED_SINCE)
    massed = _float_column(ot.MASSED)
    progress = _float_column(ot.PROGRESS)

    @property
    def status(self) -> str:
        return ot.STATUS_NAMES[int(self._m.off_i[self.k, ot.STATUS])]

    @status.setter
    def status(self, value: str) -> None:
        self._m.off_i[self.k, ot.STATUS] = ot.STATUS_NAMES.index(value)

    @property
    def siege(self) -> bool:
        return bool(self._m.off_i[self.k, ot.SIEGE])

    @property
    def cause(self) -> str:
        return self._m.off_causes[int(self._m.off_i[self.k, ot.CAUSE])]

    @property
    def note(self) -> str:
        m, k = self._m, self.k
        i = int(m.off_i[k, ot.NOTE])
        if i < 0:
            return ""
        a, t = int(m.off_i[k, ot.ATTACKER]), int(m.off_i[k, ot.TARGET])
        x = m.off_f[k, ot.NOTE_A0 :].tolist()
        return str(m.off_notes[i].format(*x, a=m.faction_ids[a], t=m.region_ids[t]))

    def as_dict(self, m: LibyaModel) -> dict[str, Any]:
        return {
            "attacker": m.faction_ids[self.attacker],
            "target": m.region_ids[self.target],
            "defender": m.faction_ids[self.defender] if self.defender >= 0 else None,
            "origin": m.region_ids[self.origin],
            "massed": round(self.massed, 1),
            "months": self.months,
            "elapsed": self.elapsed,
            "progress": round(self.progress, 3),
            "status": self.status,
            "invested": self.invested >= 0,
            "cause": self.cause,
            "note": self.note,
        }

    def __repr__(self) -> str:
        return f"Offensive({self.as_dict(self._m)})"


def _index(table: list[str], text: str) -> int:
    """The index of ``text`` in a model's list of causes or notes (appended if new)."""
    try:
        return table.index(text)
    except ValueError:
        table.append(text)
        return len(table) - 1


def note_of(m: LibyaModel, text: str) -> int:
    """The index of a literal note in ``m.off_notes`` (its braces escaped)."""
    return _index(m.off_notes, text.replace("{", "{{").replace("}", "}}"))


def _v(x: Any, default: float = 0.0) -> float:
    return default if x is None else float(x.value if hasattr(x, "value") else x)


@intrinsic
def _llvm_fma(typingctx: Any, x: Any, y: Any, z: Any) -> Any:
    """``x·y + z`` rounded once (LLVM's ``fma``), inside kernels."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)

    return sig, codegen


def _exact_fma(x: float, y: float, z: float) -> float:
    """``x·y + z`` rounded once (kernels run as Python: ``NUMBA_DISABLE_JIT``)."""
    return float(Fraction(x) * Fraction(y) + Fraction(z))


_fma: Any = _exact_fma if disabled() else _llvm_fma


@kernel
def _dot_col(x: np.ndarray, m: np.ndarray, col: int) -> float:
    """``x @ m[:, col]`` as numpy computes it here (OpenBLAS's strided ``ddot``: two
    accumulators over blocks of four, fused multiply-adds), so that a kernel's sums
    agree with numpy's to the bit."""
    n = x.shape[0]
    t1, t2 = 0.0, 0.0
    i = 0
    while i < n - n % 4:
        t1 += _fma(m[i, col], x[i], m[i + 2, col] * x[i + 2])
        t2 += _fma(m[i + 1, col], x[i + 1], m[i + 3, col] * x[i + 3])
        i += 4
    while i < n:
        t1 = _fma(m[i, col], x[i], t1)
        i += 1
    return t1 + t2


def hops(adj: np.ndarray) -> np.ndarray:
    """[R, R] number of regions crossed on the shortest path (inf if unreachable)."""
    return _paths(adj)[0].copy()


#: the region graph's shortest paths by adjacency (a sampled batch's runs share the graph)
_PATHS: dict[tuple[tuple[int, ...], bytes], tuple[np.ndarray, ...]] = {}


def _paths(adj: np.ndarray) -> tuple[np.ndarray, ...]:
    """(hops, reachable, hops where reachable else 0, hops − 1 clipped at 0 likewise,
    off the diagonal) of an adjacency matrix, computed once per graph (read-only)."""
    key = (adj.shape, adj.tobytes())
    hit = _PATHS.get(key)
    if hit is not None:
        return hit
    n = len(adj)
    d = np.where(adj, 1.0, np.inf)
    np.fill_diagonal(d, 0.0)
    for k in range(n):  # Floyd-Warshall on a graph of ~14 nodes
        np.minimum(d, d[:, k, None] + d[None, k, :], out=d)
    reach = np.isfinite(d)
    out = (d, reach, np.where(reach, d, 0.0), np.where(reach, np.maximum(d - 1.0, 0.0), 0.0),
           ~np.eye(n, dtype=bool))  # fmt: skip
    for a in out:
        a.flags.writeable = False
    if len(_PATHS) >= 64:
        _PATHS.clear()
    _PATHS[key] = out
    return out


def defence_factors(regions: list[Any], population: np.ndarray, p: Any) -> np.ndarray:
    """[R] defender advantage: ``1 + urban_defence`` where a region sets it, else
    ``1 + city_defence·min(1, population/city_population)`` (Biddle 2004)."""
    derived = 1.0 + p.city_defence * np.minimum(1.0, population / p.city_population)
    own = [r.urban_defence for r in regions]
    if all(u is None for u in own):
        return derived
    return np.array([d if u is None else 1.0 + _v(u) for u, d in zip(own, derived, strict=True)])


#: rows of ``m.forces_r`` [NR, R], the per-region numbers the kernels read (each also an
#: attribute of the model, a view of its row: ``m.defence``, ...)
R_DEFENCE, R_GOV_NEED_INV, R_REACH_SHARE, R_VALUE, R_COVER, R_GOV_FLOOR, R_HELD, R_UNGOVERNED = (
    range(8)
)
NR = 8
#: matrices of ``m.forces_rr`` [5, R, R] (``m.transit``, ``m.transit_off``,
#: ``m.transit_off2``, ``m.mass_transit``, ``m.adjacency``: views)
RR_TRANSIT, RR_TRANSIT_OFF, RR_TRANSIT_OFF2, RR_MASS, RR_ADJ = range(5)
#: entries of ``m.forces_ctl`` (int64): the offensives' table's row count (``m.off_n``),
#: its first active row (``m.off_lo``), the records whose notes to fix (``m.off_fixn``),
#: then where :func:`_step` stands (``m.forces_state``: stage, index, option, answer,
#: and the attacker and defender a ceasefire binds)
C_N, C_LO, C_FIXN, C_STATE = 0, 1, 2, 3
NC = 9


def init(m: LibyaModel) -> None:
    """Arrays of this module (see the module docstring)."""
    regions, p = m.spec.regions, m.p
    m.forces_k = p.array(COEFFICIENTS)
    m.forces_r = fr = np.zeros((NR, m.R))
    m.forces_rr = rr = np.zeros((5, m.R, m.R))
    m.forces_ctl = ctl = np.zeros(NC, dtype=np.int64)
    m.rough = np.array([r.rough_terrain.value for r in regions], dtype=float)
    fr[R_DEFENCE] = defence_factors(regions, m.population, p)
    m.defence = fr[R_DEFENCE]
    d, reach, reach_hops, near_hops, off_diagonal = _paths(m.adj)
    m.hops = d.copy()
    keep = 1.0 - p.hop_loss
    rr[RR_TRANSIT] = np.where(reach, keep**reach_hops, 0.0)
    m.transit = rr[RR_TRANSIT]
    np.multiply(m.transit, off_diagonal, out=rr[RR_TRANSIT_OFF])
    m.transit_off = rr[RR_TRANSIT_OFF]
    np.square(m.transit_off, out=rr[RR_TRANSIT_OFF2])
    m.transit_off2 = rr[RR_TRANSIT_OFF2]
    # forces next to t: within one hop; massable forces discounted by hops to t's neighbours
    rr[RR_MASS] = np.where(reach, keep**near_hops, 0.0)
    m.mass_transit = rr[RR_MASS]
    rr[RR_ADJ] = m.adj
    m.adjacency = rr[RR_ADJ]  # the adjacency as numbers (the kernels' copy of m.adj_f)
    m.foreign_fighters = np.array([f.foreign_fighters.value for f in m.spec.factions], dtype=float)
    m.blockades = np.zeros(m.R, dtype=np.int64)
    m.grievance = np.zeros(m.R)
    m.grievance_scale = np.maximum(p.grievance_deaths * m.population / 1e5, 1e-9)
    m.off_i, m.off_f, _ = ot.new_table()
    m.off_n = ctl[C_N : C_N + 1]
    m.off_lo = ctl[C_LO : C_LO + 1]  # no offensive before this row is active
    m.off_fixn = ctl[C_FIXN : C_FIXN + 1]
    m.forces_state = ctl[C_STATE:]  # where _step stands (a ceasefire's question)
    m.off_causes = list(ot.CAUSES)
    m.off_notes = list(ot.NOTES)
    m.offensives = []  # views of the table's rows
    m.off_log = _codes(m)
    m.off_fix = np.empty((16, 4), dtype=np.int64)  # records whose notes to fix (_fix_notes)
    m.off_note_codes = {}  # (kind, x, y) -> the note's code, for notes made of those alone
    # the decisions' options (rows 0-2 + 2F) and the progress pressed this month (the last F)
    m.forces_scratch = np.zeros((3 + 3 * m.F, max(m.F, m.R)), dtype=np.int64)
    m.pressed = m.forces_scratch[3 + 2 * m.F :, : m.R]
    m.forces_options = np.zeros((m.F, m.R))
    m.no_deterrence = np.zeros((m.F, m.R))
    m.active_offensive = np.full(m.F, -1, dtype=np.int64)  # index into offensives, or -1
    m.cooldown = np.zeros(m.F)
    m.siege = np.zeros((m.F, m.R))
    m.months_held = fr[R_HELD]  # months in its holder's hands (0 at the start)
    m.held_last = m.control.copy()
    m.pair_deaths = np.zeros((m.F, m.F))
    m.attacked = np.zeros((m.F, m.F), dtype=bool)
    m.upkeep_unpaid = np.zeros(m.F)
    m.rrange = np.arange(m.R)
    m.jihadist_index = np.array(m.jihadist_ids, dtype=np.int64)
    need = p.governance_density * m.population / 1000.0
    fr[R_GOV_NEED_INV] = np.divide(1.0, need, out=np.full(m.R, 1e12), where=need > 0)
    m.gov_need_inv = fr[R_GOV_NEED_INV]
    fr[R_REACH_SHARE] = 1.0 - m.rough
    m.reach_share = fr[R_REACH_SHARE]
    fr[R_GOV_FLOOR] = need  # the policing floor redeployment keeps in held regions
    m.gov_floor = fr[R_GOV_FLOOR]
    fr[R_COVER] = p.redeploy_cover / m.defence
    m.cover_per_defence = fr[R_COVER]
    fr[R_UNGOVERNED] = ungoverned(m)
    m.ungoverned = fr[R_UNGOVERNED]
    value = (1.0 - p.offensive_oil_weight) * m.pop_share + p.offensive_oil_weight * m.oil_share
    value += p.base_value
    fr[R_VALUE] = value
    m.value = fr[R_VALUE]


def start_ceilings(scenario: Any) -> list[tuple[str, float, float]]:
    """(faction id, starting strength, starting ceiling) for each faction of a
    scenario, as the model computes them in its first month (the loader warns
    when a faction starts above its ceiling)."""
    from .model import LibyaModel

    m = LibyaModel(scenario, rng=0, months=1)
    cap = ceiling(m)
    return [(f, float(m.strength0[i]), float(cap[i])) for i, f in enumerate(m.faction_ids)]


# ---------------------------------------------------------------------- economy


def ungoverned(m: LibyaModel) -> np.ndarray:
    """[R] share of a region beyond any non-jihadist controller's reach:
    ``1 − (1 − rough_terrain)·min(1, garrison_controller / (governance_density·population/1000))``;
    1 where nobody or a jihadist group holds it (Fearon & Laitin 2003)."""
    out = np.empty(m.R)
    _ungoverned(m.control, m.garrison, m.gov_need_inv, m.reach_share, m.jihadist, out)
    return out


def ceiling(m: LibyaModel) -> np.ndarray:
    """[F] the most fighters a faction can recruit to: ``mobilisation_ceiling`` ×
    supporters of the regions it holds or garrisons; jihadist groups add
    ``jihadist_mobilisation`` × the ungoverned or aggrieved population where they
    are present, shared among the groups present by their fighters there."""
    out = np.empty(m.F)
    _ceiling(m.forces_k, m.control, m.garrison, m.popularity, m.population, m.jihadist,
             m.grievance, m.ungoverned, out)  # fmt: skip
    return out


def headroom(m: LibyaModel, cap: np.ndarray | None = None) -> np.ndarray:
    """``clip(1 − strength/ceiling, 0, 1)`` [F]."""
    cap = ceiling(m) if cap is None else cap
    room = np.divide(m.strength, cap, out=np.ones(m.F), where=cap > 0)
    np.subtract(1.0, room, out=room)
    return np.minimum(np.maximum(room, 0.0, out=room), 1.0, out=room)


def economy(m: LibyaModel) -> None:
    """Step 3 (after sponsors' support is received): income, upkeep, recruitment.

    ``res ← res + financial_to_resources·fin + oil_income·oil_held_open + tax_income·pop_held``
    (± transfers between allies); upkeep ``upkeep_cost·strength/1000`` is paid
    first; ``unpaid`` share u makes ``unpaid_desertion·u`` of the fighters leave;
    ``spend = resource_spend·res`` buys ``recruitment_rate·spend`` recruits, with
    ``military_to_fighters·military_in``, times the headroom; jihadist groups
    add ``jihadist_recruitment·max(0, ceiling − strength)`` and their
    ``foreign_fighters``; all garrisons lose ``attrition_rate`` a month."""
    _economy_p(table(m, _ECONOMY))


#: :func:`_economy`'s arrays (the model's, by attribute name) in the slots of its table
#: (:mod:`.args`), for :func:`_economy_p`
_ECONOMY = (
    "forces_k", "flows", "control", "garrison", "gov_need_inv", "reach_share", "jihadist",
    "oil_share", "pop_share", "blockades", "resources", "alliance", "faction_edges",
    "popularity", "population", "grievance", "foreign_fighters", "strength", "home",
    "ungoverned", "upkeep_unpaid",
)  # fmt: skip


@kernel
def _economy_p(t: np.ndarray) -> None:  # fmt: skip
    """:func:`_economy` on the arrays of the table ``t`` (:data:`_ECONOMY`), then the
    strengths summed (:meth:`LibyaModel.sync_strength`)."""
    _economy(f1(t, 0), f3(t, 1), i1(t, 2), f2(t, 3), f1(t, 4), f1(t, 5), b1(t, 6),
              f1(t, 7), f1(t, 8), i1(t, 9), f1(t, 10), f2(t, 11), f3(t, 12), f2(t, 13),
              f1(t, 14), f1(t, 15), f1(t, 16), f1(t, 17), f2(t, 18), f1(t, 19),
              f1(t, 20))  # fmt: skip
    _sync(f2(t, 3), f1(t, 17))  # m.sync_strength()


@kernel
def _ungoverned(control: np.ndarray, garrison: np.ndarray, gov_need_inv: np.ndarray,
                reach_share: np.ndarray, jihadist: np.ndarray,
                out: np.ndarray) -> None:  # fmt: skip
    for r in range(control.shape[0]):
        c = control[r]
        cc = max(c, 0)
        gov = min(garrison[cc, r] * gov_need_inv[r], 1.0)
        gov = gov * (1.0 if c >= 0 and not jihadist[cc] else 0.0)
        out[r] = 1.0 - gov * reach_share[r]


@kernel
def _ceiling(k: np.ndarray, control: np.ndarray, garrison: np.ndarray, popularity: np.ndarray,
             population: np.ndarray, jihadist: np.ndarray, grievance: np.ndarray,
             ungoverned: np.ndarray, out: np.ndarray) -> None:  # fmt: skip
    F, R = garrison.shape
    for f in range(F):
        t = 0.0
        for r in range(R):
            if control[r] == f or garrison[f, r] > 0:
                t += popularity[f, r] * population[r]
        out[f] = t * k[MOBILISATION_CEILING]
    any_j = False
    for f in range(F):
        any_j = any_j or jihadist[f]
    if not any_j:
        return
    pool = work.f1(R)
    for r in range(R):
        x = min(grievance[r] * k[GRIEVANCE_WEIGHT] + ungoverned[r], 1.0) * population[r]
        tot = 0.0
        for f in range(F):
            if jihadist[f]:
                tot += garrison[f, r]
        if tot > 0:
            x = x / tot
        pool[r] = x * k[JIHADIST_MOBILISATION]
    for f in range(F):
        if jihadist[f]:
            t = 0.0
            for r in range(R):
                t += garrison[f, r] * pool[r]
            out[f] += t


@kernel
def _economy(k: np.ndarray, flows: np.ndarray, control: np.ndarray, garrison: np.ndarray,
             gov_need_inv: np.ndarray, reach_share: np.ndarray, jihadist: np.ndarray,
             oil_share: np.ndarray, pop_share: np.ndarray, blockades: np.ndarray,
             resources: np.ndarray, alliance: np.ndarray, faction_edges: np.ndarray,
             popularity: np.ndarray, population: np.ndarray, grievance: np.ndarray,
             foreign_fighters: np.ndarray, strength: np.ndarray, home: np.ndarray,
             ungoverned: np.ndarray, unpaid: np.ndarray) -> None:  # fmt: skip
    """:func:`economy` (resources, ungoverned space, unpaid upkeep and garrisons in place;
    the caller syncs strength)."""
    S, F, _ = flows.shape
    R = control.shape[0]
    _ungoverned(control, garrison, gov_need_inv, reach_share, jihadist, ungoverned)
    # income: oil not blockaded, taxes; jihadists extort where the state is absent
    value = work.f1(R)
    for r in range(R):
        v = oil_share[r] * k[OIL_INCOME]
        if blockades[r] != 0:
            v = 0.0
        value[r] = v + k[TAX_INCOME] * pop_share[r]
    res = work.f1(F)
    for f in range(F):
        t = 0.0
        for r in range(R):
            if control[r] == f:
                t += value[r]
        if jihadist[f]:
            x = 0.0
            for r in range(R):
                if garrison[f, r] > 0:
                    x += k[TAX_INCOME] * pop_share[r] * ungoverned[r]
            t += x
        fin = 0.0
        for s in range(S):
            fin += flows[s, f, FIN]
        res[f] = resources[f] + t + k[FINANCIAL_TO_RESOURCES] * fin
    # transfers between allies: each passes on a share of its resources
    ally = work.f2(F, F)
    scale = work.f1(F)
    scale[:] = 0.0
    gives = False
    for g in range(F):
        tot = 0.0
        for f in range(F):
            ally[g, f] = k[ALLY_SHARE] * (alliance[g, f] + faction_edges[g, f, MIL]
                                          + faction_edges[g, f, FIN])  # fmt: skip
            tot += ally[g, f]
        if tot > 0:
            scale[g] = min(tot, 1.0) / tot
            gives = True
    if gives:
        flow_in = work.f1(F)
        flow_in[:] = 0.0
        flow_out = work.f1(F)
        flow_out[:] = 0.0
        for g in range(F):
            for f in range(F):
                x = ally[g, f] * (scale[g] * res[g])
                flow_in[f] += x
                flow_out[g] += x
        for f in range(F):
            res[f] += flow_in[f] - flow_out[f]
    for f in range(F):
        res[f] = max(res[f], 0.0)
    cap = work.f1(F)
    _ceiling(k, control, garrison, popularity, population, jihadist, grievance, ungoverned, cap)
    upkeep, spend_share = k[UPKEEP_COST] / 1000.0, k[RESOURCE_SPEND]
    base_keep = 1.0 - k[ATTRITION_RATE]
    for f in range(F):
        r, s_f, k_f = res[f], strength[f], cap[f]
        due = upkeep * s_f
        paid = r if r < due else due
        r -= paid
        u = (due - paid) / due if due > 0 else 0.0
        spend = spend_share * r
        resources[f] = r - spend
        unpaid[f] = u
        room = 1.0 - s_f / k_f if k_f > 0 else 0.0
        room = 0.0 if room < 0.0 else (1.0 if room > 1.0 else room)
        mil = 0.0
        for s in range(S):
            mil += flows[s, f, MIL]
        recruits = (k[MILITARY_TO_FIGHTERS] * mil + k[RECRUITMENT_RATE] * spend) * room
        recruits += foreign_fighters[f]
        if jihadist[f] and k_f > s_f:
            recruits += k[JIHADIST_RECRUITMENT] * (k_f - s_f)
        keep = base_keep - k[UNPAID_DESERTION] * u
        keep = keep if keep > 0.0 else 0.0
        if s_f > 0:
            keep += recruits / s_f
        for j in range(R):
            garrison[f, j] *= keep
        if s_f <= 0 and recruits > 0:  # no garrison to join: its home regions
            for j in range(R):
                garrison[f, j] += recruits * home[f, j]


# ---------------------------------------------------------------------- redeployment


def hostile_near(m: LibyaModel) -> np.ndarray:
    """[F, R] hostility-weighted hostile fighters in or next to each region."""
    return _dot(_dot(m.hostility, m.garrison), m.adj_f)


def redeploy(m: LibyaModel) -> None:
    """Move spare forces toward threatened regions each faction holds (see module doc):
    ``want = redeploy_cover·threat/defence``, ``need = max(0, want − g)`` in held
    regions, ``spare = max(0, g − want − governance_density·pop/1000)`` in held
    regions (not at an offensive's origin); ``redeploy_rate·spare`` leaves r for s
    ∝ ``need_s·(1 − hop_loss)^hops(r,s)``, arriving ×``(1 − hop_loss)^hops``, no
    more than the need."""
    if m.p.redeploy_rate <= 0:
        return
    off = _active_rows(m.off_i, m.off_lo[0], m.off_n[0])
    if _redeploy(m.forces_k, m.garrison, m.control, m.hostility, m.adjacency, off, m.combat_mult,
                 m.defence, m.cover_per_defence, m.alliance, m.jihadist, m.gov_floor,
                 m.transit_off, m.transit_off2):  # fmt: skip
        m.sync_strength()


@kernel
def _redeploy(k: np.ndarray, g: np.ndarray, control: np.ndarray, hostility: np.ndarray,
              adj: np.ndarray, off: np.ndarray, mult: np.ndarray, defence: np.ndarray,
              cover_per_defence: np.ndarray, alliance: np.ndarray, jihadist: np.ndarray,
              gov_floor: np.ndarray, tau: np.ndarray, tau2: np.ndarray) -> bool:  # fmt: skip
    """:func:`redeploy` on the garrisons ``g`` (in place); ``off[n, 3]``: (attacker,
    origin, target) of each active offensive. Returns whether anything moved. (Cover is
    wanted only where a faction holds, and the flows are those of the factions with
    both a need and spare forces: every other term is zero.)"""
    F, R = g.shape
    holds = work.b1(F)
    holds[:] = False
    for r in range(R):
        if control[r] >= 0:
            holds[control[r]] = True
    # threat: hostility-weighted hostile fighters in or next to each region it holds
    hg = work.f2(F, R)
    hg[:, :] = 0.0
    for f in range(F):
        if not holds[f]:
            continue
        for h in range(F):
            if hostility[f, h] != 0:
                for r in range(R):
                    hg[f, r] += hostility[f, h] * g[h, r]
    want = work.f2(F, R)  # the holder's, in each region
    want[:, :] = 0.0
    for r in range(R):
        c = control[r]
        if c >= 0:
            t = 0.0
            for s in range(R):
                t += hg[c, s] * adj[s, r]
            want[c, r] = t
    for i in range(off.shape[0]):  # a town under attack: the holder wants to match the attack
        a, origin, t = off[i, 0], off[i, 1], off[i, 2]
        c = control[t]
        if c >= 0 and c != a:
            power = g[a, origin] * mult[a]
            power *= defence[t] / mult[c]  # a margin: its cover
            want[c, t] = max(want[c, t], power)
    need = work.f2(F, R)
    need[:, :] = 0.0
    for r in range(R):
        c = control[r]
        if c >= 0:
            want[c, r] *= cover_per_defence[r]
            need[c, r] = max(want[c, r] - g[c, r], 0.0)
    any_nonjihadist = False
    for f in range(F):
        any_nonjihadist = any_nonjihadist or not jihadist[f]
    if k[ALLY_COVER] > 0 and any_nonjihadist:  # allies cover a holder's shortfall
        for r in range(R):
            c = control[r]
            if c < 0:
                continue
            others = 0.0
            for h in range(F):
                if h != c and not jihadist[h]:
                    others += alliance[h, c] * g[h, r]
            short = max(want[c, r] - g[c, r] - others, 0.0)
            for h in range(F):
                if h != c and not jihadist[h] and alliance[h, c] != 0:
                    need[h, r] += k[ALLY_COVER] * (alliance[h, c] * short)
    any_need = False
    needs = work.b1(F)
    needs[:] = False
    for f in range(F):
        for r in range(R):
            if need[f, r] != 0:
                needs[f] = True
        any_need = any_need or needs[f]
    if not any_need:
        return False
    spare = work.f2(F, R)
    spare[:, :] = 0.0
    for r in range(R):
        c = control[r]
        if c >= 0:  # forces outside its own regions are at a front: they stay
            spare[c, r] = max(g[c, r] - want[c, r] - gov_floor[r], 0.0)
    for i in range(off.shape[0]):  # nor the forces massed for an offensive or a siege
        spare[off[i, 0], off[i, 1]] = 0.0
    any_spare = False
    spares = work.b1(F)
    spares[:] = False
    for f in range(F):
        for r in range(R):
            if spare[f, r] != 0:
                spares[f] = True
        any_spare = any_spare or spares[f]
    if not any_spare:
        return False
    # flows x[f, r, s] = out[f, r]·need[f, s]·τ[r, s] (τ symmetric): out = rate·spare/Σ_s need·τ
    out = work.f1(R)
    out[:] = 0.0
    arrive = work.f1(R)
    arrive[:] = 0.0
    scale = work.f1(R)
    for f in range(F):
        if not (needs[f] and spares[f]):  # nothing leaves, nothing arrives
            continue
        for r in range(R):
            tot = 0.0
            for s in range(R):
                tot += need[f, s] * tau[s, r]
            out[r] = (spare[f, r] / tot if tot > 0 else 0.0) * k[REDEPLOY_RATE]
        for s in range(R):  # arrivals lose (1 − hop_loss)^hops; no more than the need
            t = 0.0
            for r in range(R):
                t += out[r] * tau2[r, s]
            arrive[s] = t * need[f, s]
        for s in range(R):
            x = need[f, s] / arrive[s] if arrive[s] > need[f, s] else 1.0
            arrive[s] *= x
            scale[s] = x * need[f, s]
        for r in range(R):
            t = 0.0
            for s in range(R):
                t += scale[s] * tau[s, r]
            g[f, r] = g[f, r] - t * out[r] + arrive[r]
    return True


# ---------------------------------------------------------------------- offensives


def defenders(m: LibyaModel, a: int) -> np.ndarray:
    """[R] whom attacker a would fight in each region: its holder, or, in a region a
    holds itself, the hostile group with the most (hostility-weighted) fighters there
    (a pocket to clear, as in Benghazi 2014-17); −1 where there is nobody to fight."""
    d = m.control.copy()
    mine = d == a
    if mine.any():
        pockets = m.hostility[a][:, None] * m.garrison  # [F, R]
        strongest = pockets.argmax(axis=0)
        strongest[pockets.max(axis=0) <= 0] = -1
        d[mine] = strongest[mine]
    return d


class Front:
    """What every attacker's decision this month shares: each faction's massable force
    toward each region ``mass[F, R]`` (``g @ (1 − hop_loss)^(hops − 1)`` plus its
    non-jihadist allies' forces in or next to the region) and each faction's
    defending force in each region with its allies there ``hold[F, R]``."""

    def __init__(self, m: LibyaModel) -> None:
        g = m.garrison
        ally = m.alliance * m.nonjihadist[None, :]
        np.fill_diagonal(ally, 0.0)
        with_allies = _dot(ally, g)  # [F, R]
        self.mass = _dot(g, m.mass_transit)
        self.mass += _dot(with_allies, m.adj_f)
        self.hold = with_allies
        self.hold += g


def cover_split(m: LibyaModel, a: int, inside: Any) -> tuple[Any, Any]:
    """(attacker factor, defender factor) of the town's cover when ``a`` attacks it:
    ``(1, D)`` normally; a jihadist group attacking from within the town (it has
    fighters there) takes ``D^insurgent_cover`` of it and leaves the holder
    ``D^(1 − insurgent_cover)`` (Deitchman 1962: insurgents hide among the
    population; Kalyvas 2006)."""
    d = m.defence
    if not m.jihadist_list[a]:
        return 1.0, d
    k = m.p.insurgent_cover
    att = np.where(inside, d**k, 1.0)
    return att, d / att


def front(
    m: LibyaModel, a: int, share: float, d: np.ndarray, fr: Front | None = None
) -> np.ndarray:
    """[R] attacker a's chance against the defenders ``d`` of each region: the contest
    ``P = X^m/(X^m + Y^m)`` with X = share × (a's forces that can reach a neighbour
    of the region, discounted by ``hop_loss`` per hop, plus its allies' forces in or
    next to it), Y = the defender's and its allies' fighters there × the defence
    factor; each side × its combat multiplier (``support.combat_multiplier``)."""
    fr = Front(m) if fr is None else fr
    mult = m.combat_mult
    dd = np.maximum(d, 0)
    defend = fr.hold[dd, m.rrange]
    defend *= d >= 0
    att_cover, def_cover = cover_split(m, a, m.garrison[a] > 0)
    defend *= def_cover
    defend *= mult[dd]
    x = fr.mass[a] * (share * mult.item(a))
    x *= att_cover
    e = m.p.contest_exponent
    x **= e
    defend **= e
    defend += x
    return np.divide(x, defend, out=np.full(m.R, 0.5), where=defend > 0)


def decide(m: LibyaModel) -> None:
    """Each faction without an offensive may launch one at the target that promises
    the largest net expected gain ``h·P·value − offensive_cost·share·(1 − P) − deterrence``
    (> ``offensive_threshold``), with probability ``offensive_rate`` a month. Targets:
    regions next to its forces held by an enemy or by nobody, and regions it holds
    where an enemy pocket fights on. (The decisions of :func:`step`, on their own.)"""
    state = m.forces_state
    state[:] = 0
    state[3] = -1
    draws = m.rng.random(m.F)
    _prepare(m.forces_k, draws, m.active_offensive, m.cooldown, m.garrison, m.strength,
             m.control, m.hostility, m.alliance, m.jihadist, m.defence, m.combat_mult,
             m.adjacency, m.mass_transit, m.value, m.forces_scratch, m.forces_options)  # fmt: skip
    while True:
        _reserve(m, m.F, m.F)
        book = m.logbook
        bound = _decide(m.forces_k, m.forces_scratch, m.forces_options, _deterrence_matrix(m),
                        m.ceasefire_matrix(), state, m.off_i, m.off_f, m.off_n,
                        m.active_offensive, m.garrison, m.strength, m.control, m.hostility,
                        m.adjacency, m.transit, m.jihadist, m.siege, m.attacked, m.steps,
                        book.codes, book.values, book.used, m.off_log, m.off_fix,
                        m.off_fixn)  # fmt: skip
        _fix_notes(m)
        if not bound:
            return
        state[3] = int(m.ceasefire_defects(int(state[4]), int(state[5])))


@kernel
def _prepare(k: np.ndarray, draws: np.ndarray, active: np.ndarray, cooldown: np.ndarray,
             g: np.ndarray, strength: np.ndarray, control: np.ndarray, hostility: np.ndarray,
             alliance: np.ndarray, jihadist: np.ndarray, defence: np.ndarray,
             mult: np.ndarray, adj_f: np.ndarray, mass_transit: np.ndarray,
             value: np.ndarray, scratch: np.ndarray, options: np.ndarray) -> None:  # fmt: skip
    """The month's deciding factions (``draws[a] < offensive_rate``, no offensive of
    its own, cooldown over, forces left; ``scratch[0, :n]``, n = ``scratch[1, 0]``) and
    their options from the forces as they stand before anyone launches (:func:`_options`:
    nets in ``options``, targets in ``scratch[3:3 + F]``, defenders in
    ``scratch[3 + F:]``, counts in ``scratch[2]``); cooldowns count down a month."""
    F = g.shape[0]
    who = scratch[0]
    nwho = 0
    for a in range(F):
        cooldown[a] -= 1.0
    for a in range(F):
        if (draws[a] < k[OFFENSIVE_RATE] and active[a] < 0 and cooldown[a] <= 0
                and strength[a] > 0):  # fmt: skip
            who[nwho] = a
            nwho += 1
    scratch[1, 0] = nwho
    if nwho > 0:
        share = k[OFFENSIVE_SHARE]
        _options(who[:nwho], share, k[OFFENSIVE_COST] * share, k[CONTEST_EXPONENT],
                 k[INSURGENT_COVER], k[JIHADIST_PRIZE], g, alliance, jihadist, mass_transit,
                 adj_f, value, control, defence, mult, hostility, options[:nwho],
                 scratch[3 : 3 + nwho], scratch[3 + F : 3 + F + nwho], scratch[2])  # fmt: skip


@kernel
def _options(who: np.ndarray, share: float, cost: float, e: float, kappa: float, prize: float,
             g: np.ndarray, alliance: np.ndarray, jihadist: np.ndarray, mass_transit: np.ndarray,
             adj: np.ndarray, value0: np.ndarray, control: np.ndarray, defence: np.ndarray,
             mult: np.ndarray, hostility: np.ndarray, nets: np.ndarray, targets: np.ndarray,
             defs: np.ndarray, counts: np.ndarray) -> None:  # fmt: skip
    """For each attacker in ``who``: its options (targets next to its forces held by an
    enemy or nobody, or its own regions where an enemy pocket fights on), each with the
    net expected gain ``h·P·value − cost·(1 − P)`` and the defender, sorted best first
    (as Python sorts the tuples (net, target, defender) in reverse). The front
    (:class:`Front`): massable force ``mass[F, R]`` and defending force with allies
    ``hold[F, R]``; P the contest ``X^e/(X^e + Y^e)`` (:func:`front`)."""
    F, R = g.shape
    with_allies = work.f2(F, R)
    with_allies[:, :] = 0.0
    for f in range(F):
        for q in range(F):
            if q != f and not jihadist[q] and alliance[f, q] != 0:
                for r in range(R):
                    with_allies[f, r] += alliance[f, q] * g[q, r]
    hold = work.f2(F, R)
    for f in range(F):
        for t in range(R):
            hold[f, t] = with_allies[f, t] + g[f, t]
    mass = work.f2(who.shape[0], R)  # the deciding factions' (by their row in who)
    mass[:, :] = 0.0
    near = work.b2(who.shape[0], R)
    near[:, :] = False
    for i in range(who.shape[0]):
        f = who[i]
        for t in range(R):
            x = 0.0
            y = 0.0
            z = 0.0
            for r in range(R):
                x += g[f, r] * mass_transit[r, t]
                y += with_allies[f, r] * adj[r, t]
                z += g[f, r] * adj[r, t]
            mass[i, t] = x + y
            near[i, t] = z > 0
    value = work.f1(R)
    pocket = work.i1(R)  # in each held region, the holder's strongest enemy there
    for t in range(R):
        c = control[t]
        value[t] = value0[t] + prize * (1.0 if c >= 0 and jihadist[c] else 0.0)
        cc = max(c, 0)
        best, arg = -np.inf, 0
        for f in range(F):
            w = hostility[cc, f] * g[f, t]
            if w > best:
                best, arg = w, f
        pocket[t] = arg if best > 0 else -1
    for i in range(who.shape[0]):
        a = who[i]
        xa = share * mult[a]
        n = 0
        for t in range(R):
            if not near[i, t]:
                continue
            c = control[t]
            if c == a:  # a pocket to clear: the enemy with the most weighted fighters
                d = pocket[t]
                if d < 0:
                    continue
                h = hostility[a, d]
            elif c >= 0:
                d, h = c, hostility[a, c]
                if h <= 0:
                    continue
            else:
                d, h = -1, 1.0
            cov_a, cov_d = 1.0, defence[t]
            if jihadist[a] and g[a, t] > 0:  # the town's cover passes in part to insurgents
                cov_a = cov_d**kappa
                cov_d /= cov_a
            x = (xa * mass[i, t] * cov_a) ** e
            y = (hold[d, t] * cov_d * mult[d]) ** e if d >= 0 else 0.0
            prob = x / (x + y) if x + y > 0 else 0.5
            net = h * prob * value[t] - cost * (1.0 - prob)
            j = n  # insertion, best first: by net, then target, then defender, decreasing
            while j > 0 and (
                nets[i, j - 1] < net
                or (nets[i, j - 1] == net
                    and (targets[i, j - 1] < t or (targets[i, j - 1] == t and defs[i, j - 1] < d)))
            ):  # fmt: skip
                nets[i, j], targets[i, j], defs[i, j] = (
                    nets[i, j - 1],
                    targets[i, j - 1],
                    defs[i, j - 1],
                )
                j -= 1
            nets[i, j], targets[i, j], defs[i, j] = net, t, d
            n += 1
        counts[i] = n


def launch(
    m: LibyaModel,
    attacker: int,
    target: int,
    share: float,
    months: int,
    cause: str,
    origin: int | None = None,
) -> Offensive | None:
    """Mass ``share`` of ``attacker``'s forces at ``origin`` (the target or a
    neighbour; by default the one most of its forces can reach, the target itself
    when it holds it) and open an offensive on ``target`` for ``months`` against
    its holder (or, in a region the attacker holds, against the strongest enemy
    pocket there). None if there is nobody to fight or no force of it can reach.
    A new assault on a town it besieges renews that siege (:func:`_launch`)."""
    _reserve(m, 1, 1)
    book = m.logbook
    k = _launch(m.off_i, m.off_f, m.off_n, m.active_offensive, m.garrison, m.strength,
                m.control, m.hostility, m.adjacency, m.transit, m.jihadist, m.siege, m.attacked,
                attacker, target, float(share), int(months),
                _index(m.off_causes, cause), -1 if origin is None else int(origin), m.steps,
                book.codes, book.values, book.used, m.off_log, m.off_fix,
                m.off_fixn)  # fmt: skip
    _fix_notes(m)
    return None if k < 0 else m.offensives[k]


@kernel
def _mass(off_i: np.ndarray, lo: int, n: int, g: np.ndarray, hostility: np.ndarray,
          transit: np.ndarray, a: int, origin: int, share: float,
          moved: np.ndarray) -> float:  # fmt: skip
    """``moved``: ``share`` of a's forces that can reach ``origin``, except those at it,
    at the origins of a's active offensives and sieges (their besiegers stay) and in
    the targets of its enemies' active offensives (towns attacked keep theirs);
    returns what arrives, ``Σ moved·(1 − hop_loss)^hops``."""
    R = g.shape[1]
    for r in range(R):
        moved[r] = share * g[a, r] * (1.0 if transit[r, origin] > 0 else 0.0)
    moved[origin] = 0.0
    for q in range(lo, n):
        if off_i[q, ot.STATUS] != ot.ACTIVE:
            continue
        b = off_i[q, ot.ATTACKER]
        if b == a:
            moved[off_i[q, ot.ORIGIN]] = 0.0
    for q in range(lo, n):
        if off_i[q, ot.STATUS] != ot.ACTIVE:
            continue
        b = off_i[q, ot.ATTACKER]
        if b != a and hostility[a, b] > 0:
            moved[off_i[q, ot.TARGET]] = 0.0
    return _dot_col(moved, transit, origin)


@kernel
def _launch(off_i: np.ndarray, off_f: np.ndarray, off_n: np.ndarray, active: np.ndarray,
            g: np.ndarray, strength: np.ndarray, control: np.ndarray, hostility: np.ndarray,
            adj: np.ndarray, transit: np.ndarray, jihadist: np.ndarray, siege: np.ndarray,
            attacked: np.ndarray, attacker: int, target: int, share: float, months: int,
            cause: int, origin: int, step: int, codes: np.ndarray, values: np.ndarray,
            used: np.ndarray, log: np.ndarray, fix: np.ndarray,
            fixn: np.ndarray) -> int:  # fmt: skip
    """:func:`launch` (in place, logged; room for a row and a record made beforehand;
    ``origin`` −1: chosen here). Returns the offensive's row, or −1."""
    F, R = g.shape
    n = off_n[0]
    if strength[attacker] <= 0:
        return -1
    moved = work.f1(R)
    for q in range(n):  # a new assault on a town it besieges
        if (off_i[q, ot.STATUS] == ot.ACTIVE and off_i[q, ot.ATTACKER] == attacker
                and off_i[q, ot.TARGET] == target):  # fmt: skip
            r0 = off_i[q, ot.ORIGIN]
            arrive = _mass(off_i, 0, n, g, hostility, transit, attacker, r0, share, moved)
            g[attacker, r0] += arrive
            for r in range(R):
                g[attacker, r] -= moved[r]
            _sync(g, strength)
            off_i[q, ot.INVESTED] = -1
            off_i[q, ot.MONTHS] = off_i[q, ot.ELAPSED] + max(months, 1)
            off_f[q, ot.MASSED] = g[attacker, r0]
            active[attacker] = q
            _record(codes, values, used, step, log, fix, fixn, L_STRATEGIC, L_LAUNCHED, target,
                    attacker, off_i[q, ot.DEFENDER], F_RENEW, cause, r0, g[attacker, r0], 0.0,
                    0.0)  # fmt: skip
            return q
    if active[attacker] >= 0:
        return -1
    holder = control[target]
    d = holder
    if holder == attacker:  # a pocket to clear: the hostile group with most fighters there
        best, d = -np.inf, 0
        for f in range(F):
            w = hostility[attacker, f] * g[f, target]
            if w > best:
                best, d = w, f
        if not best > 0:
            return -1
    if origin < 0:
        if holder == attacker or (jihadist[attacker] and g[attacker, target] > 0):
            origin = target  # a pocket to clear, or insurgents rising from within
        else:  # the neighbour most of its forces can reach
            best = 0.0
            for c in range(R):
                if not adj[target, c] > 0:
                    continue
                x = 0.0
                for r in range(R):
                    x += g[attacker, r] * transit[r, c]
                if x > best:
                    best, origin = x, c
            if origin < 0:
                return -1
    arrive = _mass(off_i, 0, n, g, hostility, transit, attacker, origin, share, moved)
    for r in range(R):
        g[attacker, r] -= moved[r]
    g[attacker, origin] += arrive
    _sync(g, strength)
    if g[attacker, origin] <= 0:
        return -1
    q = n
    off_n[0] = n + 1
    off_i[q, ot.ATTACKER] = attacker
    off_i[q, ot.TARGET] = target
    off_i[q, ot.ORIGIN] = origin
    off_i[q, ot.DEFENDER] = d
    off_i[q, ot.STATUS] = ot.ACTIVE
    off_i[q, ot.MONTHS] = max(months, 1)
    off_i[q, ot.STARTED] = step
    off_i[q, ot.ELAPSED] = 0
    off_i[q, ot.SIEGE] = 1 if holder != attacker else 0
    off_i[q, ot.INVESTED] = -1
    off_i[q, ot.BESIEGED_SINCE] = -1
    off_i[q, ot.CAUSE] = cause
    off_i[q, ot.NOTE] = -1
    off_f[q, ot.MASSED] = g[attacker, origin]
    off_f[q, ot.PROGRESS] = siege[attacker, target]
    off_f[q, ot.NOTE_A0] = 0.0
    off_f[q, ot.NOTE_A1] = 0.0
    active[attacker] = q
    if d >= 0:
        attacked[attacker, d] = True
    _record(codes, values, used, step, log, fix, fixn, L_STRATEGIC, L_LAUNCHED, target,
            attacker, d, F_LAUNCH, cause, origin, g[attacker, origin],
            float(off_i[q, ot.MONTHS]), 0.0)  # fmt: skip
    return q


def call_off(m: LibyaModel, attacker: int, note: str, unless: int = -1) -> None:
    """End ``attacker``'s active offensive, if any (and not on region ``unless``), as
    a stalemate."""
    k = int(m.active_offensive[attacker])
    if k >= 0 and int(m.off_i[k, ot.TARGET]) != unless:
        _logged(m, 2, _end_row, m.forces_k, m.off_i, m.off_f, m.active_offensive, m.cooldown,
                k, ot.STALEMATE, note_of(m, note), 0.0, 0.0)  # fmt: skip
        m.cooldown[attacker] = 0.0


# ------------------------------------------------------------ the offensives' records
#
# A kernel appends an offensive's records to the event log (:mod:`.eventlog`) with
# their numbers, and notes where the note's text names factions, regions or causes
# (``m.off_fix``: log row, kind, two indices); :func:`_fix_notes` then gives those
# rows their note codes, the text being the one the record always had.

#: event types and kinds of the offensives' records (``m.off_log``, codes in the log)
LOG_STRINGS = (STRATEGIC, "Battles", "offensive_launched", "offensive_ended", "siege_ended",
               "siege_started", "control_change", "pocket_cleared")  # fmt: skip
(L_STRATEGIC, L_BATTLES, L_LAUNCHED, L_ENDED, L_SIEGE_ENDED, L_SIEGE_STARTED, L_TAKES,
 L_POCKET) = range(len(LOG_STRINGS))  # fmt: skip
L_REGION0 = len(LOG_STRINGS)  # the code of the first region
#: kinds of note (``m.off_fix[:, 1]``), with what the two indices are
(
    F_LAUNCH,  # cause, origin; numbers: fighters massed, months
    F_RENEW,  # cause, origin; numbers: fighters
    F_ENDED,  # the offensive's row; numbers: its note's
    F_SIEGE_ENDED,  # the offensive's row
    F_SIEGE_STARTED,  # -; numbers: months, odds, progress
    F_TAKES,  # winner, region
    F_POCKET,  # the faction that falls back, where to
) = range(7)


def _codes(m: LibyaModel) -> np.ndarray:
    """``m.off_log``: the log's codes of :data:`LOG_STRINGS`, then its first region's."""
    book = m.logbook
    return np.array([*(book.code(s) for s in LOG_STRINGS), book.region0], dtype=np.int64)


def _reserve(m: LibyaModel, rows: int, records: int) -> None:
    """Room for ``rows`` more offensives and ``records`` more log records (with notes to fix)."""
    if m.off_n.item(0) + rows > len(m.off_i):
        ot.reserve(m, rows)
    m.logbook.reserve(records)
    n = m.off_fixn.item(0)
    if n + records > len(m.off_fix):
        fix = np.empty((2 * (n + records), 4), dtype=np.int64)
        fix[:n] = m.off_fix[:n]
        m.off_fix = fix


def _fix_notes(m: LibyaModel) -> None:
    """The notes of the records the kernels appended (``m.off_fix``), and the views of
    new rows of the offensives' table (``m.offensives``)."""
    _views(m)
    n = int(m.off_fixn[0])
    if n:
        book, fids, rids = m.logbook, m.faction_ids, m.region_ids
        codes, off_i, known = book.codes, m.off_i, m.off_note_codes
        for row, kind, x, y in m.off_fix[:n].tolist():
            # a note that is a function of (kind, x, y) alone: its code, once made
            if (code := known.get((kind, x, y))) is not None:
                codes[row, NOTE] = code
                continue
            if kind == F_LAUNCH:
                c, at = _esc(m.off_causes[x]), rids[y]
                code = book.note(f"{c}: {{0:.0f}} fighters massed at {at} for {{1:.0f}} months", 2)
            elif kind == F_RENEW:
                c = _esc(m.off_causes[x])
                code = book.note(f"{c}: {{0:.0f}} fighters renew the siege from {rids[y]}", 1)
            elif kind == F_ENDED:
                status = ot.STATUS_NAMES[off_i[x, ot.STATUS]]
                i = int(off_i[x, ot.NOTE])
                k = ot.NOTE_NARGS[i] if i < len(ot.NOTE_NARGS) else 0
                if k:
                    code = book.note(f"{status}: {m.off_notes[i]}", k)
                else:
                    code = book.note(f"{status}: {m.offensives[x].note}")
            elif kind == F_SIEGE_ENDED:
                code = book.note(ot.STATUS_NAMES[off_i[x, ot.STATUS]])
            elif kind == F_SIEGE_STARTED:
                code = book.note(f"{ot.NOTES[ot.N_INVESTED]}; progress {{2:.2f}}", 3)
            elif kind == F_TAKES:
                code = book.note(f"{fids[x]} takes {rids[y]}")
            else:
                code = book.note(f"{fids[x]} falls back to {rids[y]}")
            if kind != F_ENDED and kind != F_SIEGE_ENDED:  # (theirs read the offensive's row)
                known[(kind, x, y)] = code
            codes[row, NOTE] = code
        m.off_fixn[0] = 0


def _views(m: LibyaModel) -> None:
    """Views of the rows added to the offensives' table since the last call."""
    views = m.offensives
    for k in range(len(views), int(m.off_n[0])):
        views.append(Offensive(m, k))


def _esc(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _logged(m: LibyaModel, records: int, fn: Any, *args: Any) -> Any:
    """``fn(*args, <log arrays>)``, a kernel that appends at most ``records`` records to
    the event log, with room made beforehand and the notes fixed after."""
    _reserve(m, 0, records)
    book = m.logbook
    out = fn(*args, m.steps, book.codes, book.values, book.used, m.off_log, m.off_fix,
             m.off_fixn)  # fmt: skip
    _fix_notes(m)
    return out


@kernel
def _record(codes: np.ndarray, values: np.ndarray, used: np.ndarray, step: int,
            log: np.ndarray, fix: np.ndarray, fixn: np.ndarray, etype: int, kind: int,
            region: int, actor1: int, actor2: int, how: int, x: int, y: int, a0: float,
            a1: float, a2: float) -> None:  # fmt: skip
    """One record (type ``log[etype]``, kind ``log[kind]``, in ``region``) whose note
    :func:`_fix_notes` writes: ``how`` (F_*), ``x``, ``y``; numbers ``a0..a2``."""
    n = fixn[0]
    fix[n, 0] = used[0]
    fix[n, 1] = how
    fix[n, 2] = x
    fix[n, 3] = y
    fixn[0] = n + 1
    append(codes, values, used, step, log[etype], log[kind], log[L_REGION0] + region, actor1,
           actor2, 0.0, -1, a0, a1, a2, 0.0)  # fmt: skip


@kernel
def _end_row(k: np.ndarray, off_i: np.ndarray, off_f: np.ndarray, active: np.ndarray,
             cooldown: np.ndarray, row: int, status: int, note: int, x0: float, x1: float,
             step: int, codes: np.ndarray, values: np.ndarray, used: np.ndarray,
             log: np.ndarray, fix: np.ndarray, fixn: np.ndarray) -> None:  # fmt: skip
    """The offensive of ``row`` ends (``status``, ``note`` with numbers x0, x1): its
    attacker is free after ``offensive_cooldown`` months; logged (and, if it was ever
    invested, the siege's end too)."""
    off_i[row, ot.STATUS] = status
    off_i[row, ot.NOTE] = note
    off_f[row, ot.NOTE_A0] = x0
    off_f[row, ot.NOTE_A1] = x1
    a, t, d = off_i[row, ot.ATTACKER], off_i[row, ot.TARGET], off_i[row, ot.DEFENDER]
    if active[a] == row:
        active[a] = -1
    cooldown[a] = k[OFFENSIVE_COOLDOWN]
    _record(codes, values, used, step, log, fix, fixn, L_STRATEGIC, L_ENDED, t, a, d, F_ENDED,
            row, 0, x0, x1, 0.0)  # fmt: skip
    if off_i[row, ot.BESIEGED_SINCE] >= 0:
        _record(codes, values, used, step, log, fix, fixn, L_STRATEGIC, L_SIEGE_ENDED, t, a, d,
                F_SIEGE_ENDED, row, 0, 0.0, 0.0, 0.0)  # fmt: skip


@kernel
def _invest(k: np.ndarray, off_i: np.ndarray, off_f: np.ndarray, active: np.ndarray,
            cooldown: np.ndarray, row: int, odds: float, step: int, codes: np.ndarray,
            values: np.ndarray, used: np.ndarray, log: np.ndarray, fix: np.ndarray,
            fixn: np.ndarray) -> None:  # fmt: skip
    """:func:`invest` on the table's ``row``."""
    a = off_i[row, ot.ATTACKER]
    off_i[row, ot.INVESTED] = step
    off_i[row, ot.NOTE] = ot.N_INVESTED
    elapsed = float(off_i[row, ot.ELAPSED])
    off_f[row, ot.NOTE_A0] = elapsed
    off_f[row, ot.NOTE_A1] = odds
    if off_i[row, ot.BESIEGED_SINCE] < 0:
        off_i[row, ot.BESIEGED_SINCE] = step
        _record(codes, values, used, step, log, fix, fixn, L_STRATEGIC, L_SIEGE_STARTED,
                off_i[row, ot.TARGET], a, off_i[row, ot.DEFENDER], F_SIEGE_STARTED, 0, 0,
                elapsed, odds, off_f[row, ot.PROGRESS])  # fmt: skip
    if active[a] == row:
        active[a] = -1
    cooldown[a] = k[OFFENSIVE_COOLDOWN]


def invest(m: LibyaModel, o: Offensive, odds: float) -> None:
    """The offensive settles into an invested siege: the besiegers stay, the faction
    is free to decide on other offensives after its cooldown."""
    _logged(m, 1, _invest, m.forces_k, m.off_i, m.off_f, m.active_offensive, m.cooldown, o.k,
            odds)  # fmt: skip


def press(m: LibyaModel) -> None:
    """Every active offensive fights a month; siege progress; success, retreat or stalemate.
    Siege progress no offensive presses decays by ``siege_decay``.

    Row by row in one kernel (:func:`_press`), which stops only where a ceasefire binds
    an attacker to its defender: the attacker's decision to defect is Python's
    (:meth:`LibyaModel.ceasefire_defects`)."""
    pressed = m.pressed
    pressed[:] = 0
    start, answer = 0, -1
    while True:
        n = int(m.off_n[0])
        _reserve(m, 0, 4 * (n - start))
        book = m.logbook
        stop = _press(m.forces_k, m.conflict_k, m.off_i, m.off_f, n, m.active_offensive,
                      m.cooldown, m.siege, m.garrison, m.control, m.hostility, m.alliance,
                      m.jihadist, m.defence, m.months_held, m.gov_need_inv, m.reach_share,
                      m.combat_mult, m.adjacency, m.ungoverned, m.ceasefire_matrix(), pressed,
                      start, answer, m.losses, m.jihadist_losses_by, m.pair_deaths, m.attacked,
                      m.region_deaths, m.involved, m.tally, m.battle_log, m.steps, book.codes,
                      book.values, book.used, m.off_log, m.off_fix, m.off_fixn)  # fmt: skip
        if stop < 0:
            break
        _fix_notes(m)
        a, d = int(m.off_i[stop, ot.ATTACKER]), int(m.off_i[stop, ot.DEFENDER])
        start, answer = stop, int(m.ceasefire_defects(a, d))
    _fix_notes(m)
    _decay(m.siege, pressed, m.forces_k[SIEGE_DECAY])
    m.sync_strength()


@kernel
def _decay(siege: np.ndarray, pressed: np.ndarray, decay: float) -> None:
    """Siege progress no offensive pressed this month decays by ``decay``."""
    F, R = siege.shape
    keep = 1.0 - decay
    for f in range(F):
        for r in range(R):
            if not pressed[f, r]:
                siege[f, r] *= keep


@kernel
def _press(k: np.ndarray, ck: np.ndarray, off_i: np.ndarray, off_f: np.ndarray, n: int,
           active: np.ndarray, cooldown: np.ndarray, siege: np.ndarray, g: np.ndarray,
           control: np.ndarray, hostility: np.ndarray, alliance: np.ndarray,
           jihadist: np.ndarray, defence: np.ndarray, months_held: np.ndarray,
           gov_need_inv: np.ndarray, reach_share: np.ndarray, mult: np.ndarray,
           adj: np.ndarray, ungoverned: np.ndarray, bind: np.ndarray, pressed: np.ndarray,
           start: int, answer: int, losses: np.ndarray, jihadist_losses_by: np.ndarray,
           pair_deaths: np.ndarray, attacked: np.ndarray, region_deaths: np.ndarray,
           involved: np.ndarray, tally: np.ndarray, battle_log: np.ndarray, step: int,
           codes: np.ndarray, values: np.ndarray, used: np.ndarray, log: np.ndarray,
           fix: np.ndarray, fixn: np.ndarray) -> int:  # fmt: skip
    """:func:`press` on the rows ``start..n-1`` of the offensives' table (in place; the
    caller decays the progress not pressed and syncs strength). Returns −1 when done, or
    the row whose attacker a ceasefire binds to its defender (``bind``): the caller
    resumes there with ``answer`` 1 if the attacker defects, else 0."""
    for q in range(start, n):
        if off_i[q, ot.STATUS] != ot.ACTIVE:
            continue
        a, t, r0 = off_i[q, ot.ATTACKER], off_i[q, ot.TARGET], off_i[q, ot.ORIGIN]
        is_siege = off_i[q, ot.SIEGE] != 0
        if q == start and answer >= 0:  # resumed: the attacker has decided on the truce
            d = off_i[q, ot.DEFENDER]
            if answer == 0:
                _end_row(k, off_i, off_f, active, cooldown, q, ot.STALEMATE, ot.N_CEASEFIRE,
                         0.0, 0.0, step, codes, values, used, log, fix, fixn)  # fmt: skip
                continue
        else:
            holder = control[t]
            if holder != a:
                off_i[q, ot.DEFENDER] = holder  # the holder may have changed
            elif is_siege:  # it was taken in the meantime (by this or another offensive)
                _end_row(k, off_i, off_f, active, cooldown, q, ot.SUCCESS, ot.N_HOLDS, 0.0,
                         0.0, step, codes, values, used, log, fix, fixn)  # fmt: skip
                continue
            d = off_i[q, ot.DEFENDER]
            if d >= 0 and hostility[a, d] <= 0:
                _end_row(k, off_i, off_f, active, cooldown, q, ot.STALEMATE, ot.N_NOT_HOSTILE,
                         0.0, 0.0, step, codes, values, used, log, fix, fixn)  # fmt: skip
                continue
            if d >= 0 and bind[a, d]:
                return q
        pressed[a, t] = True
        invested = off_i[q, ot.INVESTED] >= 0
        gained = min(siege[a, t], 1.0)  # the share of the town the attacker has taken
        if d >= 0 and g[d, t] > 0 and g[a, r0] > 0:
            t_fire = k[SIEGE_INTENSITY] if invested else k[OFFENSIVE_INTENSITY]
            t_fire *= 1.0 - k[POCKET_FRONT] * gained  # the front shrinks with the pocket
            _defend_together(ck, a, d, r0, t, t_fire, defence[t], g, alliance, mult, jihadist,
                             losses, jihadist_losses_by, pair_deaths, attacked, region_deaths,
                             involved, tally, codes, values, used, step, battle_log)  # fmt: skip
        if invested and d >= 0:
            _encircle(k[SIEGE_ATTRITION], g, alliance, jihadist, a, d, t)
        prob = _contest_odds(k, g, alliance, jihadist, defence, mult, a, d, r0, t)
        elapsed = off_i[q, ot.ELAPSED] + 1
        off_i[q, ot.ELAPSED] = elapsed
        within = is_siege and r0 == t and jihadist[a]  # insurgents rising within the town
        adv = (
            k[SIEGE_SPEED]
            * (2.0 * prob - 1.0)
            / (defence[t] * _dug_in(k, jihadist, control, months_held, d, t))
        )
        if within:  # districts nobody holds: no fight
            adv += k[INSURGENT_SEIZURE] * _unheld(g, control, gov_need_inv, reach_share, t)
        s = siege[a, t] + adv
        s = s if s > 0.0 else 0.0
        siege[a, t] = s
        off_f[q, ot.PROGRESS] = s
        # encirclement takes numbers: the besiegers against the besieged; insurgents
        # rising within a town need none (they are in it already: they go to ground
        # among the population rather than retreat)
        can_hold = (
            is_siege
            and d >= 0
            and (within or g[a, r0] >= k[SIEGE_RATIO] * _besieged(g, alliance, jihadist, a, d, t))
        )
        x0 = float(elapsed)
        if s >= 1.0:
            for f in range(siege.shape[0]):
                siege[f, t] = 0.0
            if is_siege:
                _take(k, g, control, adj, a, d, r0, t, step, codes, values, used, log, fix,
                      fixn)  # fmt: skip
            else:
                _disperse(g, control, adj, ungoverned, d, t, step, codes, values, used, log,
                          fix, fixn)  # fmt: skip
            _end_row(k, off_i, off_f, active, cooldown, q, ot.SUCCESS, ot.N_AFTER, x0, 0.0,
                     step, codes, values, used, log, fix, fixn)  # fmt: skip
        elif g[a, r0] < k[RETREAT_SHARE] * off_f[q, ot.MASSED]:
            siege[a, t] *= 0.5
            _end_row(k, off_i, off_f, active, cooldown, q, ot.RETREAT, ot.N_AFTER_ODDS, x0,
                     prob, step, codes, values, used, log, fix, fixn)  # fmt: skip
        elif invested:
            if not can_hold:
                siege[a, t] *= 0.5
                _end_row(k, off_i, off_f, active, cooldown, q, ot.RETREAT, ot.N_BROKEN, x0,
                         0.0, step, codes, values, used, log, fix, fixn)  # fmt: skip
            elif step - off_i[q, ot.INVESTED] >= k[SIEGE_PATIENCE]:
                _end_row(k, off_i, off_f, active, cooldown, q, ot.STALEMATE, ot.N_LIFTED, x0,
                         0.0, step, codes, values, used, log, fix, fixn)  # fmt: skip
        elif prob < k[RETREAT_ODDS] or elapsed >= off_i[q, ot.MONTHS]:
            if can_hold:
                _invest(k, off_i, off_f, active, cooldown, q, prob, step, codes, values, used,
                        log, fix, fixn)  # fmt: skip
            elif prob < k[RETREAT_ODDS]:
                siege[a, t] *= 0.5
                _end_row(k, off_i, off_f, active, cooldown, q, ot.RETREAT, ot.N_AFTER_ODDS,
                         x0, prob, step, codes, values, used, log, fix, fixn)  # fmt: skip
            else:
                _end_row(k, off_i, off_f, active, cooldown, q, ot.STALEMATE, ot.N_PROGRESS,
                         x0, s, step, codes, values, used, log, fix, fixn)  # fmt: skip
    return -1


def disperse(m: LibyaModel, d: int, t: int) -> None:
    """A cleared pocket: d's fighters in t fall back to the neighbouring region where d
    has most fighters, else the least governed neighbour."""
    _logged(m, 1, _disperse, m.garrison, m.control, m.adjacency, m.ungoverned, d, t)


@kernel
def _disperse(g: np.ndarray, control: np.ndarray, adj: np.ndarray, ungoverned: np.ndarray,
              d: int, t: int, step: int, codes: np.ndarray, values: np.ndarray,
              used: np.ndarray, log: np.ndarray, fix: np.ndarray,
              fixn: np.ndarray) -> None:  # fmt: skip
    """:func:`disperse` (in place, logged)."""
    if d < 0 or g[d, t] <= 0:
        return
    R = g.shape[1]
    most, dest = 0.0, -1  # the neighbour where d has most fighters (the first of equals)
    for r in range(R):
        if adj[t, r] > 0 and r != t and (dest < 0 or g[d, r] > most):
            most, dest = g[d, r], r
    if dest < 0:
        return
    if not most > 0:  # else the least governed neighbour
        best = -1.0
        for r in range(R):
            if adj[t, r] > 0 and r != t and (best < 0 or ungoverned[r] > best):
                best, dest = ungoverned[r], r
    g[d, dest] += g[d, t]
    g[d, t] = 0.0
    _record(codes, values, used, step, log, fix, fixn, L_BATTLES, L_POCKET, t, control[t], d,
            F_POCKET, d, dest, 0.0, 0.0, 0.0)  # fmt: skip


@kernel
def _take(k: np.ndarray, g: np.ndarray, control: np.ndarray, adj: np.ndarray, win: int,
          lose: int, from_region: int, region: int, step: int, codes: np.ndarray,
          values: np.ndarray, used: np.ndarray, log: np.ndarray, fix: np.ndarray,
          fixn: np.ndarray) -> None:  # fmt: skip
    """:func:`.conflict.take` (in place, logged)."""
    if from_region != region:
        moving = k[OCCUPATION_SHARE] * g[win, from_region]
        g[win, from_region] -= moving
        g[win, region] += moving
    if lose >= 0:
        remaining = g[lose, region]
        if remaining > 0:
            dest = -1  # the adjacent region the loser holds with the largest garrison
            for r in range(g.shape[1]):
                if (control[r] == lose and adj[region, r] > 0 and r != region
                        and (dest < 0 or g[lose, r] > g[lose, dest])):  # fmt: skip
                    dest = r
            if dest >= 0:
                g[lose, dest] += remaining
                g[lose, region] = 0.0
    control[region] = win
    _record(codes, values, used, step, log, fix, fixn, L_BATTLES, L_TAKES, region, win, lose,
            F_TAKES, win, region, 0.0, 0.0, 0.0)  # fmt: skip


def take(m: LibyaModel, win: int, lose: int, from_region: int, region: int) -> None:
    """:func:`.conflict.take` (its kernel lives here, with the offensives that call it)."""
    _logged(m, 1, _take, m.forces_k, m.garrison, m.control, m.adjacency, win, lose, from_region,
            region)  # fmt: skip


def dug_in(m: LibyaModel, d: int, t: int) -> float:
    """How much slower a siege advances against d in t because d has dug the town in:
    ``1 + entrenchment·min(1, held_t/entrenchment_months)`` when d is a jihadist group
    holding t (belts of mines and IEDs, tunnels, snipers and car bombs, each district
    cleared in turn: Knights & Mello 2015), else 1."""
    return float(_dug_in(m.forces_k, m.jihadist, m.control, m.months_held, d, t))


@kernel
def _dug_in(k: np.ndarray, jihadist: np.ndarray, control: np.ndarray, months_held: np.ndarray,
            d: int, t: int) -> float:  # fmt: skip
    if d < 0 or not jihadist[d] or control[t] != d:
        return 1.0
    return 1.0 + k[ENTRENCHMENT] * min(1.0, months_held[t] / k[ENTRENCHMENT_MONTHS])


def unheld(m: LibyaModel, t: int) -> float:
    """The share of t its holder's garrison is too thin to govern:
    ``1 − (1 − rough_t)·min(1, g_ct/(governance_density·pop_t/1000))`` (0 if nobody holds it)."""
    return float(_unheld(m.garrison, m.control, m.gov_need_inv, m.reach_share, t))


@kernel
def _unheld(g: np.ndarray, control: np.ndarray, gov_need_inv: np.ndarray,
            reach_share: np.ndarray, t: int) -> float:  # fmt: skip
    c = control[t]
    if c < 0:
        return 0.0
    gov = min(1.0, g[c, t] * gov_need_inv[t])
    return 1.0 - reach_share[t] * gov


def _odds(m: LibyaModel, o: Offensive) -> float:
    """The attacker's force at its origin against the defenders in the target (with the
    defender's allies there, the defence factor and both combat multipliers)."""
    k, g, mult = m.forces_k, m.garrison, m.combat_mult
    a, d, r0, t = o.attacker, o.defender, o.origin, o.target
    return float(_contest_odds(k, g, m.alliance, m.jihadist, m.defence, mult, a, d, r0, t))


@kernel
def _contest_odds(k: np.ndarray, g: np.ndarray, alliance: np.ndarray, jihadist: np.ndarray,
                  defence: np.ndarray, mult: np.ndarray, a: int, d: int, r0: int,
                  t: int) -> float:  # fmt: skip
    """:func:`_odds` of a's force at ``r0`` against d's (with allies) in ``t``."""
    att = g[a, r0] * mult[a]
    if d < 0:
        return 1.0
    cover = defence[t]
    if jihadist[a] and r0 == t:  # insurgents within take part of it (cover_split)
        own = cover ** k[INSURGENT_COVER]
        att *= own
        cover /= own
    dfd = _besieged(g, alliance, jihadist, a, d, t) * cover * mult[d]
    if att <= 0 and dfd <= 0:
        return 0.5
    e = k[CONTEST_EXPONENT]
    x, y = att**e, dfd**e
    return x / (x + y)


def defend_together(m: LibyaModel, a: int, d: int, r0: int, t: int, t_fire: float) -> None:
    """The attack on t meets the defender and its non-jihadist allies there as one
    force (the battle is logged against d); the losses are shared in proportion
    to the fighters each has there."""
    book = m.logbook
    book.reserve(1)
    _defend_together(m.conflict_k, a, d, r0, t, t_fire, m.defence[t], m.garrison, m.alliance,
                     m.combat_mult, m.jihadist, m.losses, m.jihadist_losses_by, m.pair_deaths,
                     m.attacked, m.region_deaths, m.involved, m.tally, book.codes, book.values,
                     book.used, m.steps, m.battle_log)  # fmt: skip


@kernel
def _defend_together(ck: np.ndarray, a: int, d: int, r0: int, t: int, t_fire: float,
                     cover: float, g: np.ndarray, alliance: np.ndarray, mult: np.ndarray,
                     jihadist: np.ndarray, losses: np.ndarray, jihadist_losses_by: np.ndarray,
                     pair_deaths: np.ndarray, attacked: np.ndarray, region_deaths: np.ndarray,
                     involved: np.ndarray, tally: np.ndarray, codes: np.ndarray,
                     values: np.ndarray, used: np.ndarray, step: int,
                     battle_log: np.ndarray) -> None:  # fmt: skip
    """:func:`defend_together` (in place; :func:`.conflict._fight` logs the battle)."""
    F = g.shape[0]
    side = work.i1(F)
    theirs = work.f1(F)
    n = 0
    for f in range(F):
        if f != a and f != d and alliance[d, f] > 0 and not jihadist[f] and g[f, t] > 0:
            side[n] = f
            theirs[n] = g[f, t]
            n += 1
    if n == 0:
        _fight(ck, a, d, r0, t, t_fire, cover, g, mult, jihadist, losses, jihadist_losses_by,
               pair_deaths, attacked, region_deaths, involved, tally, codes, values, used,
               step, battle_log)  # fmt: skip
        return
    mine = g[d, t]
    tot = 0.0
    for i in range(n):
        tot += theirs[i]
    total = mine + tot
    g[d, t] = total
    for i in range(n):
        g[side[i], t] = 0.0
    _fight(ck, a, d, r0, t, t_fire, cover, g, mult, jihadist, losses, jihadist_losses_by,
           pair_deaths, attacked, region_deaths, involved, tally, codes, values, used, step,
           battle_log)  # fmt: skip
    kept = g[d, t] / total
    g[d, t] = mine * kept
    lost_all = 0.0
    for i in range(n):
        g[side[i], t] = theirs[i] * kept
        lost = theirs[i] * (1.0 - kept)
        lost_all += lost
        losses[side[i]] += lost
    losses[d] -= lost_all  # _fight booked the side's losses to d
    if jihadist[d]:  # and counted them as jihadist losses a inflicted
        jihadist_losses_by[a] -= lost_all


def besieged(m: LibyaModel, a: int, d: int, t: int) -> float:
    """The defender's fighters in t with its non-jihadist allies there (not a)."""
    return float(_besieged(m.garrison, m.alliance, m.jihadist, a, d, t))


@kernel
def _besieged(g: np.ndarray, alliance: np.ndarray, jihadist: np.ndarray, a: int, d: int,
              t: int) -> float:  # fmt: skip
    F = g.shape[0]
    w = work.f1(F)  # d's non-jihadist allies (not a)
    for f in range(F):
        w[f] = 0.0 if f == a or jihadist[f] else alliance[d, f]
    return g[d, t] + _dot_col(w, g, t)


def encircle(m: LibyaModel, a: int, d: int, t: int) -> None:
    """An invested siege cuts the besieged off: the defender and its non-jihadist
    allies in t lose ``siege_attrition`` of their fighters there (supplies cut,
    desertion, surrender; not counted as deaths)."""
    _encircle(m.forces_k[SIEGE_ATTRITION], m.garrison, m.alliance, m.jihadist, a, d, t)


@kernel
def _encircle(attrition: float, g: np.ndarray, alliance: np.ndarray, jihadist: np.ndarray,
              a: int, d: int, t: int) -> None:  # fmt: skip
    keep = 1.0 - attrition
    for f in range(g.shape[0]):
        if f == d or (f != a and alliance[d, f] > 0 and not jihadist[f]):
            g[f, t] *= keep


def _deterrence_matrix(m: LibyaModel) -> np.ndarray:
    """[F, R] the red lines' cost to each attacker of each target
    (:func:`.support.deterrence_matrix`; zeros without red lines)."""
    return support.deterrence_matrix(m) if m.red_lines else m.no_deterrence


def step(m: LibyaModel) -> None:
    """Step 4 (before :func:`.conflict.step`): redeploy, decide, press offensives.

    One kernel (:func:`_step`) for the month, which stops only where a ceasefire binds
    an attacker to the faction it would attack: that side's decision to defect is
    Python's (:meth:`LibyaModel.ceasefire_defects`), the kernel resumes where it
    stopped. The month's decisions draw ``F`` uniforms from the model's Generator."""
    m.forces_ctl[C_STATE] = STAGE_START
    resume(m, m.rng.random(m.F))


def resume(m: LibyaModel, draws: np.ndarray, asked: bool = False) -> None:
    """:func:`step` from where its kernel stands (``m.forces_state``), first answering
    the ceasefire's question it stopped at if ``asked``; the kernel is called again
    after each question is answered. ``draws``: the month's F uniforms (read at its
    start only). Before the kernel: room for its rows and records (:func:`_reserve`);
    after it: the notes of its records (:func:`_fix_notes`)."""
    ctl = m.forces_ctl
    while True:
        if asked:
            answer(m)
        _reserve(m, m.F, records(m))
        book = m.logbook
        stop = _step_p(table(m, _STEP), draws, m.off_i, m.off_f, m.ceasefire_matrix(),
                       _deterrence_matrix(m), m.steps, book.codes, book.values, book.used,
                       m.off_fix)  # fmt: skip
        if ctl.item(C_FIXN):  # (a new row always comes with a record whose note to fix)
            _fix_notes(m)
        if stop < 0:
            return
        asked = True


def records(m: LibyaModel) -> int:
    """The most records :func:`_step` may append to the log from where it stands."""
    ctl = m.forces_ctl
    return 4 * (ctl.item(C_N) - ctl.item(C_LO) + 2 * m.F)


def answer(m: LibyaModel) -> None:
    """Answer the ceasefire's question :func:`_step` stopped at: does the bound attacker
    (``forces_ctl[C_STATE + 4]``) defect to attack the defender (``+ 5``)?"""
    ctl = m.forces_ctl
    ctl[C_STATE + 3] = m.ceasefire_defects(ctl.item(C_STATE + 4), ctl.item(C_STATE + 5))


#: :func:`_step`'s arrays that live as long as the model (its attributes of these names),
#: in the slots of its table (:mod:`.args`), for :func:`_step_p`; the offensives' table
#: and the log's buffers grow, and the ceasefire and deterrence matrices are the month's:
#: those are arguments of their own
_STEP = (
    "forces_k", "conflict_k", "forces_ctl", "active_offensive", "cooldown", "siege",
    "garrison", "strength", "control", "held_last", "hostility", "alliance", "jihadist",
    "combat_mult", "forces_r", "forces_rr", "forces_scratch", "forces_options", "losses",
    "jihadist_losses_by", "pair_deaths", "attacked", "region_deaths", "involved", "tally",
    "battle_log", "off_log",
)  # fmt: skip


@kernel
def _step_p(t: np.ndarray, draws: np.ndarray, off_i: np.ndarray, off_f: np.ndarray,
           bind: np.ndarray, deterrence: np.ndarray, step: int, codes: np.ndarray,
           values: np.ndarray, used: np.ndarray, fix: np.ndarray) -> int:  # fmt: skip
    """:func:`_step` on the arrays of the table ``t`` (:data:`_STEP`)."""
    return _step(f1(t, 0), f1(t, 1), draws, off_i, off_f, i1(t, 2), i1(t, 3), f1(t, 4), f2(t, 5),
                 f2(t, 6), f1(t, 7), i1(t, 8), i1(t, 9), f2(t, 10), f2(t, 11), b1(t, 12),
                 f1(t, 13), f2(t, 14), f3(t, 15), bind, deterrence, i2(t, 16), f2(t, 17),
                 f1(t, 18), f1(t, 19), f2(t, 20), b2(t, 21), f1(t, 22), b2(t, 23), f1(t, 24),
                 i1(t, 25), step, codes, values, used, i1(t, 26), fix)  # fmt: skip


#: stages of :func:`_step` (``state[0]``)
STAGE_START, STAGE_DECIDE, STAGE_PRESS = range(3)


@kernel
def _step(k: np.ndarray, ck: np.ndarray, draws: np.ndarray, off_i: np.ndarray,
          off_f: np.ndarray, ctl: np.ndarray, active: np.ndarray, cooldown: np.ndarray,
          siege: np.ndarray, g: np.ndarray, strength: np.ndarray, control: np.ndarray,
          held_last: np.ndarray, hostility: np.ndarray, alliance: np.ndarray,
          jihadist: np.ndarray, mult: np.ndarray, fr: np.ndarray, rr: np.ndarray,
          bind: np.ndarray, deterrence: np.ndarray, scratch: np.ndarray, options: np.ndarray,
          losses: np.ndarray, jihadist_losses_by: np.ndarray, pair_deaths: np.ndarray,
          attacked: np.ndarray, region_deaths: np.ndarray, involved: np.ndarray,
          tally: np.ndarray, battle_log: np.ndarray, step: int, codes: np.ndarray,
          values: np.ndarray, used: np.ndarray, log: np.ndarray,
          fix: np.ndarray) -> int:  # fmt: skip
    """:func:`step` on the model's arrays (in place; room for ``F`` rows and their
    records made beforehand). ``ctl`` (:data:`NC`) holds the table's counts and
    ``state`` = [stage, index, option, answer, a, d]: where the month stands. Returns −1
    when the month is done, or 1 where a ceasefire binds ``a`` not to attack ``d``
    (``state[4:6]``): the caller sets ``state[3]`` to 1 if ``a`` defects, else 0, and
    calls again. ``draws``: F uniforms (the decisions); ``scratch`` int64
    [3 + 3F, max(F, R)] and ``options`` [F, R] hold the decisions' options between
    calls, the last F rows of ``scratch`` the progress pressed this month; ``fr`` and
    ``rr``: the per-region numbers and matrices (:data:`NR`, ``RR_*``)."""
    F, R = g.shape
    off_n, off_lo, fixn = ctl[C_N : C_N + 1], ctl[C_LO : C_LO + 1], ctl[C_FIXN : C_FIXN + 1]
    state = ctl[C_STATE:]
    defence, gov_need_inv, reach_share = fr[R_DEFENCE], fr[R_GOV_NEED_INV], fr[R_REACH_SHARE]
    value, cover_per_defence, gov_floor = fr[R_VALUE], fr[R_COVER], fr[R_GOV_FLOOR]
    months_held, ungoverned = fr[R_HELD], fr[R_UNGOVERNED]
    transit, transit_off, transit_off2 = rr[RR_TRANSIT], rr[RR_TRANSIT_OFF], rr[RR_TRANSIT_OFF2]
    mass_transit, adj = rr[RR_MASS], rr[RR_ADJ]
    pressed = scratch[3 + 2 * F :, :R]
    if state[0] == STAGE_START:
        for r in range(R):  # a month more in the same hands, or a new holder's first month
            months_held[r] = (months_held[r] + 1.0) * (1.0 if control[r] == held_last[r] else 0.0)
            held_last[r] = control[r]
        if k[REDEPLOY_RATE] > 0:
            off = _active_rows(off_i, off_lo[0], off_n[0])
            if _redeploy(k, g, control, hostility, adj, off, mult, defence, cover_per_defence,
                         alliance, jihadist, gov_floor, transit_off, transit_off2):  # fmt: skip
                _sync(g, strength)
        _prepare(k, draws, active, cooldown, g, strength, control, hostility, alliance,
                 jihadist, defence, mult, adj, mass_transit, value, scratch, options)  # fmt: skip
        state[1] = 0
        state[2] = 0
        state[3] = -1
        state[0] = STAGE_DECIDE
    if state[0] == STAGE_DECIDE:
        if _decide(k, scratch, options, deterrence, bind, state, off_i, off_f, off_n, active,
                   g, strength, control, hostility, adj, transit, jihadist, siege, attacked,
                   step, codes, values, used, log, fix, fixn):  # fmt: skip
            return 1
        state[0] = STAGE_PRESS
        state[1] = off_lo[0]
        for f in range(F):
            for r in range(R):
                pressed[f, r] = False
    n = off_n[0]
    lo = off_lo[0]
    while lo < n and off_i[lo, ot.STATUS] != ot.ACTIVE:
        lo += 1
    if lo == n:  # no assault and no siege under way
        keep = 1.0 - k[SIEGE_DECAY]
        for f in range(F):
            for r in range(R):
                siege[f, r] *= keep
        off_lo[0] = lo
        return -1
    q = _press(k, ck, off_i, off_f, n, active, cooldown, siege, g, control, hostility,
               alliance, jihadist, defence, months_held, gov_need_inv, reach_share, mult, adj,
               ungoverned, bind, pressed, max(state[1], lo), state[3], losses,
               jihadist_losses_by, pair_deaths, attacked, region_deaths, involved, tally,
               battle_log, step, codes, values, used, log, fix, fixn)  # fmt: skip
    if q >= 0:
        state[1] = q
        state[4] = off_i[q, ot.ATTACKER]
        state[5] = off_i[q, ot.DEFENDER]
        return 1
    _decay(siege, pressed, k[SIEGE_DECAY])
    _sync(g, strength)
    while lo < n and off_i[lo, ot.STATUS] != ot.ACTIVE:
        lo += 1
    off_lo[0] = lo
    return -1


@kernel
def _active_rows(off_i: np.ndarray, lo: int, n: int) -> np.ndarray:
    """(attacker, origin, target) of each active offensive, [n, 3]."""
    c = 0
    for q in range(lo, n):
        if off_i[q, ot.STATUS] == ot.ACTIVE:
            c += 1
    out = np.empty((c, 3), np.int64)
    c = 0
    for q in range(lo, n):
        if off_i[q, ot.STATUS] == ot.ACTIVE:
            out[c, 0] = off_i[q, ot.ATTACKER]
            out[c, 1] = off_i[q, ot.ORIGIN]
            out[c, 2] = off_i[q, ot.TARGET]
            c += 1
    return out


@kernel
def _decide(k: np.ndarray, scratch: np.ndarray, options: np.ndarray, deterrence: np.ndarray,
            bind: np.ndarray, state: np.ndarray, off_i: np.ndarray, off_f: np.ndarray,
            off_n: np.ndarray, active: np.ndarray, g: np.ndarray, strength: np.ndarray,
            control: np.ndarray, hostility: np.ndarray, adj: np.ndarray, transit: np.ndarray,
            jihadist: np.ndarray, siege: np.ndarray, attacked: np.ndarray, step: int,
            codes: np.ndarray, values: np.ndarray, used: np.ndarray, log: np.ndarray,
            fix: np.ndarray, fixn: np.ndarray) -> bool:  # fmt: skip
    """The deciding factions (``scratch[0, :scratch[1, 0]]``) in turn, from
    ``state[1]`` (option ``state[2]``, answered ``state[3]``): each launches at the
    first of its best three options whose net gain less the red lines' deterrence
    beats ``offensive_threshold`` and that no ceasefire forbids. Returns True where a
    ceasefire binds (``state`` says where and whom), False when all have decided."""
    F = g.shape[0]
    thr = k[OFFENSIVE_THRESHOLD]
    share = k[OFFENSIVE_SHARE]
    months = int(np.rint(k[OFFENSIVE_MONTHS]))
    nwho = scratch[1, 0]
    i0, j0, answer = state[1], state[2], state[3]
    for i in range(i0, nwho):
        a = scratch[0, i]
        if active[a] >= 0:  # an ally's offensive this month cannot start it
            continue
        for j in range(j0 if i == i0 else 0, min(3, scratch[2, i])):
            net, t, d = options[i, j], scratch[3 + i, j], scratch[3 + F + i, j]
            if net <= thr:
                break
            if i == i0 and j == j0 and answer >= 0:  # resumed: it has decided on the truce
                state[3] = -1
                if answer == 0:
                    continue
            elif not net - deterrence[a, t] > thr:
                continue
            elif d >= 0 and bind[a, d]:
                state[1], state[2], state[4], state[5] = i, j, a, d
                return True
            _launch(off_i, off_f, off_n, active, g, strength, control, hostility, adj,
                    transit, jihadist, siege, attacked, a, t, share, months, ot.DECIDED, -1,
                    step, codes, values, used, log, fix, fixn)  # fmt: skip
            break
    return False
