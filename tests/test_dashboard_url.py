"""The view in the URL: decode/encode, and a session opened from a link."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
from dashboard_scenarios import write_scenario_dir

from libyasim.dashboard.urlstate import UrlState, decode, encode


def test_round_trip_and_stable_order():
    state = UrlState(
        "baseline_2017.yaml",
        7,
        {"sponsors.italy.stance.lna": 0.5, "events.cf1.date": "2018-02", "a.b": 2.0},
        "seed:p3s1",
    )
    text = encode(state)
    assert text.startswith("scenario=baseline_2017.yaml&seed=7&a.b=2&events.cf1.date=2018-02")
    assert "locator=seed:p3s1" in text
    back = decode(text)
    assert (back.scenario, back.seed, back.locator) == ("baseline_2017.yaml", 7, "seed:p3s1")
    assert back.levers == {"sponsors.italy.stance.lna": 0.5, "events.cf1.date": "2018-02", "a.b": 2}
    assert not back.problems and decode("").empty and decode(None).empty


@pytest.mark.parametrize(
    "search, problem",
    [
        ("seed=-1", "seed='-1' in the link is not a whole number"),
        ("seed=x", "seed='x'"),
        ("sponsors.x.stance.y=inf", "is not a number"),
        ("colour=red", "'colour' in the link is not understood"),
    ],
)
def test_what_a_link_cannot_say_is_named(search, problem):
    out = decode(search)
    assert any(problem in p for p in out.problems)
    assert out.seed is None and not out.levers


@pytest.fixture
def sdir(tmp_path):
    return write_scenario_dir(tmp_path / "scenarios")


def _render_at(path: str, sdir, monkeypatch):
    from libyasim.dashboard import app

    monkeypatch.setenv("LIBYASIM_SCENARIOS", str(sdir))
    _box, rc = solara.render(
        solara.RoutingProvider(
            children=[app.Layout(children=[app.RunPage()])], routes=app.routes, pathname=path
        ),
        handle_error=False,
    )
    return rc


def test_a_link_opens_its_scenario_seed_and_levers(sdir, monkeypatch):
    rc = _render_at(
        "/?scenario=mini_paris.yaml&seed=5&sponsors.far.stance.red=0.9", sdir, monkeypatch
    )
    assert rc.find(v.Select, label="Scenario").widget.v_model == "mini_paris.yaml"
    assert rc.find(v.TextField, label="Seed").widget.v_model == "5"
    assert rc.find(children=["levers: sponsors.far.stance.red = 0.9"]).widgets
    rc.close()


def test_a_link_to_a_scenario_this_session_lacks_says_so(sdir, monkeypatch):
    rc = _render_at("/?scenario=upload%3A%20mine.yaml&seed=5", sdir, monkeypatch)
    assert rc.find(v.Select, label="Scenario").widget.v_model == "mini.yaml"
    note = rc.find(v.Alert, class_="libyasim-link-note").widget
    assert "does not have" in str(note.children)
    rc.close()
