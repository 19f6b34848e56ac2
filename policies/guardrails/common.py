"""What every rule module shares: plain views of the arguments and the 'cannot check' path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from awsfacts.eb import EB_ENVIRONMENT, EB_TEMPLATE, EB_TYPES
from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .resources import Resource, from_policy_resource, from_policy_resources
from .subnets import Network
from .values import CIPHERTEXT, UNKNOWN, CannotCheck, plain_props

MANDATORY: Final = EnforcementLevel.MANDATORY
ADVISORY: Final = EnforcementLevel.ADVISORY

ResourceCheck = Callable[[Resource], list[str]]
"""A resource rule's body: the violation messages for one resource (raise CannotCheck last)."""
StackCheck = Callable[[Network], list[tuple[str, str | None]]]
"""A stack rule's body: (message, urn) per violation."""

_network_cache: list[tuple[Sequence[Any], Network]] = []


def network_of(args: StackValidationArgs) -> Network:
    """The stack's resources as plain data, built once per stack and shared by the rules."""
    resources = args.resources
    for seen, network in _network_cache:
        if seen is resources:
            return network
    network = Network(from_policy_resources(resources))
    _network_cache[:] = [(resources, network)]  # keeps `resources` alive: `is` stays valid
    return network


_resource_cache: list[tuple[Any, str, Resource]] = []


def _resource_of(args: ResourceValidationArgs) -> Resource:
    """The plain view of the resource under validation, shared by the policies that run on
    it one after another (the analyzer hands each of them the same property bag)."""
    for props, urn, resource in _resource_cache:
        if props is args.props and urn == args.urn:
            return resource
    resource = from_policy_resource(_ResourceArgsView(args))
    _resource_cache[:] = [(args.props, args.urn, resource)]  # keeps props alive for `is`
    return resource


def resource_policy(
    name: str,
    description: str,
    types: Sequence[str],
    check: ResourceCheck,
    level: EnforcementLevel = MANDATORY,
) -> ResourceValidationPolicy:
    """A resource policy that reports every message `check` returns, then any CannotCheck."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in types:
            return
        resource = _resource_of(args)
        pending: CannotCheck | None = None
        try:
            messages = check(resource)
        except CannotCheck as undecided:
            messages, pending = [], undecided
        for message in messages:
            report_violation(message, None)
        if pending is not None:
            raise pending

    return ResourceValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=level
    )


def stack_policy(
    name: str, description: str, check: StackCheck, level: EnforcementLevel = MANDATORY
) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        network = network_of(args)
        undecided: list[str] = []
        for message, urn in check(network):
            if urn == CANNOT_CHECK:
                undecided.append(message)
            else:
                report_violation(message, urn)
        if undecided:
            raise CannotCheck(_summarize(undecided))

    return StackValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=level
    )


_SHOWN: Final = 5


def _summarize(facts: list[str]) -> str:
    """One advisory line: the first few distinct undecided facts and how many more."""
    distinct = list(dict.fromkeys(facts))
    shown = "; ".join(distinct[:_SHOWN])
    more = len(distinct) - _SHOWN
    return f"{shown}; and {more} more" if more > 0 else shown


NOT_KNOWN_YET: Final = "is not known yet (unknown during preview) or is encrypted in the state"
"""For `UNKNOWN`: during a preview the engine has not computed the value yet; on a saved
state, preflight hands a ciphertext-only secret to the pack as unknown (pulumi-policy's
deserializer refuses ciphertext), so the pack cannot tell the two apart."""
ENCRYPTED: Final = "is encrypted in the state (export the stack with --show-secrets to check it)"
"""For `CIPHERTEXT`: a secret envelope that reached the pack with ciphertext only."""
_PLURAL: Final = {
    NOT_KNOWN_YET: "are not known yet (unknown during preview) or are encrypted in the state",
    ENCRYPTED: "are encrypted in the state (export the stack with --show-secrets to check it)",
}


def unreadable(value: Any, *, plural: bool = False) -> str:
    """Why a rule cannot read `value` ('is ...', or 'are ...' for a plural subject), in words
    right both during a preview and on a saved state."""
    if value is CIPHERTEXT:
        phrase = ENCRYPTED
    elif value is UNKNOWN:
        phrase = NOT_KNOWN_YET
    else:
        return "are unreadable" if plural else "is unreadable"
    return _PLURAL[phrase] if plural else phrase


CANNOT_CHECK: Final = "\0cannot-check"
"""Stack checks yield (message, CANNOT_CHECK) for a fact that cannot be decided yet."""


def cannot_check(message: str) -> tuple[str, str]:
    """A fact a stack check cannot decide yet; reported advisory, re-checked on `up`."""
    return (message, CANNOT_CHECK)


class _ResourceArgsView:
    """`ResourceValidationArgs` seen through the `PolicyResourceLike` protocol."""

    def __init__(self, args: ResourceValidationArgs) -> None:
        self.resource_type = args.resource_type
        self.props = args.props
        self.urn = args.urn
        self.name = args.name
        self.dependencies: Sequence[Any] = ()
        self.property_dependencies: dict[str, Sequence[Any]] = {}


__all__ = [
    "ADVISORY",
    "CANNOT_CHECK",
    "EB_ENVIRONMENT",
    "EB_TEMPLATE",
    "EB_TYPES",
    "ENCRYPTED",
    "MANDATORY",
    "NOT_KNOWN_YET",
    "CannotCheck",
    "cannot_check",
    "network_of",
    "plain_props",
    "resource_policy",
    "stack_policy",
    "unreadable",
]
