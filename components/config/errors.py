"""How an invalid stack config is reported: `ConfigError`, and pydantic's validation errors
turned into lines that name the full `webmodel:` key.

A line names the key and the rule it broke; it shows the offending value only when the key
is not secret (`redact=False`), so a `secure:` value never reaches an error message.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

_UNION_BRANCHES = {"str", "int", "float", "bool", "constrained-str"}


class ConfigError(ValueError):
    """An invalid stack configuration; the message names every bad key and what is valid."""

    problems: list[str]

    @classmethod
    def of(cls, problems: list[str]) -> ConfigError:
        """One error listing every problem, one per line."""
        error = cls("invalid stack configuration:\n  " + "\n  ".join(problems))
        error.problems = list(problems)
        return error


def closest(name: str, valid: Iterable[str]) -> str:
    """` (did you mean 'x'?)` naming the valid name most like `name` when one is like it enough
    to be a likely typo (difflib's default cutoff), else nothing (the valid names follow)."""
    options = list(valid)
    match = difflib.get_close_matches(name, options, n=1)
    if not match:
        return ""
    return f" (did you mean {match[0]!r}?)"


def location(full_key: str, loc: tuple[int | str, ...]) -> str:
    path = full_key
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _UNION_BRANCHES or part.startswith("function-"):
            continue  # union branch names pydantic puts in the location
        else:
            path += f".{part}"
    return path


def allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The camelCase keys valid at `loc` inside `model`, through optional fields, lists and
    name-keyed maps of objects (`slotSettings.<slot>`); none where `loc` is no object."""
    node: Any = model
    for part in loc:
        node = _unwrap(node)
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(str(part)) or next(
                (f for f in node.model_fields.values() if f.alias == part), None
            )
            node = field.annotation if field is not None else None
        elif get_origin(node) in (dict, Mapping):
            node = get_args(node)[1]  # `part` is the entry's name
        elif get_origin(node) in (list, tuple, Sequence):
            node = get_args(node)[0]  # `part` is the item's index
        else:
            return []
    node = _unwrap(node)
    if not (isinstance(node, type) and issubclass(node, BaseModel)):
        return []
    return [field.alias or name for name, field in node.model_fields.items()]


def _unwrap(annotation: Any) -> Any:
    """`X | None` and `Annotated[X, ...]` as X."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            branches = [a for a in get_args(annotation) if a is not type(None)]
            if len(branches) != 1:
                return annotation
            annotation = branches[0]
        else:
            return annotation


def describe(
    full_key: str, model: type[BaseModel], error: ValidationError, *, redact: bool
) -> list[str]:
    """One line per problem: `webmodel:web.minSize: <rule>[ (got <value>)]`."""
    lines: list[str] = []
    seen: set[str] = set()
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        where = location(full_key, loc)
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            allowed = allowed_keys(model, loc[:-1])
            message = f"unknown key{closest(str(loc[-1]), allowed)}"
            if allowed:
                message += "; valid keys here: " + ", ".join(allowed)
        elif loc and "input" in item and item["type"] != "missing" and not redact:
            shown = json.dumps(item["input"], default=str)
            message += f" (got {shown[:80]})"
        line = f"{where}: {message}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines
