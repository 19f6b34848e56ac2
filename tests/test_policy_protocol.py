"""The pack over the real analyzer protocol, started exactly as the Pulumi CLI starts it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2  # type: ignore[import-untyped]
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


_LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
PolicyConfig = dict[str, tuple[int | None, dict[str, Any]]]
"""policy name -> (enforcement level or None, properties)."""


def parse_config_file(config: dict[str, Any]) -> PolicyConfig:
    """The CLI's `parsePolicyPackConfig`: a level string, or an object whose
    `enforcementLevel` is split off and whose other keys are the policy's properties."""
    parsed: PolicyConfig = {}
    for name, value in config.items():
        if isinstance(value, str):
            parsed[name] = (_LEVELS[value], {})
        elif isinstance(value, dict):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            parsed[name] = (_LEVELS[level] if level is not None else None, props)
        else:
            raise ValueError(f"{name}: must be a string or an object")
        if parsed[name] == (None, {}):
            del parsed[name]  # the CLI drops empty entries
    return parsed


def _apply(result: PolicyConfig, given: PolicyConfig) -> None:
    """The CLI's `applyConfig`: "all" sets every level first, then each entry overrides."""
    all_level = given.get("all", (None, {}))[0]
    if all_level is not None:
        for name, (_, props) in result.items():
            result[name] = (all_level, props)
    for name, (level, props) in given.items():
        current_level, current_props = result.get(name, (None, {}))
        result[name] = (level if level is not None else current_level, {**current_props, **props})


def reconcile(info: analyzer_pb2.AnalyzerInfo, config: dict[str, Any]) -> PolicyConfig:
    """The CLI's `ReconcilePolicyPackConfig`: each policy's default level and schema
    defaults (from GetAnalyzerInfo), then the pack's initialConfig, then the file."""
    result: PolicyConfig = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties)
        defaults = {k: v["default"] for k, v in schema.items() if "default" in v}
        result[policy.name] = (policy.enforcementLevel, defaults)
    initial: PolicyConfig = {
        name: (cfg.enforcementLevel, json_format.MessageToDict(cfg.properties))
        for name, cfg in info.initialConfig.items()
    }
    _apply(result, initial)
    _apply(result, parse_config_file(config))
    return result


def _configure_with(stub: analyzer_pb2_grpc.AnalyzerStub, config: dict[str, Any]) -> None:
    """What the CLI sends: one Configure with the reconciled entry for every policy."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, (level, props) in reconcile(stub.GetAnalyzerInfo(empty_pb2.Empty()), config).items():
        if level is not None:
            request.policyConfig[name].enforcementLevel = level
        request.policyConfig[name].properties.update(props)
    stub.Configure(request)


def _configure(stub: analyzer_pb2_grpc.AnalyzerStub, stage: str) -> None:
    """`--policy-pack-config policies/config/<stage>.json`."""
    _configure_with(stub, json.loads((ROOT / f"policies/config/{stage}.json").read_text()))


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


def test_all_then_per_policy_entries_apply_as_the_cli_applies_them(analyzer) -> None:
    _configure_with(
        analyzer,
        {"all": "advisory", "rds-not-publicly-accessible": {"enforcementLevel": "mandatory"}},
    )
    response = analyzer.Analyze(_rds("orders", publiclyAccessible=True, storageEncrypted=False))
    assert sorted((d.policyName, d.enforcementLevel) for d in response.diagnostics) == [
        ("rds-not-publicly-accessible", MANDATORY),
        ("rds-storage-encrypted", ADVISORY),
    ]
    _configure_with(analyzer, {"rds-storage-encrypted": "disabled"})
    response = analyzer.Analyze(_rds("orders", storageEncrypted=False))
    assert list(response.diagnostics) == []


def test_without_a_config_file_every_design_rule_is_mandatory(analyzer) -> None:
    _configure_with(analyzer, {})
    response = analyzer.Analyze(_rds("orders", multiAz=False))
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [
        ("rds-multi-az", MANDATORY)
    ]


def test_an_unknown_value_during_preview_is_advisory_over_the_wire(analyzer) -> None:
    _configure(analyzer, "prod")
    unknown_bool = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"
    response = analyzer.Analyze(_rds("orders", publiclyAccessible=unknown_bool))
    (diagnostic,) = response.diagnostics
    assert diagnostic.policyName == "rds-not-publicly-accessible"
    assert diagnostic.enforcementLevel == ADVISORY
    assert diagnostic.message.startswith(
        "can't run policy 'rds-not-publicly-accessible' from policy pack "
        "'webmodel-guardrails@v0.0.1' during preview: aws:rds/instance:Instance 'orders': "
    )
