"""Edit page: a self-contained download, 'Now using', Use this variant keeping the
form, and upload errors in the user's own terms."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
from dashboard_scenarios import write_scenario_dir

from libyasim.dashboard.catalogue import load_shipped, read_upload
from libyasim.dashboard.edits import Edit, EditSet, validate
from libyasim.dashboard.page_edit import EditPage
from libyasim.dashboard.session import SessionProvider
from libyasim.scenario import load_scenario


@pytest.fixture
def sdir(tmp_path):
    return write_scenario_dir(tmp_path / "scenarios")


def test_the_download_validates_on_its_own(sdir, tmp_path):
    parent = load_shipped(sdir).entries["mini.yaml"]
    edits = (
        EditSet()
        .set(Edit("factions.red.strength", 5000.0))
        .set(Edit("events.cf1.date", "2018-01"))
        .replace(removed_events=("vote",))
    )
    v_ = validate(parent, edits)
    assert v_.ok and v_.extends == "mini.yaml"
    assert "extends" not in v_.standalone.split("# (it needs no other file)")[1]
    elsewhere = tmp_path / "downloads"
    elsewhere.mkdir()
    (elsewhere / v_.filename).write_text(v_.standalone, encoding="utf-8")
    alone = load_scenario(elsewhere / v_.filename)  # no mini.yaml next to it
    assert alone.hash == v_.scenario.hash
    assert [e.id for e in alone.events] == ["cf1"]


def test_upload_errors_use_the_users_file_name_and_numbering(sdir):
    text = (
        b"extends: mini.yaml\nid: mine\ntitle: Mine\nevents:\n"
        b"  - type: election\n    date: 2018-13\n"
        b"  - date: 2018-01\n"
    )
    entry = read_upload("mine.yaml", len(text), text, sdir)
    problems = "\n".join(entry.problems)
    assert "mine.yaml:6 events[0].date: must be a month" in problems  # the first of *this* file
    assert "mine.yaml:7 events[1]: needs a 'type'" in problems
    assert str(sdir) not in problems and "scenarios/" not in problems


def _render(sdir):
    _box, rc = solara.render(
        SessionProvider(children=[EditPage()], directory=sdir), handle_error=False
    )
    return rc


def test_use_this_variant_keeps_the_form_and_says_now_using(sdir):
    rc = _render(sdir)
    rc.find(v.Select, label="Parameter").widget.v_model = "factions.red.strength"
    rc.find(v.TextField, label="New value").widget.v_model = "3500"
    rc.find(v.Btn, children=["Add change"]).widget.click()
    rc.find(v.Btn, children=["Use this variant"]).widget.click()
    assert rc.find(v.Select, label="Scenario").widget.v_model == "edit: mini_edited.yaml"
    assert rc.find(v.Alert, class_="libyasim-now-using").widget
    assert rc.find(children=["Changes (1)"]).widgets  # the change is still in the form
    assert rc.find(v.TextField, label="id").widget.v_model == "mini_edited"  # not ..._edited_edited
    assert rc.find(v.Btn, children=["In use"]).widget.disabled
    # a further change, used again, updates the same variant
    rc.find(v.Select, label="Parameter").widget.v_model = "factions.blue.strength"
    rc.find(v.TextField, label="New value").widget.v_model = "1800"
    rc.find(v.Btn, children=["Add change"]).widget.click()
    rc.find(v.Btn, children=["Use this variant"]).widget.click()
    names = rc.find(v.Select, label="Scenario").widget.items
    assert [n for n in names if "edited" in str(n)] == ["edit: mini_edited.yaml"]
    assert rc.find(children=["Changes (2)"]).widgets
    rc.close()
