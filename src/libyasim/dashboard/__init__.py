"""The Solara dashboard: Run, Ensemble, Compare, Evidence and Edit pages.

Start it with ``libyasim dashboard`` (see docs/dashboard.md). The pages hold
no model logic: they call the public API (``load_scenario``, ``LibyaModel``,
``run``, the batch and analysis functions). Each browser session keeps its own
state (:mod:`libyasim.dashboard.session`).
"""
