"""What the Evidence page shows: every parameter with its value, range and
evidence, and the source view (locators with our paraphrases).

Plain data built from the public scenario API; the project ships no text of
any source document, only locators, paraphrases and sentence hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..scenario import Evidence, Quantity, Scenario
from ..scenario.provenance import order
from ..scenario.walk import walk

_SPLIT = re.compile(r"[.>:~]")

#: event fields that name actors
_EVENT_ACTOR_FIELDS = (
    "parties",
    "enforcers",
    "actors",
    "eligible",
    "broker",
    "sponsor",
    "faction",
    "target",
)


@dataclass(frozen=True)
class Row:
    """One numeric parameter of a scenario."""

    path: str
    value: float
    range: tuple[float, float] | None
    source: str | None  # locator, e.g. seed:p3s1
    note: str | None  # our paraphrase of the located sentence
    assumption: str | None
    actors: frozenset[str]
    section: str
    unit: str = ""  # fighters, people, 0–1 scale... or what a model coefficient means

    @property
    def kind(self) -> str:
        if self.source:
            return "source"
        if self.assumption:
            return "assumption"
        return "none"

    @property
    def evidence_text(self) -> str:
        if self.source:
            return self.note or ""
        return self.assumption or "no evidence given"


def locator_anchor(locator: str) -> str:
    """An HTML id for a locator (``seed:p3s1`` -> ``src-seed-p3s1``)."""
    return "src-" + locator.replace(":", "-")


def _event_actors(scenario: Scenario, key: str) -> set[str]:
    for i, ev in enumerate(scenario.events):
        if ev.id == key or str(i) == key:
            out: set[str] = set()
            for name in _EVENT_ACTOR_FIELDS:
                val = getattr(ev, name, None)
                if isinstance(val, str):
                    out.add(val)
                elif isinstance(val, list):
                    out.update(val)
            return out
    return set()


def path_actors(scenario: Scenario, path: str) -> frozenset[str]:
    """The factions and sponsors a parameter path concerns."""
    known = set(scenario.actor_ids)
    found = {t for t in _SPLIT.split(path) if t in known}
    parts = path.split(".")
    if parts[0] == "events" and len(parts) > 1:
        found |= _event_actors(scenario, parts[1]) & known
    return frozenset(found)


#: the unit of a scenario number, by the end of its path (first match wins);
#: model coefficients (``parameters.*``) show their own description instead
UNITS: tuple[tuple[str, str], ...] = (
    (r"\.(strength|foreign_fighters)$", "fighters"),
    (r"^regions\.[^.]+\.population$", "people"),
    (r"\.garrison\.[^.]+$", "relative deployment weight"),
    (r"\.resources$", "resources (model units)"),
    (r"\.budget\.[^.]+$", "support units a month"),
    (r"(fatalities|deaths)$", "deaths"),
    (r"\.(stance\.[^.]+|risk_attitude)$", "−1 to 1"),
    (r"_share$", "share 0–1"),
    (
        r"\.(legitimacy|popularity|ideology|oil_value|rough_terrain|interests\.[^.]+|"
        r"regional_popularity\.[^.]+|positions\.[^.]+|salience\.[^.]+|"
        r"casualty_sensitivity|reputation_sensitivity|consensus|weight|level)$",
        "0–1 scale",
    ),
)


def unit_of(path: str) -> str:
    """The unit of the number at ``path`` ('' when not known)."""
    if path.startswith("parameters."):
        return _coefficient_doc(path.split(".", 1)[1])
    for pattern, unit in UNITS:
        if re.search(pattern, path):
            return unit
    return ""


def _coefficient_doc(name: str) -> str:
    from ..scenario.parameters import Parameters

    for model in (Parameters, *getattr(Parameters, "__bases__", ())):
        field = getattr(model, "model_fields", {}).get(name)
        if field is not None and field.description:
            return field.description
    return ""


def parameter_rows(scenario: Scenario) -> list[Row]:
    """Every numeric parameter of ``scenario``, in schema order."""
    rows = []
    for path, q in scenario.quantities():
        rows.append(
            Row(
                path=path,
                value=float(q.value),
                range=q.range,
                source=q.source,
                note=q.note,
                assumption=q.assumption,
                actors=path_actors(scenario, path),
                section=path.split(".")[0],
                unit=unit_of(path),
            )
        )
    return rows


def filter_rows(
    rows: list[Row], actor: str | None = None, text: str = "", kind: str | None = None
) -> list[Row]:
    """Rows about ``actor`` (None: all), containing ``text`` (path or evidence),
    of evidence ``kind`` ("source", "assumption", "none"; None: all)."""
    needle = text.strip().lower()
    out = []
    for r in rows:
        if actor and actor not in r.actors:
            continue
        if kind and r.kind != kind:
            continue
        if (
            needle
            and needle not in r.path.lower()
            and needle not in r.evidence_text.lower()
            and needle not in (r.source or "")
        ):
            continue
        out.append(r)
    return out


#: sort keys of the parameter table: label -> (key function, its header)
SORTS = ("parameter", "value", "range width", "evidence")


def sort_rows(rows: list[Row], by: str = "parameter", descending: bool = False) -> list[Row]:
    """Rows sorted by a column of the table (``SORTS``); stable, rows without a range last."""
    if by == "value":
        return sorted(rows, key=lambda r: r.value, reverse=descending)
    if by == "range width":
        ranged = [r for r in rows if r.range is not None]
        rest = [r for r in rows if r.range is None]
        return sorted(ranged, key=lambda r: _width(r), reverse=descending) + rest
    if by == "evidence":
        order = {"none": 0, "assumption": 1, "source": 2}
        return sorted(rows, key=lambda r: (order[r.kind], r.source or ""), reverse=descending)
    return sorted(rows, key=lambda r: r.path, reverse=descending)


def _width(r: Row) -> float:
    assert r.range is not None
    return float(r.range[1] - r.range[0])


def rows_csv(rows: list[Row], scenario: Scenario) -> str:
    """The rows as CSV (what the table's Download gives), with each source's citation."""
    import pandas as pd

    cites = {d.id: d.citation for d in source_view(scenario)}
    df = pd.DataFrame(
        {
            "parameter": [r.path for r in rows],
            "value": [r.value for r in rows],
            "unit": [r.unit for r in rows],
            "range_low": [r.range[0] if r.range else None for r in rows],
            "range_high": [r.range[1] if r.range else None for r in rows],
            "evidence": [r.kind for r in rows],
            "source": [r.source or "" for r in rows],
            "note": [r.note or "" for r in rows],
            "assumption": [r.assumption or "" for r in rows],
            "citation": [cites.get((r.source or "").split(":", 1)[0], "") for r in rows],
        }
    )
    return df.to_csv(index=False)


@dataclass(frozen=True)
class Citation:
    """One place in the scenario citing a locator, with our paraphrase."""

    path: str
    note: str
    value: float | None  # the number, when the citation backs a parameter


@dataclass(frozen=True)
class SourceEntry:
    locator: str  # seed:p3s1
    document: str
    registered: bool  # the sentence hash is in the scenario's document registry
    sentence_sha256: str | None
    citations: tuple[Citation, ...]

    @property
    def anchor(self) -> str:
        return locator_anchor(self.locator)


@dataclass(frozen=True)
class DocumentView:
    id: str
    title: str
    date: str
    sha256: str
    entries: tuple[SourceEntry, ...]
    author: str | None = None
    publisher: str | None = None
    url: str | None = None

    @property
    def citation(self) -> str:
        """The full citation: author, title, publisher, date, address, and the
        fingerprint that identifies the exact text the locators point into."""
        parts = [self.author, f"“{self.title}”", self.publisher, self.date]
        text = ", ".join(p for p in parts if p)
        if self.url:
            text += f". {self.url}"
        if self.sha256:
            text += f". Text fingerprint sha256:{self.sha256}"
        return text + "."

    @property
    def missing(self) -> list[str]:
        """Citation fields the scenario does not record."""
        return [k for k in ("author", "publisher", "url") if not getattr(self, k)]


def source_view(scenario: Scenario) -> list[DocumentView]:
    """Each registered (or cited) document with its locators in reading order,
    and for each locator what the scenario says it supports (paraphrases)."""
    cites: dict[str, list[Citation]] = {}
    for _loc, path, value in walk(scenario):
        if isinstance(value, Quantity | Evidence) and value.source is not None:
            num = float(value.value) if isinstance(value, Quantity) else None
            cites.setdefault(value.source, []).append(Citation(path, value.note or "", num))
    docs = dict.fromkeys(scenario.documents)
    docs.update(dict.fromkeys(loc.split(":", 1)[0] for loc in cites))
    out = []
    for doc_id in docs:
        doc = scenario.documents.get(doc_id)
        registered = doc.sentences if doc else {}
        locs = {f"{doc_id}:{s}" for s in registered} | {
            c for c in cites if c.split(":", 1)[0] == doc_id
        }
        entries = tuple(
            SourceEntry(
                loc,
                doc_id,
                loc.split(":", 1)[1] in registered,
                registered.get(loc.split(":", 1)[1]),
                tuple(cites.get(loc, ())),
            )
            for loc in sorted(locs, key=lambda x: order(x.split(":", 1)[1]))
        )
        out.append(
            DocumentView(
                doc_id,
                doc.title if doc else "(not registered)",
                doc.date if doc else "",
                doc.sha256 if doc else "",
                entries,
                doc.author if doc else None,
                doc.publisher if doc else None,
                doc.url if doc else None,
            )
        )
    return out


def summary_counts(rows: list[Row]) -> dict[str, int]:
    counts = {"source": 0, "assumption": 0, "none": 0}
    for r in rows:
        counts[r.kind] += 1
    return counts


def fmt_number(x: float) -> str:
    """Compact, readable: 25000 -> '25,000'; 0.35 -> '0.35'; 2e-05 -> '2e-05'."""
    if x == 0:
        return "0"
    if abs(x) >= 1000 and float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) < 0.001:
        return f"{x:.2g}"
    return f"{x:.4g}"


def fmt_range(r: tuple[float, float] | None) -> str:
    return "—" if r is None else f"[{fmt_number(r[0])}, {fmt_number(r[1])}]"
