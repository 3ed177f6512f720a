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
inherited one (naming a record that is not inherited is an error); records
without an identity are appended; other lists replace. A bare number written
over an inherited number record replaces the whole record: the variant fixes
that value (no range, so ensembles do not sample it away); to change only the
value and keep the evidence, write ``{value: ...}``.
"""

from __future__ import annotations

import copy
import difflib
import errno
import functools
import hashlib
import io
import json
import numbers
import os
import pickle
import re
import stat
import sys
import time
import types
import typing
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError

from .errors import Problem, ScenarioError, ScenarioWarning
from .schema import Scenario

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_EXTENDS_DEPTH = 20
MAX_FLOW_DEPTH = 100
MAX_NAME_BYTES = 255  # one part of a file name (Linux NAME_MAX)
MAX_PATH_BYTES = 4095  # a whole file name (Linux PATH_MAX - 1)
READ_SECONDS = 10.0  # wall-clock cap on reading one file
PARSE_SECONDS = 30.0  # wall-clock cap on parsing one file
SCENARIO_SUFFIXES = (".yaml", ".yml")
_BRACKETS = re.compile(r"[\[\]{}]")


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
    except (ValueError, RuntimeError, OSError):  # elsewhere, a symlink loop, a bad name
        return str(path).replace("\x00", "\\0")


_STANDARD_TAGS = {
    None,
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:str",
}


def _tag(obj: Any) -> str | None:
    """The explicit YAML tag written on a value (``!!python/object:...``), if not a standard one."""
    tag = getattr(getattr(obj, "tag", None), "value", None)
    if tag in _STANDARD_TAGS:
        return None
    return str(tag).replace("tag:yaml.org,2002:", "!!")


def _kind(obj: Any) -> str:
    """A reader's name for the type of a parsed YAML value."""
    if obj is None:
        return "nothing (null)"
    if isinstance(obj, bool):
        return f"{str(obj).lower()} (true/false)"
    if isinstance(obj, dict):
        return "a mapping"
    if isinstance(obj, (list, tuple)):
        return "a list"
    if isinstance(obj, str):
        return f"text {obj!r:.60}"
    if isinstance(obj, (int, float)):
        return f"the number {obj!r}"
    return type(obj).__name__


def _plain(
    obj: Any, file: str, line: int | None, counter: list, problems: list[Problem], path: str
) -> tuple[Any, Node]:
    """Plain Python data (dict, list, str, int, float, bool, None) and its locations."""
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _TooLarge()
    if counter[0] % 1000 == 0 and time.monotonic() > counter[1]:
        raise _TooSlow()
    tag = _tag(obj)
    if tag is not None:
        problems.append(
            Problem(
                file,
                line,
                path,
                f"YAML tags are not allowed in a scenario (nothing in it "
                f"is executed or constructed); got {tag!r}",
            )
        )
        return None, Node(file, line)
    if isinstance(obj, CommentedMap):
        out: dict[str, Any] = {}
        kids: dict[str, Node] = {}
        for key in obj:
            kline = obj.lc.key(key)[0] + 1 if obj.lc.data and key in obj.lc.data else line
            sub = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                problems.append(Problem(file, kline, sub, f"keys must be text; got {_kind(key)}"))
                continue
            if _lone_surrogate(key):
                problems.append(Problem(file, kline, path, f"a key's {_SURROGATE}"))
                continue
            value = obj[key]
            vline = obj.lc.value(key)[0] + 1 if obj.lc.data and key in obj.lc.data else kline
            nested = isinstance(value, (CommentedMap, CommentedSeq))
            out[key], kids[key] = _plain(
                value, file, vline if nested else kline, counter, problems, sub
            )
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
    if isinstance(obj, TaggedScalar):  # only !!str gets here
        obj = str(obj.value)
    if isinstance(obj, str):
        if _lone_surrogate(obj):
            problems.append(Problem(file, line, path, _SURROGATE))
            return None, Node(file, line)
        return str(obj), Node(file, line)
    # dates, binary, sets and anything else YAML can spell
    hint = (
        ' (write months as "YYYY-MM", in quotes)'
        if type(obj).__name__ in ("date", "datetime")
        else ""
    )
    problems.append(
        Problem(
            file,
            line,
            path,
            f"expected a number, text, list or mapping; got {type(obj).__name__} {obj!s:.40}{hint}",
        )
    )
    return None, Node(file, line)


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


def _lone_surrogate(text: str) -> bool:
    """Whether text holds a lone surrogate (``"\\ud800"``): not Unicode, not UTF-8 writable."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_SURROGATE = (
    'text holds a lone surrogate (an escape like "\\ud800" that is not a whole '
    "Unicode character); refused"
)


def _too_big(file: str, size: int) -> ScenarioError:
    return ScenarioError(
        [
            Problem(
                file,
                None,
                "",
                f"file is {size // 1000} kB, larger than the limit of "
                f"{MAX_FILE_BYTES // 1000} kB; refused",
            )
        ]
    )


def _flow_depth(text: str) -> int:
    """How deep ``[`` and ``{`` nest (a cheap guard: the YAML parser recurses, slowly)."""
    depth = deepest = 0
    for ch in _BRACKETS.findall(text):
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


# Parsed files by (name, sha256 of text), pickled: the pure-Python YAML parser
# is the slow part of loading (~0.25 s for the baseline), and every variant
# re-reads its parent. A pickle round trip is a cheap deep copy (~0.01 s).
_PARSED: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_PARSED_MAX = 64


def read_yaml(text: str, file: str) -> tuple[Any, Node]:
    """Parse YAML text safely (no tags execute) into plain data and locations."""
    raw = text.encode("utf-8", errors="replace")
    if len(raw) > MAX_FILE_BYTES:
        raise _too_big(file, len(raw))
    key = (file, hashlib.sha256(raw).hexdigest())
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return pickle.loads(_PARSED[key])
    data, node = _parse_yaml(text, file)
    _PARSED[key] = pickle.dumps((data, node), protocol=pickle.HIGHEST_PROTOCOL)
    if len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)
    return data, node


def _parse_yaml(text: str, file: str) -> tuple[Any, Node]:
    depth = _flow_depth(text)
    if depth > MAX_FLOW_DEPTH:
        raise ScenarioError(
            [
                Problem(
                    file,
                    None,
                    "",
                    f"brackets nested {depth} deep (more than "
                    f"{MAX_FLOW_DEPTH}); lists or mappings nested too deeply; refused",
                )
            ]
        )
    yaml = YAML(typ="rt", pure=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ReusedAnchorWarning)
            raw = yaml.load(io.StringIO(text))
    except ReusedAnchorWarning as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ScenarioError(
            [Problem(file, line, "", "not valid YAML: an anchor (&name) is defined twice")]
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = "; ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise ScenarioError([Problem(file, line, "", f"not valid YAML: {msg}")]) from None
    except YAMLError as exc:
        raise ScenarioError([Problem(file, None, "", f"not valid YAML: {exc}")]) from None
    except RecursionError:
        raise ScenarioError(
            [Problem(file, None, "", "lists or mappings nested too deeply; refused")]
        ) from None
    except ValueError as exc:  # ruamel's int(): more than sys.get_int_max_str_digits() digits
        what = (
            f"a number with more than {sys.get_int_max_str_digits()} digits"
            if "digits" in str(exc)
            else "a value that cannot be read"
        )
        raise ScenarioError([Problem(file, None, "", f"not valid YAML: {what}; refused")]) from None
    if not isinstance(raw, CommentedMap):
        # never echo the text: this may be any file (extends: /etc/shadow)
        what = (
            "an empty file"
            if raw is None
            else "a list"
            if isinstance(raw, list)
            else "text"
            if isinstance(raw, str)
            else "a single value"
        )
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    "",
                    "a scenario must be a YAML mapping (key: value lines, "
                    f"starting with 'id:'); got {what}",
                )
            ]
        )
    problems: list[Problem] = []
    try:
        data, node = _plain(raw, file, 1, [0, time.monotonic() + PARSE_SECONDS], problems, "")
    except _TooLarge:
        raise ScenarioError(
            [
                Problem(
                    file,
                    None,
                    "",
                    f"more than {MAX_NODES} values once aliases are expanded; refused",
                )
            ]
        ) from None
    except _TooSlow:
        raise ScenarioError(
            [Problem(file, None, "", f"not read within {PARSE_SECONDS:g} s; refused")]
        ) from None
    except RecursionError:
        raise ScenarioError(
            [
                Problem(
                    file,
                    None,
                    "",
                    "lists or mappings nested too deeply (or an alias "
                    "that contains itself); refused",
                )
            ]
        ) from None
    if problems:
        raise ScenarioError(problems)
    return data, node


def read_value(text: str, where: str) -> Any:
    """A value typed on a command line or in a form (``--set PATH=VALUE``), read as YAML
    would read it (``0.3`` a number, ``true`` a boolean, ``[a, b]`` a list) under the
    same limits as a scenario file: size, nesting, values once aliases are expanded,
    a wall-clock cap; tags and lone surrogates refused. Text that is not valid YAML is
    taken as text. Raises :class:`ScenarioError` (located at ``where``) past a limit.
    """

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(where, None, "", message)])

    if not isinstance(text, str):
        raise refuse(f"expected text; got {_kind(text)}")
    if _lone_surrogate(text):
        raise refuse(_SURROGATE)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise refuse(f"larger than the limit of {MAX_FILE_BYTES // 1000} kB; refused")
    depth = _flow_depth(text)
    if depth > MAX_FLOW_DEPTH:
        raise refuse(f"brackets nested {depth} deep (more than {MAX_FLOW_DEPTH}); refused")
    yaml = YAML(typ="rt", pure=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ReusedAnchorWarning)
            raw = yaml.load(io.StringIO(text))
    except RecursionError:
        raise refuse("nested too deeply; refused") from None
    except ValueError as exc:
        if "digits" in str(exc):
            raise refuse(
                f"a number with more than {sys.get_int_max_str_digits()} digits; refused"
            ) from None
        return text
    except (YAMLError, ReusedAnchorWarning):
        return text
    if raw is None:
        return text
    problems: list[Problem] = []
    try:
        value, _node = _plain(raw, where, None, [0, time.monotonic() + PARSE_SECONDS], problems, "")
    except _TooLarge:
        raise refuse(f"more than {MAX_NODES} values once aliases are expanded; refused") from None
    except _TooSlow:
        raise refuse(f"not read within {PARSE_SECONDS:g} s; refused") from None
    except RecursionError:
        raise refuse("nested too deeply (or an alias that contains itself); refused") from None
    if problems:
        raise ScenarioError(problems)
    return value


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


def _merge(
    base: Any, bnode: Node, over: Any, onode: Node, problems: list[Problem], path: str = ""
) -> tuple[Any, Node]:
    """``over`` (a variant) merged onto ``base`` (its parent), with locations.

    A record with ``remove: true`` that names no inherited record is a
    problem (a typo would otherwise silently keep the record)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out, kids = dict(base), dict(bnode.kids) if isinstance(bnode.kids, dict) else {}
        okids = onode.kids if isinstance(onode.kids, dict) else {}
        for k, v in over.items():
            sub = f"{path}.{k}" if path else k
            if k in out:
                out[k], kids[k] = _merge(
                    out[k], kids.get(k, bnode), v, okids.get(k, onode), problems, sub
                )
            else:
                out[k], kids[k] = v, okids.get(k, onode)
        # a problem with the merged record as a whole points at the variant that changed it
        return out, Node(onode.file, onode.line, kids)
    if (
        isinstance(base, list)
        and isinstance(over, list)
        and over
        and all(isinstance(x, dict) for x in base + over)
    ):
        items = list(base)
        nodes = list(bnode.kids) if isinstance(bnode.kids, list) else [bnode] * len(base)
        onodes = onode.kids if isinstance(onode.kids, list) else [onode] * len(over)
        given: dict[str, int] = {}
        for i, (v, n) in enumerate(zip(over, onodes, strict=False)):
            key = item_key(v)
            if key is not None and key in given:
                problems.append(
                    Problem(
                        n.file,
                        n.line,
                        f"{path}[{i}]",
                        f"'{key}' is given twice in this file (also {path}[{given[key]}]); "
                        "the second would silently win: give it once",
                    )
                )
                continue
            if key is not None:
                given[key] = i
            at = next(
                (j for j, x in enumerate(items) if key is not None and item_key(x) == key), None
            )
            if "remove" in v:
                rline = (
                    n.kids["remove"].line
                    if isinstance(n.kids, dict) and "remove" in n.kids
                    else n.line
                )
                flag = v["remove"]
                v = {k: x for k, x in v.items() if k != "remove"}
                if flag is not True and flag is not False:
                    problems.append(
                        Problem(
                            n.file,
                            rline,
                            f"{path}[{i}].remove",
                            f"must be true or false; got {_kind(flag)}",
                        )
                    )
                    continue
                if flag:
                    if key is None:
                        problems.append(
                            Problem(
                                n.file,
                                rline,
                                f"{path}[{i}].remove",
                                "'remove: true' needs the record's identity ('id', 'from' and "
                                "'to', or 'between') to know which inherited record to drop",
                            )
                        )
                    elif at is None:
                        known = [k for k in (item_key(x) for x in items) if k]
                        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                        hint = f" (did you mean '{close[0]}'?)" if close else ""
                        problems.append(
                            Problem(
                                n.file,
                                rline,
                                f"{path}[{i}].remove",
                                f"no inherited record '{key}' to remove{hint}",
                            )
                        )
                    else:
                        del items[at], nodes[at]
                    continue
            if at is None:
                items.append(v)
                nodes.append(n)
            else:
                items[at], nodes[at] = _merge(items[at], nodes[at], v, n, problems, f"{path}[{i}]")
        return items, Node(onode.file, onode.line, nodes)
    return over, onode


def _name_problem(name: str) -> str | None:
    """Why a file name cannot name a file (a NUL, a part longer than the system allows)."""
    if "\x00" in name:
        return "a file name cannot contain a NUL character"
    if len(name.encode("utf-8", errors="surrogatepass")) > MAX_PATH_BYTES:
        return f"file name longer than {MAX_PATH_BYTES} bytes"
    for part in name.split("/"):
        if len(part.encode("utf-8", errors="surrogatepass")) > MAX_NAME_BYTES:
            return f"a part of the file name is longer than {MAX_NAME_BYTES} bytes"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid Unicode (a lone surrogate)"
    return None


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES, seconds: float = READ_SECONDS) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them, read within ``seconds``.

    Devices (``/dev/zero``), FIFOs and sockets are refused before reading (a FIFO is
    opened without blocking); the size is counted while reading, not trusted from
    ``stat``. Raises :class:`InputRefused` (a plain reason) or ``OSError``.
    """
    bad = _name_problem(str(path))
    if bad:
        raise InputRefused(bad)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputRefused("is a directory, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused(
                "is not a regular file (a device, FIFO or socket); only files are read; refused"
            )
        if info.st_size > limit:
            raise InputRefused(
                f"file is {info.st_size // 1000} kB, larger than the limit of "
                f"{limit // 1000} kB; refused"
            )
        deadline = time.monotonic() + seconds
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise InputRefused(f"file is larger than the limit of {limit // 1000} kB; refused")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise InputRefused(f"could not be read within {seconds:g} s; refused")
        return b"".join(chunks)
    finally:
        os.close(fd)


class InputRefused(Exception):
    """A file refused before or while reading it (too big, not a regular file, too slow)."""


def _read_text(path: Path, shown: str) -> str:
    """A scenario file's text, or a ScenarioError saying plainly why it cannot be read."""

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError([Problem(shown, line, "", message)])

    try:
        raw = read_bounded(path)
    except InputRefused as exc:
        raise fail(str(exc)) from None
    except FileNotFoundError:
        raise fail("no such file") from None
    except PermissionError:
        raise fail("cannot read: permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise fail("cannot read: a loop of symbolic links") from None
        raise fail(f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:  # a name the system cannot take
        raise fail(f"cannot read: {exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded); save the file as "
            "UTF-8",
            line,
        ) from None


def _refuse_non_scenario(data: dict, shown: str) -> None:
    """A mapping none of whose keys is (close to) a scenario field is some other file:
    say so without echoing its keys (``extends: /etc/shadow`` must not print it)."""
    known = set(_fields(Scenario)) | {"extends"}
    if not any(k in known or difflib.get_close_matches(k, known, n=1, cutoff=0.75) for k in data):
        raise ScenarioError(
            [
                Problem(
                    shown,
                    1,
                    "",
                    "not a scenario file: none of its keys is a scenario field "
                    "(id, title, start, months, regions, factions, ...)",
                )
            ]
        )


def _resolve(
    path: Path, chain: list[Path], text: str | None = None, search_dirs: list[Path] | None = None
) -> tuple[dict, Node]:
    shown = _display(path)
    if text is None:
        text = _read_text(path, shown)
    data, node = read_yaml(text, shown)
    _refuse_non_scenario(data, shown)
    parent = data.pop("extends", None)
    pnode = node.kids.pop("extends", None) if isinstance(node.kids, dict) else None
    if parent is None:
        return data, node
    pline = pnode.line if pnode else None
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(
            [Problem(shown, pline, "extends", f"must be a file name; got {_kind(parent)}")]
        )
    bad = _name_problem(parent)
    if bad is None and Path(parent).suffix.lower() not in SCENARIO_SUFFIXES:
        bad = "must name a scenario file (ending in .yaml or .yml)"
    if bad:
        raise ScenarioError([Problem(shown, pline, "extends", f"{bad}; refused")])
    try:
        target = (path.parent / parent).resolve()
    except (RuntimeError, OSError, ValueError):  # a loop of symbolic links, a bad name
        raise ScenarioError(
            [
                Problem(
                    shown,
                    pline,
                    "extends",
                    f"cannot follow {parent!r}: a loop of symbolic "
                    "links or a name the system refuses",
                )
            ]
        ) from None
    if search_dirs is not None and not any(target.is_relative_to(d.resolve()) for d in search_dirs):
        raise ScenarioError(
            [Problem(shown, pline, "extends", f"may only name a shipped scenario; got {parent!r}")]
        )
    if target in chain or target == path.resolve():
        cycle = " -> ".join(_display(p) for p in [*chain, path.resolve(), target])
        raise ScenarioError([Problem(shown, pline, "extends", f"extends cycle: {cycle}")])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            [Problem(shown, pline, "extends", f"more than {MAX_EXTENDS_DEPTH} levels of extends")]
        )
    try:
        missing, folder = not target.exists(), target.is_dir()
    except OSError as exc:
        raise ScenarioError(
            [Problem(shown, pline, "extends", f"cannot read {parent!r}: {exc.strerror or exc}")]
        ) from None
    if missing:
        raise ScenarioError(
            [
                Problem(
                    shown,
                    pline,
                    "extends",
                    f"no such file {parent!r} (looked for {_display(target)})",
                )
            ]
        )
    if folder:
        raise ScenarioError(
            [Problem(shown, pline, "extends", f"{parent!r} is a directory, not a scenario file")]
        )
    base, bnode = _resolve(target, [*chain, path.resolve()], search_dirs=search_dirs)
    problems: list[Problem] = []
    merged = _merge(base, bnode, data, node, problems)
    if problems:
        raise ScenarioError(problems)
    return merged


# --------------------------------------------------------------------------- errors


def _field_names(annotation: Any) -> set[str]:
    names: set[str] = set()
    for arg in typing.get_args(annotation) or (annotation,):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            names |= {f.alias or n for n, f in arg.model_fields.items()}
        elif typing.get_args(arg):
            names |= _field_names(arg)
    return names


def _annotation_at(loc: tuple) -> Any:
    """The schema annotation at a pydantic error location (best effort)."""
    ann: Any = Scenario
    for part in loc:
        while typing.get_origin(ann) is typing.Annotated:
            ann = typing.get_args(ann)[0]
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            fields = {f.alias or n: f for n, f in ann.model_fields.items()}
            if isinstance(part, str) and part in fields:
                ann = fields[part].annotation
            continue
        args = typing.get_args(ann)
        if typing.get_origin(ann) in (list, tuple) and isinstance(part, int):
            ann = args[min(part, len(args) - 1)] if typing.get_origin(ann) is tuple else args[0]
        elif typing.get_origin(ann) is dict:
            ann = args[1] if part != "[key]" else args[0]
        else:  # a union: pick the member named by the tag, if any
            flat = [a for a in _flatten(ann) if isinstance(a, type) and issubclass(a, BaseModel)]
            tagged = [
                a for a in flat if part in str(a.model_fields.get("type", "")) or a.__name__ == part
            ]
            ann = tagged[0] if tagged else (flat[0] if flat else ann)
    return ann


def _expected_keys(loc: tuple) -> set[str]:
    """Field names allowed at a pydantic error location (for 'did you mean')."""
    return _field_names(_annotation_at(loc[:-1]))


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
            node = (
                node.kids[part] if isinstance(node.kids, list) and part < len(node.kids) else node
            )
            path += f"[{part}]"
        elif isinstance(part, str) and isinstance(data, dict) and part in data:
            data = data[part]
            node = node.kids.get(part, node) if isinstance(node.kids, dict) else node
            path += f".{part}" if path else part
        else:
            continue  # a union tag, '[key]' or a missing field: keep the parent's line
        used.append(part)
        line = node.line
    return path, line, tuple(used)


def _has(container: Any, part: Any) -> bool:
    """Whether ``container[part]`` exists (a key of a dict, an index of a list)."""
    if isinstance(container, dict):
        return isinstance(part, str) and part in container
    if isinstance(container, list):
        return isinstance(part, int) and 0 <= part < len(container)
    return False


def _at(data: Any, loc: tuple) -> Any:
    for part in loc:
        if _has(data, part):
            data = data[part]
    return data


_TYPE_WORDS = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a mapping (key: value)",
    "model_attributes_type": "must be a mapping (key: value)",
}

_QUANTITY_SHAPE = (
    "must be a number, or a record {value: ..., range: [low, high], "
    "source: doc:pNsM with note: ..., or assumption: ...}"
)


def _describe(err: Any, loc: tuple, data: Any = None) -> str:
    """One sentence per problem: what the field must be, and what it got."""
    kind, got, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = loc[-1]
        if key == "remove":
            return (
                "unknown key 'remove' ('remove: true' drops a record inherited through 'extends')"
            )
        close = difflib.get_close_matches(str(key), sorted(_expected_keys(loc)), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{key}'{hint}"
    if kind == "missing" and loc and isinstance(loc[-1], int):
        ann = _annotation_at(loc[:-1])
        n = len(typing.get_args(ann)) if typing.get_origin(ann) is tuple else loc[-1] + 1
        have = _at(data, loc[:-1])
        count = len(have) if isinstance(have, list) else "fewer"
        return f"must have exactly {n} items; got {count}"
    if kind == "missing":
        return "required but missing"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sym = {
            "greater_than_equal": ">=",
            "greater_than": ">",
            "less_than_equal": "<=",
            "less_than": "<",
        }[kind]
        bound = next(iter(ctx.values()))
        return f"must be {sym} {bound}; got {got!r}"
    if kind in ("too_short", "too_long"):
        n, actual = ctx.get("min_length", ctx.get("max_length", 0)), ctx.get("actual_length")
        word = "at least" if kind == "too_short" else "at most"
        if ann_is_pair(loc):
            word = "exactly"
        return f"must have {word} {n} item{'s' if n != 1 else ''}; got {actual}"
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        bad = loc[-2] if len(loc) > 1 and loc[-1] == "[key]" else got
        options = [
            o.strip(" '") for o in str(expected).replace(" or ", ",").split(",") if o.strip(" '")
        ]
        close = difflib.get_close_matches(str(bad), options, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        if loc and loc[-1] == "[key]":
            return f"unknown key {bad!r}{hint}; expected one of {expected}"
        return f"must be one of {expected}; got {bad!r}{hint}"
    if kind == "union_tag_invalid":
        expected = str(ctx.get("expected_tags", ""))
        options = [o.strip(" '") for o in expected.split(",")]
        close = difflib.get_close_matches(str(ctx.get("tag")), options, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown event type {ctx.get('tag')!r}{hint}; expected one of {expected}"
    if kind == "union_tag_not_found":
        from ..events import EVENT_TYPES

        return f"needs a 'type' ({', '.join(EVENT_TYPES)})"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if "\\d{4}" in pattern:
            return f'must be a month "YYYY-MM"; got {got!r}'
        if "0-9a-f" in pattern:
            return f"must be a sha256 digest (64 characters 0-9, a-f); got {got!r:.72}"
        return f"must be a lower-case identifier (a letter, then letters, digits or _); got {got!r}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters; got {len(str(got))}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "model_type" and ctx.get("class_name") == "Quantity":
        return f"{_QUANTITY_SHAPE}; got {_kind(got)}"
    if kind == "model_type":
        return f"must be a mapping (a {ctx.get('class_name', 'record')} record); got {_kind(got)}"
    if kind in _TYPE_WORDS:
        return f"{_TYPE_WORDS[kind]}; got {_kind(got)}"
    return f"{err['msg'][0].lower()}{err['msg'][1:]}; got {_kind(got)}"


def ann_is_pair(loc: tuple) -> bool:
    """Whether the field at ``loc`` is a fixed-length tuple (a pair)."""
    ann = _annotation_at(loc)
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    options = (
        typing.get_args(ann)
        if typing.get_origin(ann) in (typing.Union, types.UnionType)
        else (ann,)
    )
    return any(typing.get_origin(a) is tuple for a in options)


def _problems_from(exc: ValidationError, data: dict, node: Node) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path, line, _ = _walk(data, node, loc)
        if err["type"] in ("extra_forbidden", "missing") and loc and not isinstance(loc[-1], int):
            key = loc[-1]
            if not path.endswith(str(key)):
                path = f"{path}.{key}" if path else str(key)
        problems.append(Problem(_file_at(data, node, loc), line, path, _describe(err, loc, data)))
    return _dedupe(problems)


def _duplicate_ids(data: dict) -> list[tuple[tuple, str]]:
    """Records given twice, located at the second one: ids among regions, factions,
    sponsors and issues; support edges (from, to, channel); hostilities and
    alliances (the same pair, either order); events (the same id, or the same
    content). Nothing merges silently: the last would win."""
    seen: dict[str, str] = {}
    out: list[tuple[tuple, str]] = []
    for group in ("regions", "factions", "sponsors", "issues"):
        items = data.get(group)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str):
                continue
            if ident in seen:
                out.append(
                    (
                        (group, i, "id"),
                        f"id '{ident}' is already used by {seen[ident]}; "
                        "ids must be unique across regions, factions, sponsors and issues",
                    )
                )
            else:
                seen[ident] = f"{group}[{i}]"
    relations = data.get("relations")
    for group in ("support", "hostility", "alliance"):
        items = relations.get(group) if isinstance(relations, dict) else None
        if not isinstance(items, list):
            continue
        keys: dict[str, int] = {}
        for i, item in enumerate(items):
            key = item_key(item)
            if key is None:
                continue
            if key in keys:
                what = "edge" if group == "support" else "pair"
                field = "to" if group == "support" else "between"
                out.append(
                    (
                        ("relations", group, i, field),
                        f"the same {group} {what} as relations.{group}[{keys[key]}] "
                        f"({key.replace('~', ' and ').replace('>', ' -> ')}); give each once",
                    )
                )
            else:
                keys[key] = i
    events = data.get("events")
    if isinstance(events, list):
        ids: dict[str, int] = {}
        contents: dict[str, int] = {}
        for i, ev in enumerate(events):
            if not isinstance(ev, dict):
                continue
            ident = ev.get("id")
            if isinstance(ident, str) and ident in ids:
                out.append(
                    (("events", i, "id"), f"id '{ident}' is already used by events[{ids[ident]}]")
                )
                continue
            if isinstance(ident, str):
                ids[ident] = i
            try:
                blob = canonical_json({k: v for k, v in ev.items() if k != "id"})
            except (TypeError, ValueError):
                continue
            if blob in contents:
                out.append(
                    (
                        ("events", i),
                        f"the same event as events[{contents[blob]}] (same type, date and "
                        "fields); give it once",
                    )
                )
            else:
                contents[blob] = i
    return out


def _file_at(data: Any, node: Node, loc: tuple) -> str:
    for part in loc:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data, node = (
                data[part],
                (
                    node.kids[part]
                    if isinstance(node.kids, list) and part < len(node.kids)
                    else node
                ),
            )
        elif isinstance(part, str) and isinstance(data, dict) and part in data:
            data, node = (
                data[part],
                (node.kids.get(part, node) if isinstance(node.kids, dict) else node),
            )
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


#: record lists whose items are pruned (as a whole) to check references despite field errors
_RECORD_LISTS = (
    ("regions",),
    ("factions",),
    ("sponsors",),
    ("issues",),
    ("events",),
    ("relations", "support"),
    ("relations", "hostility"),
    ("relations", "alliance"),
)


def _record_of(loc: tuple) -> tuple[tuple, int] | None:
    """The record list and index a location lies in (``("factions", 2, ...)`` -> factions, 2)."""
    for path in _RECORD_LISTS:
        n = len(path)
        if loc[:n] == path and len(loc) > n and isinstance(loc[n], int):
            return path, loc[n]
    return None


def _at_path(data: Any, path: tuple) -> Any:
    for part in path:
        if not _has(data, part):
            return None
        data = data[part]
    return data


def _pruned(data: dict, errors: list) -> tuple[Scenario, dict[tuple, list[int]], set[str]] | None:
    """The scenario without the records and fields that have errors, to check the
    references of the rest in the same round (DESIGN §4.3: one error, every problem).

    Returns the scenario, for each record list the original index of each kept
    item, and the ids of the dropped records (they exist: naming them is no
    reference error). None when a required part is wrong (nothing left to check).
    """
    pruned = copy.deepcopy(data)
    keep = {
        path: list(range(len(lst)))
        for path in _RECORD_LISTS
        if isinstance(lst := _at_path(pruned, path), list)
    }
    dropped: set[str] = set()
    for _round in range(4):
        items: dict[tuple, set[int]] = {}
        keys: set[tuple] = set()
        for err in errors:
            loc = tuple(err["loc"])
            rec = _record_of(loc)
            if rec is not None and rec[0] in keep and rec[1] < len(keep[rec[0]]):
                items.setdefault(rec[0], set()).add(rec[1])
                continue
            existing: list[Any] = []
            node: Any = pruned
            for part in loc:
                if not _has(node, part):
                    break
                existing.append(part)
                node = node[part]
            if not existing:
                return None  # a required field, or the scenario as a whole
            if existing[0] == "documents" and len(existing) > 1:  # a document, whole
                dropped.add(str(existing[1]))
                existing = existing[:2]
            keys.add(tuple(existing))
        for path, idxs in items.items():
            lst = _at_path(pruned, path)
            for i in sorted(idxs, reverse=True):
                if isinstance(lst[i], dict) and isinstance(lst[i].get("id"), str):
                    dropped.add(lst[i]["id"])
                del lst[i], keep[path][i]
        for key in sorted(keys, key=len, reverse=True):
            parent = _at_path(pruned, key[:-1])
            if _has(parent, key[-1]):
                if isinstance(parent, list):
                    return None  # an item of a plain list: give up rather than shift indices
                del parent[key[-1]]
        try:
            return Scenario.model_validate(pruned), keep, dropped
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        except RecursionError:
            return None
    return None


def _original(loc: tuple, keep: dict[tuple, list[int]]) -> tuple:
    rec = _record_of(loc)
    if rec is None or rec[0] not in keep or rec[1] >= len(keep[rec[0]]):
        return loc
    n = len(rec[0])
    return (*rec[0], keep[rec[0]][rec[1]], *loc[n + 1 :])


def _build(data: dict, node: Node, origin: Path | None) -> Scenario:
    """Validate resolved data: every problem (duplicates, types, fields, references) at once."""
    from .references import reference_problems  # circular-safe

    def located(loc: tuple, message: str) -> Problem:
        where = locate(data, node, loc)
        return Problem(where.file, where.line, where.path, message)

    duplicates = [located(loc, message) for loc, message in _duplicate_ids(data)]
    duplicates += [located(loc, _SURROGATE) for loc in _surrogates(data)]
    mistyped = _type_problems(data, Scenario, ())
    types = [located(loc, message) for loc, message in mistyped]
    fields: list[Problem] = []
    errors: list[Any] = [{"loc": loc} for loc, _ in mistyped]
    checked: Scenario | None = None
    keep: dict[tuple, list[int]] = {}
    dropped: set[str] = set()
    try:
        checked = Scenario.model_validate(data)
    except ValidationError as exc:
        fields = _problems_from(exc, data, node)
        if duplicates:  # the schema's own (unlocated) duplicate-id check says the same
            fields = [p for p in fields if p.path or "used twice" not in p.message]
        errors += exc.errors(include_url=False)
    except RecursionError:
        raise ScenarioError(
            [Problem(node.file, None, "", "values nested too deeply; refused")]
        ) from None
    if errors:  # check the references of what is right, in the same round
        pruned = _pruned(data, errors)
        checked, keep, dropped = pruned if pruned is not None else (None, {}, set())
    said = {p.path for p in fields}
    types = [p for p in types if p.path not in said]
    references = []
    if checked is not None:
        references = [
            located(_original(loc, keep), message)
            for loc, message in reference_problems(checked, assume_known=dropped)
        ]
    problems = _dedupe(duplicates + types + fields + references)
    if problems or checked is None:  # checked is None only when validation failed
        raise ScenarioError(problems)
    checked._attach(data, origin)
    _warn_ceilings(checked, data, node)
    return checked


# --------------------------------------------------------------------------- strict types
#
# pydantic's lax mode reads `months: true` as 1 and `months: '12'` as 12; a
# scenario file means what it says, so a boolean or text where a number is
# expected (and a number or text where true/false is expected) is a problem.


@dataclass(frozen=True)
class _Shape:
    """What an annotation accepts, as far as strict types are concerned (computed once)."""

    numeric: bool  # int or float, not bool
    boolean: bool
    textual: bool  # str, a Literal or an Enum
    models: tuple[type[BaseModel], ...]
    values: Any  # the value annotation of a dict, or None
    items: tuple[Any, ...]  # a list's item annotation, or a tuple's, or ()
    is_tuple: bool


def _shape_uncached(ann: Any) -> _Shape:
    members = _unwrap(ann)
    values, items, is_tuple = None, (), False
    for member in members:
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin is dict and args and values is None:
            values = args[1]
        elif origin in (list, tuple) and args and not items:
            items, is_tuple = tuple(args), origin is tuple
    return _Shape(
        numeric=any(m in (int, float) for m in members),
        boolean=bool in members,
        textual=str in members
        or any(
            typing.get_origin(m) is typing.Literal or (isinstance(m, type) and issubclass(m, Enum))
            for m in members
        ),
        models=tuple(m for m in members if isinstance(m, type) and issubclass(m, BaseModel)),
        values=values,
        items=items,
        is_tuple=is_tuple,
    )


@functools.cache
def _shape_cached(ann: Any) -> _Shape:
    return _shape_uncached(ann)


def _shape(ann: Any) -> _Shape:
    try:
        return _shape_cached(ann)
    except TypeError:  # an unhashable annotation
        return _shape_uncached(ann)


def _surrogates(data: Any) -> list[tuple]:
    """Where text holds a lone surrogate (data given in code, not read from a file)."""
    try:
        canonical_json(data).encode("utf-8")
    except UnicodeEncodeError:
        pass
    except (TypeError, ValueError, RecursionError):
        return []
    else:
        return []
    out: list[tuple] = []

    def walk(value: Any, loc: tuple) -> None:
        if isinstance(value, str):
            if _lone_surrogate(value):
                out.append(loc)
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and _lone_surrogate(k):
                    out.append(loc)
                else:
                    walk(v, (*loc, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, (*loc, i))

    walk(data, ())
    return out


def _type_problems(value: Any, ann: Any, loc: tuple) -> list[tuple[tuple, str]]:
    """Booleans or text given for numbers, and numbers or text for booleans, located."""
    shape = _shape(ann)
    out: list[tuple[tuple, str]] = []
    if isinstance(value, dict):
        model = (
            _model(ann, value)
            if len(shape.models) > 1
            else (shape.models[0] if shape.models else None)
        )
        if model is not None:
            fields = _fields(model)
            for k, v in value.items():
                if k in fields and isinstance(v, (dict, list, bool, str, int, float)):
                    out += _type_problems(v, fields[k].annotation, (*loc, k))
        elif shape.values is not None:
            for k, v in value.items():
                out += _type_problems(v, shape.values, (*loc, k))
        return out
    if isinstance(value, list):
        if shape.items and not shape.is_tuple:
            for i, v in enumerate(value):
                out += _type_problems(v, shape.items[0], (*loc, i))
        elif shape.items:
            n = len(shape.items)
            for i, v in enumerate(value[:n]):
                out += _type_problems(v, shape.items[min(i, n - 1)], (*loc, i))
        return out
    if isinstance(value, bool):
        if shape.numeric and not shape.boolean:
            return [(loc, f"must be a number; got {_kind(value)}")]
    elif isinstance(value, str):
        if shape.numeric and not shape.textual:
            return [(loc, f"must be a number, not text; got {value!r:.40}")]
        if shape.boolean and not shape.textual:
            return [(loc, f"must be true or false; got {_kind(value)}")]
    elif isinstance(value, (int, float)) and shape.boolean and not shape.numeric:
        return [(loc, f"must be true or false; got {_kind(value)}")]
    return out


def _warn_ceilings(scenario: Scenario, data: dict, node: Node) -> None:
    """A located :class:`ScenarioWarning` for each faction that starts above its
    recruitment ceiling (docs/ODD.md §7.3): it can only shrink."""
    from ..model.forces import start_ceilings  # the model imports the scenario package

    try:
        ceilings = start_ceilings(scenario)
    except Exception:  # advice only: a model that cannot start says so when it is run
        return
    for i, (fid, strength, cap) in enumerate(ceilings):
        if strength > cap * (1.0 + 1e-9) and strength > 0:
            where = locate(data, node, ("factions", i, "strength"))
            warnings.warn(
                ScenarioWarning(
                    str(
                        Problem(
                            where.file,
                            where.line,
                            where.path or f"factions.{fid}.strength",
                            f"{fid} starts with {strength:,.0f} fighters, above its recruitment "
                            f"ceiling of {cap:,.0f}: it can only shrink (raise its popularity "
                            "where it is present, or lower its strength)",
                        )
                    )
                ),
                stacklevel=3,
            )


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, resolve ``extends``, validate; apply ``{path: value}`` overrides.

    >>> s = load_scenario("scenarios/baseline_2017.yaml")  # doctest: +SKIP
    >>> s.faction("lna").strength.value  # doctest: +SKIP
    """
    path = Path(path)
    data, node = _resolve(path, [])
    if overrides:
        problems = []
        for key, value in overrides.items():
            try:
                loc = set_value(data, key, value)
            except KeyError as exc:
                problems.append(Problem(_display(path), None, key, str(exc.args[0])))
                continue
            _mark(node, loc, Node(f"{_display(path)} (override {key})", None))
        if problems:
            raise ScenarioError(problems)
    return _build(data, node, path)


def _mark(node: Node, loc: tuple, leaf: Node) -> None:
    """Make errors in an overridden value point at the override, not at the file's line."""
    for part in loc[:-1]:
        if not _has(node.kids, part):
            return
        node = node.kids[part]  # type: ignore[index]
    if _has(node.kids, loc[-1]) or (isinstance(node.kids, dict) and isinstance(loc[-1], str)):
        node.kids[loc[-1]] = leaf  # type: ignore[index]


def parse_scenario(
    text: str,
    name: str = "<upload>",
    base_dir: str | Path | None = None,
    restrict_extends: bool = True,
) -> Scenario:
    """Validate scenario text (an upload or an edit); ``extends`` resolves in ``base_dir``."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    fake = base / Path(name).name
    data, node = _resolve(fake, [], text=text, search_dirs=[base] if restrict_extends else None)
    return _build(data, node, None)


def from_dict(data: dict, name: str = "<dict>") -> Scenario:
    """Validate an already-resolved scenario mapping (e.g. with overrides applied)."""
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem(name, None, "", f"a scenario must be a mapping; got {_kind(data)}")]
        )
    return _build(_python(data), Node(name, None), None)


# --------------------------------------------------------------------------- paths
#
# A dotted path names a value by field names and record identities:
# ``factions.lna.strength``, ``relations.hostility.gna~lna.level`` (either
# order), ``relations.support.france>lna`` (the channel may be left off when
# only one edge matches), ``events.0.date`` (records without an id by index),
# ``factions.lna.strength.range`` (a part of a number's record).

_QUANTITY_KEYS = ("value", "range", "source", "note", "assumption")
_MISSING = object()


def _split(path: str) -> list[str]:
    if not isinstance(path, str):
        raise KeyError(f"a path must be text like 'factions.lna.strength'; got {path!r}")
    return [p for p in path.split(".") if p]


def _unwrap(ann: Any) -> list[Any]:
    """The members of an annotation, without Annotated wrappers and None."""
    try:
        return list(_unwrap_cached(ann))
    except TypeError:  # an unhashable annotation
        return _unwrap_uncached(ann)


@functools.cache
def _unwrap_cached(ann: Any) -> tuple[Any, ...]:
    return tuple(_unwrap_uncached(ann))


def _unwrap_uncached(ann: Any) -> list[Any]:
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(ann) for m in _unwrap(a) if m is not type(None)]
    return [ann]


def _model(ann: Any, value: Any) -> type[BaseModel] | None:
    """The record class an annotation means for ``value`` (events pick by their 'type')."""
    models = [m for m in _unwrap(ann) if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) > 1 and isinstance(value, dict):
        from ..events import EVENT_TYPES

        kind = value.get("type")
        cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
        if cls in models:
            return cls
    return models[0] if models else None


@functools.cache
def _fields(model: type[BaseModel]) -> dict[str, Any]:
    """A record class's fields by the name files use (the alias, if any); do not mutate."""
    return {f.alias or n: f for n, f in model.model_fields.items()}


def _is_quantity(ann: Any) -> bool:
    from .quantity import Quantity

    return Quantity in _unwrap(ann)


def _sub(ann: Any, container: Any, part: str) -> Any:
    """The annotation of ``container[part]`` given the container's annotation."""
    model = _model(ann, container)
    if model is not None:
        field = _fields(model).get(part)
        return field.annotation if field is not None else Any
    for member in _unwrap(ann):
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin is dict and args:
            return args[1]
        if origin in (list, tuple) and args:
            return args[0]
    return Any


def _norm_key(part: str) -> str:
    return "~".join(sorted(part.split("~"))) if "~" in part else part


def _index(container: list, part: str, full: str) -> int:
    want = _norm_key(part)
    keys = [item_key(i) for i in container]
    for i, key in enumerate(keys):
        if key is not None and _norm_key(key) == want:
            return i
    loose = [i for i, key in enumerate(keys) if key is not None and key.startswith(part + ":")]
    if len(loose) == 1:
        return loose[0]
    if len(loose) > 1:
        raise KeyError(
            f"{part!r} in {full!r} matches {len(loose)} records; add the channel "
            f"({', '.join(repr(keys[i]) for i in loose)})"
        )
    if part.isdigit() and int(part) < len(container):
        return int(part)
    close = difflib.get_close_matches(part, [k for k in keys if k], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise KeyError(f"no item {part!r} in {full!r}{hint}")


def _unknown_field(model: type[BaseModel] | None, part: str, full: str) -> KeyError:
    names = sorted(_fields(model)) if model is not None else []
    close = difflib.get_close_matches(part, names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return KeyError(f"no field {part!r} in {full!r}{hint}")


def _default(model: type[BaseModel] | None, part: str) -> Any:
    if model is None or part not in _fields(model):
        return _MISSING
    field = _fields(model)[part]
    if field.is_required():
        return _MISSING
    default = field.get_default(call_default_factory=True)
    if isinstance(default, BaseModel):
        return default.model_dump(mode="json", by_alias=True, exclude_none=True)
    return copy.deepcopy(default)


def _python(value: Any) -> Any:
    """Plain Python data for a value given in code (numpy scalars and arrays, tuples)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if type(value).__module__ == "numpy":
        return _python(value.tolist() if hasattr(value, "tolist") else value.item())
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_python(v) for v in value]
    return value


def get_value(data: dict, path: str) -> Any:
    """The value at a dotted path (``factions.lna.strength``) of resolved data.

    A field the file leaves out gives its default; a number's record gives its value.
    """
    parts = _split(path)
    node: Any = data
    ann: Any = Scenario
    for part in parts:
        if isinstance(node, dict):
            sub = _sub(ann, node, part)
            if part in node:
                node = node[part]
            else:
                default = _default(_model(ann, node), part)
                if default is _MISSING:
                    raise _unknown_field(_model(ann, node), part, path)
                node = default
            ann = sub
        elif isinstance(node, list):
            node, ann = node[_index(node, part, path)], _sub(ann, node, part)
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and part == "value":
            continue
        else:
            raise KeyError(f"{path!r} goes below a plain value at {part!r}")
    if isinstance(node, dict) and "value" in node and _is_quantity(ann):
        return node["value"]
    return node


def _assign(container: Any, key: Any, value: Any, ann: Any) -> None:
    """Set ``container[key]``; a record keeps its evidence and only its value changes."""
    current = container[key]
    if (
        isinstance(current, dict)
        and "value" in current
        and _is_quantity(ann)
        and not isinstance(value, dict)
    ):
        current["value"] = value
    else:
        container[key] = value


def set_value(data: dict, path: str, value: Any) -> tuple:
    """Set the value at a dotted path in place; returns its location (keys and indices).

    A number's record keeps its range and evidence; a value outside the range
    is then reported by validation (widen the range with ``<path>.range`` to
    go beyond the evidence). A field the file leaves out starts from its
    default record, so a parameter keeps its range and assumption.
    Raises ``KeyError`` (with a did-you-mean) for a path that names nothing.
    """
    parts = _split(path)
    if not parts:
        raise KeyError("empty path")
    value = _python(value)
    parent: Any = data
    ann: Any = Scenario
    loc: list[Any] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(parent, dict):
            model, sub = _model(ann, parent), _sub(ann, parent, part)
            if model is not None and part not in _fields(model):
                raise _unknown_field(model, part, path)
            if part not in parent:
                default = _default(model, part)
                if last:
                    if (
                        isinstance(default, dict)
                        and "value" in default
                        and not isinstance(value, dict)
                    ):
                        parent[part] = {**default, "value": value}
                    else:
                        parent[part] = value
                    return (*loc, part)
                if any(typing.get_origin(m) in (list, tuple) for m in _unwrap(sub)):
                    raise KeyError(
                        f"no item {parts[i + 1]!r} in {path!r}: the scenario has no {part}"
                    )
                parent[part] = default if isinstance(default, dict) else {}
            elif last:
                _assign(parent, part, value, sub)
                return (*loc, part)
            child = parent[part]
            if (
                isinstance(child, (int, float))
                and not isinstance(child, bool)
                and _is_quantity(sub)
                and parts[i + 1] in _QUANTITY_KEYS
            ):
                parent[part] = child = {"value": child}  # a bare number becomes a record
            parent, ann = child, sub
            loc.append(part)
        elif isinstance(parent, list):
            at = _index(parent, part, path)
            sub = _sub(ann, parent, part)
            if last:
                _assign(parent, at, value, sub)
                return (*loc, at)
            parent, ann = parent[at], sub
            loc.append(at)
        else:
            raise KeyError(f"{path!r} goes below a plain value at {part!r}")
    raise KeyError(f"cannot set {path!r}")  # pragma: no cover - the loop always returns


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
