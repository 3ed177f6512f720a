"""The mechanisms of the model, each with the outcome it must move (issue 11).

Every mechanism ``docs/ODD.md`` documents is declared here: its ODD section,
a *lever* moved from its low to its high end, the headline outcome
(:mod:`libyasim.model.headline`) that moving the lever must change beyond
replicate noise, and the scenario it is judged on. A lever is a ranged
number's dotted path (``parameters.siege_attrition``, an event's field
``events.uae_drones.size``), or an event itself (``events.egypt_line``: the
scenario without that event at the low end, with it at the high end), for an
event whose own numbers cannot be moved far enough to matter.
``tests/test_mechanism_gate.py`` runs each at its lever's ends on common
seeds and fails when the outcome does not move; a mechanism knowingly
without effect says why in ``inert`` (a measured property, not "no scenario
holds it": an event mechanism is judged on a shipped scenario that holds the
event).

ODD.md ties back here with one line per mechanism in the section describing
it::

    Gate: `engagement` moves `battle_deaths`.

(the test checks that every such line has its entry and every entry its line,
in the section its ``odd`` names). See docs/audit.md for how to declare one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Mechanism:
    """A mechanism of the ODD and the outcome its lever must move."""

    name: str
    odd: str  # the ODD.md section, e.g. "7.3"
    lever: str  # a ranged number's dotted path, or "events.<id>" (the event itself)
    outcome: str  # a headline outcome name, e.g. "battle_deaths"
    scenario: str = "baseline_2017"  # a file under scenarios/, e.g. "calibration/libya_2014"
    months: int | None = 24  # months each run lasts; None: the scenario's own
    seeds: int = 8  # common seeds 0..seeds-1
    inert: str | None = None  # why, when it does not move the outcome in that scenario

    @property
    def toggles_event(self) -> bool:
        """True when the lever is an event itself (absent at the low end)."""
        return self.lever.startswith("events.") and self.lever.count(".") == 1


CAL = "calibration/libya_2014"  # the calibration scenario, May 2014 - July 2017
WHOLE = None  # months: the scenario's own length (for events after the gate's 24 months)

#: name, ODD section, lever, outcome[, scenario[, months[, seeds]]]
_DECLARED: tuple[tuple, ...] = (
    # 7.1 sponsor support
    ("sponsor_choice", "7.1", "parameters.concentration_cost", "strength.lna"),
    ("support_inertia", "7.1", "parameters.support_inertia", "legitimacy.lna"),
    ("policy_noise", "7.1", "parameters.policy_noise", "population_share.gna"),
    ("threat_to_ct", "7.1", "parameters.threat_to_ct", "legitimacy.hor"),
    ("icc_reputation_cost", "7.1", "parameters.icc_reputation_cost", "legitimacy.lna"),
    ("casualty_cost", "7.1", "parameters.casualty_cost", "legitimacy.hor"),
    ("indirect_cost_discount", "7.1", "parameters.indirect_cost_discount", "legitimacy.lna"),
    ("richardson", "7.1", "parameters.richardson_reaction", "settlement.haftar_role"),
    ("direct_channel", "7.1", "parameters.direct_combat_gain", "battle_deaths"),
    # 7.2 receiving and returning support
    ("loyalty", "7.2", "parameters.loyalty_step", "legitimacy.hor"),
    ("recruitment", "7.2", "parameters.mobilisation_ceiling", "jihadist_strength_ratio"),
    ("attrition", "7.2", "parameters.attrition_rate", "jihadist_strength_ratio"),
    ("resources", "7.2", "parameters.financial_to_resources", "strength.gna"),
    # 7.3 forces, fronts and conflict
    # skirmishes matter where fronts are active: on baseline_2017 stalemated fronts
    # (stalemate_decay) leave engagement_rate +2 [-864, 869] on battle_deaths
    ("engagement", "7.3", "parameters.engagement_rate", "battle_deaths", CAL),
    ("lanchester", "7.3", "parameters.aimed_fire_rate", "battle_deaths"),
    ("deitchman", "7.3", "parameters.area_fire_rate", "jihadist_strength_ratio"),
    ("contest", "7.3", "parameters.contest_exponent", "battle_deaths"),
    ("stalemate", "7.3", "parameters.stalemate_decay", "battle_deaths", CAL, WHOLE, 32),
    ("raids", "7.3", "parameters.raid_fatalities", "raid_deaths"),
    ("ally_reinforcement", "7.3", "parameters.ally_cover", "population_share.gna",
     "lna_marches_on_tripoli"),
    # Benghazi's Shura Council besieged from October 2014; Daesh takes Sirte from within
    ("siege_investment", "7.3", "parameters.siege_attrition", "strength.ansar_benghazi",
     CAL, WHOLE),
    ("insurgent_cover", "7.3", "parameters.insurgent_cover", "held_months.sirte", CAL, WHOLE, 16),
    # sieges grind: the front narrows with the pocket; insurgents seize and dig in
    ("siege_front", "7.3", "parameters.pocket_front", "battle_deaths", CAL, WHOLE, 16),
    ("insurgent_seizure", "7.3", "parameters.insurgent_seizure", "held_months.sirte", CAL, WHOLE,
     16),
    ("entrenchment", "7.3", "parameters.entrenchment", "held_months.sirte", CAL, WHOLE, 16),
    # 7.4 politics
    ("bargaining", "7.4", "parameters.bargaining_exponent", "settlement.haftar_role"),
    ("popularity", "7.4", "parameters.popularity_swing", "popularity.gna"),
    ("legitimacy", "7.4", "parameters.recognition_weight", "legitimacy.lna"),
    # 7.5 events, each on a shipped scenario that holds it
    ("ceasefire", "7.5.1", "events.paris_ceasefire.peace_dividend", "ceasefire_months",
     "ceasefire_only"),
    ("ceasefire_commitment", "7.5.1", "events.paris_ceasefire.shift_sensitivity",
     "ceasefire_months", "ceasefire_turkey_enters"),
    ("election", "7.5.2", "events.early_election.coercion", "vote_share.lna", "early_elections"),
    ("recognition", "7.5.3", "events.paris_summit.legitimacy_boost", "legitimacy.lna",
     "paris_2017"),
    ("support_change", "7.5.4", "events.france_withdraws.stance.lna", "legitimacy.lna",
     "france_steps_back"),
    ("sponsor_entry", "7.5.5", "sponsors.turkey.budget.military", "strength.gna",
     "turkey_enters"),
    ("attack", "7.5.6", "events.tripoli_attack.fatalities", "raid_deaths", "daesh_resurgence"),
    ("icc_warrant", "7.5.7", "events.icc_commanders.legitimacy_penalty", "legitimacy.lna",
     "icc_pressure"),
    ("arms_embargo", "7.5.8", "events.embargo.enforcement", "strength.lna",
     "arms_embargo_enforced"),
    ("direct_intervention", "7.5.9", "events.uae_drones.size", "strength.lna",
     "lna_marches_on_tripoli", 24, 16),
    ("red_line", "7.5.10", "events.egypt_line", "held_months.oil_crescent", "egypt_red_line",
     WHOLE),
    ("dialogue", "7.5.11", "events.tunis_talks.war_cost", "legitimacy.misrata",
     "unity_dialogue"),
    ("realignment", "7.5.12", "events.tripoli_brigades_back_gna.share", "strength.gna", CAL,
     WHOLE),
    ("offensive", "7.5.13", "events.tripoli_offensive.share", "population_share.lna",
     "lna_marches_on_tripoli"),
    ("blockade", "7.5.14", "events.oil_crescent_closed", "strength.pfg", CAL, WHOLE, 16),
)  # fmt: skip

#: why a mechanism does not move its outcome: a measured property of the model
INERT: dict[str, str] = {
    "policy_noise": (
        "zero-mean noise on sponsors' utilities, scaled by (1 - consensus): 0 -> 0.6 moves "
        "battle deaths by -0.3 on average over seeds 200-223 x 24 months and leaves their "
        "sd at 684 (no headline outcome beyond noise on seeds 100-111: largest "
        "|effect|/interval 1.2); averaged over a hedged portfolio with inertia it neither "
        "moves a mean nor adds spread: a candidate for removal (docs/audit.md)"
    ),
}

MECHANISMS: tuple[Mechanism, ...] = tuple(
    replace(Mechanism(*row), inert=INERT.get(row[0])) for row in _DECLARED
)

BY_NAME = {m.name: m for m in MECHANISMS}

__all__ = ["BY_NAME", "INERT", "MECHANISMS", "Mechanism"]
