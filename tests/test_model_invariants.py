"""Invariants under random seeds and parameters sampled within their ranges (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_fixtures import baseline, mini

from libyasim.model import LibyaModel

_BASE = baseline()
_PARAMS = {k: v for k, v in _BASE.uncertain().items() if k.startswith("parameters.")}


def check(m: LibyaModel) -> None:
    for name in (
        "strength",
        "resources",
        "legitimacy",
        "popularity",
        "garrison",
        "budget",
        "allocation",
        "flows",
        "loyalty",
        "positions",
        "settlement",
        "prevail",
    ):
        arr = np.asarray(getattr(m, name))
        assert np.isfinite(arr).all(), f"{name} has NaN or inf"
    assert (m.garrison >= 0).all() and (m.strength >= 0).all()
    assert (m.budget >= 0).all() and (m.resources >= 0).all()
    assert ((m.legitimacy >= 0) & (m.legitimacy <= 1)).all()
    assert ((m.popularity >= 0) & (m.popularity <= 1)).all()
    assert ((m.loyalty >= 0) & (m.loyalty <= 1)).all()
    assert 0 <= m.threat <= 1
    # allocations are shares of a budget: within [0, 1], summing to at most 1; flows within budgets
    assert (m.allocation >= 0).all() and (m.allocation.sum(axis=1) <= 1 + 1e-9).all()
    assert (m.flows.sum(axis=1) <= m.budget + 1e-9).all()
    # shares sum to one
    assert m.pop_share.sum() == np.float64(m.pop_share.sum()) and abs(m.pop_share.sum() - 1) < 1e-9
    held = m.population_controlled().sum() + m.pop_share[m.control < 0].sum()
    assert abs(held - 1) < 1e-9
    if m.prevail.sum() > 0:
        assert abs(m.prevail.sum() - 1) < 1e-9
    assert abs(m.strength_share.sum() - 1) < 1e-9 or m.strength.sum() == 0
    assert np.allclose(m.strength, m.garrison.sum(axis=1))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_baseline_invariants_hold_for_sampled_parameters(seed, data):
    keys = data.draw(
        st.lists(st.sampled_from(sorted(_PARAMS)), min_size=1, max_size=8, unique=True)
    )
    values = {k: data.draw(st.floats(*_PARAMS[k], allow_nan=False)) for k in keys}
    m = LibyaModel(_BASE.with_values(values), rng=seed, months=12)
    check(m)
    while m.running:
        m.step()
        check(m)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_mini_invariants_hold_for_any_seed(seed):
    m = LibyaModel(mini(), rng=seed, months=12)
    while m.running:
        m.step()
        check(m)
