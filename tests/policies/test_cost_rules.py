"""Price rules on hand-written stacks: any stack, judged by types and properties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from awsfacts.eb import ASG_NS, ENV_NS, INSTANCES_NS, LAUNCH_NS, VPC_NS
from pricing import (
    HOURS_PER_MONTH,
    Record,
    estimate_stack,
    format_usd,
    role_of,
    stack_name,
    stack_region,
    usage_for,
)

from tests.policies.cost_support import REGION, price, table_with

H = HOURS_PER_MONTH
ENV = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
DB = "aws:rds/instance:Instance"
RDS_PRICES = {  # invented figures, as a refresh with credentials would file them
    "rds.instanceHour": {REGION: {"postgres/db.t4g.micro": "0.025"}},
    "rds.storageGbMonth": {REGION: {"gp3": "0.131"}},
}


class Unknown:
    """What a value not known during preview looks like to the estimator: not plain JSON."""


def rec(type_token: str, resource: str, **props: Any) -> Record:
    return Record(f"urn:pulumi:acme::shop::{type_token}::{resource}", type_token, props)


def env(options: dict[tuple[str, str], Any], name: str = "api") -> Record:
    settings = [
        {"namespace": ns, "name": key, "value": value} for (ns, key), value in options.items()
    ]
    return rec(ENV, name, settings=settings, tags={"role": "web"})


def estimate(*records: Record, table: Any = None, region: str = REGION) -> Any:
    return estimate_stack(list(records), region, usage_for(None), table)


def lines(found: Any, name: str) -> dict[str, Decimal]:
    """{what: monthly maximum} of one resource's priced lines."""
    resource = next(r for r in found.resources if r.urn.endswith(f"::{name}"))
    return {item.what: item.monthly.max for item in resource.items}


def gaps(found: Any, name: str = "") -> list[str]:
    return [u.why for u in found.unpriced if u.urn.endswith(f"::{name}") or not name]


def db(**props: Any) -> Record:
    base = {"engine": "postgres", "instanceClass": "db.t4g.micro", "storageType": "gp3"}
    return rec(DB, "orders", **{**base, "allocatedStorage": 20, **props})


def test_multi_az_doubles_the_database_instance_line_and_its_storage() -> None:
    table = table_with(RDS_PRICES)
    single = lines(estimate(db(multiAz=False), table=table), "orders")
    double = lines(estimate(db(multiAz=True), table=table), "orders")
    assert single["db.t4g.micro postgres instance"] == H * Decimal("0.025")
    assert double["db.t4g.micro postgres instance, multi-AZ: primary and standby"] == (
        2 * single["db.t4g.micro postgres instance"]
    )
    assert (
        double["gp3 storage, 20 GB"]
        == 2 * single["gp3 storage, 20 GB"]
        == 2 * 20 * Decimal("0.131")
    )


def test_storage_autoscaling_spans_allocated_to_max_allocated() -> None:
    found = estimate(db(maxAllocatedStorage=50), table=table_with(RDS_PRICES))
    storage = next(i for r in found.resources for i in r.items if "storage" in i.what)
    assert (storage.quantity.min, storage.quantity.max) == (20, 50)
    assert storage.what == "gp3 storage, 20 GB growing to 50 GB"


def test_without_rds_prices_the_database_is_unpriced_with_the_reason() -> None:
    found = estimate(db(manageMasterUserPassword=True))
    assert found.resources == ()
    assert [why.split(":", 1)[0] for why in gaps(found)] == [
        "db.t4g.micro postgres instance",
        "storage",
        "Secrets Manager secret RDS creates for the master password",
    ]
    assert all("no feed for it can be read offline" in why for why in gaps(found))


def test_an_environment_runs_with_its_templates_options_under_its_own() -> None:
    template = rec(
        TEMPLATE,
        "base",
        name="base",
        application="shop",
        settings=[
            {"namespace": INSTANCES_NS, "name": "InstanceTypes", "value": "m7i.large"},
            {"namespace": ASG_NS, "name": "MaxSize", "value": "3"},
        ],
    )
    launched = env({(ASG_NS, "MinSize"): "2"})
    launched = Record(
        launched.urn, ENV, {**launched.props, "templateName": "base", "application": "shop"}
    )
    found = lines(estimate(template, launched), "api")
    what = "m7i.large instances, Linux on-demand (2 to 3 running; the first of InstanceTypes)"
    assert found[what] == 3 * H * price("ec2.instanceHour", "m7i.large")


def test_a_template_outside_the_stack_leaves_its_options_unknown() -> None:
    launched = Record(
        "urn:pulumi:acme::shop::x::api", ENV, {"templateName": "elsewhere", "settings": []}
    )
    found = estimate(launched)
    assert found.resources == ()
    instances = next(u for u in found.unpriced if u.why.startswith("instances:"))
    assert instances.unknown
    assert "its configuration template 'elsewhere' is not in this stack" in instances.why


def test_settings_not_known_yet_are_unknown_not_missing() -> None:
    found = estimate(rec(ENV, "api", settings=Unknown()))
    assert found.unpriced
    assert all(u.unknown for u in found.unpriced)
    assert found.unpriced[0].why == (
        "instances: aws:elasticbeanstalk:environment EnvironmentType: its settings list is not "
        "known yet (unknown during preview, or encrypted in the state)"
    )


def test_a_single_instance_has_an_elastic_ip_and_no_load_balancer_or_trigger_alarms() -> None:
    found = lines(
        estimate(
            env(
                {
                    (ENV_NS, "EnvironmentType"): "SingleInstance",
                    (INSTANCES_NS, "InstanceTypes"): "t3.small",
                }
            )
        ),
        "api",
    )
    assert found == {
        "t3.small instances, Linux on-demand (1 running; the first of InstanceTypes)": H
        * price("ec2.instanceHour", "t3.small"),
        "Elastic IP of the single instance": H * price("publicIpv4.hour"),
    }


@pytest.mark.parametrize(
    ("option", "value"),
    [((ENV_NS, "LoadBalancerIsShared"), "true"), ((ENV_NS, "EnvironmentType"), "SingleInstance")],
)
def test_no_load_balancer_of_its_own(option: tuple[str, str], value: str) -> None:
    found = estimate(env({(INSTANCES_NS, "InstanceTypes"): "t3.small", option: value}))
    assert not any("load balancer" in why for why in gaps(found))


def test_a_public_load_balancer_has_an_address_per_subnet_and_instances_may_have_their_own() -> (
    None
):
    found = estimate(
        env(
            {
                (INSTANCES_NS, "InstanceTypes"): "t3.small",
                (ASG_NS, "MaxSize"): "3",
                (VPC_NS, "ELBSubnets"): "subnet-a,subnet-b,subnet-c",
                (VPC_NS, "AssociatePublicIpAddress"): "true",
            }
        )
    )
    priced = lines(found, "api")
    ipv4 = price("publicIpv4.hour")
    assert (
        priced[
            "public IPv4 addresses of its internet-facing load balancer (3 zones x usage "
            "publicLoadBalancerAddressesPerZone = 1)"
        ]
        == 3 * H * ipv4
    )
    assert priced["public IPv4 address of each instance (AssociatePublicIpAddress)"] == 3 * H * ipv4
    assert any(why.startswith("classic load balancer:") for why in gaps(found))  # EB's default type


@pytest.mark.parametrize(
    ("options", "why"),
    [
        ({(ASG_NS, "MinSize"): "3", (ASG_NS, "MaxSize"): "2"}, "MinSize 3 is above MaxSize 2"),
        ({}, "no instance type is set"),
        ({(LAUNCH_NS, "InstanceType"): Unknown()}, "InstanceType is not known yet"),
    ],
)
def test_instances_that_cannot_be_counted_or_typed_are_unpriced(options: Any, why: str) -> None:
    found = estimate(env(options))
    assert any(why in reason for reason in gaps(found, "api"))


def test_the_legacy_instance_type_and_spot_are_read() -> None:
    found = lines(
        estimate(
            env({(LAUNCH_NS, "InstanceType"): "t3.micro", (INSTANCES_NS, "EnableSpot"): "true"})
        ),
        "api",
    )
    assert any(
        "launch configuration InstanceType); EnableSpot: priced on-demand" in w for w in found
    )


def test_network_pieces() -> None:
    found = estimate(
        rec("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", vpcEndpointType="Gateway"),
        rec(
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            "ssm",
            vpcEndpointType="Interface",
            subnetIds=["a", "b"],
        ),
        rec("aws:ec2/eip:Eip", "own", publicIpv4Pool="ipv4pool-ec2-0123"),
        rec("aws:ec2/flowLog:FlowLog", "flows", logDestinationType="s3"),
    )
    assert [r.urn.rsplit("::", 1)[-1] for r in found.resources] == ["ssm", "flows"]
    assert lines(found, "ssm")["Interface endpoint, 2 zone(s)"] == 2 * H * price("vpcEndpoint.hour")
    flows = lines(found, "flows")
    assert flows == {
        "flow-log records delivered to s3 (usage flowLogGbPerMonth = 5)": 5
        * price("logs.vendedToS3Gb")
    }
    assert {name for _, _, name in found.free} >= {"nothing billed in this configuration"}


def test_a_flow_logs_log_group_is_paid_for_as_the_flow_logs_delivery() -> None:
    group = rec("aws:cloudwatch/logGroup:LogGroup", "flows")
    flow = Record(
        "urn:pulumi:acme::shop::aws:ec2/flowLog:FlowLog::flow",
        "aws:ec2/flowLog:FlowLog",
        {"logDestination": Unknown()},
        {"logDestination": [group.urn]},
    )
    other = rec("aws:cloudwatch/logGroup:LogGroup", "app", logGroupClass="INFREQUENT_ACCESS")
    found = estimate(group, flow, other)
    assert [r.urn.rsplit("::", 1)[-1] for r in found.resources] == ["flow", "app"]
    assert lines(found, "app") == {
        "infrequent_access log ingestion (usage logGroupGbPerMonth = 1)": price("logs.iaIngestGb")
    }


def test_data_services() -> None:
    found = estimate(
        rec("aws:dynamodb/table:Table", "on-demand", billingMode="PAY_PER_REQUEST"),
        rec("aws:dynamodb/table:Table", "provisioned", readCapacity=5, writeCapacity=2),
        rec("aws:cloudwatch/metricAlarm:MetricAlarm", "fast", period=10),
        rec("aws:kms/key:Key", "key"),
    )
    provisioned = lines(found, "provisioned")
    assert provisioned["provisioned read capacity"] == 5 * H * price("dynamodb.readCapacityHour")
    assert provisioned["provisioned write capacity"] == 2 * H * price("dynamodb.writeCapacityHour")
    assert lines(found, "on-demand")[
        "on-demand writes (usage tableWriteRequestsPerMonth = 1,000,000)"
    ] == (1_000_000 * price("dynamodb.writeRequest"))
    assert lines(found, "fast") == {
        "high-resolution alarm, 1 metric(s)": price("cloudwatch.highResolutionAlarmMonth")
    }
    assert lines(found, "key") == {"customer managed KMS key": price("kms.keyMonth")}


def test_what_is_not_aws_or_has_no_rule_is_never_counted_silently() -> None:
    child = Record(
        "urn:pulumi:acme::shop::acme:web:Site$aws:ec2/eip:Eip::ip", "aws:ec2/eip:Eip", {}
    )
    found = estimate(
        child,
        Record("urn:pulumi:acme::shop::acme:web:Site::site", "acme:web:Site", {}),
        rec("random:index/randomId:RandomId", "id"),
        rec("aws:lambda/function:Function", "fn"),
        rec("aws:rds/cluster:Cluster", "aurora"),
    )
    assert {(u.urn.rsplit("::", 1)[-1], u.why) for u in found.unpriced} == {
        ("id", "not an AWS resource: the estimator prices AWS only"),
        ("fn", "no price rule for this resource type (not counted)"),
        ("aurora", "Aurora and multi-AZ DB clusters are not priced by the estimator"),
    }
    assert ("urn:pulumi:acme::shop::acme:web:Site::site") in {urn for urn, _, _ in found.free}


def test_region_stack_role_and_money_helpers() -> None:
    provider = rec("pulumi:providers:aws", "default_7_0_0", region="eu-west-1")
    arn = rec("aws:sqs/queue:Queue", "q", arn="arn:aws:sqs:us-east-2:123456789012:q")
    assert stack_region([provider, arn]) == "eu-west-1"
    assert stack_region([arn]) == "us-east-2"
    assert stack_region([]) is None
    assert stack_name([arn]) == "acme"
    assert role_of(rec("aws:ec2/natGateway:NatGateway", "n", tagsAll={"role": "edge"})) == "edge"
    assert role_of(rec("aws:dynamodb/table:Table", "t")) == "database"
    assert role_of(rec("aws:s3/bucket:Bucket", "b")) == "shared"
    assert format_usd(Decimal("1234.565")) == "$1,234.57"
    assert format_usd(Decimal("-3"), sign=True) == "-$3.00"
    assert format_usd(Decimal("3"), sign=True) == "+$3.00"
