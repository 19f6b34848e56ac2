"""Build pulumi-policy's own argument types and run one policy of the pack on them.

Resources are built with `ResourceValidationArgs` / `StackValidationArgs` / `PolicyResource`,
their properties deserialized and wrapped in pulumi-policy's unknown-checking proxy exactly
as the analyzer does, so unknowns and secrets arrive in the shapes a real `pulumi preview`
produces. With `raw=True` the properties are handed over as a stack export holds them
(ciphertext envelopes, which pulumi-policy's deserializer refuses, are what preflight hands
the pack after reading a state exported without --show-secrets).

The resources and values the rule tables build are in `stacks`, the wording they share in
`messages`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi_policy as pp
from guardrails import POLICIES
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

BY_NAME = {p.name: p for p in POLICIES}


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:dev::shop::{type_token}::{name}"


def _props(props: dict[str, Any], raw: bool) -> Any:
    # As the analyzer does: deserialize (unwrapping secrets), then the unknown-checking proxy.
    return props if raw else unknown_checking_proxy(deserialize_properties(props))


def _options() -> pp.PolicyResourceOptions:
    return pp.PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


@dataclass
class Res:
    """A resource of a hand-written stack."""

    type: str
    name: str
    props: dict[str, Any]
    deps: dict[str, list[Res]] = field(default_factory=dict)
    provider: Res | None = None
    """The provider the engine names for the resource (the CLI sends it; an export does not)."""

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


@dataclass(frozen=True)
class Outcome:
    """What a policy said: its violations (message, URN or None), and the message of the
    UnknownValueError the analyzer reports as advisory, if raised (as `check` runs a policy,
    like the analyzer). Rule tables state the expected Outcome whole: `PASS`, `fails(...)`,
    `undecided(...)`."""

    violations: list[tuple[str, str | None]]
    undecided: str | None = None

    @property
    def messages(self) -> list[str]:
        return [m for m, _ in self.violations]


PASS = Outcome([])


def fails(*messages: str, at: str | None = None) -> Outcome:
    """Exactly these violations (a resource policy reports no URN; a stack policy names one)."""
    return Outcome([(m, at) for m in messages])


def undecided(message: str) -> Outcome:
    """No violation, and the advisory 'cannot check' message."""
    return Outcome([], message)


def _run(policy: Any, args: Any) -> Outcome:
    """`validate` as the analyzer calls it: violations reported, UnknownValueError advisory."""
    found: list[tuple[str, str | None]] = []

    def report(message: str, at: str | None = None) -> None:
        found.append((message, at))

    try:
        policy.validate(args, report)
    except UnknownValueError as exc:
        return Outcome(found, exc.message)
    return Outcome(found)


def _check_resource(policy: Any, resource: Res, raw: bool) -> Outcome:
    args = pp.ResourceValidationArgs(
        resource.type,
        _props(resource.props, raw),
        resource.urn,
        resource.name,
        _options(),
        None,
        None,
        {},
    )
    return _run(policy, args)


def _provider(resource: Res, raw: bool) -> pp.PolicyProviderResource | None:
    given = resource.provider
    if given is None:
        return None
    return pp.PolicyProviderResource(given.type, _props(given.props, raw), given.urn, given.name)


def _check_stack(
    policy: Any, resources: tuple[Res, ...], raw: bool, config: dict[str, Any] | None
) -> Outcome:
    built = {
        r.urn: pp.PolicyResource(
            r.type, _props(r.props, raw), r.urn, r.name, _options(), _provider(r, raw), None, [], {}
        )
        for r in resources
    }
    for r in resources:
        built[r.urn].property_dependencies = {
            key: [built[d.urn] for d in deps] for key, deps in r.deps.items()
        }
        built[r.urn].dependencies = [built[d.urn] for deps in r.deps.values() for d in deps]
    return _run(policy, pp.StackValidationArgs(list(built.values()), config, {}))


def check(
    policy: str, *resources: Res, raw: bool = False, config: dict[str, Any] | None = None
) -> Outcome:
    """The pack's `policy` on `resources`: a stack policy on them all as one stack, a resource
    policy on the one resource given (EB's settings rules are stack rules, so they can read
    configuration templates; a table need not know which kind a rule is). `config`: the
    policy's configuration, as `--policy-pack-config` gives it."""
    chosen = BY_NAME[policy]
    if isinstance(chosen, pp.StackValidationPolicy):
        return _check_stack(chosen, resources, raw, config)
    assert isinstance(chosen, pp.ResourceValidationPolicy)
    (resource,) = resources
    return _check_resource(chosen, resource, raw)
