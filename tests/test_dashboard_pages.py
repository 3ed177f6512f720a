"""Fast component tests: each page rendered in-process with solara.render (no browser)."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
from dashboard_scenarios import write_scenario_dir

from libyasim.dashboard import app
from libyasim.dashboard.page_edit import EditPage
from libyasim.dashboard.page_evidence import EvidencePage
from libyasim.dashboard.session import SessionProvider, use_session
from libyasim.dashboard.widgets import handle_upload


@pytest.fixture
def sdir(tmp_path):
    return write_scenario_dir(tmp_path / "scenarios")


def render(page, sdir):
    _box, rc = solara.render(SessionProvider(children=[page], directory=sdir), handle_error=False)
    return rc


def _all_text(rc) -> str:
    """Every string shown in the rendered widget tree (labels, texts, values)."""
    out: list[str] = []
    seen: set[int] = set()

    def visit(w) -> None:
        if id(w) in seen:
            return
        seen.add(id(w))
        for attr in ("children", "value", "label", "v_model", "items", "messages"):
            val = getattr(w, attr, None)
            for x in val if isinstance(val, (list, tuple)) else [val]:
                if isinstance(x, str):
                    out.append(x)
                elif hasattr(x, "keys") and not hasattr(x, "children"):
                    continue
                elif x is not None and hasattr(x, "_model_id"):
                    visit(x)
        for slot in getattr(w, "v_slots", None) or []:
            if hasattr(slot.get("children"), "_model_id"):
                visit(slot["children"])

    visit(rc.container)
    return "\n".join(out)


@pytest.mark.parametrize("name", list(app.PAGES))
def test_every_page_renders(sdir, name):
    rc = render(app.PAGES[name](), sdir)
    assert "mini.yaml" in _all_text(rc)
    rc.close()


@pytest.mark.parametrize("name", list(app.PAGES))
def test_every_page_opens_with_its_question_and_answer(sdir, name):
    rc = render(app.PAGES[name](), sdir)
    question = rc.find(v.Html, class_="libyasim-question").widget.children[0]
    assert question.endswith("?")
    answer = rc.find(v.Html, class_="libyasim-answer")
    assert answer.widgets
    rc.close()


def test_evidence_page_filters_by_actor_and_links_to_the_source(sdir):
    rc = render(EvidencePage(), sdir)
    assert "factions.red.strength" in _all_text(rc)
    rc.find(v.Select, label="Actor").widget.v_model = "far — Faraway"
    text = _all_text(rc)
    assert "sponsors.far.budget.military" in text
    assert "factions.blue.strength" not in text
    rc.find(v.Select, label="Actor").widget.v_model = "red — Red Army"
    rc.find(v.Btn, children=["town:p2s1"]).widget.click()  # the locator link
    text = _all_text(rc)
    assert "the militia is said to guard the bridge" in text
    assert "town:p2s1" in text
    sel = rc.find(v.Html, class_="libyasim-source selected")
    sel.assert_single()
    assert sel.widget.attributes["id"] == "src-town-p2s1"
    rc.close()


def test_edit_page_validates_live_and_offers_a_variant(sdir):
    rc = render(EditPage(), sdir)
    rc.find(v.Select, label="Parameter").widget.v_model = "factions.red.strength"
    box = rc.find(v.TextField, label="New value").widget
    box.v_model = "-10"
    assert "must be >= 0" in str(rc.find(v.TextField, label="New value").widget.messages)
    assert rc.find(v.Btn, children=["Add change"]).widget.disabled
    rc.find(v.TextField, label="New value").widget.v_model = "lots"
    assert "must be a number" in str(rc.find(v.TextField, label="New value").widget.messages)
    rc.find(v.TextField, label="New value").widget.v_model = "3500"
    assert not rc.find(v.Btn, children=["Add change"]).widget.disabled
    rc.find(v.Btn, children=["Add change"]).widget.click()
    assert "Valid variant of mini.yaml: mini_edited.yaml" in _all_text(rc)
    assert "extends: mini.yaml" in _all_text(rc)
    # an event date before the start is an error on that field, not a traceback
    date = rc.find(v.TextField, label="date (YYYY-MM)").widgets[0]
    date.v_model = "2016-01"
    assert "before the scenario starts" in str(date.messages)
    rc.find(v.Btn, children=["Use this variant"]).widget.click()
    assert "edit: mini_edited.yaml" in _all_text(rc)
    rc.close()


def test_upload_handler_reports_problems_and_adds_valid_files(sdir):
    captured = {}

    @solara.component
    def Probe():
        captured["session"] = use_session()
        return solara.Text("probe")

    rc = render(Probe(), sdir)
    session = captured["session"]
    import io

    got = []
    handle_upload(got.append, sdir, {"name": "x.yaml", "size": 5, "file_obj": io.BytesIO(b"a: [1")})
    handle_upload(got.append, sdir, {"name": "big.yaml", "size": 5_000_000, "file_obj": None})
    handle_upload(
        got.append,
        sdir,
        {
            "name": "ok.yaml",
            "size": 40,
            "file_obj": io.BytesIO(b"extends: mini.yaml\nid: ok\ntitle: OK\n"),
        },
    )
    assert [e.ok for e in got] == [False, False, True]
    assert "not valid YAML" in got[0].problems[0]
    session.add(got[2])
    assert session.current.value == "upload: ok.yaml"
    rc.close()


def test_upload_section_shows_the_error_of_a_pasted_broken_scenario(sdir):
    rc = render(EditPage(), sdir)
    rc.find(v.Textarea, label="Scenario YAML").widget.v_model = "extends: mini.yaml\nmonths: 0\n"
    rc.find(v.Btn, children=["Check and add"]).widget.click()
    text = _all_text(rc)
    assert "is not a valid scenario" in text
    assert "months: must be >= 1" in text
    rc.close()


def test_two_sessions_do_not_share_state(sdir):
    seen = []

    @solara.component
    def Probe():
        seen.append(use_session())
        return solara.Text("probe")

    rc1 = render(Probe(), sdir)
    rc2 = render(Probe(), sdir)
    a, b = seen[0], seen[-1]
    a.select("mini_paris.yaml")
    assert a.current.value == "mini_paris.yaml"
    assert b.current.value == "mini.yaml"
    rc1.close()
    rc2.close()


def _month(rc) -> str:
    return rc.find(v.Html, class_="libyasim-month").widget.children[0]


def test_run_page_steps_and_resets_with_a_lever(sdir):
    from libyasim.dashboard.charts import LiveChart
    from libyasim.dashboard.page_run import RunPage

    rc = render(RunPage(), sdir)
    assert _month(rc) == "Month: 2017-08"
    charts = {w.name: w for w in rc.find(LiveChart).widgets}
    points0 = len(charts["strength"].datasets["series"])
    sent: list[str] = []
    for w in charts.values():
        w.observe(lambda change: sent.append(change["name"]), names=["spec", "datasets"])
    for m in ("2017-09", "2017-10", "2017-11"):
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert _month(rc) == f"Month: {m}"
    charts = {w.name: w for w in rc.find(LiveChart).widgets}
    # new data went to the same charts; the specs were not sent again
    assert "datasets" in sent and "spec" not in sent
    assert len(charts["strength"].datasets["series"]) > points0
    assert charts["map"].stamp.startswith("2017-11")
    assert "if it stopped now" in _all_text(rc)
    # the event feed shows this run's events
    assert "Events (" in _all_text(rc)
    # a lever: open the sponsor's group, move its counter-terrorism weight, apply
    rc.find(v.Btn, children=["▸ Faraway (far)"]).widget.click()
    slider = rc.find(v.Slider, v_model=0.7).widgets  # the weight's slider (its value)
    assert slider, "the counter-terrorism slider"
    entry = rc.find(v.TextField, label="type a value", v_model="0.7").widget
    entry.v_model = "0.95"
    entry.fire_event("keyup.enter", None)  # typed values apply on Enter
    assert "1 lever changed: not yet in the run" in _all_text(rc)
    assert _month(rc) == "Month: 2017-11"  # not applied yet
    rc.find(v.Btn, children=["Apply"]).widget.click()
    assert _month(rc) == "Month: 2017-11"  # re-run to the same month with the lever
    assert "levers: sponsors.far.interests.counter_terrorism = 0.95" in _all_text(rc)
    assert "the run is up to date" in _all_text(rc)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert _month(rc) == "Month: 2017-08"
    assert "levers: sponsors.far.interests.counter_terrorism = 0.95" in _all_text(rc)
    rc.close()


def test_run_page_shows_lever_problems_instead_of_a_traceback(sdir):
    from libyasim.dashboard.page_run import RunPage

    rc = render(RunPage(), sdir)
    rc.find(v.Btn, children=["▸ Ceasefires and elections"]).widget.click()
    date = rc.find(v.TextField, label="ceasefire cf1: date").widget
    date.v_model = "2016-01"  # before the scenario starts
    rc.find(v.Btn, children=["Apply"]).widget.click()
    assert "The model could not be built" in _all_text(rc)
    assert "before the scenario starts" in _all_text(rc)
    rc.close()


def test_ensemble_page_runs_in_the_background_and_shows_probabilities(sdir, monkeypatch):
    import time

    from libyasim.dashboard.page_ensemble import EnsemblePage

    monkeypatch.setenv("LIBYASIM_DASHBOARD_WORKERS", "0")
    rc = render(EnsemblePage(), sdir)
    rc.find(v.Btn, children=["Run ensemble"]).widget.click()
    deadline = time.monotonic() + 120
    while "20 runs in" not in _all_text(rc) and time.monotonic() < deadline:
        time.sleep(0.2)
    lines = [w.children[0] for w in rc.find(v.Html, class_="libyasim-probability").widgets]
    assert lines and all("%" in x and "[" in x for x in lines)
    assert "20 runs in" in _all_text(rc)
    # the page's answer names the most likely end state with its interval
    assert "Most likely " in _all_text(rc) and "of 20 runs" in _all_text(rc)
    # each end state's definition shows on hover
    titles = [w.attributes["title"] for w in rc.find(v.Html, class_="libyasim-probability").widgets]
    assert all(t.split(":")[0].lower() in x for t, x in zip(titles, lines, strict=True))
    # probabilities of the end states add up to one
    assert sum(int(x.split(": ")[1].split("%")[0]) for x in lines) in range(98, 103)
    rc.close()


def test_ensemble_streams_the_runs_done_so_far(sdir, monkeypatch):
    from libyasim import load_scenario
    from libyasim.dashboard.ensemble import Job, run_job

    monkeypatch.setenv("LIBYASIM_DASHBOARD_WORKERS", "0")
    counts: list[int] = []
    out = run_job(
        Job((("mini", load_scenario(sdir / "mini.yaml")),), n=15, root_seed=2),
        partial=lambda make: counts.append(len(make().runs)),
    )
    # a partial runs table after every chunk, growing to the whole ensemble
    assert counts == sorted(counts) and counts[0] < 15 and counts[-1] == len(out.runs) == 15


def test_ensemble_can_be_cancelled(sdir, monkeypatch):
    import threading

    from libyasim import load_scenario
    from libyasim.dashboard.ensemble import Job, run_job

    monkeypatch.setenv("LIBYASIM_DASHBOARD_WORKERS", "0")
    stop = threading.Event()
    seen = []

    def progress(done, total):
        seen.append(done)
        if done >= 5:
            stop.set()

    out = run_job(
        Job((("mini", load_scenario(sdir / "mini.yaml")),), n=40, root_seed=3), progress, stop
    )
    assert out.cancelled
    assert 5 <= len(out.runs) < 40


def test_compare_uses_the_same_seeds_for_every_scenario(sdir, monkeypatch):
    from libyasim import load_scenario
    from libyasim.dashboard.ensemble import Job, run_job

    monkeypatch.setenv("LIBYASIM_DASHBOARD_WORKERS", "0")
    job = Job(
        (("a", load_scenario(sdir / "mini.yaml")), ("b", load_scenario(sdir / "mini_paris.yaml"))),
        n=4,
        root_seed=5,
    )
    out = run_job(job)
    seeds = out.runs.groupby("scenario")["seed"].apply(list)
    assert seeds["a"] == seeds["b"] and len(set(seeds["a"])) == 4
    again = run_job(job)
    assert list(again.runs["end_state"]) == list(out.runs["end_state"])  # reproducible


def test_navigation_tabs_carry_the_page_names_and_switch_pages():
    from libyasim.dashboard.app import Navigation, routes

    @solara.component
    def Probe():
        route, siblings = solara.use_route(peek=True)
        return Navigation(route, siblings)

    _box, rc = solara.render(
        solara.RoutingProvider(children=[Probe()], routes=routes, pathname="/edit"),
        handle_error=False,
    )
    tabs = rc.find(v.Tab).widgets
    assert [t.children[0] for t in tabs] == ["Run", "Ensemble", "Compare", "Evidence", "Edit"]
    rc.find(v.Tabs).widget.v_model = 3  # as if the user clicked "Evidence": no error
    rc.close()
