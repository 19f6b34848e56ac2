"""A stack's resources as the policy pack sees them: properties merged (`outputs` over `inputs`),
secrets resolved, and which secret values must never be printed. Built from an export file
(`read`) or straight from a simulated deployment."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from preflight.simulate.deployment import Deployment, ResourceRecord, SimResource

EXPORT_VERSION = 3


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
