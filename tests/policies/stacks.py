"""The resources and values the rule tables build: unknown and secret values, type tokens, a
small VPC in every form the rules must understand (two private subnets behind a NAT in two AZs,
one public subnet), Elastic Beanstalk option settings, a database every RDS rule passes, and an
SQS queue's ARN and URL."""

from __future__ import annotations

from typing import Any

from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policies.support import Res

UNKNOWN = UNKNOWN_STRING_VALUE
"""The engine's sentinel for a string not known during preview."""
SECRET = {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG}
"""A secret's envelope: `{**SECRET, "value": ...}`."""
CIPHERTEXT = {**SECRET, "ciphertext": "AAAA"}
"""A secret as a stack export without --show-secrets holds it."""

ENV = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
PROPS_NS = "aws:elasticbeanstalk:application:environment"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
RDS = "aws:rds/instance:Instance"

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

SPLIT = subnet("split-a", "subnet-split")
SPLIT_RT = table(
    "split-rt",
    "rtb-split",
    [
        {"cidrBlock": "0.0.0.0/1", "gatewayId": "igw-01"},
        {"cidrBlock": "128.0.0.0/1", "gatewayId": "igw-01"},
    ],
)
SPLIT_WORLD = [SPLIT, SPLIT_RT, associate(SPLIT, SPLIT_RT)]
"""A subnet BASE adds to: the internet in two halves to the internet gateway, no 0.0.0.0/0
route, and public all the same (AWS: a route to an internet gateway, whatever the
destination)."""


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


# -- RDS ------------------------------------------------------------------------------------

GOOD_DB: dict[str, Any] = {
    "publiclyAccessible": False,
    "storageEncrypted": True,
    "multiAz": True,
    "deletionProtection": True,
    "backupRetentionPeriod": 7,
    "skipFinalSnapshot": False,
    "dbSubnetGroupName": "db-private",
}
"""A database every RDS rule passes; each case changes one property."""


# -- SQS ------------------------------------------------------------------------------------

ACCOUNT = "123456789012"


def arn(name: str) -> str:
    return f"arn:aws:sqs:ap-northeast-2:{ACCOUNT}:{name}"


def url(name: str) -> str:
    return f"https://sqs.ap-northeast-2.amazonaws.com/{ACCOUNT}/{name}"
