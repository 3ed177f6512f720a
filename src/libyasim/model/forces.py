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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import support
from .conflict import STRATEGIC, fight, take

_sum, _dot = np.add.reduce, np.dot  # ufunc reductions and dot without the method wrappers

if TYPE_CHECKING:
    from .model import LibyaModel

MIL, FIN = 0, 1


@dataclass
class Offensive:
    """An offensive under way (or ended): ``status`` is ``active``, ``success``,
    ``stalemate`` or ``retreat``."""

    attacker: int
    target: int
    origin: int
    defender: int
    massed: float
    months: int
    cause: str
    started: int
    elapsed: int = 0
    progress: float = 0.0
    status: str = "active"
    note: str = ""
    siege: bool = True  # False: clearing a pocket in a region the attacker holds
    invested: int = -1  # step at which it settled into an invested siege (-1: an assault)
    besieged_since: int = -1  # step of its first investment (a renewed assault keeps it)

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
    m.offensives = []
    m.active_offensive = np.full(m.F, -1, dtype=np.int64)  # index into offensives, or -1
    m.cooldown = np.zeros(m.F)
    m.siege = np.zeros((m.F, m.R))
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
    c = m.control
    cc = np.maximum(c, 0)
    gov = m.garrison[cc, m.rrange] * m.gov_need_inv
    np.minimum(gov, 1.0, out=gov)
    gov *= (c >= 0) & m.nonjihadist[cc]
    gov *= m.reach_share
    np.subtract(1.0, gov, out=gov)
    return gov


def ceiling(m: LibyaModel, own: np.ndarray | None = None) -> np.ndarray:
    """[F] the most fighters a faction can recruit to: ``mobilisation_ceiling`` ×
    supporters of the regions it holds or garrisons; jihadist groups add
    ``jihadist_mobilisation`` × the ungoverned or aggrieved population where they
    are present, shared among the groups present by their fighters there."""
    p = m.p
    present = (m.own() if own is None else own) | (m.garrison > 0)
    out = _dot(present * m.popularity, m.population)
    out *= p.mobilisation_ceiling
    if m.jihadist_ids:
        j = m.jihadist_index
        pool = m.grievance * p.grievance_weight
        pool += m.ungoverned
        np.minimum(pool, 1.0, out=pool)
        pool *= m.population
        gj = m.garrison.take(j, axis=0)
        tot = _sum(gj, axis=0)
        np.divide(pool, tot, out=pool, where=tot > 0)
        pool *= p.jihadist_mobilisation
        out[j] += _dot(gj, pool)
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
    p = m.p
    got = _sum(m.flows, axis=0)  # [F, C]
    m.ungoverned = ungoverned(m)
    own = m.own()
    # income: oil not blockaded, taxes; jihadists extort where the state is absent
    value = m.oil_share * p.oil_income
    if m.blockades.any():
        value = value * (m.blockades == 0)
    value += p.tax_income * m.pop_share
    income = _dot(own, value)
    if m.jihadist_ids:
        present = m.garrison.take(m.jihadist_index, axis=0) > 0
        income[m.jihadist_index] += _dot(present, p.tax_income * m.pop_share * m.ungoverned)
    res = m.resources + income
    res += p.financial_to_resources * got[:, FIN]
    ally, scale = m.cached("allies", _allies, m.alliance, m.faction_edges)
    if scale is not None:
        transfer = ally * (scale * res)[:, None]
        res += _sum(transfer, axis=0) - _sum(transfer, axis=1)
    np.maximum(res, 0.0, out=res)
    cap = ceiling(m, own).tolist()
    # per faction on lists (F ~ 9: plain floats beat numpy's per-call overhead)
    strength, mil, ff = m.strength.tolist(), got[:, MIL].tolist(), m.foreign_fighters.tolist()
    res_l, jihadist = res.tolist(), m.jihadist_list
    upkeep, spend_share = p.upkeep_cost / 1000.0, p.resource_spend
    to_fighters, per_spend = p.military_to_fighters, p.recruitment_rate
    base_keep, desert, jr = 1.0 - p.attrition_rate, p.unpaid_desertion, p.jihadist_recruitment
    keep, unpaid, empty = [], [], []
    for f in range(m.F):
        r, s_f, k_f = res_l[f], strength[f], cap[f]
        due = upkeep * s_f
        paid = r if r < due else due
        r -= paid
        u = (due - paid) / due if due > 0 else 0.0
        spend = spend_share * r
        res_l[f] = r - spend
        room = 1.0 - s_f / k_f if k_f > 0 else 0.0
        room = 0.0 if room < 0.0 else (1.0 if room > 1.0 else room)
        recruits = (to_fighters * mil[f] + per_spend * spend) * room + ff[f]
        if jihadist[f] and k_f > s_f:
            recruits += jr * (k_f - s_f)
        k = base_keep - desert * u
        k = k if k > 0.0 else 0.0
        if s_f > 0:
            k += recruits / s_f
        elif recruits > 0:
            empty.append((f, recruits))
        keep.append(k)
        unpaid.append(u)
    m.resources = np.array(res_l)
    m.upkeep_unpaid = np.array(unpaid)
    # recruits join the garrisons in proportion (a faction with none: its home regions)
    m.garrison *= np.array(keep)[:, None]
    for f, recruits in empty:
        m.garrison[f] += recruits * m.home[f]
    m.sync_strength()


def _allies(m: LibyaModel) -> tuple[np.ndarray, np.ndarray | None]:
    """(ally[F_from, F_to], scale[F]) of the monthly resource transfers between allies;
    ``scale`` is None when no faction passes anything on."""
    fe = m.faction_edges
    ally = m.p.ally_share * (m.alliance + fe[:, :, MIL] + fe[:, :, FIN])
    tot = ally.sum(axis=1)
    if not (tot > 0).any():
        return ally, None
    scale = np.divide(np.minimum(tot, 1.0), tot, out=np.zeros(m.F), where=tot > 0)
    return ally, scale


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
    p = m.p
    if p.redeploy_rate <= 0:
        return
    g = m.garrison
    own = m.own()
    want = hostile_near(m)
    active = [o for o in m.offensives if o.status == "active"]
    for o in active:  # a town under attack: the holder wants to match the attack
        c = int(m.control[o.target])
        if c >= 0 and c != o.attacker:
            power = g.item(o.attacker, o.origin) * m.combat_mult.item(o.attacker)
            power *= m.defence.item(o.target) / m.combat_mult.item(c)  # a margin: its cover
            want[c, o.target] = max(want.item(c, o.target), power)
    want *= m.cover_per_defence
    need = want - g
    np.maximum(need, 0.0, out=need)
    need *= own
    if p.ally_cover > 0 and m.any_nonjihadist:  # allies cover a holder's shortfall
        ally = m.alliance * m.nonjihadist[:, None]
        np.fill_diagonal(ally, 0.0)
        short = want - g - _dot(ally.T, g)  # the holder's want, less its allies' there
        np.maximum(short, 0.0, out=short)
        short *= own
        need += p.ally_cover * _dot(ally, short)
    if not need.any():
        return
    spare = g - want
    spare -= m.gov_floor
    np.maximum(spare, 0.0, out=spare)
    spare *= own  # forces outside its own regions are at a front: they stay
    for o in active:  # nor the forces massed for an offensive or a siege
        spare[o.attacker, o.origin] = 0.0
    if not spare.any():
        return
    # flows x[f, r, s] = out[f, r]·need[f, s]·τ[r, s] (τ symmetric), written as products
    # of [F, R] arrays with [R, R] ones: out = rate·spare/Σ_s need·τ
    tau = m.transit_off
    tot = _dot(need, tau)
    out = np.divide(spare, tot, out=np.zeros_like(spare), where=tot > 0)
    out *= p.redeploy_rate
    arrive = _dot(out, m.transit_off2)  # Σ_r out·τ² (arrivals lose (1 − hop_loss)^hops)
    arrive *= need
    scale = np.divide(need, arrive, out=np.ones_like(need), where=arrive > need)
    arrive *= scale
    scale *= need
    leave = _dot(scale, tau)
    leave *= out
    g -= leave
    g += arrive
    m.sync_strength()


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
    # what every decision shares this month, as lists: R ~ 14 and F ~ 9 are too small
    # for numpy's per-call overhead to pay off in the per-target arithmetic below
    fr = Front(m)
    mass, hold = fr.mass.tolist(), fr.hold.tolist()
    near = (_dot(m.garrison, m.adj_f) > 0).tolist()
    value = (m.value + p.jihadist_prize * m.jihadist_held()).tolist()
    control, defence = m.control.tolist(), m.defence.tolist()
    mult, hostility = m.combat_mult.tolist(), m.hostility.tolist()
    # in each held region, the holder's strongest enemy pocket there (or −1)
    cc = np.maximum(m.control, 0)
    w = m.hostility[cc] * m.garrison.T  # [R, F]
    strongest = w.argmax(axis=1)
    strongest[w.max(axis=1) <= 0] = -1
    pocket = strongest.tolist()
    e, cost = p.contest_exponent, p.offensive_cost * share
    inside = (m.garrison > 0).tolist()
    kappa = p.insurgent_cover
    threshold, months = p.offensive_threshold, round(p.offensive_months)
    for a in deciding:
        if m.active_offensive[a] >= 0:  # an ally's offensive this month cannot start it
            continue
        h_a, near_a, mass_a = hostility[a], near[a], mass[a]
        xa = share * mult[a]
        insurgent, in_a = m.jihadist_list[a], inside[a]
        options = []
        for t, c in enumerate(control):
            if not near_a[t]:
                continue
            if c == a:  # a pocket to clear: the enemy with the most weighted fighters
                d = pocket[t]
                if d < 0:
                    continue
                h = h_a[d]
            elif c >= 0:
                d, h = c, h_a[c]
                if h <= 0:
                    continue
            else:
                d, h = -1, 1.0
            cov_a, cov_d = 1.0, defence[t]
            if insurgent and in_a[t]:  # the town's cover passes in part to insurgents within
                cov_a = cov_d**kappa
                cov_d /= cov_a
            x = (xa * mass_a[t] * cov_a) ** e
            y = (hold[d][t] * cov_d * mult[d]) ** e if d >= 0 else 0.0
            prob = x / (x + y) if x + y > 0 else 0.5
            options.append((h * prob * value[t] - cost * (1.0 - prob), t, d))
        options.sort(reverse=True)
        for net, t, d in options[:3]:  # the best few: red lines and ceasefires may rule one out
            if net <= threshold:
                break
            if net - _deterrence(m, a, t) > threshold and not _binds(m, a, d):
                launch(m, a, t, share, months, "decided")
                break


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
    o = Offensive(
        attacker=attacker,
        target=target,
        origin=origin,
        defender=d,
        massed=float(g[attacker, origin]),
        months=max(int(months), 1),
        cause=cause,
        started=m.steps,
        progress=float(m.siege[attacker, target]),
        siege=holder != attacker,
    )
    if o.massed <= 0:
        return None
    m.active_offensive[attacker] = len(m.offensives)
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
        _end(m, m.offensives[k], "stalemate", note)
        m.cooldown[attacker] = 0.0


def _end(m: LibyaModel, o: Offensive, status: str, note: str) -> None:
    o.status, o.note = status, note
    k = m.active_offensive[o.attacker]
    if k >= 0 and m.offensives[k] is o:
        m.active_offensive[o.attacker] = -1
    m.cooldown[o.attacker] = m.p.offensive_cooldown
    d = o.defender
    who = m.faction_ids[d] if d >= 0 else None
    att = m.faction_ids[o.attacker]
    m.log(STRATEGIC, "offensive_ended", o.target, att, who, 0.0, f"{status}: {note}")
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
            _end(m, o, "success", f"{m.faction_ids[a]} holds {m.region_ids[t]}")
            continue
        d = o.defender
        if d >= 0 and m.hostility[a, d] <= 0:
            _end(m, o, "stalemate", "the enemy there is no longer hostile")
            continue
        if _binds(m, a, d):
            _end(m, o, "stalemate", "halted by a ceasefire")
            continue
        pressed[a, t] = True
        g = m.garrison
        invested = o.invested >= 0
        if d >= 0 and g[d, t] > 0 and g[a, r0] > 0:
            t_fire = p.siege_intensity if invested else p.offensive_intensity
            defend_together(m, a, d, r0, t, t_fire)
        if invested and d >= 0:
            encircle(m, a, d, t)
        prob = _odds(m, o)
        o.elapsed += 1
        step = p.siege_speed * (2.0 * prob - 1.0) / m.defence.item(t)
        m.siege[a, t] = max(0.0, m.siege[a, t] + step)
        o.progress = float(m.siege[a, t])
        # encirclement takes numbers: the besiegers against the besieged
        can_hold = (
            o.siege and d >= 0 and g.item(a, r0) >= p.siege_ratio * besieged(m, a, d, t)
        )
        if o.progress >= 1.0:
            m.siege[:, t] = 0.0
            if o.siege:
                take(m, a, d, r0, t)
            else:
                disperse(m, d, t)
            _end(m, o, "success", f"after {o.elapsed} months")
        elif g[a, r0] < p.retreat_share * o.massed:
            m.siege[a, t] *= 0.5
            _end(m, o, "retreat", f"after {o.elapsed} months, odds {prob:.2f}")
        elif invested:
            if not can_hold:
                m.siege[a, t] *= 0.5
                _end(m, o, "retreat", f"siege broken after {o.elapsed} months")
            elif m.steps - o.invested >= p.siege_patience:
                _end(m, o, "stalemate", f"siege lifted after {o.elapsed} months")
        elif prob < p.retreat_odds or o.elapsed >= o.months:
            if can_hold:
                invest(m, o, f"invested after {o.elapsed} months, odds {prob:.2f}")
            elif prob < p.retreat_odds:
                m.siege[a, t] *= 0.5
                _end(m, o, "retreat", f"after {o.elapsed} months, odds {prob:.2f}")
            else:
                _end(m, o, "stalemate", f"after {o.elapsed} months, progress {o.progress:.2f}")
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


def invest(m: LibyaModel, o: Offensive, note: str) -> None:
    """The offensive settles into an invested siege: the besiegers stay, the faction
    is free to decide on other offensives after its cooldown."""
    o.invested = m.steps
    o.note = note
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
    if m.active_offensive[o.attacker] >= 0 and m.offensives[m.active_offensive[o.attacker]] is o:
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
    redeploy(m)
    decide(m)
    if any(o.status == "active" for o in m.offensives):  # assaults and invested sieges
        press(m)
    else:
        m.siege *= 1.0 - m.p.siege_decay
