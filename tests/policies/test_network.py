"""Where instances run: eb-instances-in-private-subnets judges every way a subnet becomes
public (an inline route or a route resource to an internet gateway, by ID or by dependency,
the VPC's main route table, mapPublicIpOnLaunch) and every form of the settings (plain,
secret-wrapped, unknown during preview); vpc-flow-logs-enabled wants a flow log per VPC.
Mirrors policies/guardrails/network.py and the placement rule of beanstalk.py."""

from __future__ import annotations

import dataclasses

import pytest
from pulumi_policy import Secret

from tests.policies.messages import (
    ARE_NOT_KNOWN,
    FIX_PRIVATE,
    IS_NOT_KNOWN,
    PUBLIC_ROUTE,
    SPLIT_ROUTES,
)
from tests.policies.stacks import (
    BASE,
    ENV,
    IGW,
    NAT,
    NAT_RT,
    PRIV_A,
    PRIV_B,
    PRIVATE_IDS,
    PUB,
    SECRET,
    SPLIT_WORLD,
    UNKNOWN,
    VPC,
    associate,
    eb_environment,
    setting,
    subnet,
    table,
    vpc,
)
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

ROUTE = "aws:ec2/route:Route"
API = urn(ENV, "api")
APP = subnet("app", "subnet-app")


def public(detail: str, option: str = "Subnets") -> Outcome:
    return fails(
        f"{ENV} 'api': aws:ec2:vpc {option} includes public subnets: {detail}. {FIX_PRIVATE}",
        at=API,
    )


def in_app_subnet(rt: Res, *gateways: Res, routes: tuple[Res, ...] = ()) -> list[Res]:
    """An environment whose instances run in subnet 'app', which `rt` serves."""
    env = eb_environment(vpc("subnet-app"))
    return [VPC, *gateways, APP, rt, associate(APP, rt), *routes, env]


def route(name: str, table_id: str, **target: str) -> Res:
    return Res(
        ROUTE, name, {"routeTableId": table_id, "destinationCidrBlock": "0.0.0.0/0", **target}
    )


RT_X = table("rt", "rtb-x")
LONE = subnet("lone", "subnet-lone")
AUTO = subnet("auto", "subnet-auto", mapPublicIpOnLaunch=True)
TO_IGW = "aws:ec2/routeTable:RouteTable 'rt' (inline route 0) routes 0.0.0.0/0 to internet gateway"

PLACEMENT = [
    pytest.param(
        [*BASE, eb_environment(vpc(PRIVATE_IDS, elb_subnets="subnet-pub"))],
        PASS,
        id="private-instances-behind-a-public-alb-in-public-subnets",
    ),
    pytest.param(
        [*BASE, eb_environment(vpc("subnet-priva,subnet-pub"))],
        public(PUBLIC_ROUTE),
        id="inline-route-to-an-igw-prefixed-id",
    ),
    pytest.param(
        in_app_subnet(
            table("odd-rt", "rtb-odd", [{"ipv6CidrBlock": "::/0", "gatewayId": "gw-custom7"}]),
            Res("aws:ec2/internetGateway:InternetGateway", "gw", {"id": "gw-custom7"}),
        ),
        public(
            "subnet-app ('app'): aws:ec2/routeTable:RouteTable 'odd-rt' (inline route 0) "
            "routes ::/0 to internet gateway gw-custom7"
        ),
        id="inline-route-to-the-id-of-a-stack-internet-gateway",
    ),
    pytest.param(
        in_app_subnet(
            dataclasses.replace(
                table("rt", "rtb-x", [{"cidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN}]),
                deps={"routes": [IGW]},
            ),
            IGW,
        ),
        public(f"subnet-app ('app'): {TO_IGW} (by dependency)"),
        id="inline-route-to-an-unknown-gateway-id-depending-on-the-igw",
    ),
    pytest.param(
        in_app_subnet(RT_X, IGW, routes=(route("default", "rtb-x", gatewayId="igw-01"),)),
        public(
            f"subnet-app ('app'): {ROUTE} 'default' in aws:ec2/routeTable:RouteTable 'rt' "
            "routes 0.0.0.0/0 to internet gateway igw-01"
        ),
        id="separate-route-resource-to-the-igw",
    ),
    pytest.param(
        in_app_subnet(
            RT_X,
            IGW,
            routes=(
                dataclasses.replace(
                    route("default", UNKNOWN, gatewayId=UNKNOWN),
                    deps={"routeTableId": [RT_X], "gatewayId": [IGW]},
                ),
            ),
        ),
        public(
            f"subnet-app ('app'): {ROUTE} 'default' in aws:ec2/routeTable:RouteTable 'rt' "
            "routes 0.0.0.0/0 to internet gateway (by dependency)"
        ),
        id="route-resource-with-unknown-ids-related-by-property-dependencies",
    ),
    pytest.param(
        [VPC, IGW, LONE, eb_environment(vpc("subnet-lone"))],
        PASS,  # the original main table has only local routes
        id="subnet-without-association-uses-the-main-route-table-with-local-routes",
    ),
    pytest.param(
        [
            VPC,
            IGW,
            LONE,
            route("main-default", "rtb-main", gatewayId="igw-01"),
            eb_environment(vpc("subnet-lone")),
        ],
        public(
            f"subnet-lone ('lone'): {ROUTE} 'main-default' in the main route table of "
            "aws:ec2/vpc:Vpc 'vpc' routes 0.0.0.0/0 to internet gateway igw-01"
        ),
        id="subnet-without-association-uses-the-main-route-table-routed-to-the-igw",
    ),
    pytest.param(
        [*BASE, *SPLIT_WORLD, eb_environment(vpc("subnet-priva,subnet-split"))],
        public(SPLIT_ROUTES),
        id="the-world-in-two-halves-to-the-igw",
    ),
    pytest.param(
        in_app_subnet(
            RT_X,
            IGW,
            routes=(
                Res(
                    ROUTE,
                    "office",
                    {
                        "routeTableId": "rtb-x",
                        "destinationCidrBlock": "203.0.113.0/24",
                        "gatewayId": "igw-01",
                    },
                ),
            ),
        ),
        public(
            f"subnet-app ('app'): {ROUTE} 'office' in aws:ec2/routeTable:RouteTable 'rt' routes "
            "203.0.113.0/24 to internet gateway igw-01"
        ),
        id="a-single-narrow-route-resource-to-the-igw",
    ),
    pytest.param(
        in_app_subnet(
            RT_X,
            routes=(
                Res(
                    ROUTE,
                    "v6-out",
                    {
                        "routeTableId": "rtb-x",
                        "destinationIpv6CidrBlock": "::/0",
                        "egressOnlyGatewayId": "eigw-01",
                    },
                ),
                route("tgw-default", "rtb-x", transitGatewayId="tgw-01"),
                route("peer", "rtb-x", vpcPeeringConnectionId="pcx-01"),
            ),
        ),
        PASS,
        id="egress-only-transit-gateway-and-peering-routes-are-private",
    ),
    pytest.param(
        [*BASE, AUTO, associate(AUTO, NAT_RT), eb_environment(vpc("subnet-auto"))],
        public("subnet-auto ('auto'): mapPublicIpOnLaunch is true"),
        id="map-public-ip-on-launch-makes-a-nat-routed-subnet-public",
    ),
    pytest.param(
        in_app_subnet(
            table("rt", "rtb-y"),
            IGW,
            NAT,
            routes=(route("nat-default", "rtb-y", natGatewayId="nat-01"),),
        ),
        PASS,
        id="nat-default-route-is-private",
    ),
    pytest.param(
        [*BASE, eb_environment(vpc(PRIVATE_IDS, AssociatePublicIpAddress="true"))],
        fails(
            f"{ENV} 'api': aws:ec2:vpc AssociatePublicIpAddress is 'true'; instances in private "
            "subnets need no public IP: remove it or set 'false'",
            at=API,
        ),
        id="associate-public-ip-address-even-in-private-subnets",
    ),
    pytest.param(
        [
            *BASE,
            eb_environment([setting("aws:elasticbeanstalk:environment", "EnvironmentType", "X")]),
        ],
        fails(
            f"{ENV} 'api': aws:ec2:vpc Subnets is not set, so Elastic Beanstalk launches the "
            "instances in the default VPC's public subnets; set VPCId and Subnets to private "
            "subnets",
            at=API,
        ),
        id="unset-subnets-fall-back-to-the-default-vpc",
    ),
    *[
        pytest.param(
            [*BASE, eb_environment(wrap(vpc(subnets)))],
            public(PUBLIC_ROUTE) if subnets == "subnet-pub" else PASS,
            id=f"{form}-wrapped-settings-{kind}",
        )
        for form, wrap in (
            ("engine-envelope", lambda s: {**SECRET, "value": s}),
            ("pulumi_policy.Secret", Secret),
        )
        for kind, subnets in (("public", "subnet-pub"), ("private", PRIVATE_IDS))
    ],
    pytest.param(
        [*BASE, eb_environment(vpc(UNKNOWN), deps=[PRIV_A, PRIV_B])],
        PASS,
        id="unknown-subnets-depending-only-on-private-subnets",
    ),
    pytest.param(
        [*BASE, eb_environment(vpc(UNKNOWN), deps=[PRIV_A, PUB])],
        undecided(
            f"{ENV} 'api': aws:ec2:vpc Subnets {IS_NOT_KNOWN} and the settings depend on public "
            f"subnets ({PUBLIC_ROUTE}); it is checked again on up"
        ),
        id="unknown-subnets-depending-on-a-public-subnet-are-advisory-not-silent",
    ),
    pytest.param(
        [*BASE, eb_environment(vpc(UNKNOWN))],
        undecided(
            f"{ENV} 'api': aws:ec2:vpc Subnets {IS_NOT_KNOWN} and the settings depend on no subnet"
        ),
        id="unknown-subnets-with-no-dependency",
    ),
    pytest.param(
        [eb_environment(UNKNOWN)],
        # Through the real proxy: what the analyzer sees is an UnknownValueError.
        undecided(f"{ENV} 'api': its option settings {ARE_NOT_KNOWN}"),
        id="unknown-settings-list",
    ),
]


@pytest.mark.parametrize(("stack", "expected"), PLACEMENT)
def test_instances_run_only_in_private_subnets(stack: list[Res], expected: Outcome) -> None:
    assert check("eb-instances-in-private-subnets", *stack) == expected


FLOW_LOG = Res("aws:ec2/flowLog:FlowLog", "flow", {"vpcId": "vpc-01", "trafficType": "ALL"})


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param(
            [VPC],
            fails(
                "aws:ec2/vpc:Vpc 'vpc': no aws:ec2/flowLog:FlowLog records its traffic; add a "
                "flow log (trafficType ALL) to CloudWatch Logs or S3 for incident response",
                at=VPC.urn,
            ),
            id="vpc-without-flow-log",
        ),
        pytest.param([VPC, FLOW_LOG], PASS, id="vpc-with-flow-log"),
    ],
)
def test_every_vpc_has_a_flow_log(stack: list[Res], expected: Outcome) -> None:
    assert check("vpc-flow-logs-enabled", *stack) == expected
