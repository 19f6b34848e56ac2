"""verify's check of the web tier's own domain: its Route 53 alias targets the web load
balancer (moto's Route 53 and ELBv2 in process; no DNS lookups, nothing leaves the process).
Mirrors verify/domain.py."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from verify.aws import AwsCallFailed, guard
from verify.checks import EnvironmentResources
from verify.domain import check_domain_alias

REGION = "ap-northeast-2"
DOMAIN = "app.example.com"


@pytest.fixture
def aws(moto: None) -> dict[str, Any]:
    """A VPC with two load balancers (the web one and another) and a public hosted zone."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}")[
            "Subnet"
        ]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    elbv2 = boto3.client("elbv2", region_name=REGION)
    lbs = [
        elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]
        for name in ("web", "other")
    ]
    route53 = boto3.client("route53", region_name=REGION)
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="z1")["HostedZone"]
    return {"elbv2": elbv2, "route53": route53, "zone": zone["Id"], "lbs": lbs}


def _alias(aws: dict[str, Any], dns: str, name: str = DOMAIN) -> None:
    aws["route53"].change_resource_record_sets(
        HostedZoneId=aws["zone"],
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": "A",
                        "AliasTarget": {
                            "HostedZoneId": "ZWKZPGTI48KDX",
                            "DNSName": f"dualstack.{dns}",
                            "EvaluateTargetHealth": True,
                        },
                    },
                }
            ]
        },
    )


def _check(aws: dict[str, Any]) -> Any:
    web = EnvironmentResources(instance_ids=(), load_balancers=(aws["lbs"][0]["LoadBalancerArn"],))
    return check_domain_alias(guard(aws["route53"]), guard(aws["elbv2"]), DOMAIN, web)


def test_an_alias_to_the_web_load_balancer_passes(aws: dict[str, Any]) -> None:
    _alias(aws, aws["lbs"][0]["DNSName"])
    result = _check(aws)
    assert (result.check_id, result.passed, result.detail) == (
        "web-domain-alias",
        True,
        "app.example.com is an alias of the web load balancer",
    )


def test_an_alias_to_another_load_balancer_fails(aws: dict[str, Any]) -> None:
    _alias(aws, aws["lbs"][1]["DNSName"])
    result = _check(aws)
    assert not result.passed
    assert result.detail == (
        f"app.example.com is an alias of {aws['lbs'][1]['DNSName'].lower()}, not of the web "
        f"load balancer ({aws['lbs'][0]['DNSName'].lower()})"
    )


def test_no_record_and_no_zone_fail_by_name(aws: dict[str, Any]) -> None:
    _alias(aws, aws["lbs"][0]["DNSName"], name="other.example.com")
    assert _check(aws).detail == "app.example.com has no alias A record in zone example.com"
    aws["route53"].create_hosted_zone(
        Name="example.org", CallerReference="z2", HostedZoneConfig={"PrivateZone": False}
    )
    web = EnvironmentResources(instance_ids=(), load_balancers=())
    result = check_domain_alias(guard(aws["route53"]), guard(aws["elbv2"]), "app.test.net", web)
    assert (result.passed, result.detail) == (
        False,
        "no public Route 53 hosted zone holds app.test.net",
    )


def test_a_route53_failure_is_an_aws_call_failure_naming_the_call() -> None:
    route53 = boto3.client(
        "route53", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    elbv2 = boto3.client(
        "elbv2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(route53) as stub:
        stub.add_client_error("list_hosted_zones_by_name", "AccessDenied", "not allowed")
        with pytest.raises(AwsCallFailed) as failed:
            check_domain_alias(guard(route53), guard(elbv2), DOMAIN, EnvironmentResources((), ()))
    assert str(failed.value).startswith("AWS call route53:ListHostedZonesByName failed")
