"""LibyaModel under Mesa's own SolaraViz (served by tests/browser/test_solaraviz_browser.py):
one plot, the month as text, and a SolaraViz slider on a dotted scenario override."""

from __future__ import annotations

from pathlib import Path

import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from libyasim.model import LibyaModel

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline_2017.yaml"


@solara.component
def Month(model: LibyaModel) -> None:
    update_counter.get()  # re-render after each step, as Mesa's own components do
    solara.Text(f"Month: {model.month}", classes=["libyasim-month"])


model_params = {
    "spec": str(BASELINE),
    "parameters.engagement_rate": {
        "type": "SliderFloat",
        "value": 0.6,
        "label": "engagement rate",
        "min": 0.1,
        "max": 0.8,
        "step": 0.1,
    },
}
page = SolaraViz(
    LibyaModel(str(BASELINE), rng=1),
    components=[Month, make_plot_component("threat_index")],
    model_params=model_params,
    name="libyasim under SolaraViz",
)
