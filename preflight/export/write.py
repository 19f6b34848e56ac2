"""A simulated deployment written as `pulumi stack export` writes a stack (version 3): the stack
resource with its outputs, the default providers, every resource with its inputs (as the
provider's Check left them: auto-names, `__defaults`, `region`, `tagsAll`), outputs, relations
and options; secret properties wrapped (as ciphertext unless `--show-secrets`)."""

from __future__ import annotations

import base64
import hashlib
import json
from importlib import metadata
from typing import Any, Protocol

from preflight.export.state import EXPORT_VERSION
from preflight.simulate.deployment import (
    SECRET_SIG,
    SECRET_SIG_KEY,
    STACK_TYPE,
    Deployment,
    SimResource,
)

_ZERO_TIME = "0001-01-01T00:00:00Z"  # what Pulumi writes for an unset time: keeps output stable


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
    entry["inputs"] = _wrapped(resource.checked_inputs(), resource.secret_inputs, show_secrets)
    entry["outputs"] = _wrapped(resource.outputs, resource.secret_outputs, show_secrets)
    entry.update(relations(resource, resource.provider))
    if resource.ignore_changes:
        entry["ignoreChanges"] = list(resource.ignore_changes)
    if resource.replace_on_changes:
        entry["replaceOnChanges"] = list(resource.replace_on_changes)
    return entry


class Related(Protocol):
    """What a resource's checkpoint entry says of its place and options (a simulated resource
    or a registration)."""

    @property
    def parent(self) -> str | None: ...
    @property
    def protect(self) -> bool: ...
    @property
    def dependencies(self) -> list[str]: ...
    @property
    def property_dependencies(self) -> dict[str, list[str]]: ...
    @property
    def retain_on_delete(self) -> bool: ...


def relations(resource: Related, provider: str | None) -> dict[str, Any]:
    """`parent`, `protect`, `dependencies`, `propertyDependencies`, `provider` (the reference
    given) and `retainOnDelete`, each left out when empty as ResourceV3 leaves it out."""
    entry: dict[str, Any] = {}
    if resource.parent:
        entry["parent"] = resource.parent
    if resource.protect:
        entry["protect"] = True
    if resource.dependencies:
        entry["dependencies"] = sorted(resource.dependencies)
    deps = {k: sorted(v) for k, v in sorted(resource.property_dependencies.items()) if v}
    if deps:
        entry["propertyDependencies"] = deps
    if provider:
        entry["provider"] = provider
    if resource.retain_on_delete:
        entry["retainOnDelete"] = True
    return entry


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=4, ensure_ascii=False) + "\n"
