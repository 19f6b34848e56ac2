"""The pack over the real analyzer protocol, started exactly as the Pulumi CLI starts it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tests.preflight_support import ROOT

ADVISORY, MANDATORY = analyzer_pb2.ADVISORY, analyzer_pb2.MANDATORY
PROD_ONLY = {
    "rds-multi-az",
    "rds-deletion-protection",
    "rds-backup-retention",
    "eb-multi-az-capacity",
    "eb-deployment-policy-safe",
    "eb-enhanced-health",
    "eb-managed-platform-updates",
}
ALWAYS = {
    "eb-instances-in-private-subnets",
    "eb-model-environment-internal",
    "eb-env-properties-size-limit",
    "eb-env-property-names",
    "eb-imdsv2-required",
    "rds-not-publicly-accessible",
    "rds-subnet-group-private",
    "rds-storage-encrypted",
    "sg-no-world-ingress",
}
EXTRAS = {
    "eb-env-property-names-portable",
    "eb-secret-like-plain-property",
    "rds-final-snapshot",
    "vpc-flow-logs-enabled",
}
URN = "urn:pulumi:prod::shop::{type}::{name}"


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    # `pulumi preview --policy-pack policies` runs `python -u -m pulumi.policy <engine> <dir>`
    # and reads the port from the first line; the engine address is only dialled for logs.
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "policies"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        process.kill()
        process.wait(timeout=10)


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(props)
    return message


def _configure(stub: analyzer_pb2_grpc.AnalyzerStub, stage: str) -> None:
    """Send `policies/config/<stage>.json` the way the CLI reconciles it: one entry a policy."""
    config = json.loads((ROOT / f"policies/config/{stage}.json").read_text())
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, level in config.items():
        request.policyConfig[name].enforcementLevel = {
            "advisory": ADVISORY,
            "mandatory": MANDATORY,
        }[level]
    stub.Configure(request)


def _rds(name: str, **props: Any) -> analyzer_pb2.AnalyzeRequest:
    base = {
        "publiclyAccessible": False,
        "storageEncrypted": True,
        "multiAz": True,
        "deletionProtection": True,
        "backupRetentionPeriod": 14,
        "skipFinalSnapshot": False,
        "dbSubnetGroupName": "private-dbs",
    }
    base.update(props)
    kind = "aws:rds/instance:Instance"
    return analyzer_pb2.AnalyzeRequest(
        type=kind, properties=_struct(base), urn=URN.format(type=kind, name=name), name=name
    )


def test_analyzer_info_lists_every_policy_with_its_default_level(analyzer) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "webmodel-guardrails"
    assert info.supportsConfig
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert set(levels) == ALWAYS | PROD_ONLY | EXTRAS
    assert {n for n, lv in levels.items() if lv == MANDATORY} == ALWAYS | PROD_ONLY
    assert {n for n, lv in levels.items() if lv == ADVISORY} == EXTRAS
    assert all(p.description for p in info.policies)


@pytest.mark.parametrize(("stage", "level"), [("dev", ADVISORY), ("prod", MANDATORY)])
def test_prod_only_rules_follow_the_stage_config(analyzer, stage: str, level: int) -> None:
    _configure(analyzer, stage)
    response = analyzer.Analyze(_rds("orders", multiAz=False))
    (diagnostic,) = response.diagnostics
    assert diagnostic.policyName == "rds-multi-az"
    assert diagnostic.enforcementLevel == level
    assert diagnostic.policyPackName == "webmodel-guardrails"
    assert diagnostic.message == (
        "RDS instances run multi-AZ (a standby in a second AZ).\n"
        "aws:rds/instance:Instance 'orders': multiAz is false; set multiAz to true for "
        "automatic failover"
    )


def test_public_rds_is_mandatory_in_every_stage(analyzer) -> None:
    for stage in ("dev", "prod"):
        _configure(analyzer, stage)
        response = analyzer.Analyze(_rds("orders", publiclyAccessible=True))
        assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [
            ("rds-not-publicly-accessible", MANDATORY)
        ]


def test_a_compliant_resource_has_no_diagnostics(analyzer) -> None:
    _configure(analyzer, "prod")
    assert list(analyzer.Analyze(_rds("orders")).diagnostics) == []


def _stack(public_instances: bool) -> analyzer_pb2.AnalyzeStackRequest:
    def resource(kind: str, name: str, props: dict[str, Any]) -> analyzer_pb2.AnalyzerResource:
        return analyzer_pb2.AnalyzerResource(
            type=kind, properties=_struct(props), urn=URN.format(type=kind, name=name), name=name
        )

    subnet = "subnet-0public" if public_instances else "subnet-0private"
    settings = [
        {"namespace": "aws:ec2:vpc", "name": "Subnets", "value": subnet},
        {"namespace": "aws:ec2:vpc", "name": "ELBSubnets", "value": "subnet-0public"},
    ]
    return analyzer_pb2.AnalyzeStackRequest(
        resources=[
            resource("aws:ec2/vpc:Vpc", "vpc", {"id": "vpc-01", "mainRouteTableId": "rtb-main"}),
            resource("aws:ec2/internetGateway:InternetGateway", "igw", {"id": "igw-01"}),
            resource(
                "aws:ec2/subnet:Subnet",
                "public-a",
                {"id": "subnet-0public", "vpcId": "vpc-01", "availabilityZone": "ap-northeast-2a"},
            ),
            resource(
                "aws:ec2/subnet:Subnet",
                "private-a",
                {"id": "subnet-0private", "vpcId": "vpc-01", "availabilityZone": "ap-northeast-2a"},
            ),
            resource(
                "aws:ec2/routeTable:RouteTable",
                "public-rt",
                {"id": "rtb-public", "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"}]},
            ),
            resource(
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                "public-a",
                {"id": "rtbassoc-1", "subnetId": "subnet-0public", "routeTableId": "rtb-public"},
            ),
            resource(
                "aws:elasticbeanstalk/environment:Environment",
                "api",
                {"settings": settings, "tags": {"role": "web"}},
            ),
        ]
    )


def test_analyze_stack_flags_instances_in_a_public_subnet(analyzer) -> None:
    _configure(analyzer, "prod")
    response = analyzer.AnalyzeStack(_stack(public_instances=True))
    private = [d for d in response.diagnostics if d.policyName == "eb-instances-in-private-subnets"]
    (diagnostic,) = private
    assert diagnostic.enforcementLevel == MANDATORY
    assert diagnostic.urn == URN.format(
        type="aws:elasticbeanstalk/environment:Environment", name="api"
    )
    assert (
        "aws:ec2:vpc Subnets includes public subnets: subnet-0public ('public-a'): "
        "aws:ec2/routeTable:RouteTable 'public-rt' (inline route 0) routes 0.0.0.0/0 to internet "
        "gateway igw-01." in diagnostic.message
    )


def test_analyze_stack_passes_private_instances_behind_a_public_alb(analyzer) -> None:
    _configure(analyzer, "prod")
    response = analyzer.AnalyzeStack(_stack(public_instances=False))
    assert [
        d for d in response.diagnostics if d.policyName == "eb-instances-in-private-subnets"
    ] == []


def test_stage_configs_differ_exactly_in_the_prod_only_rules() -> None:
    from guardrails import PROD_ONLY as declared

    dev = json.loads((ROOT / "policies/config/dev.json").read_text())
    prod = json.loads((ROOT / "policies/config/prod.json").read_text())
    assert set(declared) == PROD_ONLY
    assert set(dev) == set(prod) == ALWAYS | PROD_ONLY | EXTRAS
    assert {n for n in dev if dev[n] != prod[n]} == PROD_ONLY
    assert {dev[n] for n in PROD_ONLY} == {"advisory"}
    assert {prod[n] for n in PROD_ONLY} == {"mandatory"}
    assert {dev[n] for n in ALWAYS} == {"mandatory"}
    assert {dev[n] for n in EXTRAS} == {"advisory"}
