"""Blue/green rules: slots of one role are alike, and every switch points at the stack.

A role runs as blue/green slots when the stack has two Elastic Beanstalk environments of one
application with the same `role` tag; a DNS record is the switch between them (an alias to the
live slot's load balancer, or a CNAME). Every other rule already judges each slot, because each
is an environment like any other. These rules add what only a pair can break:

- `eb-slots-same-tier-and-subnets`: the slots run the same tier in the same subnets (instances'
  `Subnets`, load balancers' `ELBSubnets`), so a flip changes which environment serves, not
  where or how (mandatory in prod, advisory in dev);
- `eb-switch-points-at-stack-environment`: a record that points at a name only Elastic
  Beanstalk hands out, or depends on an environment of the stack, points at an environment of
  this stack: a live slot that names a removed (or another stack's) environment is an outage.

Which environment a record points at is `awsfacts.dns` (preflight's plan gate reads it too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from awsfacts.dns import ROUTE53_RECORD, PlainResource, switches
from awsfacts.eb import EB_ENVIRONMENT, VPC_NS
from awsfacts.ec2 import SUBNET

from .common import NOT_KNOWN_YET, cannot_check, stack_policy, unreadable
from .resources import Resource
from .subnets import Network, split_ids
from .templates import Effective, effective_settings
from .values import is_unreadable, show

Finding = tuple[str, str | None]
DEFAULT_TIER = "WebServer"
"""EB's tier when `tier` is not set."""


def _role_tag(resource: Resource) -> object:
    """The `role` tag, from `tags` or (set through the provider's default tags) `tagsAll`."""
    for key in ("tags", "tagsAll"):
        tags = resource.props.get(key)
        if isinstance(tags, dict) and "role" in tags:
            return tags["role"]
    return None


def _application_key(resource: Resource) -> str | None:
    """The application an environment belongs to: its name, or what the name depends on."""
    application = resource.props.get("application")
    if isinstance(application, str):
        return application
    deps = resource.deps_of("application")
    return "|".join(sorted(deps)) if deps else None


def _slot_groups(network: Network) -> list[tuple[str, list[Effective]]]:
    """Environments of one application sharing a `role` tag, two or more: (role, slots)."""
    groups: dict[tuple[str, str], list[Effective]] = {}
    for found in effective_settings(network):
        role, application = _role_tag(found.resource), _application_key(found.resource)
        if found.is_template or not isinstance(role, str) or application is None:
            continue
        groups.setdefault((application, role), []).append(found)
    return [(role, slots) for (_, role), slots in groups.items() if len(slots) > 1]


def _subnet_difference(
    network: Network, first: Effective, other: Effective, option: str
) -> Finding | None:
    """How `other`'s `option` (Subnets, ELBSubnets) differs from `first`'s, if it does."""
    values = [found.settings.get(VPC_NS, option) for found in (first, other)]
    label, role = other.resource.label, _role_tag(other.resource)
    if any(is_unreadable(value) for value in values):
        by_dependency = [
            {r.urn for r in network.deps_of_type(found.resource, "settings", SUBNET)}
            for found in (first, other)
        ]
        if by_dependency[0] == by_dependency[1] and by_dependency[0]:
            return None
        return cannot_check(
            f"{label}: {VPC_NS} {option} {unreadable(next(v for v in values if is_unreadable(v)))}"
        )
    ids = [sorted(split_ids(value) or []) for value in values]
    if ids[0] == ids[1]:
        return None
    return (
        f"{label} (role={role}): {VPC_NS} {option} is {show(values[1])}, but "
        f"{first.resource.label}, another slot of role {role}, has {show(values[0])}; "
        "blue/green slots must sit in the same subnets, so a flip changes which environment "
        "serves, not where",
        other.resource.urn,
    )


def _tier(resource: Resource) -> Any:
    tier = resource.props.get("tier")
    return DEFAULT_TIER if tier is None or tier == "" else tier


def _pair_findings(network: Network, role: str, slots: Sequence[Effective]) -> list[Finding]:
    first = slots[0]
    results: list[Finding] = []
    for other in slots[1:]:
        tiers = [_tier(found.resource) for found in (first, other)]
        if any(is_unreadable(tier) for tier in tiers):
            results.append(cannot_check(f"{other.resource.label}: its tier {NOT_KNOWN_YET}"))
        elif tiers[0] != tiers[1]:
            results.append(
                (
                    f"{other.resource.label} (role={role}) runs tier {show(tiers[1])}, but "
                    f"{first.resource.label}, another slot of role {role}, runs "
                    f"{show(tiers[0])}; blue/green slots take the same traffic in turn, so they "
                    "must be the same tier",
                    other.resource.urn,
                )
            )
        if not (first.readable and other.readable):
            unread = other if not other.readable else first
            results.append(cannot_check(unread.why_unreadable()))
            continue
        for option in ("Subnets", "ELBSubnets"):
            finding = _subnet_difference(network, first, other, option)
            if finding is not None:
                results.append(finding)
    return results


def _slots_alike(network: Network) -> list[Finding]:
    results: list[Finding] = []
    for role, slots in _slot_groups(network):
        results += _pair_findings(network, role, slots)
    return results


def _plain(resource: Resource) -> PlainResource:
    return PlainResource(
        resource.type, resource.urn, resource.props, resource.property_dependencies
    )


def _switch_points_at_stack(network: Network) -> list[Finding]:
    results: list[Finding] = []
    found = switches(_plain(r) for r in network.of_type(EB_ENVIRONMENT, ROUTE53_RECORD))
    for urn, target in found.items():
        record = network.by_urn[urn]
        name = show(record.props.get("name"))
        if not target.known:
            results.append(
                cannot_check(
                    f"{record.label}: the Elastic Beanstalk environment {name} points at "
                    f"{NOT_KNOWN_YET}"
                )
            )
        elif target.environment is None:
            results.append(
                (
                    f"{record.label}: {name} points at {', '.join(target.names)}, which no "
                    "Elastic Beanstalk environment of this stack serves (a slot that was "
                    "removed, or another stack's environment); point it at the load balancer "
                    "of the live slot's environment",
                    record.urn,
                )
            )
    return results


POLICIES = [
    stack_policy(
        "eb-slots-same-tier-and-subnets",
        "Blue/green slots (Elastic Beanstalk environments of one application with the same role "
        "tag) run the same tier in the same subnets.",
        _slots_alike,
    ),
    stack_policy(
        "eb-switch-points-at-stack-environment",
        "A DNS record that switches between Elastic Beanstalk environments points at an "
        "environment of this stack.",
        _switch_points_at_stack,
    ),
]
