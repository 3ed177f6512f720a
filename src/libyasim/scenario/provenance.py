"""Source documents and locators (DESIGN.md §5).

A locator ``seed:p3s1`` names paragraph 3, sentence 1 of the document
registered as ``seed``. Paragraphs are separated by blank lines; sentences
end with ``.``, ``!`` or ``?`` (optionally followed by a closing quote or
bracket) before white space and a capital letter. The registry keeps the
sha256 of each located sentence (whitespace normalised), so a check can prove
that a locator still points at the sentence it was written for. The project
ships no copy of the source text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .quantity import LOCATOR_RE
from .schema import Scenario
from .walk import evidence_records

_PARA = re.compile(r"\n\s*\n")
_SENT = re.compile(r"(?<=[.!?])(?:[\"”’)])?\s+(?=[A-Z\"“‘(])")


def sentences(text: str) -> dict[str, str]:
    """``{"p1s1": sentence, ...}`` for a document's text."""
    out = {}
    paras = [p for p in _PARA.split(text) if p.strip()]
    for i, para in enumerate(paras, 1):
        for j, sentence in enumerate(_SENT.split(" ".join(para.split())), 1):
            out[f"p{i}s{j}"] = sentence
    return out


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sentence_hash(sentence: str) -> str:
    return sha256_text(" ".join(sentence.split()))


def used_locators(scenario: Scenario) -> dict[str, set[str]]:
    """``{document: {"p1s1", ...}}`` for every locator the scenario cites."""
    used: dict[str, set[str]] = {}
    for _loc, _path, rec in evidence_records(scenario):
        m = LOCATOR_RE.match(rec.source or "")
        if m:
            used.setdefault(m.group("doc"), set()).add(m.group(0).split(":", 1)[1])
    return used


@dataclass(frozen=True)
class Mismatch:
    document: str
    locator: str
    reason: str

    def __str__(self) -> str:
        return f"{self.document}:{self.locator}: {self.reason}"


def check_document(scenario: Scenario, doc_id: str, text: str) -> list[Mismatch]:
    """Every registered or cited locator of ``doc_id`` that no longer matches ``text``."""
    if doc_id not in scenario.documents:
        return [
            Mismatch(
                doc_id, "-", f"no document '{doc_id}' is registered in scenario '{scenario.id}'"
            )
        ]
    doc = scenario.documents[doc_id]
    found = sentences(text)
    problems = []
    if sha256_text(text) != doc.sha256:
        problems.append(
            Mismatch(
                doc_id,
                "-",
                "the document's text has changed since it was registered (sha256 differs)",
            )
        )
    cited = used_locators(scenario).get(doc_id, set())
    for loc in sorted(set(doc.sentences) | cited, key=order):
        if loc not in found:
            problems.append(Mismatch(doc_id, loc, "no such sentence in the document"))
        elif loc not in doc.sentences:
            problems.append(
                Mismatch(doc_id, loc, "cited but not registered (run 'libyasim sources stamp')")
            )
        elif sentence_hash(found[loc]) != doc.sentences[loc]:
            problems.append(
                Mismatch(
                    doc_id, loc, "the sentence at this locator is not the one it was written for"
                )
            )
    return problems


def order(loc: str) -> tuple[int, int]:
    m = re.match(r"p(\d+)s(\d+)", loc)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def read_document(path: str | Path) -> str:
    return Path(path).read_text(encoding="utf-8")
