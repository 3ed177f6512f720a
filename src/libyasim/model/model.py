"""LibyaModel: factions and foreign sponsors exchanging support (DESIGN.md §2-3).

The state of every actor lives in numpy arrays held by the model (one row per
faction, sponsor or region); the Mesa agents (:class:`Faction`,
:class:`Sponsor`) and the region cells are its readable face. One step is one
month and runs, in order (DESIGN.md §3; docs/ODD.md "Process overview"):

1. scheduled events fire (:mod:`.events`);
2. sponsors allocate support (:func:`.support.allocate`);
3. factions receive and return support (:func:`.support.receive`), then the
   war economy: income, upkeep, recruitment (:func:`.forces.economy`);
4. forces and conflict: redeployment, offensives and sieges
   (:func:`.forces.step`), skirmishes and jihadist raids (:func:`.conflict.step`);
5. politics: bargaining, popularity, legitimacy (:func:`.politics.step`);
6. ceasefires and elections progress, then data collection.

>>> from libyasim import load_scenario                       # doctest: +SKIP
>>> model = LibyaModel(load_scenario("scenarios/baseline_2017.yaml"), rng=1)  # doctest: +SKIP
>>> model.step(); model.month                                 # doctest: +SKIP
'2017-09'
"""

from __future__ import annotations

import functools
import warnings
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa import DataCollector
from mesa.agent import AgentSet
from mesa.discrete_space import Network
from mesa.experimental.scenarios import Scenario as MesaScenario

from ..events import build_events
from ..events.base import Behaviour
from ..scenario import load_scenario
from ..scenario.schema import CHANNELS, INTERESTS, Scenario
from ..scenario.types import month_index, month_name
from . import conflict, forces, month, politics, setup, support
from .eventlog import EventLog
from .factions import Faction
from .jit import Coefficients
from .numeric import sync as _sync
from .outcomes import SeriesRecorder
from .regions import RegionCell, adjacency, build_network
from .sponsors import Sponsor

MIL, FIN, POL = 0, 1, 2
_NEVER = 2**62  # the month index of "no event due"


def _seed_of(rng: Any) -> int:
    """The run's integer seed: ``rng`` itself, one drawn from a Generator, or a fresh one."""
    if rng is None:  # an unseeded run picks a seed and records it
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(rng, np.random.BitGenerator):
        rng = np.random.Generator(rng)
    if isinstance(rng, np.random.Generator):  # one draw: the recorded seed reproduces the run
        return int(rng.integers(2**63 - 1))
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and 0 <= rng < 2**63:
        return int(rng)
    raise TypeError(
        "The 'rng' parameter of LibyaModel must be an int in [0, 2**63), a "
        f"numpy.random.Generator or None. Got {rng!r} instead."
    )


def _v(x: Any, default: float = 0.0) -> float:
    return default if x is None else float(x.value if hasattr(x, "value") else x)


class LibyaModel(mesa.Model):
    """The simulation of one scenario with one seed.

    ``spec`` is a loaded :class:`~libyasim.scenario.Scenario` or a path to a
    scenario file (convenient for ``mesa.batch_run`` and ``SolaraViz``).
    Any further keyword argument is a ``{dotted.path: value}`` override of
    the scenario, so ``mesa.batch_run`` and SolaraViz sliders can sweep
    them::

        LibyaModel(spec, rng=1, **{"parameters.engagement_rate": 0.3})

    ``rng`` is the seed (an int ≥ 0), as in every Mesa 3.5 model; ``None``
    picks one; a ``numpy.random.Generator`` draws one. The seed is recorded
    as ``model.seed`` and ``LibyaModel(spec, rng=model.seed)`` reproduces
    the run. ``months`` overrides the scenario's run length (it sets when
    ``running`` turns False). ``scenario`` is Mesa's own
    :class:`mesa.experimental.scenarios.Scenario` (SolaraViz's Reset passes
    one); its parameters other than ``rng`` are overrides too. The loaded
    libyasim scenario is ``model.spec`` (``model.scenario`` is Mesa's).
    """

    def __init__(
        self,
        spec: Scenario | str | Path | None = None,
        rng: int | np.integer | np.random.Generator | None = None,
        months: int | None = None,
        *,
        scenario: MesaScenario | Scenario | str | Path | None = None,
        **overrides: Any,
    ) -> None:
        if isinstance(scenario, (Scenario, str, Path)):  # the old name of ``spec``
            if spec is not None:
                raise TypeError("LibyaModel got two scenarios: pass one, as its first argument")
            warnings.warn(
                "LibyaModel(scenario=...) is deprecated: pass the libyasim scenario as the "
                "first argument, LibyaModel(spec=...); `scenario` is Mesa's own Scenario.",
                FutureWarning,
                stacklevel=2,
            )
            spec, scenario = scenario, None
        if scenario is not None:
            params = dict(scenario)
            if rng is None:
                rng = params.get("rng")
            elif params.get("rng") is not None and params["rng"] != rng:
                raise ValueError(
                    f"LibyaModel got two seeds: rng={rng!r} and scenario.rng={params['rng']!r}"
                )
            overrides = {**{k: v for k, v in params.items() if k != "rng"}, **overrides}
        if spec is None:
            raise TypeError(
                "LibyaModel needs a scenario: a loaded libyasim Scenario or the path of a "
                "scenario file as its first argument"
            )
        if isinstance(spec, (str, Path)):
            spec = load_scenario(spec, overrides or None)
        elif isinstance(spec, Scenario):
            spec = spec.with_values(overrides) if overrides else spec
        else:
            raise TypeError(
                "The 'spec' parameter of LibyaModel must be a libyasim Scenario or a path. "
                f"Got {type(spec).__name__} instead."
            )
        seed = _seed_of(rng)
        if scenario is not None:
            scenario.__dict__["rng"] = seed  # Mesa checks that model and scenario agree
        super().__init__(rng=seed, scenario=scenario)
        self.seed: int = seed
        self.overrides: dict[str, Any] = dict(overrides)
        self.spec: Scenario = spec
        self.months: int = int(months if months is not None else spec.months)
        self.start_index = month_index(spec.start)
        template = setup.template_of(spec)
        if template is not None:  # a copy of the state set-up left on an earlier model
            template.restore(self)
        else:
            self._set_up()
        self.events = build_events(self)
        self.election_result: dict[str, Any] | None = None
        self._event_months: list[int] = []
        self._binding: list[Any] = []
        self._unbound = np.zeros((self.F, self.F), dtype=bool)
        self._scan_events()
        self.month_out = np.zeros(3, dtype=np.int64)  # the one-call month's results (.month)
        self.month_draws = np.zeros(self.F)  # its forces' draws
        self.recorder = SeriesRecorder(self)
        self.datacollector = ArrayCollector(self, self.recorder, self._reporters())
        self._collect()

    # ------------------------------------------------------------------ set-up
    def _set_up(self) -> None:
        """Read the scenario into arrays (regions, factions, sponsors, relations, each
        mechanism module's ``init``). The second model of a scenario object (the first
        only marks it) records the result as that scenario's
        :class:`~.setup.ModelTemplate`, which later models copy (set-up draws no
        random number: checked before recording)."""
        spec = self.spec
        first = setup.should_record(spec)
        if first:
            before = set(self.__dict__)
            state = self.rng.bit_generator.state, self.random.getstate()
        # (the parameters' fields, as iterating the pydantic model gives them: it forbids extras)
        self.p = Coefficients(**{k: float(v.value) for k, v in spec.parameters.__dict__.items()})
        self.o = spec.outcomes
        self._init_ids()
        self._init_regions()
        self._init_factions()
        self._init_sponsors()
        self._init_relations()
        self.logbook = EventLog(self)
        support.init(self)
        forces.init(self)
        conflict.init(self)
        politics.init(self)
        if first:
            names = [k for k in self.__dict__ if k not in before]
            drew = state != (self.rng.bit_generator.state, self.random.getstate())
            setup.record(spec, None if drew else lambda: setup.ModelTemplate(self, names))

    def _init_ids(self) -> None:
        s = self.spec
        self.faction_ids = [f.id for f in s.factions]
        self.sponsor_ids = [x.id for x in s.sponsors]
        self.region_ids = [r.id for r in s.regions]
        self.issue_ids = [i.id for i in s.issues]
        self.fidx = {f: i for i, f in enumerate(self.faction_ids)}
        self.sidx = {x: i for i, x in enumerate(self.sponsor_ids)}
        self.ridx = {r: i for i, r in enumerate(self.region_ids)}
        self.F, self.S, self.R, self.I = (
            len(self.faction_ids),
            len(self.sponsor_ids),
            len(self.region_ids),
            len(self.issue_ids),
        )
        self.C, self.K = len(CHANNELS), len(INTERESTS)
        self._frange = np.arange(self.F)[:, None]
        self._cache: dict[str, tuple[list[bytes], Any]] = {}

    def _init_regions(self) -> None:
        regions, R = self.spec.regions, self.R
        self.population = np.array([r.population.value for r in regions], dtype=float)
        total = self.population.sum()
        self.pop_share = self.population / total if total > 0 else np.full(R, 1.0 / R)
        self.oil = np.array([r.oil_value.value for r in regions], dtype=float)
        oil_total = self.oil.sum()
        self.oil_share = self.oil / oil_total if oil_total > 0 else np.zeros(R)
        self.coastal = np.array([r.coastal for r in regions], dtype=bool)
        coast_pop = self.population * self.coastal
        coast_total = coast_pop.sum()
        self.coast_share = coast_pop / coast_total if coast_total > 0 else np.zeros(R)
        self.adj = adjacency(self)
        self.adj_f = self.adj.astype(float)
        self.population1 = self.population + 1.0
        fidx = self.fidx
        self.control = np.array(
            [fidx[r.controller] if r.controller else -1 for r in regions], dtype=np.int64
        )
        self._space: Network | None = None  # built on first use (:attr:`space`)
        self._regions: list[RegionCell] = []

    def _init_factions(self) -> None:
        s, F, R = self.spec, self.F, self.R
        factions, rids = s.factions, self.region_ids
        self.jihadist = np.array([f.is_jihadist for f in factions], dtype=bool)
        self.nonjihadist = ~self.jihadist
        self.any_nonjihadist = bool(self.nonjihadist.any())
        self.jihadist_f = self.jihadist.astype(float)
        self.jihadist_list = self.jihadist.tolist()
        self.jihadist_ids = np.flatnonzero(self.jihadist).tolist()
        self.ideology = np.array([f.ideology.value for f in factions], dtype=float)
        self.un_recognised = np.array([f.un_recognised for f in factions], dtype=float)
        self.resources = np.array([f.resources.value for f in factions], dtype=float)
        self.legitimacy = np.array([f.legitimacy.value for f in factions], dtype=float)
        self.legitimacy0 = self.legitimacy.copy()
        # a region's popularity, else the faction's overall popularity
        rows = []
        for f in factions:
            regional = f.regional_popularity
            overall = float(f.popularity.value)
            if regional:
                rows.append([overall if (q := regional.get(r)) is None else q.value for r in rids])
            else:
                rows.append([overall] * R)
        self.popularity = np.array(rows, dtype=float)
        self.popularity0 = self.popularity.copy()
        # garrisons: a faction's regional weights (schema: relative deployment
        # weights) split its fighters; a faction without weights spreads them
        # over its home regions (held, else popular) by population
        fidx = self.fidx
        weights = _put(
            np.zeros((F, R)),
            {(fidx[fid], j): n.value for j, region in enumerate(s.regions)
             for fid, n in region.garrison.items()},
        )  # fmt: skip
        # home: the regions a faction holds, weighted by population + 1
        own_all = (self.control == self._frange) * self.population1
        own_sums = own_all.sum(axis=1).tolist()
        for i, f in enumerate(factions):
            if own_sums[i] != 0:
                continue
            own = own_all[i]
            if f.regional_popularity:
                rp = f.regional_popularity
                own = np.array([0.0 if (q := rp.get(r)) is None else q.value for r in rids],
                               dtype=float)  # fmt: skip
            if own.sum() == 0:
                own = weights[i].copy()
            if own.sum() == 0:
                own = np.ones(R)
            own_all[i] = own
            own_sums[i] = own.sum()
        self.home = own_all / np.array(own_sums)[:, None]
        strength = np.array([f.strength.value for f in factions], dtype=float)
        wsum = weights.sum(axis=1, keepdims=True)
        deploy = np.where(wsum > 0, weights / np.where(wsum > 0, wsum, 1.0), self.home)
        self.garrison = strength[:, None] * deploy
        self.strength = self.garrison.sum(axis=1)
        self.strength0 = self.strength.copy()
        agents = [Faction(self, f, i) for i, f in enumerate(factions)]
        self.factions = AgentSet(agents, random=self.random)
        self.faction = {str(f.id): a for f, a in zip(factions, agents, strict=True)}
        # memories used by sponsors' scoring (value returned, casualties)
        self.ct_return = np.zeros(F)
        self.death_share = np.zeros(F)
        self.icc_load = np.zeros(F)

    def _init_sponsors(self) -> None:
        s, S, F, C = self.spec, self.S, self.F, self.C
        sponsors = s.sponsors
        self.budget = np.array(
            [[0.0 if (q := x.budget.get(c)) is None else q.value for c in CHANNELS]
             for x in sponsors], dtype=float,
        ).reshape(S, C)  # fmt: skip
        self.budget0 = self.budget.copy()
        self.interests = np.array(
            [[0.0 if (q := x.interests.get(k)) is None else q.value for k in INTERESTS]
             for x in sponsors], dtype=float,
        ).reshape(S, self.K)  # fmt: skip
        fidx = self.fidx
        self.stance = _put(
            np.zeros((S, F)),
            {(i, fidx[f]): v.value for i, x in enumerate(sponsors) for f, v in x.stance.items()},
        )
        self.casualty_sensitivity = np.array(
            [x.casualty_sensitivity.value for x in sponsors], dtype=float
        )
        self.reputation_sensitivity = np.array(
            [x.reputation_sensitivity.value for x in sponsors], dtype=float
        )
        self.consensus = np.array([x.consensus.value for x in sponsors], dtype=float)
        default = self.p.concentration_cost
        self.concentration = np.array(
            [default if (q := x.concentration_cost) is None else q.value for x in sponsors],
            dtype=float,
        )
        self.active = np.array([x.active for x in sponsors], dtype=bool)
        self.allocation = np.zeros((S, F, C))
        self.flows = np.zeros((S, F, C))
        self.loyalty = np.zeros((F, S))
        agents = [Sponsor(self, x, i) for i, x in enumerate(sponsors)]
        self.sponsors = AgentSet(agents, random=self.random)
        self.sponsor = {str(x.id): a for x, a in zip(sponsors, agents, strict=True)}

    def _init_relations(self) -> None:
        F, S, C = self.F, self.S, self.C
        fidx, sidx = self.fidx, self.sidx
        relations = self.spec.relations
        # each matrix's entries gathered in order (a later record overrides an earlier
        # one, as entry by entry), then written at once (_put)
        pairs: dict[tuple[int, ...], float] = {}
        for h in relations.hostility:
            a, b = fidx[h.between[0]], fidx[h.between[1]]
            pairs[(a, b)] = pairs[(b, a)] = float(h.level.value)
        self.hostility = _put(np.zeros((F, F)), pairs)
        pairs = {}
        for al in relations.alliance:
            a, b = fidx[al.between[0]], fidx[al.between[1]]
            pairs[(a, b)] = pairs[(b, a)] = float(al.level.value)
        self.alliance = _put(np.zeros((F, F)), pairs)
        self.edges = np.zeros((S, F, C))  # sponsor -> faction support edges
        self.via: dict[tuple[int, int], list[int]] = {}  # routed edges: (s, f) -> intermediaries
        self.faction_edges = np.zeros((F, F, C))  # faction -> faction support
        initial_loyalty = self.p.initial_loyalty
        edges: dict[tuple[int, ...], float] = {}
        loyalty: dict[tuple[int, ...], float] = {}
        faction_edges: dict[tuple[int, ...], float] = {}
        for e in relations.support:
            c = CHANNELS.index(e.channel)
            t = fidx[e.target]
            w = float(e.weight.value)
            if e.source in sidx:
                s = sidx[e.source]
                edges[(s, t, c)] = max(edges.get((s, t, c), 0.0), w)
                if e.via:
                    self.via[(s, t)] = [sidx[v] for v in e.via]
                loyalty[(t, s)] = max(loyalty.get((t, s), 0.0), initial_loyalty * w)
            else:
                faction_edges[(fidx[e.source], t, c)] = w
        _put(self.edges, edges)
        _put(self.loyalty, loyalty)
        _put(self.faction_edges, faction_edges)
        # initial allocation: the support edges, normalised per sponsor and channel
        self.lends = bool(self.faction_edges[:, :, POL].any())
        self.no_route = np.zeros((S, F), dtype=bool)
        tot = self.edges.sum(axis=1, keepdims=True)
        self.allocation = np.divide(self.edges, tot, out=np.zeros_like(self.edges), where=tot > 0)
        self.allocation *= self.active[:, None, None]
        self.threat = self.p.initial_threat
        # per-month tallies (reset at each step)
        R = self.R
        self.region_deaths = np.zeros(R)
        self.jihadist_attack_deaths = np.zeros(R)
        self.involved = np.zeros((F, R), dtype=bool)
        self.losses = np.zeros(F)
        self.jihadist_losses_by = np.zeros(F)
        # this month's fatalities and battle deaths, and the battles fought so far, as an
        # array the kernels add to (read as model.fatalities, .battle_deaths, .battles)
        self.tally = np.zeros(3)
        self.fatality_history: list[float] = []

    # ------------------------------------------------------------------ public
    @property
    def fatalities(self) -> float:
        """Deaths this month, all causes (battles, raids, sieges)."""
        return float(self.tally[0])

    @fatalities.setter
    def fatalities(self, value: float) -> None:
        self.tally[0] = value

    @property
    def battle_deaths(self) -> float:
        """Deaths this month in battles."""
        return float(self.tally[1])

    @battle_deaths.setter
    def battle_deaths(self, value: float) -> None:
        self.tally[1] = value

    @property
    def battles(self) -> int:
        """Battles fought since the start."""
        return int(self.tally[2])

    @battles.setter
    def battles(self, value: int) -> None:
        self.tally[2] = value

    @property
    def space(self) -> Network:
        """The region graph as a Mesa :class:`~mesa.discrete_space.Network` of
        :class:`~.regions.RegionCell` (views of the region arrays); built on first
        use, since the month's arithmetic reads the arrays, not the cells."""
        if self._space is None:
            self._space = build_network(self)
            self._regions = [self._space._cells[r] for r in self.region_ids]
        return self._space

    @property
    def regions(self) -> list[RegionCell]:
        """The region cells, in the scenario's order."""
        if self._space is None:
            self.space  # noqa: B018 (builds the cells)
        return self._regions

    @property
    def month(self) -> str:
        """The calendar month at which the model now stands (``YYYY-MM``)."""
        return month_name(self.start_index + self.steps)

    @property
    def current_month(self) -> str:
        """The month being simulated during a step (one before :attr:`month` after it)."""
        return month_name(self.start_index + max(self.steps - 1, 0))

    @property
    def strength_share(self) -> np.ndarray:
        tot = np.add.reduce(self.strength)
        return self.strength / tot if tot > 0 else np.zeros(self.F)

    def territory(self) -> np.ndarray:
        """Share of regions each faction controls [F]."""
        return np.bincount(self.control + 1, minlength=self.F + 1)[1:] / self.R

    def population_controlled(self) -> np.ndarray:
        """Share of the population each faction controls [F]."""
        return self.held(self.pop_share)

    def held(self, x: np.ndarray) -> np.ndarray:
        """Σ of a per-region quantity over the regions each faction controls [F]."""
        return np.bincount(self.control + 1, weights=x, minlength=self.F + 1)[1:]

    def jihadist_held(self) -> np.ndarray:
        """[R] True where a jihadist group holds the region."""
        c = self.control
        return (c >= 0) & self.jihadist[np.maximum(c, 0)]

    def own(self) -> np.ndarray:
        """[F, R] True where faction f controls region r."""
        return self.control == self._frange

    def hostile_pairs(self) -> list[tuple[int, int, float]]:
        """(i, j, level) for every hostile pair i < j (recomputed when hostility changes)."""
        return self.cached("hostile_pairs", _hostile_pairs, self.hostility)

    def cached(self, name: str, fn: Any, *arrays: np.ndarray) -> Any:
        """``fn(self)``, recomputed only when one of ``arrays`` (its inputs) has changed:
        events may edit the model's arrays in place at any month."""
        key = [a.tobytes() for a in arrays]
        hit = self._cache.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = fn(self)
        self._cache[name] = (key, value)
        return value

    def ceasefire_binds(self, a: int, b: int) -> bool:
        """True if a ceasefire in force forbids ``a`` to attack ``b`` (directional: a
        unilateral ceasefire binds only its declarer's side)."""
        if len(self._event_months) != len(self.events):
            self._scan_events()
        return any([ev.binds(a, b) for ev in self._binding]) if self._binding else False

    def ceasefire_matrix(self) -> np.ndarray:
        """[F, F] bool: :meth:`ceasefire_binds` for every pair (read it, don't write it)."""
        if len(self._event_months) != len(self.events):
            self._scan_events()
        if not self._binding:
            return self._unbound
        out = np.zeros((self.F, self.F), dtype=bool)
        for ev in self._binding:
            if ev.may_bind():
                out |= ev.binding()
        return out

    def ceasefire_in_force(self) -> bool:
        """Does some ceasefire bind a faction this month (else no pair is bound)?"""
        if len(self._event_months) != len(self.events):
            self._scan_events()
        return any([ev.may_bind() for ev in self._binding]) if self._binding else False

    def ceasefire_defects(self, a: int, b: int) -> bool:
        """``a``, bound not to attack ``b``, is tempted to: does it defect? Each ceasefire
        binding it decides (one draw per pair and month, §7.5.1); if all say yes, ``a``
        breaks them, attributed to it against ``b``, and may attack. False when nothing
        binds ``a`` toward ``b``. Call it only when ``a`` would otherwise attack."""
        if len(self._event_months) != len(self.events):
            self._scan_events()
        bound = [ev for ev in self._binding if ev.binds(a, b)]
        if not bound or not all([ev.wants_to_defect(a, b) for ev in bound]):  # every one draws
            return False
        for ev in bound:
            ev.defect(a, b)
        return True

    def on_violation(
        self, violator: int, victim: int | None, region: int | None = None, source: Any = None
    ) -> None:
        """A ceasefire was broken by ``violator``: every event may react (sanctions)."""
        for ev in self.events:
            ev.violated(violator, victim, region, source)

    @property
    def event_log(self) -> list[dict[str, Any]]:
        """The ACLED-style records logged so far (keys ``step``, ``month``,
        ``event_type``, ``kind``, ``region``, ``actor1``, ``actor2``,
        ``fatalities``, ``note``), formatted from :attr:`logbook`'s arrays."""
        return self.logbook.records()

    def log(
        self,
        event_type: str,
        kind: str,
        region: int | str | None = None,
        actor1: str | None = None,
        actor2: str | None = None,
        fatalities: float = 0.0,
        note: str = "",
        args: tuple[float, ...] = (),
    ) -> None:
        """Append an ACLED-style record to the event log (:attr:`logbook`); with
        ``args`` (up to four numbers) ``note`` is a format template applied to them
        when the log is read (``"{0:.0f} fighters"``)."""
        self.logbook.add(event_type, kind, region, actor1, actor2, fatalities, note, args)

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """One month, in the order of DESIGN.md §3: the month's tallies reset, 1.
        scheduled events, 2.-3. sponsors' support (:func:`.support.exchange`) and the
        economy (:func:`.forces.economy`), 4. forces (:func:`.forces.step`) and
        skirmishes and raids (:func:`.conflict.step`), 5. politics
        (:func:`.politics.step`), 6. ceasefires and elections progress, the series
        row. Steps 2-5 (and the row, when no event updates) are one kernel call,
        stopping only where Python decides (:mod:`.month`), unless red lines keep
        the month module by module: the same arithmetic."""
        if len(self._event_months) != len(self.events):  # events added after construction
            self._scan_events()
        reset_first = True
        if self._next_event <= self.start_index + self.steps - 1:
            month.reset(self)
            reset_first = False
            self._fire_due()  # 1. scheduled events
        recorded = False
        if month.fused(self):
            recorded = not self._updating
            month.run(self, reset_first, recorded)
        else:
            if reset_first:
                month.reset(self)
            support.exchange(self)  # 2. sponsors allocate, 3. factions receive and return support
            forces.economy(self)  #    income, upkeep, recruitment
            forces.step(self)  # 4. forces: redeployment, offensives, sieges
            conflict.step(self)  #    skirmishes and raids
            politics.step(self)  # 5. politics
        for ev in self._updating:  # 6. ceasefires and elections progress
            if ev.fired:
                ev.update()
        self.fatality_history.append(self.tally.item(0))  # (self.fatalities)
        if not recorded:
            self.recorder.record()
        self.datacollector.collect(self)
        if self.steps >= self.months:
            self.running = False

    def _scan_events(self) -> None:
        """The events' months, those that may bind a faction not to attack another
        (their class overrides ``binds``: ceasefires), those with a monthly ``update``
        (the others' is a no-op), and the month of the next event due."""
        self._event_months = [month_index(ev.spec.date) for ev in self.events]
        self._binding = [ev for ev in self.events if type(ev).binds is not Behaviour.binds]
        self._updating = [ev for ev in self.events if type(ev).update is not Behaviour.update]
        self._next_event = min(
            (w for ev, w in zip(self.events, self._event_months, strict=True) if not ev.fired),
            default=_NEVER,
        )

    def _fire_due(self) -> None:
        """Fire the events due by this month, in the events' order (1. of the step)."""
        now = self.start_index + self.steps - 1
        for ev, when in zip(self.events, self._event_months, strict=True):
            if not ev.fired and when <= now:
                ev.fire()
        if len(self._event_months) != len(self.events):  # an event added another
            self._scan_events()
        else:
            self._next_event = min(
                (w for ev, w in zip(self.events, self._event_months, strict=True) if not ev.fired),
                default=_NEVER,
            )

    def sync_strength(self) -> None:
        """Garrisons clipped at 0; ``strength`` (in place) their sum per faction."""
        _sync(self.garrison, self.strength)

    # ------------------------------------------------------------------ data
    def _reporters(self) -> dict[str, str]:
        """Mesa reporter name → series column (read from the recorder's table)."""
        return dict(_reporters_of(tuple(self.faction_ids)))

    def _collect(self) -> None:
        self.recorder.record()
        self.datacollector.collect(self)

    def __repr__(self) -> str:
        return f"<LibyaModel {self.spec.id} seed={self.seed} month={self.month}>"


def _put(a: np.ndarray, entries: dict[tuple[int, ...], float]) -> np.ndarray:
    """``a`` with ``a[index] = value`` for each entry (a few dozen: one by one is
    several times faster than building the index arrays of one fancy assignment)."""
    for index, value in entries.items():
        a[index] = value
    return a


def _hostile_pairs(m: LibyaModel) -> list[tuple[int, int, float]]:
    h = m.hostility
    return [(int(i), int(j), float(h[i, j])) for i, j in np.argwhere(np.triu(h, 1) > 0)]


#: Agent reporters (Mesa's ``get_agent_vars_dataframe``): series columns per agent.
FACTION_REPORTERS = ("strength", "territory", "population", "legitimacy", "popularity")
SPONSOR_REPORTERS = ("budget", "support")


class ArrayCollector(DataCollector):
    """A Mesa ``DataCollector`` whose model and agent variables are read from
    the model's :class:`~.outcomes.SeriesRecorder` table (filled in place each
    step), so that ``mesa.batch_run`` and ``SolaraViz`` see the usual
    ``model_vars`` and ``get_agent_vars_dataframe()`` without a second,
    per-reporter collection pass: agent records are built only when read.
    (No agent-type reporters: ``mesa.batch_run`` would report every agent twice.)

    Agent variables: ``id`` (the scenario's id), for factions ``strength``
    (fighters), ``territory`` and ``population`` (shares controlled),
    ``legitimacy``, ``popularity``; for sponsors ``budget`` (all channels) and
    ``support`` (given, all factions and channels). A variable an agent
    lacks is ``None``, as with Mesa's attribute reporters.
    """

    def __init__(
        self, model: LibyaModel, recorder: SeriesRecorder, reporters: dict[str, str]
    ) -> None:
        super().__init__()
        self.recorder = recorder
        self.model_reporters = dict(reporters)
        self._columns = _columns_of(tuple(recorder.columns), tuple(reporters.items()))
        self._row_of: dict[float, int] = {}
        self.agent_reporters = {v: v for v in ("id", *FACTION_REPORTERS, *SPONSOR_REPORTERS)}
        self._agent_records = _AgentRecords(self, model)  # type: ignore[assignment]

    @property  # type: ignore[override]
    def model_vars(self) -> dict[str, list[float]]:
        n = len(self.recorder.steps)
        table = self.recorder.table
        return {name: table[:n, k].tolist() for name, k in self._columns.items()}

    @model_vars.setter
    def model_vars(self, value: dict) -> None:  # DataCollector.__init__ assigns {}
        pass

    def collect(self, model: mesa.Model) -> None:
        t = model.time
        self._row_of[t] = len(self._collection_steps)
        self._collection_steps.append(t)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        return pd.DataFrame(self.model_vars)

    def agent_rows(self, model: LibyaModel, row: int) -> tuple[list[tuple], list[tuple]]:
        """(faction records, sponsor records) of one collected row of the table."""
        t = self._collection_steps[row]
        r = self.recorder.table[row]
        b = self.recorder._blocks
        F, S = model.F, model.S
        fv = np.stack([r[b[k]] for k in range(5)], axis=1).tolist()  # [F, 5]
        support = r[b[5]].reshape(S, F).sum(axis=1).tolist()
        budget = r[b[6]].tolist()
        factions = [(t, a.unique_id, a.id, *fv[a.index]) for a in model.factions]
        sponsors = [
            (t, a.unique_id, a.id, budget[a.index], support[a.index]) for a in model.sponsors
        ]
        return factions, sponsors


@functools.lru_cache(maxsize=64)
def _reporters_of(faction_ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    rep = {"threat_index": "threat_index", "fatalities": "fatalities"}
    rep["battle_deaths"] = "battle_deaths"
    for f in faction_ids:
        rep[f"strength.{f}"] = f"strength.{f}"
        rep[f"population.{f}"] = f"population.{f}"
    return tuple(rep.items())


@functools.lru_cache(maxsize=64)
def _columns_of(columns: tuple[str, ...], reporters: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """Reporter name → its column's index in the recorder's table (made once per layout)."""
    index = {c: k for k, c in enumerate(columns)}
    return {name: index[col] for name, col in reporters}


class _AgentRecords(Mapping):
    """Mesa's ``{time: records}`` of agent variables, built on read."""

    def __init__(self, dc: ArrayCollector, model: LibyaModel) -> None:
        self._dc = weakref.ref(dc)  # the collector holds this mapping: no cycle of the two
        self.model = model

    @property
    def dc(self) -> ArrayCollector:
        dc = self._dc()
        if dc is None:
            raise ReferenceError("the model's data collector is gone")
        return dc

    def __getitem__(self, t: float) -> list[tuple]:
        factions, sponsors = self.dc.agent_rows(self.model, self.dc._row_of[t])
        pad = (None,) * len(SPONSOR_REPORTERS)
        return [(*rec, *pad) for rec in factions] + [
            (*rec[:3], *(None,) * len(FACTION_REPORTERS), *rec[3:]) for rec in sponsors
        ]

    def __iter__(self) -> Iterator[float]:
        return iter(self.dc._row_of)

    def __len__(self) -> int:
        return len(self.dc._row_of)
