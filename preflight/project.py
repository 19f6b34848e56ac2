"""Reading a Pulumi project and one stack's configuration the way the Pulumi CLI does.

The CLI merges the project's `config:` block (typed declarations with defaults, or plain
values) with `Pulumi.<stack>.yaml`, checks declared types, and hands the program a flat map
of `namespace:key` to a string (objects and arrays as JSON). `secure:` values stay secret.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class InputError(Exception):
    """Bad input the user can fix: the message names the file, key or field and the fix."""


@dataclass(frozen=True)
class StackConfig:
    """One stack's effective configuration, as the language host receives it."""

    project: str
    stack: str
    project_dir: Path
    main: Path
    values: dict[str, Any]
    """Full key (`webmodel:web`) to its Python value, defaults applied."""
    secret_keys: frozenset[str] = field(default_factory=frozenset)
    """Keys whose value is secret (`secure:` in the stack file or `secret: true` declared)."""
    undecryptable: frozenset[str] = field(default_factory=frozenset)
    """Secret keys given only as ciphertext: the simulation uses a stand-in value."""

    @property
    def region(self) -> str:
        region = self.values.get("aws:region")
        if not isinstance(region, str) or not region:
            raise InputError(
                f"Pulumi.{self.stack}.yaml: config key 'aws:region' is not set; "
                "set it with `pulumi config set aws:region ap-northeast-2`"
            )
        return region

    def as_runtime_config(self) -> dict[str, str]:
        """The flat string map the Pulumi language host passes to the program."""
        return {key: _runtime_string(value) for key, value in sorted(self.values.items())}


_TYPE_CHECKS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
}


def _runtime_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path.name}: file not found in {path.parent}") from None
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path.name}: invalid YAML{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: expected a mapping at the top level, got {_kind(data)}")
    return data


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else type(value).__name__


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _resolve_secure(key: str, value: Any, found: list[str]) -> Any:
    """Replace `secure:` leaves by deterministic stand-ins; record that the key holds one."""
    if _is_secure(value):
        found.append(key)
        digest = hashlib.sha256(f"{key}\0{value['secure']}".encode()).hexdigest()[:16]
        return f"preflight-secret-{digest}"
    if isinstance(value, dict):
        return {k: _resolve_secure(key, v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_secure(key, v, found) for v in value]
    return value


def stack_names(project_dir: Path) -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))


def load_stack_config(project_dir: Path, stack: str) -> StackConfig:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml; apply defaults and check declared types."""
    project_file = project_dir / "Pulumi.yaml"
    project_doc = _read_yaml(project_file)
    project = project_doc.get("name")
    if not isinstance(project, str) or not project:
        raise InputError("Pulumi.yaml: 'name' is missing; it names the project")
    main = project_dir / str(project_doc.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise InputError(f"Pulumi.yaml: the program {main.relative_to(project_dir)} does not exist")

    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        known = ", ".join(stack_names(project_dir)) or "none"
        raise InputError(
            f"unknown stack {stack!r}: {stack_file.name} does not exist (stacks here: {known})"
        )
    stack_doc = _read_yaml(stack_file)

    declarations: dict[str, Mapping[str, Any]] = {}
    values: dict[str, Any] = {}
    secret: set[str] = set()
    raw_project_config = project_doc.get("config") or {}
    if not isinstance(raw_project_config, dict):
        raise InputError("Pulumi.yaml: 'config' must be a mapping of keys to declarations")
    for raw_key, decl in raw_project_config.items():
        key = _qualify(project, str(raw_key))
        if isinstance(decl, dict) and not _is_secure(decl):
            unknown = set(decl) - {"type", "items", "description", "secret", "default", "value"}
            if unknown:
                raise InputError(
                    f"Pulumi.yaml: config key {key!r} declares unknown attribute(s) "
                    f"{', '.join(sorted(unknown))}; allowed: type, items, description, "
                    "secret, default, value"
                )
            declared_type = decl.get("type")
            if declared_type is not None and declared_type not in _TYPE_CHECKS:
                raise InputError(
                    f"Pulumi.yaml: config key {key!r} has type {declared_type!r}; "
                    f"valid types are {', '.join(_TYPE_CHECKS)} (leave 'type' out for objects)"
                )
            declarations[key] = decl
            if decl.get("secret"):
                secret.add(key)
            for source in ("value", "default"):
                if source in decl:
                    values[key] = decl[source]
                    break
        else:
            values[key] = decl

    stack_config = stack_doc.get("config") or {}
    if not isinstance(stack_config, dict):
        raise InputError(f"{stack_file.name}: 'config' must be a mapping of keys to values")
    undecryptable: list[str] = []
    for raw_key, value in stack_config.items():
        key = _qualify(project, str(raw_key))
        values[key] = _resolve_secure(key, value, undecryptable)

    for key, decl in sorted(declarations.items()):
        if key not in values:
            raise InputError(
                f"{stack_file.name}: missing required configuration value {key!r}: "
                f"{decl.get('description', 'declared in Pulumi.yaml without a default')}"
            )
        declared_type = decl.get("type")
        if declared_type is None:
            continue
        value = values[key]
        expected = _TYPE_CHECKS[str(declared_type)]
        ok = isinstance(value, expected) and not (
            declared_type == "integer" and isinstance(value, bool)
        )
        if not ok:
            raise InputError(
                f"{stack_file.name}: config key {key!r} must be of type {declared_type}, "
                f"got {_kind(value)} {json.dumps(value, default=str)[:60]}"
            )
        if declared_type == "array":
            item_type = (decl.get("items") or {}).get("type")
            if item_type in _TYPE_CHECKS:
                for index, item in enumerate(value):
                    if not isinstance(item, _TYPE_CHECKS[str(item_type)]):
                        raise InputError(
                            f"{stack_file.name}: config key {key!r} item {index} must be of "
                            f"type {item_type}, got {_kind(item)}"
                        )

    secret.update(undecryptable)
    return StackConfig(
        project=project,
        stack=stack,
        project_dir=project_dir,
        main=main,
        values=values,
        secret_keys=frozenset(secret),
        undecryptable=frozenset(undecryptable),
    )
