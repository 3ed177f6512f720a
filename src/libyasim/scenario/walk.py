"""Walk a validated scenario: every record, with its location and readable path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from .quantity import Evidence, Quantity


def record_key(item: BaseModel) -> str | None:
    """The identity of a record in a list (same rule as the loader's merge)."""
    ident = getattr(item, "id", None)
    if isinstance(ident, str):
        return ident
    source, target = getattr(item, "source", None), getattr(item, "target", None)
    if isinstance(source, str) and isinstance(target, str) and hasattr(item, "channel"):
        return f"{source}>{target}:{item.channel}"
    between = getattr(item, "between", None)
    if between is not None:
        return "~".join(sorted(between))
    return None


def walk(obj: Any, loc: tuple = (), path: str = "") -> Iterator[tuple[tuple, str, Any]]:
    """Yield ``(pydantic_loc, dotted_path, value)`` for every value below ``obj``.

    ``pydantic_loc`` uses list indices (to find a file line); ``dotted_path``
    uses record identities (``factions.lna.strength``), the form accepted by
    :func:`~libyasim.scenario.loader.set_value` and the CLI's ``--set``.
    """
    yield loc, path, obj
    if isinstance(obj, Quantity | Evidence):
        return
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            alias = type(obj).model_fields[name].alias or name
            yield from walk(value, (*loc, alias), f"{path}.{alias}" if path else alias)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from walk(value, (*loc, str(key)), f"{path}.{key}" if path else str(key))
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            key = record_key(value) if isinstance(value, BaseModel) else None
            yield from walk(value, (*loc, i), f"{path}.{key if key is not None else i}")


def quantities(obj: Any) -> Iterator[tuple[str, Quantity]]:
    """Every numeric parameter below ``obj`` with its dotted path."""
    for _, path, value in walk(obj):
        if isinstance(value, Quantity):
            yield path, value


def evidence_records(obj: Any) -> Iterator[tuple[tuple, str, Quantity | Evidence]]:
    """Every record that cites a source, with its location and path."""
    for loc, path, value in walk(obj):
        if isinstance(value, Quantity | Evidence) and value.source is not None:
            yield loc, path, value
