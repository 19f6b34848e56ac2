"""Reading a Pulumi project and one stack's configuration the way the Pulumi CLI does.

The CLI merges the project's `config:` block (typed declarations with defaults, or plain
values) with `Pulumi.<stack>.yaml`, checks declared types, and hands the program a flat map
of `namespace:key` to a string (objects and arrays as JSON). `secure:` values stay secret:
the key holding one is secret as a whole, as under the real CLI.

Both files are read as bounded plain data (`plain_yaml.read_yaml`); the stack name is checked
by Pulumi's rules (`stack_names`) before it becomes part of a path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import read_yaml, value_kind
from preflight.inputs.stack_names import parse_stack_reference, stack_names


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


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


SecurePolicy = Callable[[str, tuple[str, ...]], str | None]
"""(full key, path inside its value) of a `secure:` leaf -> why it is refused, or None."""
StandIn = Callable[[str, tuple[str, ...], str], str]
"""(full key, path, hex digest) -> the stand-in value the simulation uses for that secret."""


def _generic_stand_in(key: str, path: tuple[str, ...], digest: str) -> str:
    return f"preflight-secret-{digest[:16]}"


def _secret_rules(project: str, region: str) -> tuple[SecurePolicy, StandIn]:
    """Which `secure:` leaves are allowed, and stand-ins shaped like the values they replace.

    The webmodel program's rules live with its config models (components/config.py); any
    other project only gets the rule that `aws:region` is never a secret.
    """
    from components import config as webmodel

    def generic(key: str, path: tuple[str, ...]) -> str | None:
        if key == "aws:region":
            return webmodel.never_secret_problem(key)
        return None

    if project != webmodel.PROJECT:
        return generic, _generic_stand_in

    def policy(key: str, path: tuple[str, ...]) -> str | None:
        namespace, _, name = key.partition(":")
        if namespace == webmodel.PROJECT:
            return webmodel.secure_value_problem(name, path)
        return generic(key, path)

    def stand_in(key: str, path: tuple[str, ...], digest: str) -> str:
        namespace, _, name = key.partition(":")
        if namespace == webmodel.PROJECT:
            return webmodel.secret_stand_in(name, path, digest, region)
        return _generic_stand_in(key, path, digest)

    return policy, stand_in


@dataclass
class _SecureLeaves:
    """Walks a stack value, replacing `secure:` leaves and collecting refused ones."""

    policy: SecurePolicy
    stand_in: StandIn
    found: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def resolve(self, key: str, value: Any, path: tuple[str, ...] = ()) -> Any:
        if _is_secure(value):
            self.found.append(key)
            problem = self.policy(key, path)
            if problem:
                self.problems.append(problem)
            ciphertext = str(value["secure"])
            digest = hashlib.sha256(f"{key}\0{'.'.join(path)}\0{ciphertext}".encode()).hexdigest()
            return self.stand_in(key, path, digest)
        if isinstance(value, dict):
            return {k: self.resolve(key, v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(key, v, (*path, str(i))) for i, v in enumerate(value)]
        return value


def _region_of(stack_file: Path, stack_config: Mapping[str, Any]) -> str:
    """`aws:region` as written, checked early: every ARN and host name derives from it."""
    from components.config import region_problem

    region = stack_config.get("aws:region")
    if region is None or _is_secure(region):
        return "us-east-1"  # a secure region is refused with the other secure leaves
    problem = region_problem(region)
    if problem:
        raise InputError(f"{stack_file.name}: aws:region: {problem}")
    return str(region)


def load_stack_config(project_dir: Path, stack: str) -> StackConfig:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml; apply defaults and check declared types.

    `stack` may be a fully qualified `org/project/stack` reference; it is checked against
    Pulumi's stack-name rules before it becomes part of a path.
    """
    project_file = project_dir / "Pulumi.yaml"
    project_doc = read_yaml(project_file)
    project = project_doc.get("name")
    if not isinstance(project, str) or not project:
        raise InputError("Pulumi.yaml: 'name' is missing; it names the project")
    stack = parse_stack_reference(stack, project)
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
    stack_doc = read_yaml(stack_file)

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
    qualified = {_qualify(project, str(raw_key)): value for raw_key, value in stack_config.items()}
    leaves = _SecureLeaves(*_secret_rules(project, _region_of(stack_file, qualified)))
    for key, value in qualified.items():
        values[key] = leaves.resolve(key, value)
    if leaves.problems:
        raise InputError(f"{stack_file.name}: " + "; ".join(sorted(set(leaves.problems))))
    secret.update(leaves.found)

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
            shown = "[secret]" if key in secret else json.dumps(value, default=str)[:60]
            raise InputError(
                f"{stack_file.name}: config key {key!r} must be of type {declared_type}, "
                f"got {value_kind(value)} {shown}"
            )
        if declared_type == "array":
            item_type = (decl.get("items") or {}).get("type")
            if item_type in _TYPE_CHECKS:
                for index, item in enumerate(value):
                    if not isinstance(item, _TYPE_CHECKS[str(item_type)]):
                        raise InputError(
                            f"{stack_file.name}: config key {key!r} item {index} must be of "
                            f"type {item_type}, got {value_kind(item)}"
                        )

    return StackConfig(
        project=project,
        stack=stack,
        project_dir=project_dir,
        main=main,
        values=values,
        secret_keys=frozenset(secret),
        undecryptable=frozenset(leaves.found),
    )
