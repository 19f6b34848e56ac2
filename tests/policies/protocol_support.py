"""The Pulumi CLI's side of the analyzer protocol, for test_protocol.py: a policy pack config
file reconciled with the pack's declared levels and sent in one Configure as the CLI does
(`parsePolicyPackConfig`, `applyConfig`, `ReconcilePolicyPackConfig`), the requests it sends (a
database for Analyze, a network, an application version and environments for AnalyzeStack) and
the diagnostics read back; and what the pack must declare, its policies by default level and
kind, the tables test_protocol.py holds GetAnalyzerInfo and the stage files to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tests.policies.stacks import ENV, GOOD_DB, RDS

ROOT = Path(__file__).resolve().parents[2]
ADVISORY, MANDATORY = analyzer_pb2.ADVISORY, analyzer_pb2.MANDATORY

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
    "s3-bucket-private",
    "s3-bucket-encrypted",
    "sqs-queue-encrypted",
    "sqs-queue-has-dlq",
    "eb-worker-no-load-balancer",
    "eb-switch-points-at-stack-environment",
}
PROD_ONLY = {
    "rds-multi-az",
    "rds-deletion-protection",
    "rds-backup-retention",
    "eb-multi-az-capacity",
    "eb-deployment-policy-safe",
    "eb-enhanced-health",
    "eb-managed-platform-updates",
    "s3-bucket-versioned",
    "eb-runs-stack-version",
    "eb-slots-same-tier-and-subnets",
    "stack-monthly-cost",
}
EXTRAS = {
    "eb-env-property-names-portable",
    "eb-secret-like-plain-property",
    "rds-final-snapshot",
    "vpc-flow-logs-enabled",
}
STACK_POLICIES = {
    "eb-instances-in-private-subnets",
    "eb-model-environment-internal",
    "eb-env-properties-size-limit",
    "eb-imdsv2-required",
    "eb-deployment-policy-safe",
    "eb-enhanced-health",
    "eb-managed-platform-updates",
    "rds-subnet-group-private",
    "eb-multi-az-capacity",
    "vpc-flow-logs-enabled",
    "s3-bucket-private",
    "s3-bucket-encrypted",
    "s3-bucket-versioned",
    "eb-runs-stack-version",
    "sqs-queue-has-dlq",
    "eb-worker-no-load-balancer",
    "stack-monthly-cost",
    "sg-no-world-ingress",
    "eb-slots-same-tier-and-subnets",
    "eb-switch-points-at-stack-environment",
}
"""Rules that judge relations, and every rule that reads EB option settings: an environment
launched from a configuration template runs with the template's settings, which only a
stack rule can see (sg-no-world-ingress reads the SSH options and resolves prefix lists)."""


def struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(props)
    return message


_LEVELS = {
    "advisory": ADVISORY,
    "mandatory": MANDATORY,
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


def configure_with(stub: analyzer_pb2_grpc.AnalyzerStub, config: dict[str, Any]) -> dict[str, int]:
    """What the CLI sends: one Configure with the reconciled entry for every policy."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    chosen: dict[str, int] = {}
    for name, (level, props) in reconcile(stub.GetAnalyzerInfo(empty_pb2.Empty()), config).items():
        if level is not None:
            request.policyConfig[name].enforcementLevel = level
            chosen[name] = level
        request.policyConfig[name].properties.update(props)
    stub.Configure(request)
    return chosen


def configure(stub: analyzer_pb2_grpc.AnalyzerStub, stage: str) -> dict[str, int]:
    """`--policy-pack-config policies/config/<stage>.json`."""
    return configure_with(stub, json.loads((ROOT / f"policies/config/{stage}.json").read_text()))


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:prod::shop::{type_token}::{name}"


def rds(**change: Any) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=RDS, properties=struct({**GOOD_DB, **change}), urn=urn(RDS, "orders"), name="orders"
    )


def found(response: Any) -> list[tuple[str, int, str]]:
    return [(d.policyName, d.enforcementLevel, d.message) for d in response.diagnostics]


def resource(
    kind: str, name: str, props: dict[str, Any], deps: dict[str, list[str]] | None = None
) -> analyzer_pb2.AnalyzerResource:
    message = analyzer_pb2.AnalyzerResource(
        type=kind, properties=struct(props), urn=urn(kind, name), name=name
    )
    for key, urns in (deps or {}).items():
        message.propertyDependencies[key].urns.extend(urns)
        message.dependencies.extend(urns)
    return message


def network() -> list[analyzer_pb2.AnalyzerResource]:
    subnet = "aws:ec2/subnet:Subnet"
    return [
        resource("aws:ec2/vpc:Vpc", "vpc", {"id": "vpc-01", "mainRouteTableId": "rtb-main"}),
        resource("aws:ec2/flowLog:FlowLog", "flow", {"vpcId": "vpc-01"}),
        resource("aws:ec2/internetGateway:InternetGateway", "igw", {"id": "igw-01"}),
        resource(subnet, "pub", {"id": "subnet-pub", "vpcId": "vpc-01", "availabilityZone": "a"}),
        resource(subnet, "pa", {"id": "subnet-pa", "vpcId": "vpc-01", "availabilityZone": "a"}),
        resource(subnet, "pb", {"id": "subnet-pb", "vpcId": "vpc-01", "availabilityZone": "b"}),
        resource(
            "aws:ec2/routeTable:RouteTable",
            "pub-rt",
            {"id": "rtb-pub", "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"}]},
        ),
        resource(
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "pub-assoc",
            {"subnetId": "subnet-pub", "routeTableId": "rtb-pub"},
        ),
    ]


def web(subnets: str, min_size: str = "2", deps: list[str] | None = None):
    vpc_ns = "aws:ec2:vpc"
    settings = [
        {"namespace": vpc_ns, "name": "Subnets", "value": subnets},
        {"namespace": vpc_ns, "name": "ELBSubnets", "value": "subnet-pub"},
        {"namespace": "aws:autoscaling:asg", "name": "MinSize", "value": min_size},
        {
            "namespace": "aws:autoscaling:launchconfiguration",
            "name": "DisableIMDSv1",
            "value": "true",
        },
        {
            "namespace": "aws:elasticbeanstalk:command",
            "name": "DeploymentPolicy",
            "value": "Immutable",
        },
        {
            "namespace": "aws:elasticbeanstalk:healthreporting:system",
            "name": "SystemType",
            "value": "enhanced",
        },
        {
            "namespace": "aws:elasticbeanstalk:managedactions",
            "name": "ManagedActionsEnabled",
            "value": "true",
        },
    ]
    props = {
        "settings": settings,
        "tags": {"role": "web"},
        "application": "app",
        "version": "web-0123456789ab",
    }
    return resource(ENV, "web", props, {"settings": deps} if deps else None)


def stack(*extra: analyzer_pb2.AnalyzerResource) -> analyzer_pb2.AnalyzeStackRequest:
    # The application version the environments run (eb-runs-stack-version, mandatory in prod).
    version = resource(
        "aws:elasticbeanstalk/applicationVersion:ApplicationVersion",
        "web-version",
        {"name": "web-0123456789ab", "application": "app"},
    )
    return analyzer_pb2.AnalyzeStackRequest(resources=[*network(), version, *extra])
