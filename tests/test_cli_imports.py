"""The command line is built without importing what only some commands use: the
analysis package's submodules (scipy.stats, matplotlib) load when first used."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded_after(code: str) -> set[str]:
    probe = (
        f"import sys\n{code}\n"
        "print(' '.join(m for m in ('scipy.stats', 'matplotlib', 'libyasim.analysis.audit', "
        "'libyasim.analysis.sensitivity') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_building_the_command_line_imports_no_analysis_module():
    assert _loaded_after("from libyasim.cli import build_parser; build_parser()") == set()


def test_the_analysis_names_load_when_first_used():
    import libyasim.analysis as analysis

    assert callable(analysis.sensitivity) and callable(analysis.wilson)
    assert set(analysis.__all__) <= set(dir(analysis))
    with pytest.raises(AttributeError):
        analysis.no_such_name  # noqa: B018
    loaded = _loaded_after("from libyasim.analysis import wilson, fan_chart")
    assert "matplotlib" in loaded and "libyasim.analysis.sensitivity" not in loaded


def test_a_name_shared_with_its_submodule_stays_the_function():
    probe = (
        "import libyasim.analysis.sensitivity as sub, sys\n"
        "from libyasim.analysis import sensitivity\n"
        "import libyasim.analysis as a\n"
        "print(callable(sensitivity), callable(a.sensitivity), "
        "hasattr(sys.modules['libyasim.analysis.sensitivity'], 'load_sampled'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]
