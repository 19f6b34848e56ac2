"""A plain, typed view of the stack's resources that helpers can reason about.

Built once per stack validation from pulumi-policy's `PolicyResource` objects (or anything
shaped like them), so the relation helpers (`subnets.py`) are pure functions over plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .values import plain_props


class PolicyResourceLike(Protocol):
    """The parts of `pulumi_policy.PolicyResource` this package reads."""

    resource_type: str
    props: Mapping[str, Any]
    urn: str
    name: str

    @property
    def dependencies(self) -> Sequence[Any]: ...

    @property
    def property_dependencies(self) -> Mapping[str, Sequence[Any]]: ...


@dataclass(frozen=True)
class Resource:
    """One resource: its type token, name, URN, plain properties and dependency URNs."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    provider_region: Any = None
    """The `region` of the provider the engine names for the resource (the Pulumi CLI hands
    each resource its provider; a stack export does not), or None."""

    def deps_of(self, prop: str) -> tuple[str, ...]:
        """URNs the given top-level property depends on (empty when unrecorded)."""
        return self.property_dependencies.get(prop, ())

    @property
    def label(self) -> str:
        """How messages name the resource: type and name, e.g. aws:ec2/subnet:Subnet 'app-a'."""
        return f"{self.type} '{self.name}'"


def _urn_of(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    urn = getattr(item, "urn", None)
    return urn if isinstance(urn, str) else None


def _provider_region(resource: PolicyResourceLike) -> Any:
    """The region of the resource's provider (pulumi-policy's `PolicyResource.provider`)."""
    props = getattr(getattr(resource, "provider", None), "props", None)
    return plain_props(props).get("region") if isinstance(props, Mapping) else None


def from_policy_resource(resource: PolicyResourceLike) -> Resource:
    prop_deps: dict[str, tuple[str, ...]] = {}
    for prop, deps in resource.property_dependencies.items():
        prop_deps[prop] = tuple(u for u in (_urn_of(d) for d in deps) if u)
    return Resource(
        type=resource.resource_type,
        name=resource.name,
        urn=resource.urn,
        props=plain_props(resource.props),
        property_dependencies=prop_deps,
        dependencies=tuple(u for u in (_urn_of(d) for d in resource.dependencies) if u),
        provider_region=_provider_region(resource),
    )


def from_policy_resources(resources: Iterable[PolicyResourceLike]) -> list[Resource]:
    return [from_policy_resource(r) for r in resources]


def name_from_urn(urn: str) -> str:
    """The resource name at the end of a URN (`...::type::name`)."""
    return urn.rsplit("::", 1)[-1]
