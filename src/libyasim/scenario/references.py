"""Cross-reference checks: every id a scenario names must exist (DESIGN §4.3)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from .quantity import LOCATOR_RE
from .schema import Scenario
from .types import month_index, month_name
from .walk import evidence_records

Located = tuple[tuple, str]


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {kind} '{name}'{hint}"


def reference_problems(s: Scenario, assume_known: Iterable[str] = ()) -> list[Located]:
    """Every reference to an id that does not exist, and other cross-checks (dates).

    ``assume_known``: ids of records left out because of their own errors
    (naming them is not a reference error).
    """
    assumed = set(assume_known)
    regions = {r.id for r in s.regions}
    factions = {f.id for f in s.factions}
    sponsors = {sp.id for sp in s.sponsors}
    issues = {i.id for i in s.issues}
    out: list[Located] = []

    def need(loc: tuple, kind: str, name: str | None, known: set[str]) -> None:
        if name is not None and name not in known and name not in assumed:
            out.append((loc, _unknown(kind, name, known)))

    for i, r in enumerate(s.regions):
        need(("regions", i, "controller"), "faction", r.controller, factions)
        for k in r.garrison:
            need(("regions", i, "garrison", k), "faction", k, factions)
        for j, n in enumerate(r.neighbours):
            need(("regions", i, "neighbours", j), "region", n, regions)
            if n == r.id:
                out.append((("regions", i, "neighbours", j), "a region cannot neighbour itself"))
    need(("outcomes", "capital"), "region", s.outcomes.capital, regions)
    for i, f in enumerate(s.factions):
        for k in f.regional_popularity:
            need(("factions", i, "regional_popularity", k), "region", k, regions)
        for field in ("positions", "salience"):
            for k in getattr(f, field):
                need(("factions", i, field, k), "issue", k, issues)
    for i, sp in enumerate(s.sponsors):
        for k in sp.stance:
            need(("sponsors", i, "stance", k), "faction", k, factions)
        for j, k in enumerate(sp.rescues):
            need(("sponsors", i, "rescues", j), "faction", k, factions)
        for field in ("positions", "salience"):
            for k in getattr(sp, field):
                need(("sponsors", i, field, k), "issue", k, issues)
    loc: tuple
    for i, e in enumerate(s.relations.support):
        loc = ("relations", "support", i)
        need((*loc, "from"), "actor", e.source, factions | sponsors)
        need((*loc, "to"), "faction", e.target, factions)
        for j, v in enumerate(e.via):
            need((*loc, "via", j), "sponsor", v, sponsors)
        if e.via and e.source in factions:
            out.append(
                ((*loc, "via"), "only a sponsor's support can be routed through other sponsors")
            )
        if e.source == e.target:
            out.append(((*loc, "to"), "an actor cannot support itself"))
    for group in ("hostility", "alliance"):
        for i, h in enumerate(getattr(s.relations, group)):
            for j, a in enumerate(h.between):
                need(("relations", group, i, "between", j), "faction", a, factions)
            if h.between[0] == h.between[1]:
                out.append((("relations", group, i, "between"), "needs two different factions"))

    start = month_index(s.start)
    for i, ev in enumerate(s.events):
        loc = ("events", i)
        if month_index(ev.date) < start:
            out.append(
                ((*loc, "date"), f"comes before the scenario starts ({s.start}); got {ev.date}")
            )
        elif month_index(ev.date) >= start + s.months:
            last = month_name(start + s.months - 1)
            out.append(
                (
                    (*loc, "date"),
                    f"comes after the run ends (its last month is {last}, {s.months} months "
                    f"from {s.start}); got {ev.date}",
                )
            )
        end = getattr(ev, "end", None)
        if isinstance(end, str) and month_index(end) < month_index(ev.date):
            out.append(((*loc, "end"), f"ends before it starts ({ev.date}); got {end}"))
        for field, kind, known in (
            ("parties", "faction", factions),
            ("eligible", "faction", factions),
            ("enforcers", "sponsor", sponsors),
            ("actors", "actor", factions | sponsors),
            ("via", "sponsor", sponsors),
            ("factions", "faction", factions),
            ("regions", "region", regions),
        ):
            for j, name in enumerate(getattr(ev, field, None) or []):
                need((*loc, field, j), kind, name, known)
        for field, kind, known in (
            ("broker", "sponsor", sponsors),
            ("sponsor", "sponsor", sponsors),
            ("faction", "faction", factions),
            ("client", "faction", factions),
            ("target", *(("region", regions) if ev.type == "offensive" else ("faction", factions))),
            ("region", "region", regions),
            ("host", "actor", factions | sponsors),
            ("attacker", "faction", factions),
            ("origin", "region", regions),
            ("by", "actor", factions | sponsors),
        ):
            need((*loc, field), kind, getattr(ev, field, None), known)
        for k in getattr(ev, "stance", {}) or {}:
            need((*loc, "stance", k), "faction", k, factions)
        for k in getattr(ev, "sponsor_enforcement", {}) or {}:
            need((*loc, "sponsor_enforcement", k), "sponsor", k, sponsors)
        if ev.type == "sponsor_entry" and ev.sponsor in sponsors and s.sponsor(ev.sponsor).active:
            out.append(
                (
                    (*loc, "sponsor"),
                    f"'{ev.sponsor}' is active from the start; "
                    "give it 'active: false' to make it enter later",
                )
            )
        if (
            ev.type == "offensive"
            and ev.origin in regions
            and ev.target in regions
            and ev.origin != ev.target
            and ev.target not in s.region(ev.origin).neighbours
            and ev.origin not in s.region(ev.target).neighbours
        ):
            out.append(((*loc, "origin"), f"'{ev.origin}' is not '{ev.target}' or next to it"))
        if ev.type in ("ceasefire", "dialogue"):
            for j, p in enumerate(ev.parties):
                if p in factions and not s.faction(p).can_sign:
                    out.append(
                        (
                            (*loc, "parties", j),
                            f"'{p}' may not sign a "
                            + ("ceasefire" if ev.type == "ceasefire" else "power-sharing deal")
                            + " (jihadist or may_sign: false)",
                        )
                    )
        if ev.type == "election":
            for j, p in enumerate(ev.eligible or []):
                if p in factions and not s.faction(p).can_stand:
                    out.append(
                        (
                            (*loc, "eligible", j),
                            f"'{p}' may not stand in elections (jihadist or may_stand: false)",
                        )
                    )

    for loc, _path, rec in evidence_records(s):
        m = LOCATOR_RE.match(rec.source or "")
        if m is None:
            continue
        doc = m.group("doc")
        if doc not in s.documents:
            if doc in assumed:
                continue
            out.append(((*loc, "source"), _unknown("document", doc, set(s.documents))))
            continue
        sentences = s.documents[doc].sentences
        short = m.group(0).split(":", 1)[1]
        if short not in sentences:
            out.append(
                (
                    (*loc, "source"),
                    f"locator '{rec.source}' is not registered in documents.{doc}.sentences "
                    "(run 'libyasim sources stamp')",
                )
            )
    return out
