"""The baseline scenario: everything the seed article names, traceable to it.

These tests hold ``scenarios/baseline_2017.yaml`` to DESIGN.md §1 and §5: every
actor, relation and stance of the article is present with a provenance record;
its locators still point at the sentences they were written for; no number
lacks evidence or an assumption; and no run of the article's words is copied
into the repository.
"""

from __future__ import annotations

import re
import subprocess
from collections import deque
from pathlib import Path

import pytest
from paths import ARTICLE, BASELINE, REPO
from pydantic import BaseModel

from libyasim.cli import main
from libyasim.scenario import Quantity
from libyasim.scenario.provenance import sentences
from libyasim.scenario.walk import evidence_records, record_key

# Article name -> (group, id). Groups: factions, sponsors.
ARTICLE_ACTORS = {
    "Libyan National Army (Haftar)": ("factions", "lna"),
    "House of Representatives (Tobruk)": ("factions", "hor"),
    "Government of National Accord (Tripoli, Serraj)": ("factions", "gna"),
    "Misratan militias": ("factions", "misrata"),
    "Daesh": ("factions", "daesh"),
    "Libya Shield": ("factions", "libya_shield"),
    "Ansar al Sharia in Benghazi": ("factions", "ansar_benghazi"),
    "Ansar al Sharia in Darnah": ("factions", "ansar_derna"),
    "Al Qaeda in the Islamic Maghreb": ("factions", "aqim"),
    "France": ("sponsors", "france"),
    "Italy": ("sponsors", "italy"),
    "Russia": ("sponsors", "russia"),
    "Egypt": ("sponsors", "egypt"),
    "the UAE": ("sponsors", "uae"),
    "the Gulf Cooperation Council states": ("sponsors", "gcc"),
    "the UN": ("sponsors", "un"),
    "the International Criminal Court": ("sponsors", "icc"),
}

JIHADISTS = ("daesh", "ansar_benghazi", "ansar_derna", "aqim")


def _actor(scenario, group: str, ident: str):
    return scenario.faction(ident) if group == "factions" else scenario.sponsor(ident)


def _seed_citations(obj) -> list[str]:
    return [rec.source for _, _, rec in evidence_records(obj) if rec.source.startswith("seed:")]


# --------------------------------------------------------------------------- actors


def test_baseline_loads_with_its_documented_shape(baseline):
    assert baseline.id == "baseline_2017"
    assert baseline.start == "2017-08"
    assert baseline.months == 48
    assert "seed" in baseline.documents
    assert baseline.documents["seed"].date == "2017-11"


@pytest.mark.parametrize(("name", "where"), ARTICLE_ACTORS.items(), ids=list(ARTICLE_ACTORS))
def test_every_actor_the_article_names_is_present_and_cites_it(baseline, name, where):
    group, ident = where
    ids = [a.id for a in getattr(baseline, group)]
    assert ident in ids, f"{name} ({group}.{ident}) is missing from the baseline"
    cited = _seed_citations(_actor(baseline, group, ident))
    assert cited, f"{name} ({ident}) has no evidence record citing the seed article"


def test_actor_kinds_follow_the_article(baseline):
    assert baseline.sponsor("icc").kind == "court"
    assert not baseline.sponsor("icc").budget, "the ICC gives no support"
    assert baseline.sponsor("un").kind == "multilateral"
    assert baseline.faction("gna").un_recognised
    assert baseline.faction("hor").kind == "political_body"
    for ident in JIHADISTS:
        assert baseline.faction(ident).is_jihadist, ident
    assert baseline.faction("lna").leader and "Haftar" in baseline.faction("lna").leader


def test_icc_warrant_on_an_lna_commander_is_scheduled(baseline):
    warrants = [e for e in baseline.events if e.type == "icc_warrant"]
    assert len(warrants) == 1
    w = warrants[0]
    assert (w.faction, w.date) == ("lna", "2017-08")
    assert "Werfalli" in w.commander
    assert _seed_citations(w) == ["seed:p3s2"]


def test_daesh_checkpoint_attack_near_ajdabiya(baseline):
    attacks = [e for e in baseline.events if e.type == "attack"]
    assert [(a.faction, a.region, a.target, a.date, a.fatalities.value) for a in attacks] == [
        ("daesh", "ajdabiya", "lna", "2017-10", 2)
    ]
    assert "seed:p1s2" in _seed_citations(attacks[0])


def test_europes_threat_perception_comes_from_the_article(baseline):
    threat = baseline.parameters.initial_threat
    assert threat.source == "seed:p1s1"
    assert threat.range is not None and threat.range[0] <= threat.value <= threat.range[1]
    # the jihadist groups that feed Europe's fear (p1s3) cite it
    for ident in ("libya_shield", "ansar_benghazi", "ansar_derna", "aqim"):
        assert "seed:p1s3" in _seed_citations(baseline.faction(ident)), ident


def test_european_statesmen_legitimising_haftar_is_recorded(baseline):
    cited = _seed_citations(baseline.sponsor("france")) + _seed_citations(baseline.faction("lna"))
    assert "seed:p2s3" in cited


# --------------------------------------------------------------------------- relations


def _edges(scenario):
    return {(e.source, e.target, e.channel.value): e for e in scenario.relations.support}


@pytest.mark.parametrize(
    ("source", "target", "channel", "via"),
    [
        ("france", "lna", "military", {"egypt", "uae"}),
        ("france", "lna", "political", set()),
        ("russia", "lna", "political", set()),
        ("egypt", "lna", "military", set()),
        ("uae", "lna", "military", set()),
        ("gcc", "lna", "political", set()),
        ("italy", "gna", "political", set()),
        ("italy", "gna", "financial", set()),
        ("un", "gna", "political", set()),
        ("lna", "hor", "military", set()),
        ("hor", "lna", "political", set()),
        ("misrata", "gna", "military", set()),
    ],
)
def test_named_support_relations_exist(baseline, source, target, channel, via):
    edge = _edges(baseline).get((source, target, channel))
    assert edge is not None, f"no {channel} support {source} -> {target}"
    assert set(edge.via) == via
    assert edge.evidence, f"support {source} -> {target} ({channel}) has no evidence"
    # every sponsor routes support only through channels it has a budget for
    if source in {s.id for s in baseline.sponsors}:
        assert channel in {c.value for c in baseline.sponsor(source).budget}, (source, channel)


def test_misratan_backing_of_the_gna_is_labelled_an_assumption(baseline):
    # the article does not say it: it must not be attributed to the article
    edge = _edges(baseline)[("misrata", "gna", "military")]
    assert all(rec.source is None and rec.assumption for rec in edge.evidence)


def test_no_sponsor_backs_a_jihadist_group(baseline):
    assert not [e for e in baseline.relations.support if e.target in JIHADISTS]


def _pairs(records):
    return {frozenset(r.between) for r in records}


def test_hostilities_and_alliances(baseline):
    hostile = _pairs(baseline.relations.hostility)
    for pair in [
        ("lna", "gna"),
        ("misrata", "daesh"),
        ("lna", "libya_shield"),
        ("lna", "ansar_derna"),
    ]:
        assert frozenset(pair) in hostile, pair
    for ident in JIHADISTS:
        assert frozenset(("lna", ident)) in hostile, f"LNA is not hostile to {ident}"
    allied = _pairs(baseline.relations.alliance)
    assert {frozenset(("lna", "hor")), frozenset(("gna", "misrata"))} <= allied
    assert not hostile & allied, "a pair cannot be both hostile and allied"


def test_stances_and_positions_on_haftars_role(baseline):
    role = lambda actor: actor.positions["haftar_role"].value  # noqa: E731
    assert [i.id for i in baseline.issues] == ["haftar_role"]
    # every actor with a stance holds a position and salience on the axis
    for sp in baseline.sponsors:
        if sp.stance:
            assert "haftar_role" in sp.positions and "haftar_role" in sp.salience, sp.id
    for f in baseline.factions:
        assert "haftar_role" in f.positions and "haftar_role" in f.salience, f.id
    assert role(baseline.faction("lna")) >= 0.9
    assert role(baseline.faction("hor")) > 0.5 > role(baseline.faction("gna"))
    assert role(baseline.faction("misrata")) < 0.5
    assert all(role(baseline.faction(j)) == 0 for j in JIHADISTS)
    # sponsors: the pro-Haftar camp above Italy and the UN
    for ident in ("france", "egypt", "uae", "russia", "gcc"):
        assert role(baseline.sponsor(ident)) > role(baseline.sponsor("italy")), ident
        assert baseline.sponsor(ident).stance["lna"].value > 0, ident
    assert (
        baseline.sponsor("italy").stance["lna"].value
        < 0
        < baseline.sponsor("italy").stance["gna"].value
    )
    assert baseline.sponsor("un").stance["gna"].value > 0.5
    # Italy's internal split makes it the least consensual sponsor
    italy = baseline.sponsor("italy").consensus
    assert italy.source == "seed:p5s3"
    assert italy.value == min(s.consensus.value for s in baseline.sponsors)
    assert baseline.sponsor("france").interests["counter_terrorism"].source == "seed:p3s1"
    assert baseline.sponsor("italy").interests["migration"].source == "seed:p5s1"


# --------------------------------------------------------------------------- regions


def test_regions_form_a_connected_symmetric_map(baseline):
    regions = {r.id: r for r in baseline.regions}
    assert len(regions) == 14
    for r in regions.values():
        for n in r.neighbours:
            assert r.id in regions[n].neighbours, f"{r.id} -> {n} is not symmetric"
    seen, todo = {"tripoli"}, deque(["tripoli"])
    while todo:
        for n in regions[todo.popleft()].neighbours:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    assert seen == set(regions), f"unreachable from Tripoli: {set(regions) - seen}"


def test_regions_carry_the_mid_2017_situation(baseline):
    oil = {r.id: r.oil_value.value for r in baseline.regions}
    assert sum(oil.values()) == pytest.approx(1.0, abs=0.05)
    assert max(oil, key=oil.get) == "oil_crescent"
    controllers = {r.id: r.controller for r in baseline.regions}
    assert controllers["tripoli"] == "gna"
    assert controllers["misrata_city"] == "misrata"
    assert controllers["sirte"] == "misrata"
    assert {controllers[r] for r in ("benghazi", "tobruk", "oil_crescent", "ajdabiya")} == {"lna"}
    assert controllers["derna"] == "ansar_derna"
    # every faction with fighters is deployed somewhere
    deployed = {f for r in baseline.regions for f in r.garrison}
    assert {f.id for f in baseline.factions if f.strength.value > 0} <= deployed
    total = sum(r.population.value for r in baseline.regions)
    assert 4.0e6 < total < 7.0e6  # Libya had about 6.4 M people in 2017


# --------------------------------------------------------------------------- numbers


def _written(obj, path: str = ""):
    """``(dotted_path, Quantity)`` for every number the file states explicitly.

    Fields a model leaves at their defaults are not in its ``model_fields_set``;
    paths use the same record keys as ``Scenario.quantities()``.
    """
    if isinstance(obj, Quantity):
        yield path, obj
    elif isinstance(obj, BaseModel):
        fields = type(obj).model_fields
        for name in obj.model_fields_set:
            alias = fields[name].alias or name
            yield from _written(getattr(obj, name), f"{path}.{alias}" if path else alias)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _written(value, f"{path}.{key}" if path else str(key))
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            key = record_key(value) if isinstance(value, BaseModel) else None
            yield from _written(value, f"{path}.{key if key is not None else i}")


def test_every_number_in_the_file_is_evidenced_or_assumed(baseline):
    """A number written in the file carries a source or an assumption; numbers
    the file leaves out are schema defaults (documented in the schema)."""
    written = dict(_written(baseline))
    every = dict(baseline.quantities())
    assert len(written) > 200, "too few numbers found: is the check still looking at the file?"
    assert written.keys() <= every.keys()
    bare = [path for path, q in written.items() if q.source is None and q.assumption is None]
    assert not bare, f"numbers without evidence or assumption: {bare}"
    # the rest are untouched schema defaults
    for path in every.keys() - written.keys():
        assert path.split(".")[0] in {
            "factions",
            "sponsors",
            "regions",
            "relations",
            "parameters",
            "events",
            "outcomes",
        }, path


def test_actor_and_region_quantities_have_ranges(baseline):
    missing = [
        path
        for path, q in _written(baseline)
        if path.startswith(("factions.", "sponsors.", "regions."))
        and q.range is None
        and q.value != 0
    ]
    assert not missing, f"quantities without an uncertainty range: {missing}"


def test_the_written_number_walk_tells_file_from_default(baseline):
    from libyasim.scenario import from_dict

    data = baseline.resolved
    data["factions"][0]["legitimacy"] = 0.4  # a bare number, as a careless edit would write it
    written = dict(_written(from_dict(data)))
    lna = data["factions"][0]["id"]
    assert written[f"factions.{lna}.legitimacy"].assumption is None
    assert written[f"factions.{lna}.legitimacy"].source is None
    assert f"factions.{lna}.risk_attitude" not in written  # left at its schema default


# --------------------------------------------------------------------------- provenance


def test_sources_check_passes_on_the_article(article_path, capsys):
    code = main(["sources", "check", "--document", f"seed={article_path}", str(BASELINE)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "match their sentences" in out


def test_sources_check_via_the_command_line(article_path):
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "libyasim.cli",
            "sources",
            "check",
            "--document",
            f"seed={article_path}",
            str(BASELINE),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_registered_locator_is_cited(baseline, article_path):
    registered = set(baseline.documents["seed"].sentences)
    cited = {c.split(":", 1)[1] for c in _seed_citations(baseline)}
    assert registered == cited
    assert registered <= set(sentences(article_path.read_text(encoding="utf-8")))


def test_a_changed_sentence_is_caught(baseline, article_path, tmp_path, capsys):
    text = article_path.read_text(encoding="utf-8")
    found = sentences(text)
    locator = "p3s1"
    assert locator in baseline.documents["seed"].sentences
    # change one word of that sentence, keeping every sentence boundary
    tampered = text.replace("France, which", "Spain, which", 1)
    changed = sentences(tampered)
    assert changed.keys() == found.keys()
    assert [k for k in found if found[k] != changed[k]] == [locator]
    copy = tmp_path / "tampered.txt"
    copy.write_text(tampered, encoding="utf-8")
    code = main(["sources", "check", "--document", f"seed={copy}", str(BASELINE)])
    out = capsys.readouterr().out
    assert code != 0
    flagged = set(re.findall(r"seed:(p\d+s\d+):", out))
    assert flagged == {locator}, out


# --------------------------------------------------------------------------- no copying

N_WORDS = 12


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _copied_runs(source: str, text: str, n: int = N_WORDS) -> list[str]:
    src = _words(source)
    grams = {tuple(src[i : i + n]) for i in range(len(src) - n + 1)}
    w = _words(text)
    return [" ".join(w[i : i + n]) for i in range(len(w) - n + 1) if tuple(w[i : i + n]) in grams]


def test_the_copy_detector_detects_a_copy():
    source = "one two three four five six seven eight nine ten eleven twelve thirteen"
    assert _copied_runs(
        source, "prefix ONE two three four five six seven eight nine ten eleven, twelve!"
    )
    assert not _copied_runs(source, "one two three four five six seven eight nine ten eleven")


def test_no_run_of_the_article_is_copied_into_the_repository(article_path):
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"git cannot list the repository's files: {exc}")
    source = article_path.read_text(encoding="utf-8")
    offenders = {}
    for name in filter(None, listed.split("\0")):
        path = REPO / name
        try:
            if not path.is_file() or path.stat().st_size > 5_000_000:
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
        except OSError:
            continue
        runs = _copied_runs(source, text)
        if runs:
            offenders[name] = runs[0]
    assert not offenders, f"files repeating {N_WORDS} words of the article: {offenders}"


def test_article_path_matches_the_documented_location():
    # DESIGN.md: the source text sits at ../shared/seeds relative to the repository
    assert Path(__file__).resolve().parents[2] / "shared/seeds/libya_2017_article.txt" == ARTICLE
