"""The `pulumi stack export` format (version 3): writing a simulated deployment, reading anyone's.

Reading is strict about structure (a file that is not a version-3 export is bad input) and
lenient about content: properties are taken from `outputs`, falling back to `inputs`, and
secrets are unwrapped when their plaintext is present. A secret with only ciphertext cannot
be checked; it reaches the policies as an unknown value and is listed as such. The property
values themselves are checked and decoded by `export_values`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from preflight.export.values import ValueWalk, check_text, load_json, one_line, printable
from preflight.inputs.errors import InputError
from preflight.simulate.deployment import (
    SECRET_SIG,
    SECRET_SIG_KEY,
    STACK_TYPE,
    Deployment,
    ResourceRecord,
    SimResource,
)

EXPORT_VERSION = 3
_ZERO_TIME = "0001-01-01T00:00:00Z"  # what Pulumi writes for an unset time: keeps output stable


@dataclass(frozen=True, kw_only=True)
class StateResource(ResourceRecord):
    """A resource as the policy pack sees it: properties merged, secrets resolved."""

    properties: dict[str, Any]
    unreadable_secrets: tuple[str, ...] = ()
    """Top-level properties whose secret value was given only as ciphertext."""
    secret_values: tuple[str, ...] = ()
    """Every plaintext leaf (strings; numbers as JSON) that the export held as a secret."""


@dataclass
class State:
    stack: str | None
    project: str | None
    resources: list[StateResource] = field(default_factory=list)


# -- writing ------------------------------------------------------------------------------


def _wrap_secret(value: Any, show_secrets: bool) -> dict[str, str]:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    if show_secrets:
        return {SECRET_SIG_KEY: SECRET_SIG, "plaintext": text}
    # An opaque, deterministic stand-in: the simulated stack has no secrets provider.
    digest = hashlib.sha256(text.encode()).digest()
    return {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "v1:" + base64.b64encode(digest).decode()}


def _wrapped(props: dict[str, Any], secret: frozenset[str], show: bool) -> dict[str, Any]:
    return {
        key: _wrap_secret(value, show) if key in secret else value
        for key, value in sorted(props.items())
    }


def _provider_resources(deployment: Deployment, region: str) -> list[dict[str, Any]]:
    providers: dict[str, dict[str, Any]] = {}
    for resource in deployment.resources:
        ref = resource.provider
        if not ref or ref in providers:
            continue
        urn, _, provider_id = ref.rpartition("::")
        package = urn.split("::")[2].split(":")[-1]
        props: dict[str, Any] = {"version": _package_version(package)}
        if package == "aws":
            props["region"] = region
        providers[ref] = {
            "urn": urn,
            "custom": True,
            "id": provider_id,
            "type": f"pulumi:providers:{package}",
            "inputs": dict(props),
            "outputs": dict(props),
        }
    return [providers[key] for key in sorted(providers)]


def _package_version(package: str) -> str:
    try:
        return metadata.version(f"pulumi_{package}")
    except metadata.PackageNotFoundError:
        return ""


def to_export(deployment: Deployment, *, region: str, show_secrets: bool = False) -> dict[str, Any]:
    """The deployment as `pulumi stack export` writes it."""
    version = f"v{metadata.version('pulumi')}"
    resources: list[dict[str, Any]] = []
    stack_urn = ""
    for resource in deployment.resources:
        if resource.type == STACK_TYPE:
            stack_urn = resource.urn
            resources.append(
                {
                    "urn": resource.urn,
                    "custom": False,
                    "type": STACK_TYPE,
                    "outputs": _wrapped(
                        deployment.outputs, deployment.secret_outputs, show_secrets
                    ),
                }
            )
            resources.extend(_provider_resources(deployment, region))
            continue
        resources.append(_export_resource(resource, show_secrets))
    if not stack_urn:
        resources = _provider_resources(deployment, region) + resources
    return {
        "version": EXPORT_VERSION,
        "deployment": {
            "manifest": {
                "time": _ZERO_TIME,
                "magic": hashlib.sha256(version.encode()).hexdigest(),
                "version": version,
            },
            "resources": resources,
        },
    }


def _export_resource(resource: SimResource, show_secrets: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"urn": resource.urn, "custom": resource.custom}
    if resource.custom:
        entry["id"] = resource.id
    entry["type"] = resource.type
    entry["inputs"] = _wrapped(resource.inputs, resource.secret_inputs, show_secrets)
    entry["outputs"] = _wrapped(resource.outputs, resource.secret_outputs, show_secrets)
    if resource.parent:
        entry["parent"] = resource.parent
    if resource.protect:
        entry["protect"] = True
    if resource.dependencies:
        entry["dependencies"] = sorted(resource.dependencies)
    deps = {k: sorted(v) for k, v in sorted(resource.property_dependencies.items()) if v}
    if deps:
        entry["propertyDependencies"] = deps
    if resource.provider:
        entry["provider"] = resource.provider
    return entry


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=4, ensure_ascii=False) + "\n"


# -- reading ------------------------------------------------------------------------------


def read_export(path: Path) -> State:
    """Read a `pulumi stack export` file; raise InputError naming what is wrong.

    Every malformed input becomes an InputError (exit 2), never another exception: the
    document is parsed with its integers and constants bounded, then walked once, with a
    depth bound, validating every value the policy pack and its deserialiser will see.
    """
    name = printable(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot be read: {printable(str(exc))}") from None
    return parse_export(load_json(text, name, "the file"), name)


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


def _parse_resource(raw: Any, where: str) -> StateResource:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected an object")
    urn = raw.get("urn")
    if not isinstance(urn, str) or not urn:
        raise InputError(f"{where}: missing 'urn'")
    check_text(urn, where, "'urn'")
    parts = urn.split("::")
    if not urn.startswith("urn:pulumi:") or len(parts) < 4:
        raise InputError(
            f"{where}: 'urn' {urn[:200]!r} is not a Pulumi URN "
            "(urn:pulumi:<stack>::<project>::<type>::<name>)"
        )
    where = f"{where} ({urn})"
    type_token = raw.get("type")
    if not isinstance(type_token, str) or not type_token:
        raise InputError(f"{where}: missing 'type'")
    check_text(type_token, where, "'type'")
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
    raw_id = raw.get("id")
    if raw_id is not None and not isinstance(raw_id, str):
        raise InputError(f"{where}: 'id' must be a string, not {type(raw_id).__name__}")
    if isinstance(raw_id, str):
        check_text(raw_id, where, "'id'")
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
    for flag in ("custom", "protect"):
        if not isinstance(raw.get(flag, False), bool):
            raise InputError(f"{where}: '{flag}' must be true or false")
    return StateResource(
        urn=urn,
        type=type_token,
        name="::".join(parts[3:]),
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


def from_deployment(deployment: Deployment) -> State:
    """The simulated deployment as the pack sees a state: no round trip through JSON."""
    resources = []
    for r in deployment.resources:
        resources.append(
            StateResource(
                **r.record(),
                properties={**r.inputs, **r.outputs},
                secret_values=_secret_leaves(r),
            )
        )
    return State(stack=deployment.stack, project=deployment.project, resources=resources)


def _secret_leaves(resource: SimResource) -> tuple[str, ...]:
    """The scalar values (strings; numbers as JSON) inside the resource's secret properties."""
    found: set[str] = set()
    pending: list[Any] = [
        resource.inputs[k] for k in resource.secret_inputs if k in resource.inputs
    ]
    pending += [resource.outputs[k] for k in resource.secret_outputs if k in resource.outputs]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            found.add(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.add(json.dumps(value))
    return tuple(sorted(found))
