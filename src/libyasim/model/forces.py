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

from typing import TYPE_CHECKING, Any

import numpy as np

from . import offtable as ot
from . import support
from .conflict import STRATEGIC, fight, take
from .jit import kernel

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


def hops(adj: np.ndarray) -> np.ndarray:
    """[R, R] number of regions crossed on the shortest path (inf if unreachable)."""
    n = len(adj)
    d = np.where(adj, 1.0, np.inf)
    np.fill_diagonal(d, 0.0)
    for k in range(n):  # Floyd-Warshall on a graph of ~14 nodes
        np.minimum(d, d[:, k, None] + d[None, k, :], out=d)
    return d


def defence_factors(regions: list[Any], population: np.ndarray, p: Any) -> np.ndarray:
    """[R] defender advantage: ``1 + urban_defence`` where a region sets it, else
    ``1 + city_defence·min(1, population/city_population)`` (Biddle 2004)."""
    derived = 1.0 + p.city_defence * np.minimum(1.0, population / p.city_population)
    own = [r.urban_defence for r in regions]
    return np.array([d if u is None else 1.0 + _v(u) for u, d in zip(own, derived, strict=True)])


def init(m: LibyaModel) -> None:
    """Arrays of this module (see the module docstring)."""
    regions, p = m.spec.regions, m.p
    m.forces_k = p.array(COEFFICIENTS)
    m.rough = np.array([_v(r.rough_terrain) for r in regions])
    m.defence = defence_factors(regions, m.population, p)
    m.hops = hops(m.adj)
    reach = np.isfinite(m.hops)
    m.transit = np.where(reach, (1.0 - p.hop_loss) ** np.where(reach, m.hops, 0.0), 0.0)
    m.transit_off = m.transit * ~np.eye(m.R, dtype=bool)
    m.transit_off2 = m.transit_off**2
    # forces next to t: within one hop; massable forces discounted by hops to t's neighbours
    near_hops = np.maximum(m.hops - 1.0, 0.0)
    m.mass_transit = np.where(reach, (1.0 - p.hop_loss) ** np.where(reach, near_hops, 0.0), 0.0)
    m.foreign_fighters = np.array([_v(f.foreign_fighters) for f in m.spec.factions])
    m.blockades = np.zeros(m.R, dtype=np.int64)
    m.grievance = np.zeros(m.R)
    m.grievance_scale = np.maximum(p.grievance_deaths * m.population / 1e5, 1e-9)
    m.off_i, m.off_f, m.off_n = ot.new_table()
    m.off_causes = list(ot.CAUSES)
    m.off_notes = list(ot.NOTES)
    m.offensives = []  # views of the table's rows
    m.active_offensive = np.full(m.F, -1, dtype=np.int64)  # index into offensives, or -1
    m.cooldown = np.zeros(m.F)
    m.siege = np.zeros((m.F, m.R))
    m.months_held = np.zeros(m.R)  # months in its holder's hands (0 at the start)
    m.held_last = m.control.copy()
    m.pair_deaths = np.zeros((m.F, m.F))
    m.attacked = np.zeros((m.F, m.F), dtype=bool)
    m.upkeep_unpaid = np.zeros(m.F)
    m.rrange = np.arange(m.R)
    m.jihadist_index = np.array(m.jihadist_ids, dtype=np.int64)
    need = p.governance_density * m.population / 1000.0
    m.gov_need_inv = np.divide(1.0, need, out=np.full(m.R, 1e12), where=need > 0)
    m.reach_share = 1.0 - m.rough
    m.gov_floor = need  # the policing floor redeployment keeps in held regions
    m.cover_per_defence = p.redeploy_cover / m.defence
    m.ungoverned = ungoverned(m)
    m.value = (1.0 - p.offensive_oil_weight) * m.pop_share + p.offensive_oil_weight * m.oil_share
    m.value += p.base_value


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
    _economy(m.forces_k, m.flows, m.control, m.garrison, m.gov_need_inv, m.reach_share,
             m.jihadist, m.oil_share, m.pop_share, m.blockades, m.resources, m.alliance,
             m.faction_edges, m.popularity, m.population, m.grievance, m.foreign_fighters,
             m.strength, m.home, m.ungoverned, m.upkeep_unpaid)  # fmt: skip
    m.sync_strength()


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
    pool = np.empty(R)
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
    value = np.empty(R)
    for r in range(R):
        v = oil_share[r] * k[OIL_INCOME]
        if blockades[r] != 0:
            v = 0.0
        value[r] = v + k[TAX_INCOME] * pop_share[r]
    res = np.empty(F)
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
    ally = np.empty((F, F))
    scale = np.zeros(F)
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
        flow_in = np.zeros(F)
        flow_out = np.zeros(F)
        for g in range(F):
            for f in range(F):
                x = ally[g, f] * (scale[g] * res[g])
                flow_in[f] += x
                flow_out[g] += x
        for f in range(F):
            res[f] += flow_in[f] - flow_out[f]
    for f in range(F):
        res[f] = max(res[f], 0.0)
    cap = np.empty(F)
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
    active = [(o.attacker, o.origin, o.target) for o in m.offensives if o.status == "active"]
    off = np.array(active, dtype=np.int64).reshape(len(active), 3)
    if _redeploy(m.forces_k, m.garrison, m.control, m.hostility, m.adj_f, off, m.combat_mult,
                 m.defence, m.cover_per_defence, m.alliance, m.jihadist, m.gov_floor,
                 m.transit_off, m.transit_off2):  # fmt: skip
        m.sync_strength()


@kernel
def _redeploy(k: np.ndarray, g: np.ndarray, control: np.ndarray, hostility: np.ndarray,
              adj: np.ndarray, off: np.ndarray, mult: np.ndarray, defence: np.ndarray,
              cover_per_defence: np.ndarray, alliance: np.ndarray, jihadist: np.ndarray,
              gov_floor: np.ndarray, tau: np.ndarray, tau2: np.ndarray) -> bool:  # fmt: skip
    """:func:`redeploy` on the garrisons ``g`` (in place); ``off[n, 3]``: (attacker,
    origin, target) of each active offensive. Returns whether anything moved."""
    F, R = g.shape
    # threat: hostility-weighted hostile fighters in or next to each region
    hg = np.zeros((F, R))
    for f in range(F):
        for h in range(F):
            if hostility[f, h] != 0:
                for r in range(R):
                    hg[f, r] += hostility[f, h] * g[h, r]
    want = np.zeros((F, R))
    for f in range(F):
        for r in range(R):
            t = 0.0
            for s in range(R):
                t += hg[f, s] * adj[s, r]
            want[f, r] = t
    for i in range(off.shape[0]):  # a town under attack: the holder wants to match the attack
        a, origin, t = off[i, 0], off[i, 1], off[i, 2]
        c = control[t]
        if c >= 0 and c != a:
            power = g[a, origin] * mult[a]
            power *= defence[t] / mult[c]  # a margin: its cover
            want[c, t] = max(want[c, t], power)
    any_need = False
    need = np.zeros((F, R))
    for f in range(F):
        for r in range(R):
            want[f, r] *= cover_per_defence[r]
            if control[r] == f:
                need[f, r] = max(want[f, r] - g[f, r], 0.0)
    any_nonjihadist = False
    for f in range(F):
        any_nonjihadist = any_nonjihadist or not jihadist[f]
    if k[ALLY_COVER] > 0 and any_nonjihadist:  # allies cover a holder's shortfall
        short = np.zeros((F, R))
        for f in range(F):
            for r in range(R):
                if control[r] != f:
                    continue
                others = 0.0
                for h in range(F):
                    if h != f and not jihadist[h]:
                        others += alliance[h, f] * g[h, r]
                short[f, r] = max(want[f, r] - g[f, r] - others, 0.0)
        for h in range(F):
            if jihadist[h]:
                continue
            for r in range(R):
                t = 0.0
                for f in range(F):
                    if f != h:
                        t += alliance[h, f] * short[f, r]
                need[h, r] += k[ALLY_COVER] * t
    for f in range(F):
        for r in range(R):
            any_need = any_need or need[f, r] != 0
    if not any_need:
        return False
    spare = np.zeros((F, R))
    any_spare = False
    for f in range(F):
        for r in range(R):
            if control[r] == f:  # forces outside its own regions are at a front: they stay
                spare[f, r] = max(g[f, r] - want[f, r] - gov_floor[r], 0.0)
    for i in range(off.shape[0]):  # nor the forces massed for an offensive or a siege
        spare[off[i, 0], off[i, 1]] = 0.0
    for f in range(F):
        for r in range(R):
            any_spare = any_spare or spare[f, r] != 0
    if not any_spare:
        return False
    # flows x[f, r, s] = out[f, r]·need[f, s]·τ[r, s] (τ symmetric): out = rate·spare/Σ_s need·τ
    out = np.zeros((F, R))
    arrive = np.zeros((F, R))
    for f in range(F):
        for r in range(R):
            tot = 0.0
            for s in range(R):
                tot += need[f, s] * tau[s, r]
            out[f, r] = (spare[f, r] / tot if tot > 0 else 0.0) * k[REDEPLOY_RATE]
        for s in range(R):  # arrivals lose (1 − hop_loss)^hops; no more than the need
            t = 0.0
            for r in range(R):
                t += out[f, r] * tau2[r, s]
            arrive[f, s] = t * need[f, s]
    scale = np.empty((F, R))
    for f in range(F):
        for s in range(R):
            x = need[f, s] / arrive[f, s] if arrive[f, s] > need[f, s] else 1.0
            arrive[f, s] *= x
            scale[f, s] = x * need[f, s]
    for f in range(F):
        for r in range(R):
            t = 0.0
            for s in range(R):
                t += scale[f, s] * tau[s, r]
            g[f, r] = g[f, r] - t * out[f, r] + arrive[f, r]
    return True


# ---------------------------------------------------------------------- offensives


def _binds(m: LibyaModel, a: int, d: int) -> bool:
    """A ceasefire forbids a attacking d, unless a decides to defect (§7.5.1)."""
    if d < 0 or not m.events or not m.ceasefire_binds(a, d):
        return False
    return not m.ceasefire_defects(a, d)


def _deterrence(m: LibyaModel, a: int, t: int) -> float:
    return float(support.deterrence_cost(m, a, t))


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
    where an enemy pocket fights on."""
    p = m.p
    m.cooldown -= 1.0
    draws = m.rng.random(m.F).tolist()
    strength = m.strength.tolist()
    busy = m.active_offensive.tolist()
    cool = m.cooldown.tolist()
    share, rate = p.offensive_share, p.offensive_rate
    deciding = [
        a
        for a in range(m.F)
        if draws[a] < rate and busy[a] < 0 and cool[a] <= 0 and strength[a] > 0
    ]
    if not deciding:
        return
    # every deciding faction's options, from what the decisions share this month (the
    # forces as they stand before anyone launches): (net gain, target, defender),
    # best first
    who = np.array(deciding, dtype=np.int64)
    n = len(deciding)
    nets, targets, defs = (
        np.empty((n, m.R)),
        np.empty((n, m.R), np.int64),
        np.empty((n, m.R), np.int64),
    )
    counts = np.empty(n, np.int64)
    _options(who, share, p.offensive_cost * share, p.contest_exponent, p.insurgent_cover,
             p.jihadist_prize, m.garrison, m.alliance, m.jihadist, m.mass_transit, m.adj_f,
             m.value, m.control, m.defence, m.combat_mult, m.hostility, nets, targets, defs,
             counts)  # fmt: skip
    threshold, months = p.offensive_threshold, round(p.offensive_months)
    for i, a in enumerate(deciding):
        if m.active_offensive[a] >= 0:  # an ally's offensive this month cannot start it
            continue
        for j in range(min(3, int(counts[i]))):  # the best few: red lines and ceasefires
            net, t, d = float(nets[i, j]), int(targets[i, j]), int(defs[i, j])  # may rule one out
            if net <= threshold:
                break
            if net - _deterrence(m, a, t) > threshold and not _binds(m, a, d):
                launch(m, a, t, share, months, "decided")
                break


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
    with_allies = np.zeros((F, R))
    for f in range(F):
        for q in range(F):
            if q != f and not jihadist[q] and alliance[f, q] != 0:
                for r in range(R):
                    with_allies[f, r] += alliance[f, q] * g[q, r]
    mass = np.zeros((F, R))
    hold = np.empty((F, R))
    near = np.zeros((F, R), dtype=np.bool_)
    for f in range(F):
        for t in range(R):
            x = 0.0
            y = 0.0
            z = 0.0
            for r in range(R):
                x += g[f, r] * mass_transit[r, t]
                y += with_allies[f, r] * adj[r, t]
                z += g[f, r] * adj[r, t]
            mass[f, t] = x + y
            hold[f, t] = with_allies[f, t] + g[f, t]
            near[f, t] = z > 0
    value = np.empty(R)
    pocket = np.empty(R, np.int64)  # in each held region, the holder's strongest enemy there
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
            if not near[a, t]:
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
            x = (xa * mass[a, t] * cov_a) ** e
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
    pocket there). None if there is nobody to fight or no force of it can reach."""
    g = m.garrison
    if m.strength[attacker] <= 0:
        return None
    for k, o in enumerate(m.offensives):  # a new assault on a town it besieges
        if o.status == "active" and o.attacker == attacker and o.target == target:
            return _renew(m, k, share, months, cause)
    if m.active_offensive[attacker] >= 0:
        return None
    d = int(defenders(m, attacker)[target])
    holder = int(m.control[target])
    if holder == attacker and d < 0:
        return None
    if origin is None:
        if holder == attacker or (m.jihadist_list[attacker] and g[attacker, target] > 0):
            origin = target  # a pocket to clear, or insurgents rising from within
        else:
            cand = np.flatnonzero(m.adj[target])
            reach = g[attacker] @ m.transit[:, cand]
            if not (reach > 0).any():
                return None
            origin = int(cand[np.argmax(reach)])
    moved = share * g[attacker] * (m.transit[:, origin] > 0)
    moved[origin] = 0.0
    moved[_besieging(m, attacker)] = 0.0  # its sieges keep their besiegers
    moved[_under_attack(m, attacker)] = 0.0  # and towns its enemies attack keep theirs
    arrive = moved @ m.transit[:, origin]
    g[attacker] -= moved
    g[attacker, origin] += arrive
    m.sync_strength()
    if g[attacker, origin] <= 0:
        return None
    ot.reserve(m, 1)
    k = int(m.off_n[0])
    m.off_n[0] = k + 1
    m.off_i[k] = (attacker, target, origin, d, ot.ACTIVE, max(int(months), 1), m.steps, 0,
                  holder != attacker, -1, -1, _index(m.off_causes, cause), -1)  # fmt: skip
    m.off_f[k] = (g[attacker, origin], m.siege[attacker, target], 0.0, 0.0)
    o = Offensive(m, k)
    m.active_offensive[attacker] = k
    m.offensives.append(o)
    if d >= 0:
        m.attacked[attacker, d] = True
    m.log(
        STRATEGIC,
        "offensive_launched",
        target,
        m.faction_ids[attacker],
        m.faction_ids[d] if d >= 0 else None,
        0.0,
        f"{cause}: {o.massed:.0f} fighters massed at {m.region_ids[origin]} for {o.months} months",
    )
    return o


def _besieging(m: LibyaModel, a: int) -> list[int]:
    """Origins of a's active offensives and sieges."""
    return [o.origin for o in m.offensives if o.status == "active" and o.attacker == a]


def _under_attack(m: LibyaModel, a: int) -> list[int]:
    """Targets of the active offensives of a's enemies."""
    h = m.hostility[a]
    return [
        o.target
        for o in m.offensives
        if o.status == "active" and o.attacker != a and h.item(o.attacker) > 0
    ]


def _renew(m: LibyaModel, k: int, share: float, months: int, cause: str) -> Offensive:
    """Turn the invested siege ``offensives[k]`` back into an assault: ``share`` of the
    attacker's other forces join the besiegers at its origin for ``months`` more."""
    o = m.offensives[k]
    a, origin, g = o.attacker, o.origin, m.garrison
    moved = share * g[a] * (m.transit[:, origin] > 0)
    moved[origin] = 0.0
    moved[_besieging(m, a)] = 0.0
    moved[_under_attack(m, a)] = 0.0
    g[a, origin] += moved @ m.transit[:, origin]
    g[a] -= moved
    m.sync_strength()
    o.invested, o.months = -1, o.elapsed + max(int(months), 1)
    o.massed = float(g[a, origin])
    m.active_offensive[a] = k
    d = o.defender
    m.log(
        STRATEGIC,
        "offensive_launched",
        o.target,
        m.faction_ids[a],
        m.faction_ids[d] if d >= 0 else None,
        0.0,
        f"{cause}: {o.massed:.0f} fighters renew the siege from {m.region_ids[origin]}",
    )
    return o


def call_off(m: LibyaModel, attacker: int, note: str, unless: int = -1) -> None:
    """End ``attacker``'s active offensive, if any (and not on region ``unless``), as
    a stalemate."""
    k = int(m.active_offensive[attacker])
    if k >= 0 and m.offensives[k].target != unless:
        _end(m, m.offensives[k], "stalemate", note_of(m, note))
        m.cooldown[attacker] = 0.0


def _end(m: LibyaModel, o: Offensive, status: str, note: int, x0: float = 0.0,
         x1: float = 0.0) -> None:  # fmt: skip
    o.status = status
    m.off_i[o.k, ot.NOTE] = note
    m.off_f[o.k, ot.NOTE_A0] = x0
    m.off_f[o.k, ot.NOTE_A1] = x1
    if m.active_offensive[o.attacker] == o.k:
        m.active_offensive[o.attacker] = -1
    m.cooldown[o.attacker] = m.p.offensive_cooldown
    d = o.defender
    who = m.faction_ids[d] if d >= 0 else None
    att = m.faction_ids[o.attacker]
    m.log(STRATEGIC, "offensive_ended", o.target, att, who, 0.0, f"{status}: {o.note}")
    if o.besieged_since >= 0:
        m.log(STRATEGIC, "siege_ended", o.target, att, who, 0.0, status)


def press(m: LibyaModel) -> None:
    """Every active offensive fights a month; siege progress; success, retreat or stalemate.
    Siege progress no offensive presses decays by ``siege_decay``."""
    p = m.p
    pressed = np.zeros((m.F, m.R), dtype=bool)
    for o in m.offensives:
        if o.status != "active":
            continue
        a, t, r0 = o.attacker, o.target, o.origin
        holder = int(m.control[t])
        if holder != a:
            o.defender = holder  # the holder may have changed
        elif o.siege:  # it was taken in the meantime (by this or another offensive)
            _end(m, o, "success", ot.N_HOLDS)
            continue
        d = o.defender
        if d >= 0 and m.hostility[a, d] <= 0:
            _end(m, o, "stalemate", ot.N_NOT_HOSTILE)
            continue
        if _binds(m, a, d):
            _end(m, o, "stalemate", ot.N_CEASEFIRE)
            continue
        pressed[a, t] = True
        g = m.garrison
        invested = o.invested >= 0
        gained = min(m.siege.item(a, t), 1.0)  # the share of the town the attacker has taken
        if d >= 0 and g[d, t] > 0 and g[a, r0] > 0:
            t_fire = p.siege_intensity if invested else p.offensive_intensity
            t_fire *= 1.0 - p.pocket_front * gained  # the front shrinks with the pocket
            defend_together(m, a, d, r0, t, t_fire)
        if invested and d >= 0:
            encircle(m, a, d, t)
        prob = _odds(m, o)
        o.elapsed += 1
        step = p.siege_speed * (2.0 * prob - 1.0) / (m.defence.item(t) * dug_in(m, d, t))
        if o.siege and r0 == t and m.jihadist_list[a]:  # insurgents rising within the town
            step += p.insurgent_seizure * unheld(m, t)  # districts nobody holds: no fight
        m.siege[a, t] = max(0.0, m.siege[a, t] + step)
        o.progress = float(m.siege[a, t])
        # encirclement takes numbers: the besiegers against the besieged; insurgents
        # rising within a town need none (they are in it already: they go to ground
        # among the population rather than retreat)
        within = o.siege and r0 == t and m.jihadist_list[a]
        can_hold = (
            o.siege and d >= 0 and (within or g.item(a, r0) >= p.siege_ratio * besieged(m, a, d, t))
        )
        if o.progress >= 1.0:
            m.siege[:, t] = 0.0
            if o.siege:
                take(m, a, d, r0, t)
            else:
                disperse(m, d, t)
            _end(m, o, "success", ot.N_AFTER, o.elapsed)
        elif g[a, r0] < p.retreat_share * o.massed:
            m.siege[a, t] *= 0.5
            _end(m, o, "retreat", ot.N_AFTER_ODDS, o.elapsed, prob)
        elif invested:
            if not can_hold:
                m.siege[a, t] *= 0.5
                _end(m, o, "retreat", ot.N_BROKEN, o.elapsed)
            elif m.steps - o.invested >= p.siege_patience:
                _end(m, o, "stalemate", ot.N_LIFTED, o.elapsed)
        elif prob < p.retreat_odds or o.elapsed >= o.months:
            if can_hold:
                invest(m, o, prob)
            elif prob < p.retreat_odds:
                m.siege[a, t] *= 0.5
                _end(m, o, "retreat", ot.N_AFTER_ODDS, o.elapsed, prob)
            else:
                _end(m, o, "stalemate", ot.N_PROGRESS, o.elapsed, o.progress)
    m.siege *= np.where(pressed, 1.0, 1.0 - p.siege_decay)
    m.sync_strength()


def disperse(m: LibyaModel, d: int, t: int) -> None:
    """A cleared pocket: d's fighters in t fall back to the neighbouring region where d
    has most fighters, else the least governed neighbour."""
    if d < 0 or m.garrison[d, t] <= 0:
        return
    nb = np.flatnonzero(m.adj[t])
    nb = nb[nb != t]
    if not len(nb):
        return
    there = m.garrison[d, nb]
    dest = nb[np.argmax(there)] if there.max() > 0 else nb[np.argmax(m.ungoverned[nb])]
    m.garrison[d, dest] += m.garrison[d, t]
    m.garrison[d, t] = 0.0
    m.log(
        "Battles",
        "pocket_cleared",
        t,
        m.faction_ids[int(m.control[t])] if m.control[t] >= 0 else None,
        m.faction_ids[d],
        0.0,
        f"{m.faction_ids[d]} falls back to {m.region_ids[int(dest)]}",
    )


def dug_in(m: LibyaModel, d: int, t: int) -> float:
    """How much slower a siege advances against d in t because d has dug the town in:
    ``1 + entrenchment·min(1, held_t/entrenchment_months)`` when d is a jihadist group
    holding t (belts of mines and IEDs, tunnels, snipers and car bombs, each district
    cleared in turn: Knights & Mello 2015), else 1."""
    if d < 0 or not m.jihadist_list[d] or m.control.item(t) != d:
        return 1.0
    p = m.p
    return 1.0 + p.entrenchment * min(1.0, m.months_held.item(t) / p.entrenchment_months)


def unheld(m: LibyaModel, t: int) -> float:
    """The share of t its holder's garrison is too thin to govern:
    ``1 − (1 − rough_t)·min(1, g_ct/(governance_density·pop_t/1000))`` (0 if nobody holds it)."""
    c = int(m.control[t])
    if c < 0:
        return 0.0
    gov = min(1.0, m.garrison.item(c, t) * m.gov_need_inv.item(t))
    return 1.0 - m.reach_share.item(t) * gov


def _odds(m: LibyaModel, o: Offensive) -> float:
    """The attacker's force at its origin against the defenders in the target (with the
    defender's allies there, the defence factor and both combat multipliers)."""
    p, g, mult = m.p, m.garrison, m.combat_mult
    a, t, d = o.attacker, o.target, o.defender
    att = g.item(a, o.origin) * mult.item(a)
    if d < 0:
        return 1.0
    cover = m.defence.item(t)
    if m.jihadist_list[a] and o.origin == t:  # insurgents within take part of it (cover_split)
        own = cover**p.insurgent_cover
        att *= own
        cover /= own
    dfd = besieged(m, a, d, t) * cover * mult.item(d)
    if att <= 0 and dfd <= 0:
        return 0.5
    x, y = att**p.contest_exponent, dfd**p.contest_exponent
    return float(x / (x + y))


def defend_together(m: LibyaModel, a: int, d: int, r0: int, t: int, t_fire: float) -> None:
    """The attack on t meets the defender and its non-jihadist allies there as one
    force (the battle is logged against d); the losses are shared in proportion
    to the fighters each has there."""
    g = m.garrison
    w = m.alliance[d] * m.nonjihadist
    w[a] = 0.0
    w[d] = 0.0
    side = np.flatnonzero((w > 0) & (g[:, t] > 0))
    if not len(side):
        fight(m, a, d, r0, t, t_fire, m.defence.item(t))
        return
    mine = g.item(d, t)
    theirs = g[side, t].copy()
    total = mine + float(theirs.sum())
    g[d, t] = total
    g[side, t] = 0.0
    fight(m, a, d, r0, t, t_fire, m.defence.item(t))
    kept = g.item(d, t) / total
    g[d, t] = mine * kept
    g[side, t] = theirs * kept
    lost = theirs * (1.0 - kept)
    m.losses[d] -= float(lost.sum())  # fight() booked the side's losses to d
    m.losses[side] += lost
    if m.jihadist_list[d]:  # and counted them as jihadist losses a inflicted
        m.jihadist_losses_by[a] -= float(lost.sum())


def besieged(m: LibyaModel, a: int, d: int, t: int) -> float:
    """The defender's fighters in t with its non-jihadist allies there (not a)."""
    allies_d = m.alliance[d] * m.nonjihadist
    allies_d[a] = 0.0
    return m.garrison.item(d, t) + float(allies_d @ m.garrison[:, t])


def encircle(m: LibyaModel, a: int, d: int, t: int) -> None:
    """An invested siege cuts the besieged off: the defender and its non-jihadist
    allies in t lose ``siege_attrition`` of their fighters there (supplies cut,
    desertion, surrender; not counted as deaths)."""
    w = m.alliance[d] * m.nonjihadist
    w[a] = 0.0
    w[d] = 1.0
    m.garrison[:, t] *= 1.0 - m.p.siege_attrition * (w > 0)


def invest(m: LibyaModel, o: Offensive, odds: float) -> None:
    """The offensive settles into an invested siege: the besiegers stay, the faction
    is free to decide on other offensives after its cooldown."""
    o.invested = m.steps
    m.off_i[o.k, ot.NOTE] = ot.N_INVESTED
    m.off_f[o.k, ot.NOTE_A0] = o.elapsed
    m.off_f[o.k, ot.NOTE_A1] = odds
    note = o.note
    if o.besieged_since < 0:
        o.besieged_since = m.steps
        d = o.defender
        m.log(
            STRATEGIC,
            "siege_started",
            o.target,
            m.faction_ids[o.attacker],
            m.faction_ids[d] if d >= 0 else None,
            0.0,
            f"{note}; progress {o.progress:.2f}",
        )
    if m.active_offensive[o.attacker] == o.k:
        m.active_offensive[o.attacker] = -1
    m.cooldown[o.attacker] = m.p.offensive_cooldown


def aggrieve(m: LibyaModel) -> None:
    """Grievance: ``grievance ← (1 − λ)·grievance + λ·min(1, D_r/(grievance_deaths·pop_r/10⁵))``,
    D_r this month's deaths in r, λ = ``grievance_memory`` (after the month's fighting)."""
    p = m.p
    m.grievance *= 1.0 - p.grievance_memory
    m.grievance += p.grievance_memory * np.minimum(1.0, m.region_deaths / m.grievance_scale)


def step(m: LibyaModel) -> None:
    """Step 4 (before :func:`.conflict.step`): redeploy, decide, press offensives."""
    m.months_held += 1.0  # a month more in the same hands, or a new holder's first month
    m.months_held *= m.control == m.held_last
    m.held_last = m.control.copy()
    redeploy(m)
    decide(m)
    if any(o.status == "active" for o in m.offensives):  # assaults and invested sieges
        press(m)
    else:
        m.siege *= 1.0 - m.p.siege_decay
