"""Load scenario files: safe YAML with line numbers, ``extends``, validation.

One entry point, :func:`load_scenario`, turns a YAML file into a frozen
:class:`~libyasim.scenario.schema.Scenario` or raises one
:class:`~libyasim.scenario.errors.ScenarioError` listing every problem with
its file, line and field path.

``extends: other.yaml`` inherits everything from another file; the variant
states only what differs. Mappings merge key by key; lists of records merge
by identity (``id``, or ``from``/``to`` for support edges, ``between`` for
hostilities and alliances), so a variant can change one faction's strength
by naming only that faction; a record with ``remove: true`` deletes the
inherited one; records without an identity are appended; other lists replace.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import io
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import Problem, ScenarioError
from .schema import Scenario

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_EXTENDS_DEPTH = 20


@dataclass
class Node:
    """Where a value was written: file and line, and the same for its children."""

    file: str
    line: int | None
    kids: dict[str, Node] | list[Node] = field(default_factory=dict)


# --------------------------------------------------------------------------- YAML


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _plain(obj: Any, file: str, line: int | None, counter: list[int], problems: list[Problem],
           path: str) -> tuple[Any, Node]:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _TooLarge()
    if isinstance(obj, CommentedMap):
        out: dict[str, Any] = {}
        kids: dict[str, Node] = {}
        for key in obj:
            kline = obj.lc.key(key)[0] + 1 if obj.lc.data and key in obj.lc.data else line
            if not isinstance(key, str):
                problems.append(Problem(file, kline, path, f"keys must be text; got {key!r}"))
                continue
            vline = obj.lc.value(key)[0] + 1 if obj.lc.data and key in obj.lc.data else kline
            sub = f"{path}.{key}" if path else key
            out[key], kids[key] = _plain(obj[key], file, kline if not isinstance(obj[key], (CommentedMap, CommentedSeq)) else vline, counter, problems, sub)
            kids[key].line = kline
        return out, Node(file, line, kids)
    if isinstance(obj, CommentedSeq):
        items, nodes = [], []
        for i, value in enumerate(obj):
            iline = obj.lc.item(i)[0] + 1 if obj.lc.data and i < len(obj.lc.data) else line
            v, n = _plain(value, file, iline, counter, problems, f"{path}[{i}]")
            items.append(v)
            nodes.append(n)
        return items, Node(file, line, nodes)
    if isinstance(obj, bool) or obj is None:
        return obj, Node(file, line)
    if isinstance(obj, int):
        return int(obj), Node(file, line)
    if isinstance(obj, float):
        return float(obj), Node(file, line)
    if isinstance(obj, str):
        return str(obj), Node(file, line)
    # dates, tagged scalars and anything else YAML can spell
    problems.append(Problem(file, line, path, f"expected a number, text, list or mapping; got {type(obj).__name__} {obj!s:.40}"
                            + (" (write months as \"YYYY-MM\")" if type(obj).__name__ in ("date", "datetime") else "")))
    return None, Node(file, line)


class _TooLarge(Exception):
    pass


def read_yaml(text: str, file: str) -> tuple[Any, Node]:
    """Parse YAML text safely (no tags execute) into plain data and locations."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(file, None, "", f"file is larger than {MAX_FILE_BYTES // 1000} kB; refused")])
    yaml = YAML(typ="rt", pure=True)
    try:
        raw = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise ScenarioError([Problem(file, line, "", f"not valid YAML: {msg}")]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(file, None, "", f"not valid YAML: {exc}")]) from None
    if not isinstance(raw, CommentedMap):
        raise ScenarioError([Problem(file, 1, "", f"a scenario must be a YAML mapping; got {type(raw).__name__}")])
    problems: list[Problem] = []
    try:
        data, node = _plain(raw, file, 1, [0], problems, "")
    except _TooLarge:
        raise ScenarioError([Problem(file, None, "", f"more than {MAX_NODES} values (aliases expand); refused")]) from None
    if problems:
        raise ScenarioError(problems)
    return data, node


# --------------------------------------------------------------------------- extends


def item_key(item: Any) -> str | None:
    """The identity of a record in a list, used to merge and to address it."""
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("id"), str):
        return item["id"]
    if isinstance(item.get("from"), str) and isinstance(item.get("to"), str):
        key = f"{item['from']}>{item['to']}"
        return f"{key}:{item['channel']}" if isinstance(item.get("channel"), str) else key
    between = item.get("between")
    if isinstance(between, list) and all(isinstance(x, str) for x in between):
        return "~".join(sorted(between))
    return None


def _merge(base: Any, bnode: Node, over: Any, onode: Node) -> tuple[Any, Node]:
    if isinstance(base, dict) and isinstance(over, dict):
        out, kids = dict(base), dict(bnode.kids) if isinstance(bnode.kids, dict) else {}
        okids = onode.kids if isinstance(onode.kids, dict) else {}
        for k, v in over.items():
            if k in out:
                out[k], kids[k] = _merge(out[k], kids.get(k, bnode), v, okids.get(k, onode))
            else:
                out[k], kids[k] = v, okids.get(k, onode)
        return out, Node(bnode.file, bnode.line, kids)
    if (isinstance(base, list) and isinstance(over, list) and over
            and all(isinstance(x, dict) for x in base + over)):
        items = list(base)
        nodes = list(bnode.kids) if isinstance(bnode.kids, list) else [bnode] * len(base)
        onodes = onode.kids if isinstance(onode.kids, list) else [onode] * len(over)
        for v, n in zip(over, onodes, strict=False):
            key = item_key(v)
            at = next((i for i, x in enumerate(items) if key is not None and item_key(x) == key), None)
            if v.get("remove") is True:
                if at is not None:
                    del items[at], nodes[at]
                continue
            if at is None:
                items.append(v)
                nodes.append(n)
            else:
                items[at], nodes[at] = _merge(items[at], nodes[at], v, n)
        return items, Node(onode.file, onode.line, nodes)
    return over, onode


def _resolve(path: Path, chain: list[Path], text: str | None = None,
             search_dirs: list[Path] | None = None) -> tuple[dict, Node]:
    shown = _display(path)
    if text is None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ScenarioError([Problem(shown, None, "", f"file is larger than {MAX_FILE_BYTES // 1000} kB; refused")])
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ScenarioError([Problem(shown, None, "", "no such file")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError([Problem(shown, None, "", f"cannot read: {exc}")]) from None
    data, node = read_yaml(text, shown)
    parent = data.pop("extends", None)
    pnode = node.kids.pop("extends", None) if isinstance(node.kids, dict) else None
    if parent is None:
        return data, node
    pline = pnode.line if pnode else None
    if not isinstance(parent, str):
        raise ScenarioError([Problem(shown, pline, "extends", f"must be a file name; got {parent!r}")])
    target = (path.parent / parent).resolve()
    if search_dirs is not None and not any(target.is_relative_to(d.resolve()) for d in search_dirs):
        raise ScenarioError([Problem(shown, pline, "extends", f"may only name a shipped scenario; got {parent!r}")])
    if target in chain or target == path.resolve():
        cycle = " -> ".join(_display(p) for p in [*chain, path.resolve(), target])
        raise ScenarioError([Problem(shown, pline, "extends", f"extends cycle: {cycle}")])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError([Problem(shown, pline, "extends", f"more than {MAX_EXTENDS_DEPTH} levels of extends")])
    if not target.exists():
        raise ScenarioError([Problem(shown, pline, "extends", f"no such file {parent!r}")])
    base, bnode = _resolve(target, [*chain, path.resolve()], search_dirs=search_dirs)
    return _merge(base, bnode, data, node)


# --------------------------------------------------------------------------- errors


def _field_names(annotation: Any) -> set[str]:
    names: set[str] = set()
    for arg in typing.get_args(annotation) or (annotation,):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            names |= {f.alias or n for n, f in arg.model_fields.items()}
        elif typing.get_args(arg):
            names |= _field_names(arg)
    return names


def _expected_keys(loc: tuple) -> set[str]:
    """Field names allowed at a pydantic error location (for 'did you mean')."""
    ann: Any = Scenario
    for part in loc[:-1]:
        while typing.get_origin(ann) is typing.Annotated:
            ann = typing.get_args(ann)[0]
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if isinstance(part, str) and part in ann.model_fields:
                ann = ann.model_fields[part].annotation
            continue
        args = typing.get_args(ann)
        if typing.get_origin(ann) in (list, tuple) and isinstance(part, int):
            ann = args[0]
        elif typing.get_origin(ann) is dict:
            ann = args[1]
        else:  # a union: pick the member named by the tag, if any
            flat = [a for a in _flatten(ann) if isinstance(a, type) and issubclass(a, BaseModel)]
            tagged = [a for a in flat if part in str(a.model_fields.get("type", "")) or a.__name__ == part]
            ann = tagged[0] if tagged else (flat[0] if flat else ann)
    return _field_names(ann)


def _flatten(ann: Any) -> list[Any]:
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    args = typing.get_args(ann)
    if not args:
        return [ann]
    return [x for a in args for x in _flatten(a)]


def _walk(data: Any, node: Node, loc: tuple) -> tuple[str, int | None, tuple]:
    """Follow a pydantic location through data and locations; returns the
    readable path, the line, and the loc parts that exist in the data."""
    path, line, used = "", node.line, []
    for part in loc:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data = data[part]
            node = node.kids[part] if isinstance(node.kids, list) and part < len(node.kids) else node
            path += f"[{part}]"
        elif isinstance(part, str) and isinstance(data, dict) and part in data:
            data = data[part]
            node = node.kids.get(part, node) if isinstance(node.kids, dict) else node
            path += f".{part}" if path else part
        elif part == "[key]":
            continue
        else:
            if isinstance(data, dict) and isinstance(part, str) and part in ("value",):
                path += f".{part}"
            continue  # a union tag or a missing field: keep the parent's line
        used.append(part)
        line = node.line
    return path, line, tuple(used)


def _describe(err: dict, loc: tuple) -> str:
    kind, got, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = loc[-1]
        close = difflib.get_close_matches(str(key), sorted(_expected_keys(loc)), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{key}'{hint}"
    if kind == "missing":
        return "required; missing"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sym = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()))
        return f"must be {sym} {bound}; got {got!r}"
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        bad = loc[-2] if len(loc) > 1 and loc[-1] == "[key]" else got
        options = [o.strip(" '") for o in str(expected).replace(" or ", ",").split(",") if o.strip(" '")]
        close = difflib.get_close_matches(str(bad), options, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        what = "unknown key" if loc and loc[-1] == "[key]" else "must be one of"
        if what == "unknown key":
            return f"unknown key {bad!r}{hint}; expected one of {expected}"
        return f"must be one of {expected}; got {bad!r}{hint}"
    if kind == "union_tag_invalid":
        return f"unknown event type {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "needs a 'type' (ceasefire, election, summit, recognition, support_change, sponsor_entry, sponsor_exit, attack, icc_warrant, arms_embargo)"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if "\\d{4}" in pattern:
            return f"must be a month \"YYYY-MM\"; got {got!r}"
        return f"must be a lower-case identifier (letters, digits, _); got {got!r}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{err['msg'][0].lower()}{err['msg'][1:]}; got {got!r:.60}"
    return f"{err['msg']}; got {got!r:.60}"


def _problems_from(exc: ValidationError, data: dict, node: Node) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path, line, _ = _walk(data, node, loc)
        if err["type"] in ("extra_forbidden", "missing") and loc:
            key = loc[-1]
            if not path.endswith(str(key)):
                path = f"{path}.{key}" if path else str(key)
        problems.append(Problem(node.file if line is None else _file_at(data, node, loc), line, path, _describe(err, loc)))
    return _dedupe(problems)


def _file_at(data: Any, node: Node, loc: tuple) -> str:
    for part in loc:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data, node = data[part], (node.kids[part] if isinstance(node.kids, list) and part < len(node.kids) else node)
        elif isinstance(part, str) and isinstance(data, dict) and part in data:
            data, node = data[part], (node.kids.get(part, node) if isinstance(node.kids, dict) else node)
    return node.file


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if (p.line, p.path, p.message) not in seen:
            seen.add((p.line, p.path, p.message))
            out.append(p)
    return out


def locate(data: dict, node: Node, loc: tuple) -> Problem:
    path, line, _ = _walk(data, node, loc)
    return Problem(_file_at(data, node, loc), line, path, "")


# --------------------------------------------------------------------------- public API


def _build(data: dict, node: Node, origin: Path | None) -> Scenario:
    from .references import reference_problems  # circular-safe

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_problems_from(exc, data, node)) from None
    problems = []
    for loc, message in reference_problems(scenario):
        where = locate(data, node, loc)
        problems.append(Problem(where.file, where.line, where.path, message))
    if problems:
        raise ScenarioError(_dedupe(problems))
    scenario._attach(data, origin)
    return scenario


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, resolve ``extends``, validate; apply ``{path: value}`` overrides.

    >>> s = load_scenario("scenarios/baseline_2017.yaml")  # doctest: +SKIP
    >>> s.faction("lna").strength.value  # doctest: +SKIP
    """
    path = Path(path)
    data, node = _resolve(path, [])
    if overrides:
        data = copy.deepcopy(data)
        problems = []
        for key, value in overrides.items():
            try:
                set_value(data, key, value)
            except KeyError as exc:
                problems.append(Problem(_display(path), None, key, str(exc.args[0])))
        if problems:
            raise ScenarioError(problems)
    return _build(data, node, path)


def parse_scenario(text: str, name: str = "<upload>", base_dir: str | Path | None = None,
                   restrict_extends: bool = True) -> Scenario:
    """Validate scenario text (an upload or an edit); ``extends`` resolves in ``base_dir``."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    fake = base / Path(name).name
    data, node = _resolve(fake, [], text=text, search_dirs=[base] if restrict_extends else None)
    return _build(data, node, None)


def from_dict(data: dict, name: str = "<dict>") -> Scenario:
    """Validate an already-resolved scenario mapping (e.g. with overrides applied)."""
    return _build(copy.deepcopy(data), Node(name, None), None)


# --------------------------------------------------------------------------- paths


def _split(path: str) -> list[str]:
    return [p for p in path.split(".") if p]


def _child(container: Any, part: str, full: str) -> Any:
    if isinstance(container, dict):
        if part not in container:
            raise KeyError(f"no field {part!r} in {full!r}")
        return container[part]
    if isinstance(container, list):
        for item in container:
            if item_key(item) == part:
                return item
        if part.isdigit() and int(part) < len(container):
            return container[int(part)]
        keys = [item_key(i) for i in container]
        close = difflib.get_close_matches(part, [k for k in keys if k], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise KeyError(f"no item {part!r} in {full!r}{hint}")
    raise KeyError(f"{full!r} goes below a plain value at {part!r}")


def get_value(data: dict, path: str) -> Any:
    """The value at a dotted path (``factions.lna.strength``) of resolved data."""
    node: Any = data
    for part in _split(path):
        node = _child(node, part, path)
    if isinstance(node, dict) and "value" in node:
        return node["value"]
    return node


def set_value(data: dict, path: str, value: Any) -> None:
    """Set the value at a dotted path in place; a record keeps its evidence."""
    parts = _split(path)
    if not parts:
        raise KeyError("empty path")
    parent: Any = data
    for part in parts[:-1]:
        if isinstance(parent, dict) and part not in parent:
            parent[part] = {}  # a section the file left at its defaults
        parent = _child(parent, part, path)
    last = parts[-1]
    if isinstance(parent, dict):
        current = parent.get(last)
        if isinstance(current, dict) and "value" in current and not isinstance(value, dict):
            current["value"] = value
            rng = current.get("range")
            if isinstance(rng, list) and len(rng) == 2 and isinstance(value, (int, float)):
                current["range"] = [min(rng[0], value), max(rng[1], value)]
        else:  # a field the file left at its default; validation catches typos
            parent[last] = value
    else:
        target = _child(parent, last, path)
        if isinstance(target, dict) and "value" in target:
            target["value"] = value
        else:
            raise KeyError(f"cannot set {path!r}")


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
