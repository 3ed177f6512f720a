"""A small folder of scenarios for the dashboard tests (written under tmp_path)."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from scenario_factory import minimal_scenario, with_document


def write_scenario_dir(directory: Path) -> Path:
    """``mini.yaml`` (one cited number, ids on events), ``mini_paris.yaml``
    (a variant that extends it) and ``broken.yaml`` (invalid)."""
    directory.mkdir(parents=True, exist_ok=True)
    data = with_document(minimal_scenario())
    data["events"][0]["id"] = "cf1"
    data["events"].append({"id": "vote", "type": "election", "date": "2018-03"})
    yaml = YAML()
    with open(directory / "mini.yaml", "w") as fh:
        yaml.dump(data, fh)
    (directory / "mini_paris.yaml").write_text(
        "extends: mini.yaml\nid: mini_paris\ntitle: Mini with an early ceasefire\n"
        "events:\n  - id: cf1\n    date: 2017-09\n",
        encoding="utf-8",
    )
    (directory / "broken.yaml").write_text("id: broken\ntitle: x\nmonths: -1\n", encoding="utf-8")
    return directory
