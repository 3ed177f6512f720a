"""The mechanisms of the model, each with the outcome it must move (issue 11).

Every mechanism ``docs/ODD.md`` documents is declared here: its ODD section,
a *lever* (a dotted scenario path moved from the low to the high end of its
range), the headline outcome (:mod:`libyasim.model.headline`) that moving the
lever must change beyond replicate noise, and the scenario it is judged on.
``tests/test_mechanism_gate.py`` runs each at its lever's range ends on common
seeds and fails when the outcome does not move; a mechanism intentionally (or
knowingly) without effect in its scenario says why in ``inert``.

ODD.md ties back here with one line per mechanism in the section describing
it::

    Gate: `engagement` moves `battle_deaths`.

(the test checks that every such line has its entry and every entry its line,
in the section its ``odd`` names). See docs/audit.md for how to declare one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mechanism:
    """A mechanism of the ODD and the outcome its lever must move."""

    name: str
    odd: str  # the ODD.md section, e.g. "7.3"
    lever: str  # dotted path moved across its range, e.g. "parameters.engagement_rate"
    outcome: str  # a headline outcome name, e.g. "battle_deaths"
    scenario: str = "baseline_2017"
    inert: str | None = None  # why, when it does not move the outcome in that scenario


MECHANISMS: tuple[Mechanism, ...] = (
    # 7.1 sponsor support
    Mechanism("sponsor_choice", "7.1", "parameters.concentration_cost", "strength.lna"),
    Mechanism("support_inertia", "7.1", "parameters.support_inertia", "legitimacy.lna"),
    Mechanism(
        "policy_noise",
        "7.1",
        "parameters.policy_noise",
        "population_share.gna",
        inert=(
            "no effect beyond noise on any headline outcome (measured on model v2, seeds "
            "100-111 x 24 months): the noise on sponsors' utilities averages out over a "
            "hedged portfolio"
        ),
    ),
    Mechanism("threat_to_ct", "7.1", "parameters.threat_to_ct", "legitimacy.hor"),
    Mechanism("icc_reputation_cost", "7.1", "parameters.icc_reputation_cost", "legitimacy.lna"),
    Mechanism("casualty_cost", "7.1", "parameters.casualty_cost", "legitimacy.hor"),
    Mechanism(
        "indirect_cost_discount",
        "7.1",
        "parameters.indirect_cost_discount",
        "legitimacy.lna",
    ),
    Mechanism("richardson", "7.1", "parameters.richardson_reaction", "settlement.haftar_role"),
    Mechanism("direct_channel", "7.1", "parameters.direct_combat_gain", "battle_deaths"),
    # 7.5 events, each on a scenario that uses it
    Mechanism(
        "red_line",
        "7.5.10",
        "parameters.red_line_deterrence",
        "battle_deaths",
        inert=(
            "no red_line event in baseline_2017: the deterrence coefficient acts only on a "
            "declared red line (direction tests in tests/test_v2_sponsors.py)"
        ),
    ),
    # 7.2 receiving and returning support
    Mechanism("loyalty", "7.2", "parameters.loyalty_step", "legitimacy.hor"),
    Mechanism("recruitment", "7.2", "parameters.mobilisation_ceiling", "jihadist_strength_ratio"),
    Mechanism("attrition", "7.2", "parameters.attrition_rate", "jihadist_strength_ratio"),
    Mechanism("resources", "7.2", "parameters.financial_to_resources", "strength.gna"),
    # 7.3 conflict
    # skirmishes matter where fronts are active: on baseline_2017 stalemated fronts
    # (stalemate_decay) leave engagement_rate +2 [-864, 869] on battle_deaths
    Mechanism(
        "engagement",
        "7.3",
        "parameters.engagement_rate",
        "battle_deaths",
        scenario="calibration/libya_2014",
    ),
    Mechanism("lanchester", "7.3", "parameters.aimed_fire_rate", "battle_deaths"),
    Mechanism("deitchman", "7.3", "parameters.area_fire_rate", "jihadist_strength_ratio"),
    Mechanism("contest", "7.3", "parameters.contest_exponent", "battle_deaths"),
    Mechanism(
        "main_effort",
        "7.3",
        "parameters.main_effort",
        "battle_deaths",
        inert=(
            "it acts only while a faction presses a campaign, on its skirmishes off the "
            "campaign's axis: on libya_2014 (8 seeds x 24 months) main_effort 0.3 -> 1 "
            "moves battle_deaths by +96 [-143, 336] (noise 240), deaths move between "
            "fronts; tests/test_v2_forces.py checks the LNA starts fewer skirmishes off "
            "its axis during an offensive"
        ),
    ),
    Mechanism(
        "stalemate",
        "7.3",
        "parameters.stalemate_decay",
        "battle_deaths",
        inert=(
            "in the first 24 months of libya_2014 most skirmishes are within a region or "
            "on fronts with offensives: stalemate_decay 0.05 -> 0.4 moves battle_deaths "
            "by -123 [-717, 472] (noise 240); its effect is on where deaths fall (Sirte's "
            "share of 2016, PATTERNS V2: 0.22 -> 0.28 at the NROY points); "
            "tests/test_v2_forces.py checks a cold front skirmishes less than a hot one"
        ),
    ),
    Mechanism(
        "raids",
        "7.3",
        "parameters.raid_fatalities",
        "total_deaths",
        inert=(
            "+626 [19, 1233] on total_deaths (measured on model v2, seeds 100-111 x 24 "
            "months), z = 2.0: too close to the noise of 24-month death totals for the "
            "gate's 8 seeds"
        ),
    ),
    Mechanism(
        "ally_reinforcement",
        "7.3",
        "parameters.ally_cover",
        "population_share.gna",
        scenario="lna_marches_on_tripoli",
    ),
    Mechanism(
        "siege_investment",
        "7.3",
        "parameters.siege_attrition",
        "battle_deaths",
        inert=(
            "no offensive of the shipped 2017 scenarios settles into an invested siege "
            "within the gate's 24 months (effect 0 on seeds 0-7); on the calibration "
            "scenario libya_2014, siege_attrition 0 -> 0.08 cuts the besieged Benghazi "
            "garrison by 11,495 fighter-months over 24 months (2 SE 950) and siege_ratio "
            "0.5 -> 2 / siege_patience 6 -> 48 move the LNA's months besieging Benghazi "
            "by -27.8 / +27.1 (2 SE 1.6 / 1.2; tests/test_v2_sieges.py)"
        ),
    ),
    Mechanism(
        "insurgent_cover",
        "7.3",
        "parameters.insurgent_cover",
        "jihadist_strength_ratio",
        inert=(
            "no jihadist group attacks a town from within in the shipped 2017 scenarios "
            "within 24 months (effect 0 on baseline_2017 and daesh_resurgence, seeds "
            "0-7); on libya_2014, insurgent_cover 0 -> 1 adds 8.6 months of Daesh "
            "holding Sirte (2 SE 4.3, seeds 1-8; tests/test_v2_sieges.py)"
        ),
    ),
    # 7.4 politics
    Mechanism("bargaining", "7.4", "parameters.bargaining_exponent", "settlement.haftar_role"),
    Mechanism("popularity", "7.4", "parameters.popularity_swing", "popularity.gna"),
    Mechanism("legitimacy", "7.4", "parameters.recognition_weight", "legitimacy.lna"),
    Mechanism(
        "ceasefire",
        "7.5.1",
        "events.paris_ceasefire.peace_dividend",
        "ceasefire_months",
        "ceasefire_only",
    ),
    Mechanism(
        "ceasefire_commitment",
        "7.5.1",
        "events.paris_ceasefire.shift_sensitivity",
        "ceasefire_months",
        "ceasefire_turkey_enters",
    ),
    Mechanism(
        "election",
        "7.5.2",
        "events.early_election.coercion",
        "end_state.takeover",
        "early_elections",
        inert=(
            "0 on end_state.takeover (measured on model v2, seeds 100-111 x 24 months): no "
            "accepted winner dominates in early_elections, so coercion cannot make a "
            "takeover there (ODD 7.6, NEEDS_A_SCENARIO in tests/test_v2_outcomes.py)"
        ),
    ),
    Mechanism(
        "recognition",
        "7.5.3",
        "events.paris_summit.legitimacy_boost",
        "legitimacy.lna",
        "paris_2017",
    ),
    Mechanism(
        "support_change",
        "7.5.4",
        "events.france_withdraws.stance.lna",
        "legitimacy.lna",
        "france_steps_back",
    ),
    Mechanism(
        "sponsor_entry",
        "7.5.5",
        "sponsors.turkey.budget.military",
        "strength.gna",
        "turkey_enters",
    ),
    Mechanism(
        "attack",
        "7.5.6",
        "events.sirte_attack.fatalities",
        "total_deaths",
        "daesh_resurgence",
        inert=(
            "+14 [10, 18] on total_deaths (measured on model v2, seeds 100-111 x 24 "
            "months), below the floor 233: one scheduled attack of 3-20 deaths is smaller "
            "than the run-to-run spread of death totals"
        ),
    ),
    Mechanism(
        "icc_warrant",
        "7.5.7",
        "events.icc_commanders.legitimacy_penalty",
        "legitimacy.lna",
        "icc_pressure",
    ),
    Mechanism(
        "arms_embargo",
        "7.5.8",
        "events.embargo.enforcement",
        "strength.lna",
        "arms_embargo_enforced",
    ),
    Mechanism(
        "direct_intervention",
        "7.5.9",
        "parameters.direct_combat_gain",
        "battle_deaths",
        inert=(
            "no shipped scenario holds a direct_intervention yet (model v2, issue 10)"
        ),
    ),
    Mechanism(
        "dialogue",
        "7.5.11",
        "parameters.engagement_rate",
        "battle_deaths",
        inert=(
            "no shipped scenario holds a dialogue yet (model v2, issue 10)"
        ),
    ),
    Mechanism(
        "realignment",
        "7.5.12",
        "parameters.engagement_rate",
        "battle_deaths",
        inert=(
            "no shipped scenario holds a realignment yet (model v2, issue 10)"
        ),
    ),
    Mechanism(
        "offensive",
        "7.5.13",
        "parameters.engagement_rate",
        "battle_deaths",
        inert=(
            "no shipped 2017 scenario orders an offensive yet (the calibration scenario "
            "does)"
        ),
    ),
    Mechanism(
        "blockade",
        "7.5.14",
        "parameters.engagement_rate",
        "battle_deaths",
        inert=(
            "no shipped 2017 scenario holds a blockade yet (the calibration scenario does)"
        ),
    ),
)

BY_NAME = {m.name: m for m in MECHANISMS}

__all__ = ["BY_NAME", "MECHANISMS", "Mechanism"]
