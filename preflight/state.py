"""The `pulumi stack export` format (version 3): writing a simulated deployment, reading anyone's.

Reading is strict about structure (a file that is not a version-3 export is bad input) and
lenient about content: properties are taken from `outputs`, falling back to `inputs`, and
secrets are unwrapped when their plaintext is present. A secret with only ciphertext cannot
be checked; it reaches the policies as an unknown value and is listed as such.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .engine import SECRET_SIG, SECRET_SIG_KEY, STACK_TYPE, Deployment, SimResource
from .project import InputError

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""pulumi-policy's sentinel for a value that is not known: the policies treat it as such."""

EXPORT_VERSION = 3
_ZERO_TIME = "0001-01-01T00:00:00Z"  # what Pulumi writes for an unset time: keeps output stable


@dataclass(frozen=True)
class StateResource:
    """A resource as the policy pack sees it: properties merged, secrets resolved."""

    urn: str
    type: str
    name: str
    custom: bool
    id: str
    properties: dict[str, Any]
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    provider: str | None
    unreadable_secrets: tuple[str, ...] = ()
    """Top-level properties whose secret value was given only as ciphertext."""


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
    """Read a `pulumi stack export` file; raise InputError naming what is wrong."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot be read: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "expected the output of `pulumi stack export`"
        ) from None
    return parse_export(document, name)


def parse_export(document: Any, name: str = "state") -> State:
    if not isinstance(document, dict):
        raise InputError(f"{name}: expected a JSON object from `pulumi stack export`")
    if "deployment" not in document:
        raise InputError(
            f"{name}: no 'deployment' key; expected the output of `pulumi stack export` "
            '({"version": 3, "deployment": {...}})'
        )
    version = document.get("version")
    if version != EXPORT_VERSION:
        raise InputError(
            f"{name}: unsupported 'version' {version!r}; only version {EXPORT_VERSION} "
            "exports are supported (re-export with a current Pulumi CLI)"
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


def _parse_resource(raw: Any, where: str) -> StateResource:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected an object")
    urn = raw.get("urn")
    if not isinstance(urn, str) or not urn:
        raise InputError(f"{where}: missing 'urn'")
    parts = urn.split("::")
    if not urn.startswith("urn:pulumi:") or len(parts) < 4:
        raise InputError(
            f"{where}: 'urn' {urn!r} is not a Pulumi URN "
            "(urn:pulumi:<stack>::<project>::<type>::<name>)"
        )
    type_token = raw.get("type")
    if not isinstance(type_token, str) or not type_token:
        raise InputError(f"{where} ({urn}): missing 'type'")
    inputs = raw.get("inputs") or {}
    outputs = raw.get("outputs") or {}
    if not isinstance(inputs, dict) or not isinstance(outputs, dict):
        raise InputError(f"{where} ({urn}): 'inputs' and 'outputs' must be objects")
    merged = {**inputs, **outputs}
    properties: dict[str, Any] = {}
    unreadable: list[str] = []
    for key in sorted(merged):
        properties[key], readable = _reveal(merged[key], f"{where} ({urn}) property {key!r}")
        if not readable:
            unreadable.append(key)
    deps = raw.get("dependencies") or []
    prop_deps = raw.get("propertyDependencies") or {}
    if not isinstance(deps, list) or not isinstance(prop_deps, dict):
        raise InputError(f"{where} ({urn}): malformed 'dependencies' or 'propertyDependencies'")
    return StateResource(
        urn=urn,
        type=type_token,
        name="::".join(parts[3:]),
        custom=bool(raw.get("custom", False)),
        id=str(raw.get("id") or ""),
        properties=properties,
        parent=raw.get("parent") or None,
        dependencies=[str(d) for d in deps],
        property_dependencies={str(k): [str(u) for u in (v or [])] for k, v in prop_deps.items()},
        protect=bool(raw.get("protect", False)),
        provider=raw.get("provider") or None,
        unreadable_secrets=tuple(unreadable),
    )


_SCALARS = (str, int, float, bool, type(None))


def _reveal(value: Any, where: str) -> tuple[Any, bool]:
    """Unwrap secret envelopes; a ciphertext-only secret becomes the unknown sentinel."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return _reveal_secret(value, where)
        readable = True
        out: dict[str, Any] = {}
        for key, item in value.items():
            if type(item) in _SCALARS:  # most values: no envelope can hide in a scalar
                out[key] = item
                continue
            out[key], ok = _reveal(item, where)
            readable = readable and ok
        return out, readable
    if isinstance(value, list):
        items = []
        readable = True
        for item in value:
            if type(item) in _SCALARS:
                items.append(item)
                continue
            plain, ok = _reveal(item, where)
            items.append(plain)
            readable = readable and ok
        return items, readable
    return value, True


def _reveal_secret(envelope: dict[str, Any], where: str) -> tuple[Any, bool]:
    if "plaintext" in envelope:
        try:
            inner = json.loads(envelope["plaintext"])
        except (TypeError, json.JSONDecodeError):
            raise InputError(f"{where}: secret 'plaintext' is not JSON text") from None
        revealed, _ = _reveal(inner, where)
        return revealed, True
    if "value" in envelope:
        return _reveal(envelope["value"], where)
    return UNKNOWN_STRING, False


def from_deployment(deployment: Deployment) -> State:
    """The simulated deployment as the pack sees a state: no round trip through JSON."""
    resources = []
    for r in deployment.resources:
        resources.append(
            StateResource(
                urn=r.urn,
                type=r.type,
                name=r.name,
                custom=r.custom,
                id=r.id,
                properties={**r.inputs, **r.outputs},
                parent=r.parent,
                dependencies=list(r.dependencies),
                property_dependencies=dict(r.property_dependencies),
                protect=r.protect,
                provider=r.provider,
            )
        )
    return State(stack=deployment.stack, project=deployment.project, resources=resources)
