"""How an invalid stack config is reported: `ConfigError`, and pydantic's validation errors
turned into lines that name the full `webmodel:` key.

A line names the key and the rule it broke; it shows the offending value only when the key
is not secret (`redact=False`), so a `secure:` value never reaches an error message.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable

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
    """` (did you mean 'x'?)` naming the valid name most like `name` (difflib's ratio)."""
    options = list(valid)
    match = difflib.get_close_matches(name, options, n=1, cutoff=0.0)
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
    """The camelCase keys valid at `loc` inside `model`."""
    for part in loc:
        field = model.model_fields.get(str(part)) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        if field is None or not isinstance(field.annotation, type):
            break
        if issubclass(field.annotation, BaseModel):
            model = field.annotation
    return [field.alias or name for name, field in model.model_fields.items()]


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
            message = f"unknown key{closest(str(loc[-1]), allowed)}; valid keys here: " + ", ".join(
                allowed
            )
        elif loc and "input" in item and item["type"] != "missing" and not redact:
            shown = json.dumps(item["input"], default=str)
            message += f" (got {shown[:80]})"
        line = f"{where}: {message}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines
