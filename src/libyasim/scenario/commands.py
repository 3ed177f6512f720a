"""``libyasim validate`` and ``libyasim sources``."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from .errors import ScenarioError
from .loader import InputRefused, _read_text, load_scenario, read_bounded, read_yaml
from .provenance import check_document, order, sentence_hash, sentences, sha256_text
from .quantity import LOCATOR_RE
from .schema import Scenario
from .walk import quantities, walk

HELP = argparse.ArgumentDefaultsHelpFormatter
#: a source document may be longer than a scenario file
MAX_DOCUMENT_BYTES = 20_000_000


def summarize(s: Scenario) -> str:
    """A short, readable summary of a valid scenario."""
    qs = list(quantities(s))
    evidenced = sum(1 for _, q in qs if q.source)
    assumed = sum(1 for _, q in qs if q.assumption)
    bare = len(qs) - evidenced - assumed
    records = [v for _, _, v in walk(s) if type(v).__name__ == "Evidence"]
    events = Counter(e.type for e in s.events)
    rel = s.relations
    factions = [f.id for f in s.factions]
    sponsors = [sp.id + ("" if sp.active else "*") for sp in s.sponsors]
    lines = [
        f"{s.id}: {s.title}",
        f"  {s.start} + {s.months} months, seed {s.seed}, hash {s.hash[:12]}",
        f"  {len(s.regions)} regions, {len(s.factions)} factions ({', '.join(factions)})",
        f"  {len(s.sponsors)} sponsors ({', '.join(sponsors)})",
        f"  relations: {len(rel.support)} support, {len(rel.hostility)} hostility, "
        f"{len(rel.alliance)} alliance",
        f"  events: {', '.join(f'{n} {t}' for t, n in events.items()) or 'none'}",
        f"  numbers: {len(qs)} ({evidenced} evidenced, {assumed} assumptions, {bare} bare); "
        f"{len(records)} evidence records on actors and relations",
    ]
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            s = load_scenario(path)
        except ScenarioError as exc:
            failed += 1
            print(f"{path}: INVALID", file=sys.stderr)
            print(exc, file=sys.stderr)
            continue
        print(summarize(s) if not args.quiet else f"{path}: ok")
    n = len(args.files)
    print(f"{n - failed} of {n} scenario file(s) valid", file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


def _documents(specs: list[str]) -> dict[str, str]:
    from ..cli import UsageError

    out = {}
    for spec in specs:
        if "=" not in spec:
            raise UsageError(f"--document takes ID=PATH; got {spec!r}")
        doc, path = spec.split("=", 1)
        try:
            # regular files only, read under a cap (a device or FIFO would never end)
            out[doc] = read_bounded(Path(path), MAX_DOCUMENT_BYTES).decode("utf-8")
        except InputRefused as exc:
            raise UsageError(f"cannot read document {path!r}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"document {path!r} is not UTF-8 text (byte {exc.start})") from None
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise UsageError(f"cannot read document {path!r}: {why}") from None
    return out


def cmd_sources_check(args: argparse.Namespace) -> int:
    docs = _documents(args.document)
    bad = 0
    for path in args.scenarios:
        s = load_scenario(path)
        for doc, text in docs.items():
            problems = check_document(s, doc, text)
            for p in problems:
                print(f"{path}: {p}")
            bad += len(problems)
            if not problems:
                n = len(s.documents[doc].sentences)
                print(f"{path}: {n} locator(s) into '{doc}' match their sentences")
    return 1 if bad else 0


def _cited(node: object, out: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "source" and isinstance(v, str) and LOCATOR_RE.match(v):
                out.add(v)
            else:
                _cited(v, out)
    elif isinstance(node, list):
        for v in node:
            _cited(v, out)


def cmd_sources_stamp(args: argparse.Namespace) -> int:
    from ruamel.yaml import YAML

    from ..cli import UsageError

    docs = _documents(args.document)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # rewrite only the documents: block; never re-wrap the author's lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    loaded = {}
    cited: set[str] = set()
    for name in args.scenarios:
        path = Path(name)
        data, _node = read_yaml(_read_text(path, str(path)), str(path))
        _cited(data, cited)
        loaded[path] = data
    for doc, text in docs.items():
        found = sentences(text)
        mine = sorted({c.split(":", 1)[1] for c in cited if c.startswith(doc + ":")}, key=order)
        missing = [c for c in mine if c not in found]
        if missing:
            raise UsageError(f"locators not in document '{doc}': {', '.join(missing)}")
        hashes = {loc: sentence_hash(found[loc]) for loc in mine}
        owners = [p for p, d in loaded.items() if doc in (d.get("documents") or {})]
        if not owners:
            raise UsageError(
                f"none of the files registers document '{doc}' (add it under documents:)"
            )
        for path in owners:
            data = yaml.load(path.read_text(encoding="utf-8"))
            data["documents"][doc]["sha256"] = sha256_text(text)
            data["documents"][doc]["sentences"] = hashes
            with path.open("w", encoding="utf-8") as fh:
                yaml.dump(data, fh)
            print(f"{path}: registered {len(hashes)} locator(s) into '{doc}'")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check scenario files and summarise them",
        formatter_class=HELP,
        description="Validate scenario files. Prints a summary of each good file; for a bad "
        "one, every problem as file:line path: message. Exit 1 if any is bad.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files")
    p.add_argument("-q", "--quiet", action="store_true", help="one line per file")
    p.set_defaults(func=cmd_validate)

    src = sub.add_parser(
        "sources",
        help="check or stamp evidence locators against source documents",
        formatter_class=HELP,
    )
    ssub = src.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    c = ssub.add_parser(
        "check",
        formatter_class=HELP,
        help="report locators that no longer point at the sentence they were written for",
    )
    c.add_argument(
        "--document",
        action="append",
        required=True,
        metavar="ID=PATH",
        help="a registered document and the path of its text (repeatable)",
    )
    c.add_argument(
        "scenarios",
        nargs="*",
        default=["scenarios/baseline_2017.yaml"],
        metavar="SCENARIO",
        help="scenario files whose registry to check",
    )
    c.set_defaults(func=cmd_sources_check)
    st = ssub.add_parser(
        "stamp",
        formatter_class=HELP,
        help="record the sha256 of every sentence the scenarios cite "
        "(rewrites the documents: block)",
    )
    st.add_argument(
        "--document",
        action="append",
        required=True,
        metavar="ID=PATH",
        help="a registered document and the path of its text (repeatable)",
    )
    st.add_argument(
        "scenarios",
        nargs="+",
        metavar="SCENARIO",
        help="every scenario file whose citations to register; "
        "the file(s) that define the document are rewritten",
    )
    st.set_defaults(func=cmd_sources_stamp)
