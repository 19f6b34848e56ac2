"""What a deployment is once the program ran: the resources a checkpoint records (in dependency
order) and the stack outputs; preflight's engine produces it, the plan, the report and the
export read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY

from preflight.simulate.check import Checked

SECRET_SIG_KEY: str = SPECIAL_SIG_KEY
"""The engine's signature key; with SECRET_SIG, a secret's envelope (pulumi-policy's names)."""
SECRET_SIG: str = SPECIAL_SECRET_SIG
STACK_TYPE = "pulumi:pulumi:Stack"


def map_leaves(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """`value` with `leaf` applied to everything but the dicts and lists it walks through."""
    if isinstance(value, dict):
        return {k: map_leaves(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [map_leaves(v, leaf) for v in value]
    return leaf(value)


@dataclass(frozen=True, kw_only=True)
class ResourceRecord:
    """What a checkpoint records of every resource; the engine's and the pack's views add to it."""

    urn: str
    type: str
    name: str
    custom: bool
    id: str
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    provider: str | None

    def record(self) -> dict[str, Any]:
        """These fields by name, to build another view of the same resource."""
        return {f.name: getattr(self, f.name) for f in fields(ResourceRecord)}


@dataclass(frozen=True, kw_only=True)
class SimResource(ResourceRecord):
    """One resource as the engine records it in the stack's checkpoint."""

    inputs: dict[str, Any]
    outputs: dict[str, Any]
    secret_inputs: frozenset[str] = frozenset()
    secret_outputs: frozenset[str] = frozenset()
    replace_on_changes: tuple[str, ...] = ()
    """The `replaceOnChanges` resource option (property paths; `*` for all)."""
    delete_before_replace: bool | None = None
    """The `deleteBeforeReplace` option when the program set it; None lets the provider decide."""
    aliases: tuple[str, ...] = ()
    """URNs this resource was known by (the `aliases` option, resolved as the engine does)."""
    ignore_changes: tuple[str, ...] = ()
    retain_on_delete: bool = False
    checked: Checked = field(default_factory=Checked)
    """What the provider's Check added to `inputs` (auto-names, region, tagsAll)."""

    def checked_inputs(self) -> dict[str, Any]:
        """The inputs as the engine records them: the program's plus what Check added."""
        if not self.custom or not self.type.startswith("aws:"):
            return dict(self.inputs)
        return self.checked.inputs(self.inputs)


@dataclass
class Deployment:
    """The simulated result of `pulumi up`: resources in dependency order and stack outputs."""

    project: str
    stack: str
    resources: list[SimResource]
    outputs: dict[str, Any]
    secret_outputs: frozenset[str] = frozenset()
    diagnostics: list[str] = field(default_factory=list)
    by_urn: dict[str, SimResource] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_urn = {r.urn: r for r in self.resources}

    def of_type(self, type_token: str) -> list[SimResource]:
        return [r for r in self.resources if r.type == type_token]

    def get(self, type_token: str, name: str) -> SimResource:
        for resource in self.resources:
            if resource.type == type_token and resource.name == name:
                return resource
        names = ", ".join(r.name for r in self.of_type(type_token)) or "none"
        raise KeyError(f"no {type_token} named {name!r} (have: {names})")

    def children(self, urn: str) -> list[SimResource]:
        return [r for r in self.resources if r.parent == urn]
