"""Charts drawn in the browser: Vega-Lite specs embedded once, then fed new data only.

:class:`LiveChart` is a Vue widget (``chart.vue``) in the manner of Solara's own
``FigureAltair``/``VegaLite`` (same Vega files from Solara's CDN cache, so the
page needs no internet), with two differences that make stepping fast: the
spec is sent and embedded once, and a change of ``datasets`` replaces the named
data sets in the live view (``view.data(name, rows)``) instead of re-embedding;
and every chart carries PNG and CSV download buttons. Its root element carries
``data-stamp`` (the ``stamp`` of the data drawn last) for tests and benchmarks.
"""

from __future__ import annotations

import os
from typing import Any, cast

import ipyvuetify as v
import solara
import traitlets

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


class LiveChart(v.VuetifyTemplate):
    template_file = os.path.realpath(os.path.join(os.path.dirname(__file__), "chart.vue"))
    spec = traitlets.Dict().tag(sync=True)
    datasets = traitlets.Dict().tag(sync=True)
    name = traitlets.Unicode("chart").tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    stamp = traitlets.Unicode("").tag(sync=True)
    csv_dataset = traitlets.Unicode("").tag(sync=True)
    scaled = traitlets.Bool(False).tag(sync=True)


class Box:
    """A value handed to a component in an opaque box: reacton walks every list and
    dict among an element's arguments looking for child elements, which for a chart's
    spec and a few thousand rows of data costs more than drawing them."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def Data(sets: dict[str, list[dict[str, Any]]]) -> Box:
    """Named data sets for :func:`Chart`."""
    return Box(sets)


@solara.component
def Chart(
    spec: Box,
    data: Box,
    name: str,
    title: str = "",
    stamp: str = "",
    csv: str | None = None,
    scaled: bool = False,
):
    """One browser-drawn chart. ``spec`` (memoise it) is sent once; new data is sent
    when ``stamp`` changes, and drawn without re-embedding."""
    el = LiveChart.element(
        name=name,
        title=title,
        csv_dataset=csv if csv is not None else next(iter(data.value), ""),
        scaled=scaled,
    )
    sent = solara.use_ref(cast(Any, None))

    def push() -> None:
        widget = solara.get_widget(el)
        with widget.hold_sync():
            if sent.current is not spec.value:
                widget.spec = spec.value
                sent.current = spec.value
            widget.stamp = stamp
            widget.datasets = data.value

    solara.use_effect(push, [stamp, id(spec.value)])
    return el


def base_spec(**kw: Any) -> dict[str, Any]:
    """A Vega-Lite spec with the dashboard's defaults (plain fonts, no view border)."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "config": {
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 260},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 320},
            "font": "Roboto, Helvetica, Arial, sans-serif",
        },
        **kw,
    }
