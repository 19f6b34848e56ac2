"""One stack's resources, indexed for the rules: by URN, ID and type, and who refers to whom.

Resources are related by ID first and by `propertyDependencies` (URNs) when an ID is not
known yet (during preview). `References` indexes one kind of reference (an association's
`subnetId`, a route's `routeTableId`) so that finding what refers to a resource stays linear
in the size of the stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any, Final

from awsfacts.ec2 import DEFAULT_ROUTE_TABLE

from .resources import Resource
from .values import is_unreadable

AWS_PROVIDER: Final = "pulumi:providers:aws"


@dataclass
class StackIndex:
    """A stack's resources with the lookups every rule uses."""

    resources: Sequence[Resource]
    by_urn: dict[str, Resource] = field(init=False)
    _by_id: dict[str, Resource] = field(init=False)
    _by_type: dict[str, list[Resource]] = field(init=False)
    _positions: dict[str, list[int]] = field(init=False)
    """Per type, where its resources stand in the stack (parallel to `_by_type`)."""

    def __post_init__(self) -> None:
        self.by_urn = {r.urn: r for r in self.resources}
        self._by_type = {}
        self._positions = {}
        for index, r in enumerate(self.resources):
            self._by_type.setdefault(r.type, []).append(r)
            self._positions.setdefault(r.type, []).append(index)
        self._by_id = {}
        for r in self.resources:
            rid = r.props.get("id")
            if isinstance(rid, str) and rid:
                self._by_id.setdefault(rid, r)
            if r.type == DEFAULT_ROUTE_TABLE:
                drt = r.props.get("defaultRouteTableId")
                if isinstance(drt, str) and drt:
                    self._by_id.setdefault(drt, r)

    def of_type(self, *types: str) -> list[Resource]:
        """The resources of these types, in stack order (from the index: no scan of the stack)."""
        present = [t for t in dict.fromkeys(types) if t in self._by_type]
        if len(present) == 1:
            return list(self._by_type[present[0]])
        placed = [
            pr for t in present for pr in zip(self._positions[t], self._by_type[t], strict=True)
        ]
        placed.sort(key=lambda pr: pr[0])
        return [r for _, r in placed]

    @cached_property
    def default_region(self) -> str | None:
        """The region of the stack's default AWS provider (a `pulumi:providers:aws` named
        `default...`), where the resources that name no region and no provider of their own
        live; None unless exactly one region is named."""
        regions = [
            provider.props.get("region")
            for provider in self._by_type.get(AWS_PROVIDER, ())
            if provider.name.startswith("default")
        ]
        if not all(isinstance(r, str) and r and not is_unreadable(r) for r in regions):
            return None
        named = set(regions)
        return named.pop() if len(named) == 1 else None

    def by_id(self, rid: Any, *types: str) -> Resource | None:
        if not isinstance(rid, str):
            return None
        found = self._by_id.get(rid)
        if found is not None and (not types or found.type in types):
            return found
        return None

    def deps_of_type(self, owner: Resource, prop: str, *types: str) -> list[Resource]:
        found = [self.by_urn.get(u) for u in owner.deps_of(prop)]
        return [r for r in found if r is not None and r.type in types]

    def refers_to(self, owner: Resource, prop: str, target: Resource) -> bool | None:
        """Does `owner.prop` reference `target`? By ID, else by dependency; None if unknowable."""
        value = owner.props.get(prop)
        target_id = target.props.get("id")
        if isinstance(value, str) and not is_unreadable(value):
            if isinstance(target_id, str) and value == target_id:
                return True
            if target.type == DEFAULT_ROUTE_TABLE and value == target.props.get(
                "defaultRouteTableId"
            ):
                return True
            if target.urn in owner.deps_of(prop):
                # A known ID while the target's own ID is unknown: same resource by dependency.
                return not isinstance(target_id, str)
            return False
        if value is None:
            return False
        if target.urn in owner.deps_of(prop):
            return True
        if owner.deps_of(prop):
            return False
        return None


class References:
    """Resources whose `prop` refers to another resource, indexed by the ID they name and by
    the URNs that property depends on; those that name nothing knowable are always candidates.

    `candidates` returns, in stack order, every resource for which `StackIndex.refers_to` can be
    anything but False, so callers keep their exact semantics at a fraction of the cost.
    """

    def __init__(self, resources: Sequence[Resource], prop: str) -> None:
        self._prop = prop
        self._order = {r.urn: index for index, r in enumerate(resources)}
        self._by_value: dict[str, list[Resource]] = {}
        self._by_dependency: dict[str, list[Resource]] = {}
        self._unknown: list[Resource] = []
        for r in resources:
            value = r.props.get(prop)
            deps = r.deps_of(prop)
            if isinstance(value, str) and not is_unreadable(value):
                self._by_value.setdefault(value, []).append(r)
            elif value is not None and not deps:
                self._unknown.append(r)
            for urn in deps:
                self._by_dependency.setdefault(urn, []).append(r)

    def by_value(self, rid: str) -> list[Resource]:
        """The resources whose property names exactly `rid`, in stack order."""
        return self._by_value.get(rid, [])

    def depending_on(self, urn: str) -> list[Resource]:
        """The resources whose property depends on `urn`, in stack order."""
        return self._by_dependency.get(urn, [])

    def candidates(self, ids: Iterable[Any], urn: str) -> list[Resource]:
        found: dict[str, Resource] = {}
        for rid in ids:
            if isinstance(rid, str):
                found.update((r.urn, r) for r in self._by_value.get(rid, ()))
        found.update((r.urn, r) for r in self._by_dependency.get(urn, ()))
        found.update((r.urn, r) for r in self._unknown)
        return sorted(found.values(), key=lambda r: self._order[r.urn])

    def any_refers(self, index: StackIndex, target: Resource) -> bool:
        """Whether some resource's `prop` may refer to `target` (`refers_to` is not False), as
        `any` over every indexed resource says, but trying the likeliest first and stopping
        there: a target that thousands of resources name costs one lookup, not thousands."""
        ids = [target.props.get("id")]
        if target.type == DEFAULT_ROUTE_TABLE:
            ids.append(target.props.get("defaultRouteTableId"))
        named = chain.from_iterable(self._by_value.get(i, ()) for i in ids if isinstance(i, str))
        found = chain(named, self._by_dependency.get(target.urn, ()), self._unknown)
        return any(index.refers_to(r, self._prop, target) is not False for r in found)
