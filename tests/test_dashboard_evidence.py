"""Evidence page data: units, sorting, CSV export and full citations."""

from __future__ import annotations

import io

import pandas as pd

from libyasim.dashboard.evidence import (
    parameter_rows,
    rows_csv,
    sort_rows,
    source_view,
    unit_of,
)


def test_units_name_what_each_number_counts(baseline):
    assert unit_of("factions.lna.strength") == "fighters"
    assert unit_of("regions.tripoli.population") == "people"
    assert unit_of("sponsors.italy.stance.lna") == "−1 to 1"
    assert unit_of("sponsors.italy.interests.migration") == "0–1 scale"
    assert unit_of("sponsors.italy.budget.financial") == "support units a month"
    # a model coefficient shows its own description, from the parameter's definition
    assert "rho" in unit_of("parameters.support_inertia")
    rows = parameter_rows(baseline)
    assert sum(1 for r in rows if r.unit) / len(rows) > 0.95


def test_sorting_by_each_column(baseline):
    rows = parameter_rows(baseline)
    by_value = sort_rows(rows, "value", descending=True)
    assert [r.value for r in by_value] == sorted((r.value for r in rows), reverse=True)
    assert [r.path for r in sort_rows(rows, "parameter")] == sorted(r.path for r in rows)
    widths = [r.range[1] - r.range[0] for r in sort_rows(rows, "range width") if r.range]
    assert widths == sorted(widths)
    kinds = [r.kind for r in sort_rows(rows, "evidence", descending=True)]
    assert kinds == sorted(kinds, key={"source": 0, "assumption": 1, "none": 2}.get)
    assert len(sort_rows(rows, "range width")) == len(rows)


def test_csv_export_has_every_row_with_unit_evidence_and_citation(baseline):
    rows = parameter_rows(baseline)
    df = pd.read_csv(io.StringIO(rows_csv(rows, baseline)), keep_default_na=False)
    assert len(df) == len(rows)
    assert list(df.columns[:6]) == [
        "parameter",
        "value",
        "unit",
        "range_low",
        "range_high",
        "evidence",
    ]
    cited = df[df["evidence"] == "source"]
    assert len(cited) and (cited["citation"].str.contains("Haftar")).all()
    assert (df.loc[df["evidence"] != "source", "citation"] == "").all()


def test_full_citation_of_each_document(baseline):
    (doc,) = [d for d in source_view(baseline) if d.id == "seed"]
    assert doc.citation.startswith("“Analysis of European policy toward Haftar")
    assert "2017-11" in doc.citation and f"sha256:{doc.sha256}" in doc.citation
    assert doc.missing == ["author", "publisher", "url"]
    full = baseline.with_values(
        {
            "documents.seed.author": "A. Writer",
            "documents.seed.publisher": "A Think Tank",
            "documents.seed.url": "https://example.org/a",
        }
    )
    (doc,) = [d for d in source_view(full) if d.id == "seed"]
    assert doc.citation.startswith("A. Writer, “Analysis")
    assert "A Think Tank, 2017-11. https://example.org/a." in doc.citation
    assert doc.missing == []
