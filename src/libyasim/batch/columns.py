"""Column names every tool can read, and what each column means (the data dictionary).

A libyasim quantity is named by a dotted path (``strength.lna``,
``factions.lna.strength``, ``parameters.engagement_rate``); as a column or an
outcome name the dots become double underscores (``strength__lna``), so names
need no quoting in SQL, are valid Python identifiers, and map back
unambiguously (identifiers never contain ``__``). In a batch's runs table a
key figure of the run summary is ``fig__<path>`` and a varied parameter
``param__<path>``.

:data:`DICTIONARY` describes every column of the three tables of a batch
folder (``runs``, ``series``, ``events``); docs/data.md is the same table in
words (a test keeps them in step) and every Parquet part carries each field's
description and unit as field metadata.
"""

from __future__ import annotations

import re
from typing import Any

SEP = "__"
FIG = "fig" + SEP
PARAM = "param" + SEP
#: the runs-table column listing the flags a run raised (not ``flags``: that name is
#: pandas' ``DataFrame.flags``)
FLAGS_COLUMN = "flags_raised"
_OTHER = re.compile(r"[^0-9A-Za-z_]")


def column_name(path: str) -> str:
    """``strength.lna`` → ``strength__lna``; other characters outside ``[0-9A-Za-z_]``
    (``~`` and ``>`` in relation paths) become one underscore."""
    return _OTHER.sub("_", path.replace(".", SEP))


def path_of(column: str) -> str:
    """The dotted path of a column named by :func:`column_name` (``~``/``>`` not restored)."""
    return column.replace(SEP, ".")


def fig_column(name: str) -> str:
    """The runs-table column of a key figure: ``factions.lna.strength`` → ``fig__factions__lna__strength``."""  # noqa: E501
    return FIG + column_name(name)


def figure_name(column: str) -> str:
    """The dotted key-figure name of a ``fig__*`` column."""
    return path_of(column.removeprefix(FIG))


def param_column(path: str) -> str:
    """The runs-table column of a varied parameter: ``param__parameters__engagement_rate``."""
    return PARAM + column_name(path)


# --------------------------------------------------------------------------- dictionary

#: (table, column pattern, type, unit, description). A pattern's ``<...>`` part
#: stands for an identifier or a path; the order is the order of docs/data.md.
DICTIONARY: list[tuple[str, str, str, str, str]] = [
    ("runs", "run_index", "int64", "", "position of the run in the batch's plan (0, 1, ...)"),
    ("runs", "run_id", "string", "", "`<scenario>.p<point>.r<replicate>`, unique in the batch"),
    ("runs", "scenario", "string", "", "scenario id"),
    ("runs", "scenario_hash", "string", "", "sha256 of the resolved scenario the run used"),
    ("runs", "point", "int64", "", "index of the design point (parameter values) of the run"),
    ("runs", "replicate", "int64", "", "replicate number at that point"),
    ("runs", "seed", "int64", "", "the run's seed: run_seed(root seed, point, replicate)"),
    ("runs", "attempt", "int64", "", "1 for the first attempt, more after --retry-failed"),
    ("runs", "status", "string", "", "ok or failed"),
    ("runs", "error", "string", "", "the error of a failed run (null if ok)"),
    ("runs", "traceback", "string", "", "the traceback of a failed run (null if ok)"),
    (
        "runs",
        "end_state",
        "string",
        "",
        "unified_election, takeover, partition, renewed_war or status_quo",
    ),
    ("runs", FLAGS_COLUMN, "list<string>", "", "flags the run raised (jihadist_resurgence)"),
    ("runs", "elapsed_s", "float64", "s", "wall time of the run"),
    ("runs", "worker", "string", "", "host:pid of the process that ran it"),
    ("runs", "parameters", "string", "", "the point's {path: value} overrides, as JSON"),
    (
        "runs",
        "param__<path>",
        "float64",
        "parameter's unit",
        "value of a varied parameter at the run's point",
    ),
    (
        "runs",
        "fig__factions__<faction>__strength",
        "float64",
        "fighters",
        "faction's fighters at the end",
    ),
    (
        "runs",
        "fig__factions__<faction>__strength_start",
        "float64",
        "fighters",
        "faction's fighters at the start",
    ),
    (
        "runs",
        "fig__factions__<faction>__territory",
        "float64",
        "share 0-1",
        "share of regions the faction holds at the end",
    ),
    (
        "runs",
        "fig__factions__<faction>__population",
        "float64",
        "share 0-1",
        "share of the population in regions it holds at the end",
    ),
    (
        "runs",
        "fig__factions__<faction>__legitimacy",
        "float64",
        "0-1",
        "faction's legitimacy at the end",
    ),
    (
        "runs",
        "fig__factions__<faction>__popularity",
        "float64",
        "0-1",
        "population-weighted popularity at the end",
    ),
    (
        "runs",
        "fig__settlement__<issue>",
        "float64",
        "issue scale 0-1",
        "bargaining forecast on the issue at the end",
    ),
    (
        "runs",
        "fig__classification__<criterion>",
        "float64 or bool",
        "see docs/ODD.md",
        "a criterion of the end-state decision (model.outcomes.CRITERIA)",
    ),
    (
        "runs",
        "fig__election__<field>",
        "float64 or bool",
        "",
        "the election's result, if one was held (null otherwise)",
    ),
    ("runs", "fig__total_fatalities", "float64", "deaths", "all deaths over the run"),
    ("runs", "fig__battle_deaths", "float64", "deaths", "battle deaths over the run"),
    ("runs", "fig__months_of_fighting", "float64", "months", "months with any battle death"),
    ("runs", "fig__battles", "float64", "battles", "battles fought"),
    ("runs", "fig__control_changes", "float64", "events", "regions that changed hands"),
    ("runs", "fig__threat_index", "float64", "index", "Europe threat index at the end"),
    ("runs", "fig__<figure>", "float64", "", "any other numeric key figure of the run summary"),
    ("series", "run_id", "string", "", "the run (runs.run_id)"),
    ("series", "scenario", "string (partition)", "", "scenario id: the folder scenario=<id>"),
    ("series", "step", "int32", "months", "months since the start (0 = the initial state)"),
    ("series", "month", "date32", "month", "the calendar month (its first day)"),
    (
        "series",
        "variable",
        "string",
        "",
        "strength, territory, population, legitimacy, popularity, support, budget, "
        "settlement, threat_index, fatalities or battle_deaths",
    ),
    (
        "series",
        "actor",
        "string",
        "",
        "faction, sponsor.faction (support), sponsor (budget), issue (settlement), or empty",
    ),
    (
        "series",
        "value",
        "float64",
        "the variable's",
        "fighters (strength), shares 0-1 (territory, population), 0-1 (legitimacy, "
        "popularity, settlement), support units a month (support, budget), index "
        "(threat_index), deaths a month (fatalities, battle_deaths)",
    ),
    ("events", "run_id", "string", "", "the run (runs.run_id)"),
    ("events", "scenario", "string (partition)", "", "scenario id: the folder scenario=<id>"),
    ("events", "step", "int32", "months", "the step in which the event happened"),
    ("events", "month", "date32", "month", "the calendar month (its first day)"),
    (
        "events",
        "event_type",
        "string",
        "",
        "ACLED type: Battles, Explosions/Remote violence, Violence against civilians, "
        "Strategic developments",
    ),
    (
        "events",
        "kind",
        "string",
        "",
        "finer kind: battle, raid, control_change, ceasefire_signed, election_held, ...",
    ),
    ("events", "region", "string", "", "region id (null if none)"),
    ("events", "actor1", "string", "", "the acting faction or sponsor"),
    ("events", "actor2", "string", "", "the other side (null if none)"),
    ("events", "fatalities", "float64", "deaths", "deaths in the event"),
    ("events", "note", "string", "", "what happened, in words"),
]


def _pattern(p: str) -> re.Pattern[str]:
    parts = re.split(r"<[^>]+>", p)
    return re.compile("^" + "(.+)".join(re.escape(x) for x in parts) + "$")


_PATTERNS = [(t, _pattern(c), unit, desc) for t, c, _typ, unit, desc in DICTIONARY]


def describe(table: str, column: str) -> tuple[str, str] | None:
    """(description, unit) of a column of ``table`` from :data:`DICTIONARY` (first match)."""
    for t, pat, unit, desc in _PATTERNS:
        if t == table and pat.match(column):
            return desc, unit
    return None


def with_field_metadata(table: str, schema: Any) -> Any:
    """``schema`` (pyarrow) with each field's description and unit as field metadata."""
    import pyarrow as pa

    fields = []
    for f in schema:
        found = describe(table, f.name)
        meta = dict(f.metadata or {})
        if found:
            meta[b"description"], meta[b"unit"] = found[0].encode(), found[1].encode()
        fields.append(f.with_metadata(meta))
    return pa.schema(fields, metadata=schema.metadata)


def dictionary_table(table: str) -> str:
    """The rows of :data:`DICTIONARY` for ``table`` as a Markdown table (docs/data.md)."""
    lines = ["| column | type | unit | description |", "| --- | --- | --- | --- |"]
    for t, col, typ, unit, desc in DICTIONARY:
        if t == table:
            lines.append(f"| `{col}` | {typ} | {unit} | {desc} |")
    return "\n".join(lines)
