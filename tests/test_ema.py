"""libyasim.ema: the EMA Workbench adapter, and libyasim's PRIM against EMA's.

Skipped only when the ``ema`` extra is not installed (setup installs it)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from paths import SCENARIOS

ema_workbench = pytest.importorskip("ema_workbench", reason="the 'ema' extra is not installed")

from ema_workbench import perform_experiments  # noqa: E402
from ema_workbench.analysis import prim as ema_prim  # noqa: E402

from libyasim import ema, experiment, load_scenario  # noqa: E402
from libyasim.analysis.sensitivity import prim  # noqa: E402
from libyasim.batch import run_seed  # noqa: E402

PARIS = SCENARIOS / "paris_2017.yaml"


@pytest.fixture(scope="module")
def paris():
    return load_scenario(PARIS)


def test_every_ranged_number_is_an_uncertainty_with_an_ema_name(paris):
    m = ema.model(paris, months=2)
    ranged = paris.uncertain()
    degenerate = [p for p, (lo, hi) in ranged.items() if lo == hi]
    assert degenerate and sorted(m.dropped) == sorted(degenerate)
    names = {u.name for u in m.uncertainties}
    assert len(names) == len(ranged) - len(degenerate)
    assert all(n.isidentifier() for n in names)
    assert {m.paths[n] for n in names} == set(ranged) - set(degenerate)
    kinds = {m.paths[u.name]: type(u).__name__ for u in m.uncertainties}
    assert kinds["events.paris_election.preconditions.months"] == "IntegerParameter"
    assert kinds["factions.lna.strength"] == "IntegerParameter"
    assert kinds["parameters.engagement_rate"] == "RealParameter"
    u = next(u for u in m.uncertainties if u.name == "parameters__engagement_rate")
    assert (u.lower_bound, u.upper_bound) == ranged["parameters.engagement_rate"]
    assert u.variable_name == ["parameters.engagement_rate"]


def test_levers_and_bad_specs(paris):
    m = ema.model(
        paris,
        uncertainties=["parameters.engagement_rate"],
        levers={
            "events.paris_ceasefire.enabled": [False, True],
            "events.paris_election.date": ["2018-03", "2018-09"],
            "parameters.raid_rate": (0.1, 0.2),
        },
    )
    kinds = {lv.name: type(lv).__name__ for lv in m.levers}
    assert kinds == {
        "events__paris_ceasefire__enabled": "BooleanParameter",
        "events__paris_election__date": "CategoricalParameter",
        "parameters__raid_rate": "RealParameter",
    }
    with pytest.raises(ValueError, match="no range in the scenario"):
        ema.model(paris, uncertainties=["events.paris_ceasefire.enabled"])
    with pytest.raises(ValueError, match=r"low 0\.3 is above high 0\.1"):
        ema.model(paris, uncertainties={"parameters.raid_rate": (0.3, 0.1)})


def test_experiments_run_through_ema_with_libyasim_seeds(paris):
    m = ema.model(
        paris,
        uncertainties=["parameters.engagement_rate", "events.paris_election.preconditions.months"],
        levers={"events.paris_ceasefire.enabled": [False, True]},
        outcomes=["battle_deaths", "end_state__renewed_war"],
        months=3,
        replications=2,
        root_seed=11,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exps, outs = perform_experiments(
            m, scenarios=3, policies=2, uncertainty_sampling_kwargs={"rng": 1},
            lever_sampling_kwargs={"rng": 2}, log_progress=True,
        )  # fmt: skip
    assert outs["battle_deaths"].shape == (6, 2)
    assert pd.api.types.is_integer_dtype(exps["events__paris_election__preconditions__months"])
    # each value is libyasim.experiment at the seed run_seed(root, point, replicate)
    row = exps.iloc[4]
    values = {
        "parameters.engagement_rate": float(row["parameters__engagement_rate"]),
        "events.paris_election.preconditions.months": int(
            row["events__paris_election__preconditions__months"]
        ),
        "events.paris_ceasefire.enabled": bool(row["events__paris_ceasefire__enabled"]),
    }
    from libyasim.ema import _digest

    for r in (0, 1):
        seed = run_seed(11, _digest(values), r)
        expected = experiment(paris, seed=seed, months=3, **values)["battle_deaths"]
        assert outs["battle_deaths"][4, r] == expected


def test_a_point_gets_the_same_seed_in_any_order(paris):
    m = ema.model(paris, uncertainties=["parameters.engagement_rate"], months=2)
    f = m.function
    a = {"parameters.engagement_rate": 0.3}
    b = {"parameters.engagement_rate": 0.7}
    first = (f(**a), f(**b))
    assert (f(**b), f(**a)) == first[::-1]
    common = ema.model(
        paris, uncertainties=["parameters.engagement_rate"], months=2, common_random_numbers=True
    ).function
    assert common(**a) == experiment(paris, seed=run_seed(paris.seed, 0, 0), months=2, **a)


def test_prim_inputs_are_what_ema_prim_accepts():
    exps = pd.DataFrame(
        {
            "a": np.linspace(0, 1, 40),
            "n": np.arange(40) % 5,
            "on": np.arange(40) % 2 == 0,
            "model": "m",
            "policy": "p",
        }
    )
    x = ema.prim_inputs(exps)
    assert list(x.columns) == ["a", "n", "on"]
    assert x["n"].dtype == float and isinstance(x["on"].dtype, pd.CategoricalDtype)
    y = (exps["a"] > 0.5) & (exps["n"] > 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)  # EMA's own pandas deprecation
        warnings.simplefilter("ignore", category=DeprecationWarning)
        box = ema_prim.Prim(x, y.to_numpy()).find_box()  # raises on int/bool columns otherwise
    assert box.peeling_trajectory["density"].iloc[-1] > y.mean()


def _both(x: np.ndarray, y: np.ndarray):
    names = [f"x{j}" for j in range(x.shape[1])]
    ours = prim(x, y.astype(float), names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ema_prim.Prim(
            pd.DataFrame(x, columns=names), y.astype(int),
            obj_function=ema_prim.PRIMObjectiveFunctions.ORIGINAL,
        ).find_box()  # fmt: skip
    return names, ours, theirs


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["continuous", "with ties"])
def test_libyasim_prim_peels_the_same_box_as_ema(seed, kind):
    """Same data, same peeling: coverage, density and mass at every step, and the
    box at the step libyasim chooses (EMA's limits sit midway between points)."""
    rng = np.random.default_rng(seed)
    n = 500
    x = rng.uniform(size=(n, 4))
    if kind == "with ties":
        x[:, 2] = rng.integers(1, 7, n)  # an integer parameter
        x[:, 3] = rng.integers(0, 2, n)  # a switch
    inside = (x[:, 0] > 0.6) & (x[:, 1] < 0.35)
    y = np.where(rng.uniform(size=n) < 0.1, ~inside, inside)
    names, ours, theirs = _both(x, y)
    traj = theirs.peeling_trajectory
    k = len(ours.trajectory)
    cols = ["coverage", "density", "mass"]
    np.testing.assert_allclose(ours.trajectory[cols].to_numpy(), traj[cols].to_numpy()[:k])
    if len(traj) > k:  # EMA went on pasting, not peeling
        assert traj["mass"].iloc[k] > traj["mass"].iloc[k - 1]
    theirs.select(ours.box)
    lim = theirs.box_lim
    for j, nm in enumerate(names):
        row = ours.trajectory.iloc[ours.box]
        gap = 1.0 if kind == "with ties" and j >= 2 else 0.02
        assert abs(row[f"{nm}:lo"] - lim[nm][0]) <= gap / 2 + 1e-9
        assert abs(row[f"{nm}:hi"] - lim[nm][1]) <= gap / 2 + 1e-9
    if kind == "with ties":
        return
    # and on continuous inputs the box found is the planted one
    box = ours.limits().set_index("parameter")
    assert set(box.index) == {"x0", "x1"}
    assert box.loc["x0", "lo"] == pytest.approx(0.6, abs=0.1)
    assert box.loc["x1", "hi"] == pytest.approx(0.35, abs=0.1)
