"""The inert-mechanism gate (issue 11 part 2): every mechanism docs/ODD.md
documents is declared in libyasim.model.mechanisms with the outcome it must
move, and moving its lever across its range (or adding its event) moves that
outcome beyond noise (8 common seeds x 24 months unless the declaration says
otherwise), unless it is declared inert with a reason."""

from __future__ import annotations

import re

from paths import REPO, SCENARIOS

from libyasim import load_scenario
from libyasim.analysis.audit import audit_numbers, mechanism_effects
from libyasim.model.headline import BY_NAME as HEADLINES
from libyasim.model.mechanisms import INERT, MECHANISMS

ODD = REPO / "docs" / "ODD.md"
HEADING = re.compile(r"^#{2,4} (\d+(?:\.\d+)*)\s")
GATE = re.compile(r"^Gate: `([a-z_0-9]+)` moves `([a-z_0-9.]+)`\.$")
#: the ODD sections that describe mechanisms (each needs at least one Gate line)
MECHANISM_SECTIONS = re.compile(r"^7\.[1-5](\.\d+)?$")


def odd_gates() -> tuple[dict[str, tuple[str, str]], set[str]]:
    """``{name: (section, outcome)}`` of the Gate lines, and the mechanism sections."""
    section, gates, sections = "", {}, set()
    for line in ODD.read_text(encoding="utf-8").splitlines():
        h = HEADING.match(line)
        if h:
            section = h.group(1)
            if MECHANISM_SECTIONS.match(section) and section != "7.5":
                sections.add(section)
        g = GATE.match(line)
        if g:
            assert g.group(1) not in gates, f"ODD.md declares {g.group(1)} twice"
            gates[g.group(1)] = (section, g.group(2))
    return gates, sections


def test_every_mechanism_in_the_odd_is_declared_and_every_declared_one_is_in_the_odd():
    gates, sections = odd_gates()
    declared = {m.name: (m.odd, m.outcome) for m in MECHANISMS}
    assert len(declared) == len(MECHANISMS), "two mechanisms share a name"
    assert gates == declared, (
        "docs/ODD.md's 'Gate: `name` moves `outcome`.' lines and "
        "libyasim.model.mechanisms.MECHANISMS differ: "
        f"only in ODD {sorted(set(gates.items()) - set(declared.items()))}, "
        f"only in the registry {sorted(set(declared.items()) - set(gates.items()))}"
    )
    covered = {odd for odd, _ in declared.values()}
    assert sections <= covered, f"ODD sections without a Gate line: {sorted(sections - covered)}"


def test_declarations_name_real_outcomes_levers_and_reasons():
    for m in MECHANISMS:
        assert m.outcome.split(".")[0] in HEADLINES, f"{m.name}: unknown outcome {m.outcome}"
        sc = load_scenario(SCENARIOS / f"{m.scenario}.yaml")
        if m.toggles_event:
            assert m.lever.split(".", 1)[1] in {e.id for e in sc.events}, (
                f"{m.name}: {m.scenario} holds no event {m.lever}"
            )
        else:
            assert m.lever in {n.path for n in audit_numbers(sc)}, (
                f"{m.name}: {m.lever} is not a ranged number of {m.scenario}"
            )
        assert m.inert is None or len(m.inert) > 10, f"{m.name}: say why it is inert"
        assert m.seeds >= 2 and (m.months is None or m.months >= 1), m.name
    assert set(INERT) <= {m.name for m in MECHANISMS}, "an inert reason for no mechanism"


def test_event_mechanisms_are_judged_by_their_own_event():
    """A mechanism of an event type (ODD 7.5.x) moves a lever of an event of that
    type, or the event itself, in a scenario that holds it: never a placeholder."""
    heads = {}
    section = ""
    for line in ODD.read_text(encoding="utf-8").splitlines():
        h = re.match(r"^#### (7\.5\.\d+) `([a-z_]+)`", line)
        if h:
            section = h.group(1)
            heads[section] = h.group(2)
    for m in MECHANISMS:
        if m.odd not in heads:
            continue
        sc = load_scenario(SCENARIOS / f"{m.scenario}.yaml")
        types = {e.id: e.type for e in sc.events}
        if m.lever.startswith("events."):
            event = m.lever.split(".")[1]
            assert types.get(event) == heads[m.odd], (
                f"{m.name}: {m.lever} is not a field of a {heads[m.odd]} event of {m.scenario}"
            )
        else:  # the mechanism's own coefficient: the scenario must hold the event
            assert heads[m.odd] in types.values(), f"{m.name}: {m.scenario} has no {heads[m.odd]}"


def test_each_mechanism_moves_its_outcome_beyond_noise():
    active = [m for m in MECHANISMS if m.inert is None]
    assert active
    effects = mechanism_effects(active, SCENARIOS)
    still = effects[~effects["beyond_noise"].astype(bool)]
    assert still.empty, "mechanisms that no longer move their outcome beyond noise:\n" + "\n".join(
        f"  {r.mechanism}: {r.number} on {r.outcome} ({r.seeds} seeds x {r.months} months): "
        f"{r.effect:.4g} "
        f"[{r.ci_lo:.4g}, {r.ci_hi:.4g}], floor {r.floor:.4g}"
        for r in still.itertuples()
    )
