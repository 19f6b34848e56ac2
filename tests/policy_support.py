"""Build pulumi-policy's own argument types and run one policy of the pack on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from guardrails import POLICIES
from pulumi_policy import (
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

UNKNOWN = UNKNOWN_STRING_VALUE
"""The engine's sentinel for a string not known during preview."""
SECRET = {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG}
BY_NAME = {p.name: p for p in POLICIES}


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:dev::shop::{type_token}::{name}"


def _props(props: dict[str, Any]) -> Any:
    # As the analyzer does: deserialize (unwrapping secrets), then the unknown-checking proxy.
    return unknown_checking_proxy(deserialize_properties(props))


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


@dataclass
class Res:
    """A resource of a hand-written stack."""

    type: str
    name: str
    props: dict[str, Any]
    deps: dict[str, list[Res]] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


@dataclass(frozen=True)
class Outcome:
    violations: list[tuple[str, str | None]]
    undecided: str | None = None
    """The message of the UnknownValueError the analyzer reports as advisory, if raised."""

    @property
    def messages(self) -> list[str]:
        return [m for m, _ in self.violations]


def check_resource(policy: str, type_token: str, props: dict[str, Any], name: str = "r") -> Outcome:
    chosen = BY_NAME[policy]
    assert isinstance(chosen, ResourceValidationPolicy)
    found: list[tuple[str, str | None]] = []

    def report(message: str, at: str | None = None) -> None:
        found.append((message, at))

    args = ResourceValidationArgs(
        type_token, _props(props), urn(type_token, name), name, _options(), None, None, {}
    )
    try:
        chosen.validate(args, report)
    except UnknownValueError as exc:
        return Outcome(found, exc.message)
    return Outcome(found)


def check_stack(policy: str, resources: list[Res], config: dict[str, Any] | None = None) -> Outcome:
    chosen = BY_NAME[policy]
    assert isinstance(chosen, StackValidationPolicy)
    built = {
        r.urn: PolicyResource(
            r.type, _props(r.props), r.urn, r.name, _options(), None, None, [], {}
        )
        for r in resources
    }
    for r in resources:
        built[r.urn].property_dependencies = {
            key: [built[d.urn] for d in deps] for key, deps in r.deps.items()
        }
        built[r.urn].dependencies = [built[d.urn] for deps in r.deps.values() for d in deps]
    found: list[tuple[str, str | None]] = []

    def report(message: str, at: str | None = None) -> None:
        found.append((message, at))

    args = StackValidationArgs(list(built.values()), config, {})
    try:
        chosen.validate(args, report)
    except UnknownValueError as exc:
        return Outcome(found, exc.message)
    return Outcome(found)


def passes(outcome: Outcome) -> None:
    if outcome.violations or outcome.undecided:
        pytest.fail(f"expected no violation, got {outcome}")


# -- a small VPC in every form the rules must understand -----------------------------------

VPC = Res("aws:ec2/vpc:Vpc", "vpc", {"id": "vpc-01", "mainRouteTableId": "rtb-main"})
IGW = Res("aws:ec2/internetGateway:InternetGateway", "igw", {"id": "igw-01"})
NAT = Res("aws:ec2/natGateway:NatGateway", "nat", {"id": "nat-01"})


def subnet(name: str, sid: str, az: str = "ap-northeast-2a", **props: Any) -> Res:
    return Res(
        "aws:ec2/subnet:Subnet",
        name,
        {"id": sid, "vpcId": "vpc-01", "availabilityZone": az, **props},
    )


def table(name: str, tid: str, routes: list[dict[str, Any]] | None = None) -> Res:
    return Res(
        "aws:ec2/routeTable:RouteTable",
        name,
        {"id": tid, "vpcId": "vpc-01", "routes": routes or []},
    )


def associate(sub: Res, tab: Res) -> Res:
    return Res(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        f"{sub.name}-assoc",
        {
            "id": f"rtbassoc-{sub.name}",
            "subnetId": sub.props["id"],
            "routeTableId": tab.props["id"],
        },
    )


def eb_environment(settings: Any, role: str = "web", name: str = "api") -> Res:
    return Res(
        "aws:elasticbeanstalk/environment:Environment",
        name,
        {"settings": settings, "tags": {"role": role}},
    )


def setting(namespace: str, name: str, value: Any) -> dict[str, Any]:
    return {"namespace": namespace, "name": name, "value": value}
