"""Uploads on the dashboard's Edit page: every hostile file gives a message on the
page (never nothing), under the same limits as files read from disk."""

from __future__ import annotations

import pytest
from dashboard_scenarios import write_scenario_dir

from libyasim.dashboard.catalogue import read_upload


@pytest.fixture
def sdir(tmp_path):
    d = write_scenario_dir(tmp_path / "scenarios")
    (d / "loop_a.yaml").symlink_to(d / "loop_b.yaml")
    (d / "loop_b.yaml").symlink_to(d / "loop_a.yaml")
    return d


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("extends: mini.yaml\nid: u\nmonths: " + "9" * 5000 + "\n", "more than 4300 digits"),
        ('extends: "mini\\0.yaml"\nid: u\n', "NUL"),
        ("extends: " + "m" * 300 + ".yaml\nid: u\n", "longer than 255 bytes"),
        ("extends: loop_a.yaml\nid: u\n", "loop of symbolic links"),
        ('extends: mini.yaml\nid: u\ndescription: "\\ud800"\n', "lone surrogate"),
        ("extends: /dev/zero\nid: u\n", "must name a scenario file"),
        ("id: u\ntitle: [" + "[" * 5000 + "]" * 5000 + "]\n", "nested"),
        ("extends: mini.yaml\nid: u\nmonths: true\n", "must be a number; got true"),
    ],
)
def test_hostile_uploads_show_a_message(sdir, text, says):
    data = text.encode("utf-8")
    entry = read_upload("hostile.yaml", len(data), data, sdir)
    assert not entry.ok
    assert entry.problems and any(says in p for p in entry.problems), entry.problems
