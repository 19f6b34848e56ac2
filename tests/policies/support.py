"""Build pulumi-policy's own argument types and run one policy of the pack on them.

Resources are built with `ResourceValidationArgs` / `StackValidationArgs` / `PolicyResource`,
their properties deserialized and wrapped in pulumi-policy's unknown-checking proxy exactly
as the analyzer does, so unknowns and secrets arrive in the shapes a real `pulumi preview`
produces. With `raw=True` the properties are handed over as a stack export holds them
(ciphertext envelopes, which pulumi-policy's deserializer refuses, are what preflight hands
the pack after reading a state exported without --show-secrets).

Also here: the stack pieces and wording the rule families share (a VPC with public and
private subnets, type tokens, how a rule says it cannot read a value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi_policy as pp
import pytest
from guardrails import POLICIES
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties
from pulumi_policy.policy import PolicyCustomTimeouts
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

UNKNOWN = UNKNOWN_STRING_VALUE
"""The engine's sentinel for a string not known during preview."""
SECRET = {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG}
CIPHERTEXT = {**SECRET, "ciphertext": "AAAA"}
"""A secret as a stack export without --show-secrets holds it."""
BY_NAME = {p.name: p for p in POLICIES}

IS_NOT_KNOWN = "is not known yet (unknown during preview) or is encrypted in the state"
ARE_NOT_KNOWN = "are not known yet (unknown during preview) or are encrypted in the state"
"""How a rule says it cannot read a value (unknown during a preview; a ciphertext-only
secret reaches the pack as unknown on a saved state)."""

ENV = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
PROPS_NS = "aws:elasticbeanstalk:application:environment"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"


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

    @property
    def urn(self) -> str:
        return urn(self.type, self.name)


@dataclass(frozen=True)
class Outcome:
    """What a policy said: its violations (message, URN or None), and the message of the
    UnknownValueError the analyzer reports as advisory, if raised. Rule tables state the
    expected Outcome whole: `PASS`, `fails(...)`, `undecided(...)`."""

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


def check_resource(
    policy: str, type_token: str, props: dict[str, Any], name: str = "r", *, raw: bool = False
) -> Outcome:
    chosen = BY_NAME[policy]
    assert isinstance(chosen, pp.ResourceValidationPolicy)
    args = pp.ResourceValidationArgs(
        type_token, _props(props, raw), urn(type_token, name), name, _options(), None, None, {}
    )
    return _run(chosen, args)


def check_stack(policy: str, resources: list[Res], *, raw: bool = False) -> Outcome:
    chosen = BY_NAME[policy]
    assert isinstance(chosen, pp.StackValidationPolicy)
    built = {
        r.urn: pp.PolicyResource(
            r.type, _props(r.props, raw), r.urn, r.name, _options(), None, None, [], {}
        )
        for r in resources
    }
    for r in resources:
        built[r.urn].property_dependencies = {
            key: [built[d.urn] for d in deps] for key, deps in r.deps.items()
        }
        built[r.urn].dependencies = [built[d.urn] for deps in r.deps.values() for d in deps]
    return _run(chosen, pp.StackValidationArgs(list(built.values()), None, {}))


def check_eb(policy: str, resource: Res) -> Outcome:
    """One EB resource alone in a stack, through the policy whatever its kind (the
    settings rules are stack rules so they can read configuration templates)."""
    if isinstance(BY_NAME[policy], pp.StackValidationPolicy):
        return check_stack(policy, [resource])
    return check_resource(policy, resource.type, resource.props, resource.name)


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


# Two private subnets behind a NAT (two AZs), one public subnet.
PUB = subnet("pub-a", "subnet-pub")
PRIV_A = subnet("priv-a", "subnet-priva", "ap-northeast-2a")
PRIV_B = subnet("priv-b", "subnet-privb", "ap-northeast-2b")
PUB_RT = table("pub-rt", "rtb-pub", [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"}])
NAT_RT = table("nat-rt", "rtb-nat", [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-01"}])
BASE = [
    VPC,
    IGW,
    NAT,
    PUB,
    PRIV_A,
    PRIV_B,
    PUB_RT,
    NAT_RT,
    associate(PUB, PUB_RT),
    associate(PRIV_A, NAT_RT),
    associate(PRIV_B, NAT_RT),
]
PRIVATE_IDS = "subnet-priva,subnet-privb"
PUBLIC_ROUTE = (
    "subnet-pub ('pub-a'): aws:ec2/routeTable:RouteTable 'pub-rt' (inline route 0) routes "
    "0.0.0.0/0 to internet gateway igw-01"
)
"""Why BASE's public subnet is public."""
FIX_PRIVATE = (
    "Put the instances in private subnets (a default route to a NAT gateway, not an internet "
    "gateway, and mapPublicIpOnLaunch false)."
)


# -- Elastic Beanstalk option settings -----------------------------------------------------


def setting(namespace: str, name: str, value: Any) -> dict[str, Any]:
    return {"namespace": namespace, "name": name, "value": value}


def props_settings(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """Environment properties as option settings."""
    return [setting(PROPS_NS, k, v) for k, v in properties.items()]


def vpc(subnets: Any, elb_subnets: Any = "subnet-pub", **extra: str) -> list[dict[str, Any]]:
    items = [
        setting("aws:ec2:vpc", "VPCId", "vpc-01"),
        setting("aws:ec2:vpc", "Subnets", subnets),
        setting("aws:ec2:vpc", "ELBSubnets", elb_subnets),
    ]
    return items + [setting("aws:ec2:vpc", k, v) for k, v in extra.items()]


def eb_resource(settings: Any, name: str = "api", type_token: str = ENV) -> Res:
    """An environment (or a configuration template) with nothing but `settings`."""
    return Res(type_token, name, {"settings": settings})


def eb_environment(
    settings: Any, role: str = "web", name: str = "api", deps: list[Res] | None = None
) -> Res:
    """An environment; `deps`: what its settings were built from (property dependencies)."""
    return Res(
        ENV,
        name,
        {"settings": settings, "tags": {"role": role}},
        {"settings": deps} if deps else {},
    )


def over_limit(label: str, total: str, biggest: str, merged: str = "") -> str:
    """eb-env-properties-size-limit's violation: `total` bytes (as shown, e.g. '4,200' or
    'at least 4,098'), `merged` the note on properties counted with a template's."""
    return (
        f"{label}: environment properties ({PROPS_NS}) take {total} bytes as key=value "
        f"strings{merged}, over Elastic Beanstalk's limit of 4,096 bytes; biggest: {biggest}. "
        "Move large or sensitive values to Secrets Manager or SSM Parameter Store and reference "
        "them through aws:elasticbeanstalk:application:environmentsecrets (the stack config's "
        "`secrets:`), which does not count toward the limit."
    )
