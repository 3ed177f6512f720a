"""Coefficients of politics: bargaining, popularity, legitimacy (DESIGN §3.5; docs/ODD.md §7.4)."""

from __future__ import annotations

from ..quantity import NonNegative, Positive, StrictModel, Unit
from . import _p


class PoliticsParameters(StrictModel):
    """The coefficients documented in the ODD section named above."""

    bargaining_exponent: Positive = _p(2.0, 1.0, 4.0, "exponent n of the victory probability C_ij^n / (C_ij^n + C_ji^n)")
    position_step: Unit = _p(0.05, 0.02, 0.15, "size of the trial move on an issue axis (0-1 scale) an actor weighs each month; it moves only if the move raises its expected utility")
    move_threshold: NonNegative = _p(0.001, 0.0, 0.01, "gain in expected utility (0-1 scale) below which an actor keeps its advocated position (the cost of shifting publicly)")
    review_shift: Unit = _p(0.05, 0.01, 0.2, "shift in the balance of bargaining capability (L1 distance between capability shares) since an actor last reviewed its position that makes it review again; actors also review after any month in which someone moved")
    backing_weight: NonNegative = _p(1.0, 0.5, 2.0, "weight of sponsor backing (share of all foreign support received) against coercive power (coalition fighters over all fighters) in a faction's bargaining capability")
    recognition_stance: Unit = _p(0.5, 0.2, 1.0, "change of a sponsor's stance toward a faction that gains (or loses) UN recognition, per unit of the sponsor's un_legitimacy interest")
    split_hostility: Unit = _p(0.8, 0.5, 1.0, "hostility at least, between the factions that reject an election and the government it elected (rival institutions)")
    split_legitimacy_cost: Unit = _p(0.1, 0.0, 0.2, "fall in the base legitimacy of both camps when institutions split (rival parliaments, central banks and governments claim the same authority)")
    popularity_relaxation: Unit = _p(0.1, 0.05, 0.2, "monthly speed at which popularity moves toward its drivers")
    security_weight: NonNegative = _p(1.0, 0.5, 2.0, "weight of security delivered (territory held without fighting) in popularity")
    violence_weight: NonNegative = _p(1.0, 0.5, 2.0, "weight of violence suffered in a faction's regions in popularity")
    oil_weight: NonNegative = _p(0.5, 0.0, 1.0, "weight of oil revenue controlled in popularity")
    legitimacy_relaxation: Unit = _p(0.05, 0.01, 0.1, "monthly speed at which legitimacy moves toward recognition-based level")
    recognition_weight: NonNegative = _p(0.5, 0.2, 1.0, "weight of international recognition (UN, sponsors' political support) in legitimacy")
    sponsor_capability_weight: NonNegative = _p(1.0, 0.5, 2.0, "weight of foreign sponsors' capability (support given) relative to factions' in bargaining")
    popularity_swing: Unit = _p(0.3, 0.1, 0.5, "largest monthly-target deviation of popularity from its initial level caused by security, violence and oil")
    violence_scale: Positive = _p(50.0, 20.0, 200.0, "deaths in a region in a month at which violence weighs fully on popularity")
