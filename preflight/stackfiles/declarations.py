"""The `config:` block of `Pulumi.yaml`: typed declarations with defaults (or plain values), and
the CLI's checks of a stack's values against them (required keys, declared types)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import value_kind
from preflight.stackfiles.secure_values import is_secure

TYPE_CHECKS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
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
            found.defaults[key] = decl
            continue
        _check_declaration(key, decl)
        found.declared[key] = decl
        if decl.get("secret"):
            found.secret.add(key)
        for source in ("value", "default"):
            if source in decl:
                found.defaults[key] = decl[source]
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
            f"valid types are {', '.join(TYPE_CHECKS)} (leave 'type' out for objects)"
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
        expected = TYPE_CHECKS[str(declared_type)]
        if not isinstance(value, expected) or (
            declared_type == "integer" and isinstance(value, bool)
        ):
            shown = "[secret]" if key in secret else json.dumps(value, default=str)[:60]
            raise InputError(
                f"{stack_file}: config key {key!r} must be of type {declared_type}, "
                f"got {value_kind(value)} {shown}"
            )
        if declared_type == "array":
            _check_items(key, decl, value, stack_file)


def _check_items(key: str, decl: Mapping[str, Any], value: Any, stack_file: str) -> None:
    item_type = (decl.get("items") or {}).get("type")
    if item_type not in TYPE_CHECKS:
        return
    for index, item in enumerate(value):
        if not isinstance(item, TYPE_CHECKS[str(item_type)]):
            raise InputError(
                f"{stack_file}: config key {key!r} item {index} must be of "
                f"type {item_type}, got {value_kind(item)}"
            )
