"""Coefficients of sponsor support and its receipt (DESIGN §3.2-3.3; docs/ODD.md §7.1-7.2)."""

from __future__ import annotations

from ..quantity import NonNegative, Positive, Signed, StrictModel, Unit
from . import _p


class SupportParameters(StrictModel):
    """The coefficients documented in the ODD section named above."""

    softmax_temperature: Positive = _p(0.25, 0.1, 0.6, "default sponsor softmax temperature tau: lower means support concentrates on the best-scoring faction")
    support_inertia: Unit = _p(0.3, 0.1, 0.6, "monthly speed rho at which an allocation moves toward its target at full consensus")
    consensus_inertia_floor: Unit = _p(0.3, 0.1, 0.6, "share of rho kept by a sponsor with zero internal consensus")
    policy_noise: NonNegative = _p(0.3, 0.0, 0.6, "scale of the noise on a sponsor's utilities, multiplied by (1 - consensus)")
    reservation_utility: Signed = _p(0.0, -0.5, 0.5, "utility of withholding support: an outside option in the softmax, so a sponsor keeps back part of its budget when no candidate is attractive")
    stance_weight: NonNegative = _p(1.0, 0.5, 2.0, "weight of a sponsor's prior stance toward a faction in its utility")
    support_threshold: Unit = _p(0.02, 0.0, 0.1, "allocation share below which a sponsor sends nothing to a faction")
    icc_reputation_cost: NonNegative = _p(1.0, 0.5, 2.0, "scale of every ICC warrant's reputation_cost in a sponsor's utility (times its reputation sensitivity)")
    casualty_cost: NonNegative = _p(0.5, 0.1, 1.0, "utility cost of a faction's recent losses, times the sponsor's casualty sensitivity")
    indirect_cost_discount: Unit = _p(0.6, 0.3, 0.9, "share of reputation and casualty cost hidden when support is routed through another sponsor")
    richardson_reaction: NonNegative = _p(0.05, 0.0, 0.15, "Richardson reaction k: budget growth per unit of rival sponsors' support to a faction's enemies")
    richardson_fatigue: Unit = _p(0.1, 0.05, 0.3, "Richardson fatigue a: monthly pull of a budget back to its initial level")
    loyalty_step: Unit = _p(0.05, 0.01, 0.1, "Axelrod commitment step: loyalty gained per month of support received, lost per month without")
    loyalty_weight: NonNegative = _p(0.5, 0.0, 1.0, "weight of a faction's loyalty in its sponsor's utility")
    military_to_fighters: NonNegative = _p(150.0, 50.0, 300.0, "fighters added per unit of military support per month; calibrated (pattern-oriented, docs/ODD.md 7.8) so that sponsored forces stay within the public 2017-2020 ranges (LNA 15-35k) instead of compounding")
    financial_to_resources: NonNegative = _p(1.0, 0.5, 1.5, "resources added per unit of financial support per month")
    political_to_legitimacy: NonNegative = _p(0.5, 0.2, 1.0, "recognition from political support: recognition = 1 - exp(-political_to_legitimacy x support received per month)")
    recruitment_rate: NonNegative = _p(100.0, 50.0, 200.0, "fighters recruited per unit of resources spent; calibrated with military_to_fighters (docs/ODD.md 7.8)")
    mobilisation_ceiling: Unit = _p(0.03, 0.015, 0.05, "fighters a faction can field per supporter (inhabitant x popularity) in the regions it holds or garrisons; recruitment slows to zero at this ceiling. 0.03 keeps the LNA near 25k and the GNA near 15-17k (judgement against public estimates of 2017-2020 force sizes, FACTS.md); 0.05 let both double within four years")
    resource_spend: Unit = _p(0.3, 0.1, 0.5, "share of its resources a faction spends on recruitment each month")
    oil_income: NonNegative = _p(3.0, 1.0, 6.0, "resources per month from holding all of Libya's oil value")
    attrition_rate: Unit = _p(0.01, 0.0, 0.03, "monthly share of fighters lost to desertion and demobilisation")
    ally_share: Unit = _p(0.05, 0.0, 0.15, "share of its resources a faction passes to allies each month, times alliance level")
    initial_loyalty: Unit = _p(0.5, 0.2, 0.8, "loyalty of a faction to a sponsor that supports it at the start, times the edge weight")
    ct_results_share: Unit = _p(0.5, 0.2, 0.8, "share of a faction's counter-terrorism score earned by results (its share of jihadist losses inflicted); the rest is capacity (hostility to jihadists x relative strength)")
    un_recognition_share: Unit = _p(0.5, 0.3, 0.8, "share of formal UN recognition in a faction's UN-legitimacy score and in its recognition level; the rest is its legitimacy (scores) or the political support it receives (recognition)")
    default_salience: Unit = _p(0.5, 0.2, 0.8, "salience of an issue axis for an actor that has a position on it but no stated salience")
    return_memory: Unit = _p(0.3, 0.1, 0.6, "monthly weight of the latest month in the value a faction returns to sponsors (exponential memory)")
    embargo_evasion: Unit = _p(0.0, 0.0, 0.5, "share of the military channel an arms embargo fails to stop, beyond the event's own leakage")
    direct_combat_gain: NonNegative = _p(0.5, 0.2, 1.0, "largest extra fire that direct support (air strikes, drones, advisers, mercenaries) gives a faction: its fire is multiplied by up to 1 + gain; judgement from foreign air power deciding sieges (PATTERNS.md S1)")
    direct_saturation: Positive = _p(1.0, 0.5, 3.0, "direct support per month at which a faction gets 63% (1 - 1/e) of direct_combat_gain: more strikes on the same fronts add less")
    red_line_deterrence: NonNegative = _p(0.3, 0.1, 0.6, "expected cost, in shares of national value (the scale of an offensive's gain), to a faction attacking a region behind a fully credible red line of a sponsor of its enemy")
