"""subnets.Network.classify, called directly: whether a subnet is public, private, unknown or
unmanaged, from inline routes, route resources, the main route table, mapPublicIpOnLaunch and
property dependencies; and copies of a stack that share AWS IDs classify like one.
Mirrors policies/guardrails/subnets.py and routes.py (the rules on top: test_network.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from guardrails.resources import Resource
from guardrails.routes import Status
from guardrails.subnets import Network
from guardrails.values import UNKNOWN, plain
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.policies.stacks import UNKNOWN as UNKNOWN_STRING


def res(type_token: str, name: str, props: dict[str, Any], **deps: list[str]) -> Resource:
    return Resource(
        type=type_token,
        name=name,
        urn=f"urn:pulumi:dev::p::{type_token}::{name}",
        props=plain(props),
        property_dependencies={k: tuple(v) for k, v in deps.items()},
    )


VPC = res("aws:ec2/vpc:Vpc", "vpc", {"id": "vpc-1", "mainRouteTableId": "rtb-main"})
IGW = res("aws:ec2/internetGateway:InternetGateway", "igw", {"id": "gw-plain"})
NAT = res("aws:ec2/natGateway:NatGateway", "nat", {"id": "nat-1"})


def sub(name: str = "s", **props: Any) -> Resource:
    return res("aws:ec2/subnet:Subnet", name, {"id": f"subnet-{name}", "vpcId": "vpc-1", **props})


def rt(routes: list[dict[str, Any]] | None = None, route_deps: list[str] | None = None) -> Resource:
    return res(
        "aws:ec2/routeTable:RouteTable",
        "rt",
        {"id": "rtb-1", "vpcId": "vpc-1", "routes": routes or []},
        routes=route_deps or [],
    )


def assoc(subnet: Resource, table: Resource) -> Resource:
    return res(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        f"{subnet.name}-a",
        {"subnetId": subnet.props["id"], "routeTableId": table.props["id"]},
    )


def route(table_id: Any, gateway: Any, dest: str = "0.0.0.0/0", **deps: list[str]) -> Resource:
    key = "destinationIpv6CidrBlock" if ":" in dest else "destinationCidrBlock"
    return res(
        "aws:ec2/route:Route",
        "r",
        {"routeTableId": table_id, key: dest, "gatewayId": gateway},
        **deps,
    )


def served_by(table: Resource, *others: Resource) -> list[Resource]:
    """Subnet 's' associated with `table`, in a stack with `others`."""
    s = sub()
    return [VPC, *others, s, table, assoc(s, table)]


S = sub()
TABLE = rt()
WITH_TABLE = [VPC, IGW, S, TABLE, assoc(S, TABLE)]
UNKNOWN_GATEWAY = [{"cidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN_STRING}]
NARROW_TO_IGW = {"cidrBlock": "10.1.0.0/16", "gatewayId": "igw-0abc"}
HALF_TO_IGW = {"cidrBlock": "0.0.0.0/1", "gatewayId": "igw-0abc"}
MAIN = res(
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    "main",
    {"vpcId": "vpc-1", "routeTableId": "rtb-1"},
)

CLASSIFY = [
    pytest.param(
        served_by(rt([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0abc"}])),
        Status.PUBLIC,
        id="inline-route-to-an-igw-prefixed-id",
    ),
    pytest.param(
        served_by(rt([{"ipv6CidrBlock": "::/0", "gatewayId": "gw-plain"}]), IGW),
        Status.PUBLIC,
        id="inline-route-to-a-stack-gateway-by-id",
    ),
    pytest.param(
        served_by(rt([{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]), NAT),
        Status.PRIVATE,
        id="inline-route-to-a-nat",
    ),
    *[
        pytest.param(served_by(rt(routes), *others), Status.PUBLIC, id=f"{case}-to-an-igw")
        for case, routes, others in (
            ("inline-route-narrower-than-the-world", [NARROW_TO_IGW], ()),
            (
                "the-world-in-two-halves",
                [HALF_TO_IGW, {**HALF_TO_IGW, "cidrBlock": "128.0.0.0/1"}],
                (),
            ),
            (
                "an-ipv6-64",
                [{"ipv6CidrBlock": "2001:db8:1:2::/64", "gatewayId": "gw-plain"}],
                (IGW,),
            ),
            (
                "a-prefix-list-destination",
                [{"destinationPrefixListId": "pl-0abc", "gatewayId": "igw-0abc"}],
                (),
            ),
        )
    ],
    *[
        pytest.param(
            served_by(rt([{destination: world, target: gateway}])),
            Status.PRIVATE,
            id=f"the-world-to-{name}",
        )
        for name, target, gateway, destination, world in (
            ("a-transit-gateway", "transitGatewayId", "tgw-0abc", "cidrBlock", "0.0.0.0/0"),
            (
                "a-peering-connection",
                "vpcPeeringConnectionId",
                "pcx-0abc",
                "cidrBlock",
                "0.0.0.0/0",
            ),
            ("a-vpn-gateway", "gatewayId", "vgw-0abc", "cidrBlock", "0.0.0.0/0"),
            ("an-egress-only-gateway", "egressOnlyGatewayId", "eigw-0abc", "ipv6CidrBlock", "::/0"),
        )
    ],
    pytest.param(
        served_by(rt(), route("rtb-1", "igw-1", "10.9.0.0/16")),
        Status.PUBLIC,
        id="route-resource-narrower-than-the-world-to-an-igw",
    ),
    pytest.param(
        served_by(rt(UNKNOWN_GATEWAY, [IGW.urn]), IGW),
        Status.PUBLIC,
        id="inline-route-to-an-unknown-gateway-depending-on-the-igw",
    ),
    pytest.param(
        served_by(rt(UNKNOWN_GATEWAY, [NAT.urn]), NAT),
        Status.PRIVATE,
        id="inline-route-to-an-unknown-gateway-depending-on-a-nat",
    ),
    pytest.param(WITH_TABLE, Status.PRIVATE, id="route-table-without-routes"),
    pytest.param(
        [*WITH_TABLE, route("rtb-1", "igw-1")], Status.PUBLIC, id="route-resource-to-an-igw"
    ),
    pytest.param(
        [*WITH_TABLE, route("rtb-1", "igw-1", "::/0")],
        Status.PUBLIC,
        id="route-resource-ipv6-to-an-igw",
    ),
    pytest.param(
        [*WITH_TABLE, route("rtb-other", "igw-1")],
        Status.PRIVATE,
        id="route-resource-in-another-table",
    ),
    pytest.param(
        [
            *WITH_TABLE,
            route(UNKNOWN_STRING, UNKNOWN_STRING, routeTableId=[TABLE.urn], gatewayId=[IGW.urn]),
        ],
        Status.PUBLIC,
        id="route-resource-with-unknown-ids-by-dependency",
    ),
    pytest.param([VPC, sub()], Status.PRIVATE, id="no-association-main-table-local-only"),
    pytest.param(
        [VPC, sub(), route("rtb-main", "igw-1")],
        Status.PUBLIC,
        id="no-association-main-table-routed-to-an-igw",
    ),
    pytest.param(
        [VPC, sub(), rt([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]), MAIN],
        Status.PUBLIC,
        id="no-association-main-table-replaced-by-a-public-one",
    ),
    pytest.param([VPC, sub(mapPublicIpOnLaunch=True)], Status.PUBLIC, id="map-public-ip"),
    pytest.param([sub(vpcId="vpc-elsewhere")], Status.UNKNOWN, id="subnet-of-an-unknown-vpc"),
]


@pytest.mark.parametrize(("resources", "expected"), CLASSIFY)
def test_classify(resources: list[Resource], expected: Status) -> None:
    subnet = next(r for r in resources if r.type == "aws:ec2/subnet:Subnet")
    assert Network(resources).classify(subnet).status is expected


@pytest.mark.parametrize(
    ("resources", "reason"),
    [
        pytest.param(
            served_by(rt(UNKNOWN_GATEWAY)),
            "aws:ec2/routeTable:RouteTable 'rt' (inline route 0) routes 0.0.0.0/0 to a gateway "
            "whose ID is not known yet",
            id="inline-route-to-an-unknown-gateway-without-dependency",
        ),
        pytest.param(
            served_by(rt([{"cidrBlock": "10.1.0.0/16", "gatewayId": UNKNOWN_STRING}])),
            "aws:ec2/routeTable:RouteTable 'rt' (inline route 0) routes 10.1.0.0/16 to a "
            "gateway whose ID is not known yet",
            id="a-narrow-inline-route-to-an-unknown-gateway-without-dependency",
        ),
        pytest.param(
            [VPC, sub(mapPublicIpOnLaunch=UNKNOWN_STRING)],
            "mapPublicIpOnLaunch is not known yet",
            id="unknown-map-public-ip",
        ),
    ],
)
def test_classify_says_why_it_cannot_decide(resources: list[Resource], reason: str) -> None:
    subnet = next(r for r in resources if r.type == "aws:ec2/subnet:Subnet")
    verdict = Network(resources).classify(subnet)
    assert (verdict.status, verdict.reason) == (Status.UNKNOWN, reason)


@pytest.mark.parametrize(
    ("resources", "reason"),
    [
        pytest.param(
            served_by(rt([{"ipv6CidrBlock": "2001:db8:1:2::/64", "gatewayId": "igw-0abc"}])),
            "aws:ec2/routeTable:RouteTable 'rt' (inline route 0) routes 2001:db8:1:2::/64 to "
            "internet gateway igw-0abc",
            id="inline-ipv6-64",
        ),
        pytest.param(
            served_by(rt([{"destinationPrefixListId": "pl-0abc", "gatewayId": "igw-0abc"}])),
            "aws:ec2/routeTable:RouteTable 'rt' (inline route 0) routes prefix list pl-0abc to "
            "internet gateway igw-0abc",
            id="inline-prefix-list",
        ),
        pytest.param(
            served_by(rt(), route("rtb-1", "igw-1", "10.9.0.0/16")),
            "aws:ec2/route:Route 'r' in aws:ec2/routeTable:RouteTable 'rt' routes 10.9.0.0/16 to "
            "internet gateway igw-1",
            id="route-resource",
        ),
        pytest.param(
            served_by(rt([{"cidrBlock": UNKNOWN_STRING, "gatewayId": "igw-0abc"}])),
            "aws:ec2/routeTable:RouteTable 'rt' (inline route 0) routes a destination not known "
            "yet to internet gateway igw-0abc",
            id="an-unknown-destination-to-an-igw-is-public-whatever-it-is",
        ),
    ],
)
def test_a_route_to_an_internet_gateway_is_public_whatever_the_destination(
    resources: list[Resource], reason: str
) -> None:
    subnet = next(r for r in resources if r.type == "aws:ec2/subnet:Subnet")
    verdict = Network(resources).classify(subnet)
    assert (verdict.status, verdict.reason) == (Status.PUBLIC, reason)


def test_network_subnets_from_ids_or_dependencies() -> None:
    a = sub("a", availabilityZone="ap-northeast-2a")
    net = Network([VPC, a])
    found = net.subnets("subnet-a, subnet-x", ())
    assert [(v.subnet, v.status) for v in found.verdicts] == [
        ("subnet-a ('a')", Status.PRIVATE),
        ("subnet-x", Status.UNMANAGED),
    ]
    assert found.verdicts[0].availability_zone == "ap-northeast-2a"
    by_deps = net.subnets(UNKNOWN, [a.urn, VPC.urn])
    assert by_deps.from_dependencies
    assert [v.status for v in by_deps.verdicts] == [Status.PRIVATE]
    assert net.subnets(UNKNOWN, []).unresolved == (
        "the subnet IDs are not known yet and depend on no subnet"
    )


def copies(resources: list[Resource], count: int) -> list[Resource]:
    """`count` copies of a stack under new URNs, AWS IDs shared (as `bench.shared_ids`)."""

    def renamed(urn: str, index: int) -> str:
        return urn.replace("::p::", f"::p{index}::")

    return [
        dataclasses.replace(
            r,
            urn=renamed(r.urn, index),
            property_dependencies={
                k: tuple(renamed(u, index) for u in v) for k, v in r.property_dependencies.items()
            },
        )
        for index in range(count)
        for r in resources
    ]


SHARED_ID_STACKS = {
    "inline route": lambda s: [
        VPC,
        s,
        (t := rt([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0abc"}])),
        assoc(s, t),
    ],
    "route resource": lambda s: [VPC, IGW, s, (t := rt()), assoc(s, t), route("rtb-1", "igw-1")],
    "main table": lambda s: [VPC, s, route("rtb-main", "igw-1")],
    "private": lambda s: [VPC, NAT, s, (t := rt()), assoc(s, t), route("rtb-1", "nat-1")],
}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(SHARED_ID_STACKS)), st.integers(1, 12))
def test_copies_sharing_ids_classify_like_one_stack_and_say_it_once(shape: str, count: int) -> None:
    single = SHARED_ID_STACKS[shape](sub())
    expected = Network(single).classify(single[[r.type for r in single].index(sub().type)])
    stack = copies(single, count)
    network = Network(stack)
    for subnet in (r for r in stack if r.type == "aws:ec2/subnet:Subnet"):
        verdict = network.classify(subnet)
        assert (verdict.status, verdict.reason) == (expected.status, expected.reason)
        assert verdict.urn == subnet.urn
