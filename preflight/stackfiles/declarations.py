"""The `config:` block of `Pulumi.yaml`: typed declarations with defaults (or plain values), and
the CLI's checks of a stack's values against them (required keys, declared types).

As in the CLI (pulumi/pulumi `pkg/workspace/config.go`, `ValidateConfigValue`), a value is
checked as it is stored: a top-level scalar is a string by then, so `integer` means a string
`strconv.Atoi` reads, `boolean` the strings `true` or `false`, `string` any scalar."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import value_kind
from preflight.stackfiles.cli_values import stored
from preflight.stackfiles.secure_values import is_secure

_ATOI = re.compile(r"[+-]?[0-9]+")


def _is_integer(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_ATOI.fullmatch(value)) and -(2**63) <= int(value) < 2**63
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: not isinstance(value, dict | list),
    "integer": _is_integer,
    "boolean": lambda value: value in ("true", "false") or isinstance(value, bool),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}
ITEM_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: not isinstance(value, str) and _is_integer(value),
    "boolean": lambda value: isinstance(value, bool),
}
ATTRIBUTES = ("type", "items", "description", "secret", "default", "value")


def qualify(project: str, key: str) -> str:
    """A config key with its namespace: `web` in project `webmodel` is `webmodel:web`."""
    return key if ":" in key else f"{project}:{key}"


@dataclass
class Declarations:
    """What `Pulumi.yaml` declares: each key's declaration, its default, and which are secret."""

    declared: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    secret: set[str] = field(default_factory=set)


def read_declarations(project: str, raw: Any) -> Declarations:
    """The project's `config:` block, each declaration's attributes and type checked."""
    if not isinstance(raw, dict):
        raise InputError("Pulumi.yaml: 'config' must be a mapping of keys to declarations")
    found = Declarations()
    for raw_key, decl in raw.items():
        key = qualify(project, str(raw_key))
        if not isinstance(decl, dict) or is_secure(decl):
            found.defaults[key] = decl if is_secure(decl) else stored(decl)
            continue
        _check_declaration(key, decl)
        found.declared[key] = decl
        if decl.get("secret"):
            found.secret.add(key)
        for source in ("value", "default"):
            if decl.get(source) is not None:
                found.defaults[key] = stored(decl[source])
                break
    return found


def _check_declaration(key: str, decl: Mapping[str, Any]) -> None:
    unknown = set(decl) - set(ATTRIBUTES)
    if unknown:
        raise InputError(
            f"Pulumi.yaml: config key {key!r} declares unknown attribute(s) "
            f"{', '.join(sorted(unknown))}; allowed: {', '.join(ATTRIBUTES)}"
        )
    declared_type = decl.get("type")
    if declared_type is not None and declared_type not in TYPE_CHECKS:
        raise InputError(
            f"Pulumi.yaml: config key {key!r} has type {declared_type!r}; "
            f"valid types are {', '.join(TYPE_CHECKS)}"
        )


def check_values(
    declarations: Declarations, values: Mapping[str, Any], secret: set[str], stack_file: str
) -> None:
    """Every declared key has a value of its declared type, as the CLI requires before a run."""
    for key, decl in sorted(declarations.declared.items()):
        if key not in values:
            raise InputError(
                f"{stack_file}: missing required configuration value {key!r}: "
                f"{decl.get('description', 'declared in Pulumi.yaml without a default')}"
            )
        declared_type = decl.get("type")
        if declared_type is None:
            continue
        value = values[key]
        if not TYPE_CHECKS[str(declared_type)](value):
            shown = "[secret]" if key in secret else json.dumps(value, default=str)[:60]
            raise InputError(
                f"{stack_file}: config key {key!r} must be of type {declared_type}, "
                f"got {value_kind(value)} {shown}"
            )
        if declared_type == "array":
            _check_items(key, decl, value, stack_file)


def _check_items(key: str, decl: Mapping[str, Any], value: Any, stack_file: str) -> None:
    item_type = (decl.get("items") or {}).get("type")
    if item_type not in ITEM_CHECKS:
        return
    for index, item in enumerate(value):
        if not ITEM_CHECKS[str(item_type)](item):
            raise InputError(
                f"{stack_file}: config key {key!r} item {index} must be of "
                f"type {item_type}, got {value_kind(item)}"
            )
