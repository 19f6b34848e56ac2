"""Reading anyone's `pulumi stack export` (version 3) into a `State`.

Strict about structure (a file that is not a version-3 export is bad input) and lenient about
content: properties are taken from `outputs`, falling back to `inputs`, and secrets are
unwrapped when their plaintext is present. A secret with only ciphertext cannot be checked; it
reaches the policies as an unknown value and is listed as such. The property values themselves
are checked and decoded by `export.values`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from preflight.export.state import EXPORT_VERSION, State, StateResource
from preflight.export.values import ValueWalk, check_text, load_json, one_line, printable
from preflight.inputs.errors import InputError
from preflight.inputs.files import read_text


def read_export(path: Path) -> State:
    """Read a `pulumi stack export` file; raise InputError naming what is wrong.

    Every malformed input becomes an InputError (exit 2), never another exception: the
    document is parsed with its integers and constants bounded, then walked once, with a
    depth bound, validating every value the policy pack and its deserialiser will see.
    """
    with cyclic_gc_paused():
        document, name = read_document(path)
        return parse_export(document, name)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: reading a state (and evaluating the pack on it)
    allocates a great many acyclic objects that all stay alive, and the collector's full passes
    over everything alive, triggered as the heap grows, made reading 8,000 resources take 5.4
    times as long as 2,000. Nothing is lost: cycles left meanwhile are collected later."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_document(path: Path) -> tuple[Any, str]:
    """The JSON document in `path` (integers and constants bounded) and the name messages use
    for it; InputError when it cannot be read or is not JSON."""
    name = printable(str(path))
    text = read_text(
        path,
        f"{name}: file not found",
        lambda exc: f"{name}: cannot be read: {printable(str(exc))}",
    )
    return load_json(text, name, "the file"), name


def parse_export(document: Any, name: str = "state") -> State:
    if not isinstance(document, dict):
        raise InputError(f"{name}: expected a JSON object from `pulumi stack export`")
    if "deployment" not in document:
        raise InputError(
            f"{name}: no 'deployment' key; expected the output of `pulumi stack export` "
            '({"version": 3, "deployment": {...}})'
        )
    version = document.get("version")
    if version != EXPORT_VERSION or isinstance(version, bool):
        raise InputError(
            f"{name}: unsupported 'version' {printable(repr(version))[:40]}; only version "
            f"{EXPORT_VERSION} exports are supported (re-export with a current Pulumi CLI)"
        )
    deployment = document["deployment"]
    if not isinstance(deployment, dict):
        raise InputError(f"{name}: 'deployment' must be an object")
    raw_resources = deployment.get("resources") or []
    if not isinstance(raw_resources, list):
        raise InputError(f"{name}: 'deployment.resources' must be a list")
    state = State(stack=None, project=None)
    for index, raw in enumerate(raw_resources):
        state.resources.append(_parse_resource(raw, f"{name}: deployment.resources[{index}]"))
    for resource in state.resources:
        parts = resource.urn.split("::")
        stack = parts[0].removeprefix("urn:pulumi:")
        if state.stack is None:
            state.stack, state.project = stack, parts[1]
    return state


def _optional_text(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: '{key}' must be a string, not {type(value).__name__}")
    return check_text(value, where, f"'{key}'")


def _urn_list(value: Any, where: str, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
        raise InputError(f"{where}: {what} must be a list of URN strings")
    return [check_text(u, where, what) for u in value]


def _urn_and_type(raw: Any, where: str) -> tuple[str, str]:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected an object")
    urn = raw.get("urn")
    if not isinstance(urn, str) or not urn:
        raise InputError(f"{where}: missing 'urn'")
    check_text(urn, where, "'urn'")
    if not urn.startswith("urn:pulumi:") or len(urn.split("::")) < 4:
        raise InputError(
            f"{where}: 'urn' {urn[:200]!r} is not a Pulumi URN "
            "(urn:pulumi:<stack>::<project>::<type>::<name>)"
        )
    type_token = raw.get("type")
    if not isinstance(type_token, str) or not type_token:
        raise InputError(f"{where} ({urn}): missing 'type'")
    check_text(type_token, f"{where} ({urn})", "'type'")
    return urn, type_token


def _properties(raw: dict[str, Any], where: str) -> tuple[dict[str, Any], list[str], ValueWalk]:
    """`outputs` over `inputs`, every value checked; the keys readable only as ciphertext."""
    inputs = raw.get("inputs") or {}
    outputs = raw.get("outputs") or {}
    if not isinstance(inputs, dict) or not isinstance(outputs, dict):
        raise InputError(f"{where}: 'inputs' and 'outputs' must be objects")
    walk = ValueWalk()
    revealed: dict[str, dict[str, Any]] = {}
    unreadable_in: dict[str, set[str]] = {"inputs": set(), "outputs": set()}
    for section, bag in (("inputs", inputs), ("outputs", outputs)):
        out: dict[str, Any] = {}
        for key, value in bag.items():
            check_text(key, where, f"{section} key")
            walk.ciphertext = False
            out[key] = walk.value(value, f"{where}: {section}.{one_line(key)}", 1, False)
            if walk.ciphertext:
                unreadable_in[section].add(key)
        revealed[section] = out
    properties = {**revealed["inputs"], **revealed["outputs"]}
    unreadable = sorted(
        key for key in properties if key in unreadable_in["outputs" if key in outputs else "inputs"]
    )
    return properties, unreadable, walk


def _property_dependencies(raw: dict[str, Any], where: str) -> dict[str, list[str]]:
    prop_deps = raw.get("propertyDependencies")
    if prop_deps is None:
        prop_deps = {}
    if not isinstance(prop_deps, dict):
        raise InputError(
            f"{where}: 'propertyDependencies' must be an object of property name to URN list"
        )
    property_dependencies: dict[str, list[str]] = {}
    for key, deps in prop_deps.items():
        check_text(key, where, "'propertyDependencies' key")
        shown = one_line(key)
        property_dependencies[key] = _urn_list(deps, where, f"'propertyDependencies.{shown}'")
    return property_dependencies


def _parse_resource(raw: Any, where: str) -> StateResource:
    urn, type_token = _urn_and_type(raw, where)
    where = f"{where} ({urn})"
    properties, unreadable, walk = _properties(raw, where)
    raw_id = raw.get("id")
    if raw_id is not None and not isinstance(raw_id, str):
        raise InputError(f"{where}: 'id' must be a string, not {type(raw_id).__name__}")
    if isinstance(raw_id, str):
        check_text(raw_id, where, "'id'")
    property_dependencies = _property_dependencies(raw, where)
    for flag in ("custom", "protect"):
        if not isinstance(raw.get(flag, False), bool):
            raise InputError(f"{where}: '{flag}' must be true or false")
    return StateResource(
        urn=urn,
        type=type_token,
        name="::".join(urn.split("::")[3:]),
        custom=bool(raw.get("custom", False)),
        id=str(raw_id or ""),
        properties=properties,
        parent=_optional_text(raw, "parent", where),
        dependencies=_urn_list(raw.get("dependencies"), where, "'dependencies'"),
        property_dependencies=property_dependencies,
        protect=bool(raw.get("protect", False)),
        provider=_optional_text(raw, "provider", where),
        unreadable_secrets=tuple(unreadable),
        secret_values=tuple(sorted(walk.secrets)),
    )
