"""Coefficients of forces and fronts: economy, ceilings, jihadist recruitment,
redeployment, offensives and sieges (issue 10 part 1; docs/ODD.md §7.3)."""

from __future__ import annotations

from ..quantity import NonNegative, Positive, StrictModel, Unit
from . import _p


class ForcesParameters(StrictModel):
    """The coefficients documented in the ODD section named above."""

    upkeep_cost: NonNegative = _p(0.03, 0.01, 0.06, "resources a month that 1,000 fighters cost to keep (pay, fuel, ammunition); judgement: the LNA's sponsors and oil pay for its 25,000, while a militia with no income cannot keep its force")
    unpaid_desertion: Unit = _p(0.1, 0.03, 0.3, "monthly share of a faction's fighters that leave when none of its upkeep is paid (scaled by the unpaid share); judgement from unpaid militias melting away")
    tax_income: NonNegative = _p(2.0, 0.5, 4.0, "resources a month from holding all of Libya's population (local taxes, customs, salaries drawn from the institutions held); jihadists draw it by extortion from the ungoverned population where they operate")
    jihadist_mobilisation: Unit = _p(0.003, 0.001, 0.006, "jihadist fighters that can be recruited per inhabitant of ungoverned or aggrieved space where a jihadist group is present (its ceiling beyond its own supporters); judgement: Daesh's few thousand in 2015-16 and the Derna coalition's several hundred (FACTS.md)")
    jihadist_recruitment: Unit = _p(0.02, 0.01, 0.06, "monthly share of the gap between a jihadist group's ceiling and its strength filled by recruits (Fearon & Laitin 2003; Kress & Szechtman 2009)")
    governance_density: Positive = _p(8.0, 4.0, 16.0, "fighters per 1,000 inhabitants a controller must station in a region to govern it fully; fewer leave part of it ungoverned (and are the floor redeployment keeps in held regions)")
    grievance_deaths: Positive = _p(10.0, 3.0, 30.0, "deaths per 100,000 inhabitants of a region in one month at which grievance from violence is full (Kress & Szechtman 2009: collateral damage feeds insurgent recruitment)")
    grievance_memory: Unit = _p(0.1, 0.05, 0.3, "monthly weight of the latest month's violence in a region's grievance (exponential memory)")
    grievance_weight: NonNegative = _p(0.5, 0.0, 1.0, "weight of grievance, beside ungoverned space, in the population a jihadist group can recruit from")
    redeploy_rate: Unit = _p(0.3, 0.1, 0.6, "monthly share of its spare forces a faction moves toward the regions it holds that are threatened")
    redeploy_cover: NonNegative = _p(1.0, 0.5, 2.0, "own fighters a faction wants in a region it holds per hostile fighter in or next to it, divided by the region's defence factor")
    hop_loss: Unit = _p(0.05, 0.0, 0.15, "share of a moving force lost (desertion, breakdowns, attrition on the road) per region crossed")
    city_defence: NonNegative = _p(2.0, 1.0, 3.0, "defender advantage of a large city: a region's defence factor is 1 + city_defence x min(1, population / city_population) unless the region sets urban_defence (Biddle 2004: cover and concealment favour the defender; the 3:1 rule of thumb)")
    city_population: Positive = _p(500000.0, 250000.0, 1000000.0, "population at which a region's defender advantage is full")
    offensive_share: Unit = _p(0.4, 0.2, 0.6, "share of its forces a faction masses for an offensive it decides on")
    offensive_months: Positive = _p(4.0, 2.0, 8.0, "months a decided offensive is planned to last before it is called a stalemate")
    offensive_rate: Unit = _p(0.2, 0.05, 0.4, "monthly probability that a faction with a worthwhile target launches an offensive (planning, opportunity, political will)")
    offensive_threshold: NonNegative = _p(0.01, 0.0, 0.05, "net expected gain (share of national value) an offensive must promise to be launched")
    offensive_cost: NonNegative = _p(0.5, 0.2, 1.0, "expected cost of an offensive per share of forces massed, times the chance of failing, on the scale of national value")
    offensive_oil_weight: Unit = _p(0.5, 0.2, 0.8, "weight of oil value, against population share, in a region's value as a prize")
    base_value: NonNegative = _p(0.02, 0.0, 0.05, "value of a region as a prize beyond its people and oil (bases, roads, a front line), share of national value")
    jihadist_prize: NonNegative = _p(0.03, 0.0, 0.06, "value, beyond people and oil, of taking a region a jihadist group holds (sponsors' counter-terrorism reward, a threat removed), share of national value")
    offensive_intensity: Unit = _p(0.7, 0.4, 1.0, "fraction of a month the forces of an offensive are engaged (against battle_intensity for skirmishes)")
    siege_speed: Positive = _p(0.6, 0.3, 1.2, "progress a month of an offensive with overwhelming superiority (P = 1) in an undefended town; progress = siege_speed x (2P - 1) / defence, and control changes at 1")
    siege_decay: Unit = _p(0.1, 0.0, 0.3, "monthly share of siege progress lost while no offensive presses it")
    retreat_share: Unit = _p(0.5, 0.3, 0.7, "share of the massed force below which an offensive ends in retreat")
    retreat_odds: Unit = _p(0.35, 0.2, 0.5, "contest probability below which an offensive ends in retreat")
    siege_ratio: NonNegative = _p(1.0, 0.5, 2.0, "besiegers per besieged fighter (the defender and its allies in the town) needed to invest a town: an offensive that cannot take it by assault settles into a siege instead of retreating when it keeps at least this many (encirclement takes numbers, not odds); judgement")
    siege_attrition: Unit = _p(0.03, 0.0, 0.08, "monthly share of the besieged garrison lost to encirclement while a siege is invested (supplies cut, desertion, surrender); judgement: Benghazi's Shura Council worn down over 38 months, Derna cut off from 2016 (PATTERNS.md T1, V4)")
    siege_intensity: Unit = _p(0.3, 0.1, 0.6, "fraction of a month the forces of an invested siege are engaged (between battle_intensity for skirmishes and offensive_intensity for assaults)")
    siege_patience: Positive = _p(24.0, 6.0, 48.0, "months a besieger keeps an invested siege before lifting it as a stalemate (Benghazi 2014-17: 38 months; Derna from 2016)")
    pocket_front: Unit = _p(1.0, 0.0, 1.0, "how much the fighting of a siege narrows as the attacker advances: the forces engaged each month are x (1 - pocket_front x progress), the front shrinking with the defenders' pocket (Benghazi 2015-17: the toll fell as the Shura Council was pushed into a few districts; PATTERNS.md V5)")
    insurgent_seizure: NonNegative = _p(1.0, 0.0, 2.0, "monthly siege progress of a jihadist group rising within a town, per unit of the town's ungoverned share: where the holder's garrison is too thin to govern, insurgents take districts without a fight (Kalyvas 2006: control follows presence; Daesh's takeover of Sirte in 2015 with local fighters' allegiance, PATTERNS.md S5)")
    entrenchment: NonNegative = _p(1.0, 0.0, 2.0, "how much slower a siege advances against a jihadist group that has dug a town in for entrenchment_months or more: progress is divided by 1 + entrenchment x min(1, months held / entrenchment_months) (belts of mines and IEDs, tunnels, snipers, car bombs; Knights & Mello 2015; Sirte took Misrata's forces seven months in 2016 with US air strikes, Benghazi the LNA three years)")
    entrenchment_months: Positive = _p(12.0, 4.0, 24.0, "months a jihadist holder takes to dig a town in fully (Daesh held Sirte about a year before the May 2016 offensive; judgement)")
    ally_cover: Unit = _p(0.5, 0.0, 1.0, "weight a faction gives to its allies' threatened regions when it redeploys, times the alliance level: it sends spare forces to cover an ally's shortfall (Walt 1987: states balance against the threat to an ally)")
    insurgent_cover: Unit = _p(0.5, 0.0, 1.0, "share of a town's defender advantage (log scale) that passes to a jihadist group attacking from within it: insurgents hidden among the population hold the town's cover rather than its garrison (Deitchman 1962; Kalyvas 2006)")
    offensive_cooldown: NonNegative = _p(3.0, 1.0, 6.0, "months after an offensive ends before the same faction decides on another")
