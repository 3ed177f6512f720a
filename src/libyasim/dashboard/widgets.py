"""Small components shared by the pages."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, cast

import ipyvuetify as v
import solara
import traitlets
from ipyvuetify.extra import FileInput

from .catalogue import MAX_UPLOAD_BYTES, Entry, read_upload
from .session import use_session


@solara.component
def ScenarioPicker(label: str = "Scenario"):
    """Choose the scenario every page works on (shipped, uploaded or edited)."""
    session = use_session()
    cat = session.catalogue.value
    names = cat.names()
    broken = [e for e in cat.entries.values() if not e.ok and e.origin == "shipped"]
    with solara.Column(gap="4px", classes=["libyasim-picker"]):
        if not names:
            solara.Warning(
                f"No valid scenario found in {session.directory}. Upload one on the Edit page."
            )
        else:
            solara.Select(
                label=label,
                values=names,
                value=session.current.value,
                on_value=session.select,
                dense=True,
                style={"max-width": "560px"},
            )
            entry = session.entry
            if entry is not None and entry.origin != "shipped":
                made = (
                    f"a variant of {entry.parent} made on the Edit page"
                    if entry.origin == "edit"
                    else "an uploaded file"
                )
                solara.Info(
                    f"Now using {entry.name} ({made}) on every page.",
                    dense=True,
                    classes=["libyasim-now-using"],
                )
            if entry is not None and entry.scenario is not None:
                s = entry.scenario
                solara.Text(
                    f"{s.title} · {s.start} → {s.end} ({s.months} months) · "
                    f"{len(s.factions)} factions, {len(s.sponsors)} sponsors, "
                    f"{len(s.events)} events · {entry.origin}",
                    style={"font-size": "0.85em", "color": "#555"},
                )
        for e in broken:
            solara.Warning(
                f"{e.name} could not be loaded: " + "; ".join(e.problems[:3]), dense=True
            )


@solara.component
def ProblemList(problems: list[str] | tuple[str, ...], title: str = "Problems"):
    """Validation messages, one per line (never a traceback)."""
    if not problems:
        return
    with solara.Error(icon=True, classes=["libyasim-problems"]), solara.Column(gap="2px"):
        solara.Text(f"{title} ({len(problems)})", style={"font-weight": "bold"})
        for p in problems:
            solara.Text(
                p,
                style={
                    "font-family": "monospace",
                    "font-size": "0.85em",
                    "white-space": "pre-wrap",
                },
            )


def handle_upload(on_entry: Callable[[Entry], None], directory: Any, info: dict) -> None:
    """Turn a file-input record into a catalogue entry; never raises."""
    name, size = str(info.get("name", "upload.yaml")), info.get("size")
    data = None
    if size is None or size <= MAX_UPLOAD_BYTES:
        try:
            data = info["file_obj"].read()
        except Exception as exc:  # a dropped connection or a vanished file
            on_entry(
                Entry(f"upload: {name}", "upload", problems=(f"{name}: could not be read ({exc})",))
            )
            return
    on_entry(read_upload(name, size, data, directory))


@solara.component
def UploadBox(on_entry: Callable[[Entry], None], directory: Any = None):
    """A file chooser for one scenario file (a real ``<input type=file>``), wired the way
    Solara's own FileDrop is: the widget is looked up in an effect, read in a thread."""
    file_info, set_file_info = solara.use_state(cast(Any, None))
    files, set_files = solara.use_state(cast(Any, None))
    widget = FileInput.element(
        multiple=False,
        accept=".yaml,.yml,text/yaml,text/plain",
        show_progress=False,
        on_file_info=set_file_info,
    )

    def wire() -> None:
        if not file_info:
            return
        real = cast(FileInput, solara.get_widget(widget))
        real.version += 1
        real.reset_stats()
        set_files(real.get_files())

    solara.use_effect(wire, [file_info])

    def read(cancel: threading.Event) -> None:
        if files:
            handle_upload(on_entry, directory, files[0])

    solara.use_thread(read, dependencies=[files], intrusive_cancel=False)
    return widget


def png_of(make: Callable[[], Any], dpi: int = 90) -> bytes:
    """Draw the matplotlib figure ``make()`` returns to PNG bytes."""
    import io

    buf = io.BytesIO()
    make().savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


@solara.component
def LazyFigure(make: Callable[[], Any], dependencies: list[Any], label: str = "figure"):
    """A matplotlib figure drawn to PNG in a background thread.

    Drawing a many-panel figure takes a second or two; off the render path,
    the numbers around it (the end-state probabilities) show at once and the
    picture follows.
    """
    result = solara.use_thread(lambda: png_of(make), dependencies=dependencies)
    if result.state == solara.ResultState.FINISHED and result.value is not None:
        solara.Image(result.value)
    elif result.state == solara.ResultState.ERROR:
        solara.Error(f"could not draw the {label}: {result.error}")
    else:
        solara.Text(f"drawing the {label} …", style={"color": "#777"})
        solara.ProgressLinear(True)


class _Scroller(v.VuetifyTemplate):
    """Scrolls the element with id ``target`` to the middle of the window (when it
    appears, if it is not there yet) each time ``nonce`` changes."""

    target = traitlets.Unicode("").tag(sync=True)
    nonce = traitlets.Int(0).tag(sync=True)
    template = traitlets.Unicode(
        """
<template><span class="libyasim-scroller" style="display: none"></span></template>
<script>
module.exports = {
  mounted() { this.go(); },
  watch: { nonce() { this.go(); }, target() { this.go(); } },
  methods: {
    go() {
      if (!this.target) { return; }
      let tries = 0;
      // wait until the element is laid out (a tab that is opening shows it late),
      // then scroll, and again once the page around it has settled
      const attempt = () => {
        const el = document.getElementById(this.target);
        const shown = el && el.offsetParent !== null && el.getBoundingClientRect().height > 0;
        if (shown) {
          el.scrollIntoView({ block: "center" });
          setTimeout(() => el.scrollIntoView({ block: "center" }), 400);
        } else if (tries++ < 100) {
          setTimeout(attempt, 100);
        }
      };
      attempt();
    },
  },
};
</script>
"""
    ).tag(sync=True)


@solara.component
def ScrollTo(target: str, nonce: int = 0):
    """Bring the element ``id=target`` into view (again whenever ``nonce`` changes)."""
    return _Scroller.element(target=target, nonce=nonce)
