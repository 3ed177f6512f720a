"""politics.forecast: the bargaining model as a pure function, with the classic
EU known answer."""

from __future__ import annotations

import numpy as np
import pytest

from libyasim.model import LibyaModel
from libyasim.model.politics import bargain, capabilities, forecast

# Bueno de Mesquita's ten-state EU example as used in the replication of Scholz,
# Calbert & Smith (2011, J. Theoretical Politics 23(4)): capability, position on a
# 0-10 scale, salience 0-100. Its published forecast is 7.
EU = {
    "netherlands": (0.08, 7, 40),
    "belgium": (0.08, 4, 80),
    "luxembourg": (0.03, 4, 20),
    "germany": (0.16, 4, 80),
    "france": (0.16, 10, 60),
    "italy": (0.16, 10, 60),
    "uk": (0.16, 10, 90),
    "ireland": (0.05, 7, 10),
    "denmark": (0.05, 4, 100),
    "greece": (0.08, 7, 70),
}


@pytest.mark.parametrize("exponent", [1.0, 2.0])  # 2 is the model default
@pytest.mark.parametrize("drift", [0.1, 0.5, 1.0])
def test_eu_data_converges_to_the_published_forecast_of_7(exponent, drift):
    cap, pos, sal = (np.array(c, float) for c in zip(*EU.values(), strict=True))
    f = forecast(pos, cap, sal, exponent=exponent, drift=drift, scale=(0, 10))
    assert f.converged
    assert f.settlement[0] == pytest.approx(7.0, abs=1e-6)
    assert f.positions == pytest.approx(np.full(10, 7.0), abs=1e-6)  # everyone moved there
    assert f.prevail.sum() == pytest.approx(1.0)
    # the first round is not the answer yet: the forecast is what bargaining converges to
    first = forecast(pos, cap, sal, exponent=exponent, drift=drift, scale=(0, 10), max_rounds=1)
    assert abs(first.settlement[0] - 7.0) > 0.05 and not first.converged


def test_one_round_is_the_models_forecast_before_any_move(baseline):
    """The model shares the forecast (utilities, victory, Condorcet, settlement) with
    forecast(); it moves positions by expected-utility trials, not by drift, so the
    comparison is at the start, where advocated positions are the ideal points."""
    m = LibyaModel(baseline, rng=1)
    cap = capabilities(m)
    idx = np.flatnonzero((cap > 0) & m.positioned)
    bargain(m, move=False)
    f = forecast(
        m.positions[idx], cap[idx], m.salience[idx], m.risk[idx],
        exponent=m.p.bargaining_exponent, max_rounds=1,
    )  # fmt: skip
    np.testing.assert_allclose(f.settlement, m.settlement)
    np.testing.assert_allclose(f.prevail, m.prevail[idx])


def test_two_issues_and_risk_attitudes():
    pos = np.array([[0.2, 0.9], [0.8, 0.1], [0.5, 0.5]])
    sal = np.array([[1.0, 0.2], [0.3, 1.0], [0.5, 0.5]])
    neutral = forecast(pos, [1, 1, 1], sal)
    assert neutral.settlement.shape == (2,) and neutral.positions.shape == (3, 2)
    averse = forecast(pos, [1, 1, 1], sal, risk=[1, 1, 1])
    assert not np.allclose(averse.prevail, neutral.prevail)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"capability": [1, -1, 1]}, "capability"),
        ({"salience": [0.5, np.nan, 0.5]}, "salience"),
        ({"positions": [0.1, 1.5, 0.3]}, "within scale"),
        ({"scale": (1, 1)}, "low < high"),
    ],
)
def test_bad_input_is_named(kwargs, match):
    args = {"positions": [0.1, 0.5, 0.9], "capability": [1, 1, 1], "salience": [1, 1, 1]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        forecast(**args)
