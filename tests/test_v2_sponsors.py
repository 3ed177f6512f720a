"""Model v2, sponsors (issue 10 part 2; docs/ODD.md §7.1): the direct channel,
its combat multiplier, red lines, hedged portfolios, bounded escalation, and
the direction of every sponsor lever and event type (common seeds)."""

from __future__ import annotations

import numpy as np
import pytest
from scenario_factory import minimal_scenario

from libyasim.model import support
from libyasim.model.model import LibyaModel
from libyasim.scenario import from_dict

DIRECT = 3


def with_direct(amount: float, **top) -> dict:
    """The minimal scenario with sponsor 'far' giving red ``amount`` on the direct channel."""
    data = minimal_scenario()
    data["sponsors"][0]["budget"]["direct"] = amount
    data["relations"]["support"].append({"from": "far", "to": "red", "channel": "direct"})
    data.update(top)
    return data


def test_direct_support_multiplies_the_clients_fire_and_saturates():
    mults = []
    for amount in (0.0, 2.0, 4.0, 40.0):
        m = LibyaModel(from_dict(with_direct(amount)), rng=3, months=2)
        m.step()
        red = m.fidx["red"]
        mult = support.combat_multiplier(m)
        assert mult.shape == (m.F,) and (mult >= 1.0).all()
        assert m.direct_support[red] == pytest.approx(m.flows[:, red, DIRECT].sum())
        others = np.delete(mult, red)
        assert (others == 1.0).all()
        mults.append(float(mult[red]))
    gain = LibyaModel(from_dict(with_direct(0.0)), rng=3).p.direct_combat_gain
    assert mults[0] == 1.0
    assert mults[0] < mults[1] < mults[2] < mults[3] <= 1.0 + gain
    # diminishing returns: the first two units add more than the next two
    assert mults[1] - mults[0] > mults[2] - mults[1]


def test_no_red_line_no_deterrence_cost():
    m = LibyaModel(from_dict(minimal_scenario()), rng=1, months=1)
    m.step()
    assert all(
        support.deterrence_cost(m, a, r) == 0.0 for a in range(m.F) for r in range(m.R)
    )
