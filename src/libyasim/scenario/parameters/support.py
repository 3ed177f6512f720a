"""Coefficients of sponsor support and its receipt (DESIGN §3.2-3.3; docs/ODD.md §7.1-7.2)."""

from __future__ import annotations

from ..quantity import NonNegative, Positive, Signed, StrictModel, Unit
from . import _p


class SupportParameters(StrictModel):
    """The coefficients documented in the ODD section named above."""

    concentration_cost: Positive = _p(2.0, 1.0, 4.0, "Markowitz-style cost gamma of concentrating a channel's budget: the target allocation maximises sum_f x_f (U_f - U0) - gamma/2 sum_f x_f^2, so a utility gap of gamma separates two clients' shares by 1; judgement: sponsors hedge, none puts all its support on one faction for long (PATTERNS.md S2)")
    support_inertia: Unit = _p(0.3, 0.1, 0.6, "monthly speed rho at which an allocation moves toward its target at full consensus")
    consensus_inertia_floor: Unit = _p(0.3, 0.1, 0.6, "share of rho kept by a sponsor with zero internal consensus")
    policy_noise: NonNegative = _p(0.3, 0.0, 0.6, "scale of the noise on a sponsor's utilities, multiplied by (1 - consensus)")
    reservation_utility: Signed = _p(0.0, -0.5, 0.5, "utility U0 of withholding support: a sponsor funds a client only for the part of its utility above U0, and keeps back the budget no client is worth")
    stance_weight: NonNegative = _p(1.0, 0.5, 2.0, "weight of a sponsor's prior stance toward a faction in its utility")
    support_threshold: Unit = _p(0.02, 0.0, 0.1, "allocation share below which a sponsor sends nothing to a faction")
    icc_reputation_cost: NonNegative = _p(1.0, 0.5, 2.0, "scale of every ICC warrant's reputation_cost: times the sponsor's reputation sensitivity, the share of the value of backing the accused faction that a sponsor loses")
    casualty_cost: NonNegative = _p(0.5, 0.1, 1.0, "share of the value of backing a faction lost per unit of its share of recent combat deaths, times the sponsor's casualty sensitivity")
    indirect_cost_discount: Unit = _p(0.6, 0.3, 0.9, "share of reputation and casualty cost hidden when support is routed through another sponsor")
    richardson_reaction: NonNegative = _p(0.15, 0.0, 0.5, "Richardson reaction k: escalation drive per unit of military and direct support that rival sponsors send a sponsor's clients' enemies above its level in the first month")
    escalation_fatigue: Unit = _p(0.1, 0.05, 0.3, "fatigue: monthly pull of a sponsor's military and direct effort back to its base budget (Richardson's a)")
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
    direct_saturation: Positive = _p(3.0, 1.5, 6.0, "direct support per month at which a faction gets 63% (1 - 1/e) of direct_combat_gain: more strikes on the same fronts add less")
    red_line_deterrence: NonNegative = _p(0.3, 0.1, 0.6, "expected cost, in shares of national value (the scale of an offensive's gain), to a faction attacking a region behind a fully credible red line of a sponsor of its enemy")
    embargo_direct_reach: Unit = _p(0.5, 0.2, 0.8, "share of an arms embargo's enforcement that also stops the direct channel: drones and mercenaries delivered can be interdicted, a sponsor's own air strikes from its territory cannot")
    escalation_headroom: Positive = _p(2.0, 1.0, 4.0, "a sponsor's maximum military and direct effort, as a multiple of its base budget, when the scenario gives no max_effort")
    loss_response: NonNegative = _p(1.0, 0.0, 3.0, "escalation drive per share of the population a sponsor's client held in the recent past that it has lost (weighted by the sponsor's military and direct allocation)")
    loss_memory: Unit = _p(0.2, 0.05, 0.5, "monthly weight of the latest month in the reference a client's losses are measured against: sponsors react to recent losses and get used to old ones")
    ally_compensation: NonNegative = _p(1.0, 0.0, 2.0, "escalation drive per share of a client's foreign military and direct commitment left unfilled after an allied sponsor exits")
    rescue_trigger: Unit = _p(0.5, 0.3, 0.8, "share of its starting population a faction must lose for the sponsors that rescue it (Sponsor.rescues) to enter or go to their maximum effort")
    power_share_weight: Unit = _p(0.5, 0.0, 1.0, "share of the influence score taken from the faction's power share under the forecast settlement (POLITICS' power_share, normalised by the largest); the rest is its relative strength")
