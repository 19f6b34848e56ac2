"""The components of the VPC and what sits in it, under the simulated AWS account: `Network`
(tiers per AZ, NAT mode, route tables, guardrails, its args' invariants), `AppSecurityGroups`
(only the intended peers) and `Database` (private, encrypted, no password kept, production
settings, restore from a snapshot): exact children and relations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.config import parse_stack_config
from components.database import Database, DatabaseArgs
from components.network import Network, NetworkArgs
from components.security import AppSecurityGroups, AppSecurityGroupsArgs
from tests.program_fixtures import Recording, run

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


# -- Network --------------------------------------------------------------------------------


def network(zones: int, nat: Any, cidr: str = "10.20.0.0/16") -> Recording:
    return run(
        lambda: {
            "net": Network(
                "network",
                NetworkArgs(
                    cidr_block=cidr,
                    availability_zone_count=zones,
                    subnet_prefix_length=20,
                    nat_gateways=nat,
                    flow_log_retention_days=30,
                ),
            ).vpc_id
        }
    ).aws


@pytest.mark.parametrize(("zones", "nat", "nat_count"), [(2, "single", 1), (3, "per_az", 3)])
def test_network_tiers_per_az_and_nat_mode(zones: int, nat: str, nat_count: int):
    aws = network(zones, nat)
    azs = [f"ap-northeast-2{letter}" for letter in "abcd"[:zones]]
    subnets = {r.name: r.inputs for r in aws.of_type(SUBNET)}
    assert len(subnets) == 3 * zones
    for tier, first_octet in (("public", 0), ("private", 64), ("isolated", 128)):
        for index, az in enumerate(azs):
            subnet = subnets[f"network-{tier}-{az}"]
            assert subnet["availabilityZone"] == az
            assert subnet["cidrBlock"] == f"10.20.{first_octet + 16 * index}.0/20"
            assert subnet["mapPublicIpOnLaunch"] is (tier == "public")
    assert len(aws.of_type("aws:ec2/natGateway:NatGateway")) == nat_count
    assert len(aws.of_type("aws:ec2/eip:Eip")) == nat_count
    nat_ids = {r.id: r for r in aws.of_type("aws:ec2/natGateway:NatGateway")}
    public_ids = {aws.one(SUBNET, f"network-public-{az}").id: az for az in azs}
    assert {public_ids[n.inputs["subnetId"]] for n in nat_ids.values()} == set(azs[:nat_count])

    routes = {r.name: r.inputs for r in aws.of_type(ROUTE)}
    assert (
        routes["network-public-internet"]["gatewayId"]
        == aws.one("aws:ec2/internetGateway:InternetGateway").id
    )
    for az in azs:
        nat_id = routes[f"network-private-{az}-nat"]["natGatewayId"]
        assert routes[f"network-private-{az}-nat"]["destinationCidrBlock"] == "0.0.0.0/0"
        nat_az = public_ids[nat_ids[nat_id].inputs["subnetId"]]
        assert nat_az == (az if nat == "per_az" else azs[0])
    # only the public table and the private tables have routes out; isolated has none
    assert len(routes) == 1 + zones
    isolated_rt = aws.one("aws:ec2/routeTable:RouteTable", "network-isolated-rt").id
    assert not [r for r in routes.values() if r["routeTableId"] == isolated_rt]


def test_network_associates_each_subnet_with_its_tier_table():
    aws = network(2, "single")
    tables = {r.id: r.name for r in aws.of_type("aws:ec2/routeTable:RouteTable")}
    subnets = {r.id: r.name for r in aws.of_type(SUBNET)}
    associations = {
        subnets[a.inputs["subnetId"]]: tables[a.inputs["routeTableId"]]
        for a in aws.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    }
    assert associations == {
        "network-public-ap-northeast-2a": "network-public-rt",
        "network-public-ap-northeast-2b": "network-public-rt",
        "network-private-ap-northeast-2a": "network-private-ap-northeast-2a-rt",
        "network-private-ap-northeast-2b": "network-private-ap-northeast-2b-rt",
        "network-isolated-ap-northeast-2a": "network-isolated-rt",
        "network-isolated-ap-northeast-2b": "network-isolated-rt",
    }


def test_network_guardrails_default_sg_flow_logs_and_s3_endpoint():
    aws = network(2, "single")
    vpc = aws.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["enableDnsHostnames"] is True
    default_sg = aws.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default_sg.inputs["vpcId"] == vpc.id
    assert default_sg.inputs.get("ingress", []) == []
    assert default_sg.inputs.get("egress", []) == []

    log_group = aws.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 30
    flow_log = aws.one("aws:ec2/flowLog:FlowLog")
    assert flow_log.inputs["vpcId"] == vpc.id
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["logDestination"] == log_group.state["arn"]
    role = aws.one("aws:iam/role:Role")
    assert flow_log.inputs["iamRoleArn"] == role.state["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    policy = json.loads(aws.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert policy["Statement"][0]["Resource"] == [
        log_group.state["arn"],
        log_group.state["arn"] + ":*",
    ]

    endpoint = aws.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.ap-northeast-2.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    tables = {r.id: r.name for r in aws.of_type("aws:ec2/routeTable:RouteTable")}
    assert sorted(tables[t] for t in endpoint.inputs["routeTableIds"]) == [
        "network-isolated-rt",
        "network-private-ap-northeast-2a-rt",
        "network-private-ap-northeast-2b-rt",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"availability_zone_count": 5}, "availability_zone_count must be 2 to 4"),
        ({"availability_zone_count": 1}, "an RDS subnet group spans at least two AZs"),
        ({"subnet_prefix_length": 19}, "use /20 to /28"),
        ({"subnet_prefix_length": 16}, "leaves no room"),
        ({"cidr_block": "8.8.0.0/16"}, "must be a private"),
        ({"cidr_block": "10.20.0.1/16"}, "is not an IPv4 CIDR block"),
        ({"flow_log_retention_days": 2}, "is not a CloudWatch Logs retention period"),
    ],
)
def test_network_args_reject_impossible_layouts(kwargs: dict[str, Any], message: str):
    with pytest.raises(ValueError, match=message):
        NetworkArgs(**{**NETWORK_ARGS, **kwargs})


NETWORK_ARGS: dict[str, Any] = {
    "cidr_block": "10.20.0.0/16",
    "availability_zone_count": 2,
    "subnet_prefix_length": 20,
    "nat_gateways": "single",
    "flow_log_retention_days": 30,
}


def test_network_args_report_every_problem_at_once():
    bad = {"availability_zone_count": 1, "subnet_prefix_length": 16, "flow_log_retention_days": 2}
    with pytest.raises(ValueError, match=r"^invalid NetworkArgs: availability_zone_count") as e:
        NetworkArgs(**{**NETWORK_ARGS, **bad})
    message = str(e.value)
    named = [
        message.find(f"; {key} ") for key in ("subnet_prefix_length", "flow_log_retention_days")
    ]
    assert 0 < named[0] < named[1]


def test_network_args_are_keyword_only():
    with pytest.raises(TypeError):
        NetworkArgs(*NETWORK_ARGS.values())  # type: ignore[call-arg]


def test_network_invariants_match_the_config_bounds():
    """The config layer parses and relabels; the component owns the invariants. Their bounds
    are pinned together so a stack config can never reach a NetworkArgs that refuses it."""
    from components.config.models import LOG_RETENTION_DAYS, NetworkConfig
    from components.network import FLOW_LOG_RETENTION_DAYS, MAX_AZS, MIN_AZS

    bounds = {
        type(m).__name__: m for m in NetworkConfig.model_fields["availability_zones"].metadata
    }
    assert (bounds["Ge"].ge, bounds["Le"].le) == (MIN_AZS, MAX_AZS)
    assert tuple(LOG_RETENTION_DAYS) == FLOW_LOG_RETENTION_DAYS


def test_network_tags_reach_every_tagged_child():
    aws = run(
        lambda: {
            "net": Network("network", NetworkArgs(**NETWORK_ARGS, tags={"team": "platform"})).vpc_id
        }
    ).aws
    tagged = [r for r in aws.resources if "tags" in r.inputs]
    assert len(tagged) >= 10
    assert all(r.inputs["tags"]["team"] == "platform" for r in tagged)


# -- Security groups --------------------------------------------------------------------------


def test_security_groups_admit_only_the_intended_peers():
    aws = run(
        lambda: {
            "sg": AppSecurityGroups(
                "security", AppSecurityGroupsArgs("vpc-1", "10.20.0.0/16")
            ).web_instances_id
        }
    ).aws
    groups = {r.id: r.name for r in aws.of_type("aws:ec2/securityGroup:SecurityGroup")}
    assert sorted(groups.values()) == [
        "security-model-instances",
        "security-model-lb",
        "security-web-instances",
        "security-web-lb",
    ]
    ingress = sorted(
        (
            groups[r.inputs["securityGroupId"]],
            r.inputs["fromPort"],
            r.inputs.get("cidrIpv4")
            or r.inputs.get("cidrIpv6")
            or groups[r.inputs["referencedSecurityGroupId"]],
        )
        for r in aws.of_type(INGRESS)
    )
    assert ingress == [
        ("security-model-lb", 80, "security-web-instances"),
        ("security-model-lb", 443, "security-web-instances"),
        ("security-web-lb", 80, "0.0.0.0/0"),
        ("security-web-lb", 80, "::/0"),
        ("security-web-lb", 443, "0.0.0.0/0"),
        ("security-web-lb", 443, "::/0"),
    ]
    for group in aws.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not group.inputs.get("ingress"), group.name


# -- Database -------------------------------------------------------------------------------


def database(**overrides: Any) -> Recording:
    fields: dict[str, Any] = {
        **parse_stack_config({}).database.model_dump(),
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-iso-a", "subnet-iso-b"],
        "client_security_group_ids": ["sg-web"],
        **overrides,
    }
    return run(lambda: {"endpoint": Database("database", DatabaseArgs(**fields)).endpoint}).aws


def test_database_is_private_encrypted_and_keeps_no_password():
    aws = database()
    subnet_group = aws.one("aws:rds/subnetGroup:SubnetGroup")
    assert subnet_group.inputs["subnetIds"] == ["subnet-iso-a", "subnet-iso-b"]
    instance = aws.one("aws:rds/instance:Instance")
    sg = aws.one("aws:ec2/securityGroup:SecurityGroup")
    expected = {
        "engine": "postgres",
        "storageEncrypted": True,
        "manageMasterUserPassword": True,
        "publiclyAccessible": False,
        "dbSubnetGroupName": subnet_group.id,
        "vpcSecurityGroupIds": [sg.id],
        "dbName": "webmodel",
        "username": "webmodel_admin",
        "multiAz": False,
        "skipFinalSnapshot": True,
    }
    assert {key: instance.inputs.get(key) for key in expected} == expected
    assert "password" not in instance.inputs
    assert "snapshotIdentifier" not in instance.inputs
    rules = aws.of_type(INGRESS)
    assert [(r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"]) for r in rules] == [
        (5432, "sg-web")
    ]
    assert rules[0].inputs["securityGroupId"] == sg.id
    assert "cidrIpv4" not in rules[0].inputs


def test_database_production_settings_and_final_snapshot():
    aws = database(
        multi_az=True,
        deletion_protection=True,
        backup_retention_days=14,
        skip_final_snapshot=False,
        protect=True,
    )
    instance = aws.one("aws:rds/instance:Instance").inputs
    assert instance["multiAz"] is True
    assert instance["deletionProtection"] is True
    assert instance["backupRetentionPeriod"] == 14
    assert instance["skipFinalSnapshot"] is False
    assert instance["finalSnapshotIdentifier"] == "webmodel-dev-database-final"


def test_database_restores_from_a_snapshot():
    instance = database(snapshot_identifier="webmodel-seed-003").one("aws:rds/instance:Instance")
    assert instance.inputs["snapshotIdentifier"] == "webmodel-seed-003"
    assert "dbName" not in instance.inputs
    assert "username" not in instance.inputs
    assert instance.inputs["manageMasterUserPassword"] is True


def test_database_without_clients_is_refused():
    with pytest.raises(ValueError, match="client_security_group_ids is empty"):
        DatabaseArgs(
            vpc_id="vpc-1",
            subnet_ids=[],
            client_security_group_ids=[],
            **parse_stack_config({}).database.model_dump(),
        )
