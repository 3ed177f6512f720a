"""Coefficients of conflict: battles, control, raids, threat (DESIGN §3.4; docs/ODD.md §7.3)."""

from __future__ import annotations

from ..quantity import Count, NonNegative, Positive, StrictModel, Unit
from . import _p


class ConflictParameters(StrictModel):
    """The coefficients documented in the ODD section named above."""

    engagement_rate: Unit = _p(0.2, 0.05, 0.8, "monthly probability that hostile forces in the same or adjacent regions skirmish outside offensives, times hostility level")
    stalemate_decay: Unit = _p(0.25, 0.05, 0.4, "monthly decay of skirmishing across a front line between two regions after the last offensive or siege between the two sides (a stalemated front goes quiet)")
    stalemate_floor: Unit = _p(0.05, 0.0, 0.3, "the share of engagement_rate a front line between two regions keeps after a long stalemate (sniping, shelling); within a region contact stays close")
    aimed_fire_rate: NonNegative = _p(0.07, 0.03, 0.1, "Lanchester aimed-fire kill rate per fighter per month, conventional forces; calibrated to conflict deaths of 1,000-2,000 a year (FACTS.md)")
    insurgent_fire_rate: NonNegative = _p(0.06, 0.02, 0.12, "Deitchman: kill rate of insurgents on conventional forces per insurgent per month")
    area_fire_rate: NonNegative = _p(0.00002, 0.000005, 0.00005, "Deitchman area-fire coefficient b: insurgent losses per (insurgent x conventional fighter) per month")
    battle_intensity: Unit = _p(0.2, 0.1, 0.3, "fraction of a month the forces in a skirmish are engaged (offensives: offensive_intensity); quiet fronts: PATTERNS.md V3-V4")
    battle_substeps: Count = _p(4, 2, 10, "Runge-Kutta substeps integrating a battle's attrition equations; 4 agree with 200 to 0.03% at the extremes of the fire-rate ranges")
    contest_exponent: Positive = _p(1.5, 1.0, 3.0, "contest success function exponent m (Tullock; Hirshleifer 1989)")
    occupation_share: Unit = _p(0.5, 0.2, 0.8, "share of the force an offensive massed at its origin that moves into a region it takes")
    fatality_share: Unit = _p(0.5, 0.3, 0.8, "share of attrition losses that are deaths (the rest wounded, captured or deserted)")
    civilian_harm: NonNegative = _p(0.15, 0.05, 0.3, "civilian deaths per combatant death")
    initial_threat: Unit = _p(0.5, 0.3, 0.7, "Europe's threat index at the start (0 calm .. 1 acute fear of attacks planned from Libya)")
    raid_rate: Unit = _p(0.3, 0.1, 0.6, "monthly probability that a jihadist faction raids, times its strength relative to raid_scale")
    raid_scale: Positive = _p(500.0, 200.0, 1500.0, "jihadist fighters at which raids happen at the full raid_rate")
    raid_fatalities: NonNegative = _p(4.0, 1.0, 10.0, "mean deaths in one jihadist raid")
    threat_per_death: NonNegative = _p(0.02, 0.005, 0.05, "rise of the Europe threat index per jihadist-caused death")
    threat_decay: Unit = _p(0.1, 0.05, 0.2, "monthly decay of the Europe threat index toward zero")
    threat_to_ct: NonNegative = _p(0.5, 0.0, 1.0, "rise of sponsors' counter-terrorism weight per unit of threat index")
