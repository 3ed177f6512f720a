"""A batch's parameter points, kept as columns (batch/design.py ``Points``): they read
as the list of dicts they stand for, and the batch's hash, points table and
pickles are made from the arrays."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from libyasim import load_scenario
from libyasim.batch.design import Design, Points, Sweep, points_hash
from libyasim.batch.engine import _differences, plan_batch
from libyasim.calibration.sample import calibrated_columns, calibrated_rows

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(ROOT / "scenarios" / "baseline_2017.yaml")


@pytest.fixture(scope="module")
def calibrated():
    return load_scenario(ROOT / "scenarios" / "calibration" / "baseline_2017_calibrated.yaml")


def _mixed() -> Points:
    return Points(
        ["b.x", "a.n", "c.flag", "d.label"],
        [
            np.array([0.5, 1.5, 2.5]),
            np.array([3, 4, 5], dtype=np.int64),
            np.array([True, False, True]),
            ["u", "v", "w"],
        ],
        3,
    )


def test_points_read_as_dicts_with_python_types_in_name_order():
    pts = _mixed()
    assert len(pts) == 3
    assert pts[1] == {"b.x": 1.5, "a.n": 4, "c.flag": False, "d.label": "v"}
    assert list(pts[0]) == ["b.x", "a.n", "c.flag", "d.label"]
    assert [type(v) for v in pts[2].values()] == [float, int, bool, str]
    assert pts[-1] == pts[2]
    assert pts[1:] == [pts[1], pts[2]]
    with pytest.raises(IndexError):
        pts[3]
    pts[0]["b.x"] = 99.0  # each read is a new dict
    assert pts[0]["b.x"] == 0.5
    assert pts == list(pts) and pts == Points.from_rows(list(pts))
    assert pts.paths() == ["a.n", "b.x", "c.flag", "d.label"]


def test_points_with_differing_keys_are_kept_as_given():
    rows = [{"a": 1.0}, {"a": 2.0, "b": 3}]
    pts = Points.from_rows(rows)
    assert list(pts) == rows and pts.paths() == ["a", "b"]
    assert pts.hash() == points_hash(rows)
    table = pts.table()
    assert table.column_names == ["point", "a", "b"]
    assert table.column("b").to_pylist() == [None, 3]


def test_the_points_table_is_the_same_from_columns_as_from_dicts():
    pts = _mixed()
    assert pts.table().equals(Points.from_rows(list(pts)).table())
    assert pts.table().column_names == ["point", "a.n", "b.x", "c.flag", "d.label"]


def test_a_pickle_sends_each_matrix_once_and_reads_back_equal(baseline):
    d = Design(root_seed=4, sample="sobol", sample_n=4)
    pts = d.points([baseline])
    back = pickle.loads(pickle.dumps(pts))
    assert back == pts and list(back) == list(pts)
    assert back.hash() == pts.hash()
    values = len(pts) * len(pts.names) * 8
    assert len(pickle.dumps(pts)) < 1.2 * values  # not the columns and a matrix of them
    assert len(pickle.dumps(list(pts))) > 1.4 * values  # what dicts cost (keys, boxes)


def test_the_hash_follows_every_value_name_and_type():
    base = _mixed()
    same = _mixed()
    assert base.hash() == same.hash()
    cols = list(_mixed().columns)
    moved = np.array(cols[0])
    moved[2] = np.nextafter(2.5, 3.0)
    assert Points(base.names, [moved, *cols[1:]], 3).hash() != base.hash()
    as_float = np.array(cols[1], dtype=np.float64)
    assert Points(base.names, [cols[0], as_float, *cols[2:]], 3).hash() != base.hash()
    renamed = ("b.y", *base.names[1:])
    assert Points(renamed, cols, 3).hash() != base.hash()
    assert Points(base.names, [*cols[:3], ["u", "v", "x"]], 3).hash() != base.hash()


def test_sampled_points_hash_from_arrays_and_old_folders_still_resume(baseline):
    d = Design(root_seed=2, sample="lhs", sample_n=6)
    plan = plan_batch([baseline], d)
    new = plan.identity()
    assert new["points_hash"] == plan.points.hash() != points_hash(list(plan.points))
    assert _differences(new, plan.identity(), plan.points) == []
    # a folder written before columnar points holds the JSON hash of the same points
    old = {**new, "points_hash": points_hash(list(plan.points))}
    assert _differences(old, plan.identity(), plan.points) == []
    # other points are still told apart (a folder's hash that is neither)
    other = {**new, "points_hash": points_hash(list(plan.points)[1:])}
    assert _differences(other, plan.identity(), plan.points) == [
        "the parameter points differ (the scenarios' ranges changed)"
    ]


def test_sweeps_cross_the_sample_grid_major(baseline):
    d = Design(
        root_seed=1,
        sample="lhs",
        sample_n=3,
        vary=("parameters.raid_rate", "parameters.engagement_rate"),
        sweeps=(Sweep("months", 6, 12, 2),),
    )
    pts = d.points([baseline])
    rows = Design(
        root_seed=1,
        sample="lhs",
        sample_n=3,
        vary=("parameters.raid_rate", "parameters.engagement_rate"),
    ).points([baseline])
    assert len(pts) == 6
    assert [p["months"] for p in pts] == [6, 6, 6, 12, 12, 12]
    for k, p in enumerate(pts):
        assert next(iter(p)) == "months"
        assert {q: v for q, v in p.items() if q != "months"} == rows[k % 3]


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_calibrated_columns_are_calibrated_rows(calibrated, method):
    every = sorted(calibrated.uncertain())
    names = every[:10] + [n for n in every if n.startswith("parameters.")][:30]
    rng = np.random.default_rng(5)
    ranges = calibrated.uncertain()
    x = np.column_stack([rng.uniform(*ranges[n], size=12) for n in names])
    rows = [dict(zip(names, r.tolist(), strict=True)) for r in x]
    by_rows = calibrated_rows(rows, calibrated, method, 7)
    by_cols = calibrated_columns(names, x, calibrated, method, 7)
    assert [dict(zip(names, r.tolist(), strict=True)) for r in by_cols] == by_rows
    assert by_rows != rows  # the scenario's sample changed some of them
