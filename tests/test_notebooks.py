"""The notebooks run top to bottom, and none is committed with outputs.

Each notebook executes with nbclient in a fresh kernel, in a temporary working
folder (so nothing is written into the repository), with the shipped scenarios
named by ``$LIBYASIM_SCENARIOS``. The kernel is this interpreter, through a
kernelspec written into a temporary folder: a user-level ``python3``
kernelspec pointing at another Python is never used. A failing cell fails the
test with the cell and the error. Executed copies go to
``$LIBYASIM_ARTEFACTS/notebooks`` when that is set, for inspection.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {
    "01_quickstart",
    "02_ceasefire_or_elections",
    "03_sponsors",
    "04_your_own_scenario",
    "05_ema_workbench",
}
#: notebooks that need an optional extra: skipped (only) when it is not installed
EXTRAS = {"05_ema_workbench": "ema_workbench"}
KERNEL = "libyasim-test-python"
CELL_TIMEOUT = 600  # seconds for one cell; the whole set takes a few minutes


def test_every_notebook_is_there():
    assert {p.stem for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; strip them before committing"
    assert "widgets" not in nb.metadata, f"{path.name}: widget state in the metadata; strip it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_explains_what_it_shows_and_what_not(path):
    """Each notebook says what it shows and what it does not (the model's limits)."""
    nb = nbformat.read(path, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert "what it shows" in prose or "what this notebook shows" in prose
    assert "does not" in prose
    assert any(c.cell_type == "code" and "plt." in c.source for c in nb.cells), (
        "draws no matplotlib figure"
    )


@pytest.fixture(scope="session")
def kernel_dirs(tmp_path_factory) -> list[str]:
    """A kernelspec for this interpreter, in a temporary folder."""
    root = tmp_path_factory.mktemp("kernels")
    spec = root / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "libyasim tests",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return [str(root)]


def _run(path: Path, workdir: Path, kernel_dirs: list[str]):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    nb = nbformat.read(path, as_version=4)
    km = KernelManager(
        kernel_name=KERNEL,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=kernel_dirs),
        transport="ipc",  # Unix sockets in the working folder: no TCP port, nothing on the network
        ip=str(workdir / "kernel"),
    )
    client = nbclient.NotebookClient(
        nb,
        km=km,
        timeout=CELL_TIMEOUT,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    return nb


def _stderr(nb) -> list[str]:
    out = []
    for i, c in enumerate(nb.cells):
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                out.append(f"cell {i}: {o.get('text', '')}")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, kernel_dirs, tmp_path, monkeypatch):
    if path.stem in EXTRAS:
        pytest.importorskip(EXTRAS[path.stem], reason="the notebook's extra is not installed")
    monkeypatch.setenv("LIBYASIM_SCENARIOS", str(ROOT / "scenarios"))
    monkeypatch.chdir(tmp_path)
    t0 = time.perf_counter()
    try:
        nb = _run(path, tmp_path, kernel_dirs)
    except nbclient.exceptions.CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # the traceback without terminal colours
        pytest.fail(f"{path.name}: a cell failed\n{plain}", pytrace=False)
    elapsed = time.perf_counter() - t0
    print(f"{path.name}: executed in {elapsed:.1f} s")
    artefacts = os.environ.get("LIBYASIM_ARTEFACTS")
    if artefacts:
        dest = Path(artefacts) / "notebooks"
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest / path.name)
    warnings = [s for s in _stderr(nb) if "Warning" in s or "Traceback" in s]
    assert not warnings, f"{path.name} printed warnings:\n" + "\n".join(warnings)
    images = sum(
        1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    )
    assert images >= 1, f"{path.name}: no figure was drawn"
    assert not any((ROOT / "notebooks" / name).exists() for name in ("out", "my_scenario.yaml")), (
        "a notebook wrote into the repository"
    )
