"""The pack over the real analyzer gRPC protocol, started exactly as the Pulumi CLI starts it.

`pulumi preview --policy-pack policies` runs `python -u -m pulumi.policy <engine> policies`
in the pack's directory's parent, reads the port from the first stdout line, then calls
GetAnalyzerInfo, Configure (every policy, with the level from --policy-pack-config or the
policy's default), Analyze per resource and AnalyzeStack once. What the CLI does on its side
(reconciling the config file, building the requests) and the pack's declared levels are in
protocol_support.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tests.policies.messages import IS_NOT_KNOWN
from tests.policies.protocol_support import (
    ADVISORY,
    ALWAYS,
    EXTRAS,
    MANDATORY,
    PROD_ONLY,
    ROOT,
    STACK_POLICIES,
    configure,
    configure_with,
    found,
    rds,
    resource,
    stack,
    urn,
    web,
)
from tests.policies.stacks import ENV, RDS

PACK = "webmodel-guardrails"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _start(engine: str) -> tuple[subprocess.Popen[str], analyzer_pb2_grpc.AnalyzerStub, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", engine, "policies"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    if not first.isdigit():
        process.kill()
        _, err = process.communicate(timeout=10)
        pytest.fail(f"the pack did not print a port: {first!r}\n{err}")
    channel = grpc.insecure_channel(f"127.0.0.1:{first}")
    grpc.channel_ready_future(channel).result(timeout=20)
    return process, analyzer_pb2_grpc.AnalyzerStub(channel), channel


def _stop(process: subprocess.Popen[str], channel: Any) -> None:
    channel.close()
    process.kill()
    process.communicate(timeout=10)


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    # The engine address is a dummy nobody listens on: the pack must not need to dial it.
    process, stub, channel = _start("127.0.0.1:0")
    try:
        yield stub
    finally:
        _stop(process, channel)


# -- GetAnalyzerInfo -----------------------------------------------------------------------


def test_analyzer_info_names_the_pack_every_policy_and_default_levels(analyzer) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == PACK
    assert info.supportsConfig
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert len(levels) == len(info.policies) == len(ALWAYS | PROD_ONLY | EXTRAS)
    assert {n for n, lv in levels.items() if lv == MANDATORY} == ALWAYS | PROD_ONLY
    assert {n for n, lv in levels.items() if lv == ADVISORY} == EXTRAS
    stack = {p.name for p in info.policies if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK}
    assert stack == STACK_POLICIES
    assert all(p.description for p in info.policies)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_stage_config_covers_every_policy_and_differs_only_in_prod_only_rules(
    analyzer, stage: str
) -> None:
    chosen = configure(analyzer, stage)
    assert len(chosen) == len(ALWAYS | PROD_ONLY | EXTRAS)  # the file's level, else the pack's
    expected_prod_only = ADVISORY if stage == "dev" else MANDATORY
    assert {n for n, lv in chosen.items() if lv == MANDATORY} == (
        ALWAYS | (PROD_ONLY if stage == "prod" else set())
    )
    assert {chosen[n] for n in PROD_ONLY} == {expected_prod_only}


# -- Analyze -----------------------------------------------------------------------------


@pytest.mark.parametrize(("stage", "level"), [("dev", ADVISORY), ("prod", MANDATORY)])
def test_single_az_rds_is_advisory_in_dev_and_mandatory_in_prod(
    analyzer, stage: str, level: int
) -> None:
    configure(analyzer, stage)
    assert found(analyzer.Analyze(rds(multiAz=False))) == [
        (
            "rds-multi-az",
            level,
            "RDS instances run multi-AZ (a standby in a second AZ).\n"
            f"{RDS} 'orders': multiAz is false; set multiAz to true for automatic failover",
        )
    ]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_public_rds_is_mandatory_in_every_stage_and_a_good_one_passes(analyzer, stage: str) -> None:
    configure(analyzer, stage)
    response = analyzer.Analyze(rds(publiclyAccessible=True))
    assert found(response) == [
        (
            "rds-not-publicly-accessible",
            MANDATORY,
            "RDS databases are not publicly accessible.\n"
            f"{RDS} 'orders': publiclyAccessible is true; set it to false; reach the database "
            "from the app's security group only",
        )
    ]
    assert response.diagnostics[0].policyPackName == PACK
    assert found(analyzer.Analyze(rds())) == []


def test_a_value_unknown_during_preview_is_advisory_whatever_the_level(analyzer) -> None:
    configure(analyzer, "prod")
    response = analyzer.Analyze(rds(publiclyAccessible=UNKNOWN))
    assert found(response) == [
        (
            "rds-not-publicly-accessible",
            ADVISORY,
            f"can't run policy 'rds-not-publicly-accessible' from policy pack '{PACK}@v0.0.1' "
            f"during preview: {RDS} 'orders': publiclyAccessible is not known yet",
        )
    ]


# -- AnalyzeStack ------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_private_instances_behind_a_public_alb_pass_the_stack_policies(
    analyzer, stage: str
) -> None:
    configure(analyzer, stage)
    assert found(analyzer.AnalyzeStack(stack(web("subnet-pa,subnet-pb")))) == []


def test_world_open_ssh_rule_is_mandatory_and_https_passes(analyzer) -> None:
    configure(analyzer, "dev")
    kind = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

    def ingress(port: int) -> analyzer_pb2.AnalyzerResource:
        props = {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "cidrIpv4": "0.0.0.0/0"}
        return resource(kind, "in", props)

    response = analyzer.AnalyzeStack(stack(web("subnet-pa,subnet-pb"), ingress(22)))
    assert [(p, lv) for p, lv, _ in found(response)] == [("sg-no-world-ingress", MANDATORY)]
    assert response.diagnostics[0].urn == urn(kind, "in")
    assert found(analyzer.AnalyzeStack(stack(web("subnet-pa,subnet-pb"), ingress(443)))) == []


def test_ssh_that_eb_opens_itself_is_mandatory(analyzer) -> None:
    """EC2KeyName without SSHSourceRestriction: EB's own group admits SSH from anywhere."""
    configure(analyzer, "dev")
    env = web("subnet-pa,subnet-pb")
    props = json_format.MessageToDict(env.properties)
    key = {"namespace": "aws:autoscaling:launchconfiguration", "name": "EC2KeyName", "value": "ops"}
    keyed = resource(ENV, "web", {**props, "settings": [*props["settings"], key]})
    response = analyzer.AnalyzeStack(stack(keyed))
    assert found(response) == [
        (
            "sg-no-world-ingress",
            MANDATORY,
            "No security group admits traffic from 0.0.0.0/0 or ::/0 except TCP 80 and 443.\n"
            f"{ENV} 'web': aws:autoscaling:launchconfiguration EC2KeyName is 'ops' and "
            "SSHSourceRestriction is not set, so Elastic Beanstalk admits TCP port(s) 22 from "
            "0.0.0.0/0 on the security group it creates for the instances; only TCP 80 and 443 "
            "may be open to the world. Set SSHSourceRestriction to 'tcp, 22, 22, <a bastion's "
            "security group ID or a known CIDR>', or remove EC2KeyName and use SSM Session "
            "Manager",
        )
    ]
    assert response.diagnostics[0].urn == urn(ENV, "web")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_instances_in_a_public_subnet_are_a_mandatory_violation(analyzer, stage: str) -> None:
    configure(analyzer, stage)
    response = analyzer.AnalyzeStack(stack(web("subnet-pub,subnet-pb")))
    assert found(response) == [
        (
            "eb-instances-in-private-subnets",
            MANDATORY,
            "Elastic Beanstalk instances run only in private subnets, without public IPs.\n"
            f"{ENV} 'web': aws:ec2:vpc Subnets includes public subnets: subnet-pub ('pub'): "
            "aws:ec2/routeTable:RouteTable 'pub-rt' (inline route 0) routes 0.0.0.0/0 to "
            "internet gateway igw-01. Put the instances in private subnets (a default route to "
            "a NAT gateway, not an internet gateway, and mapPublicIpOnLaunch false).",
        )
    ]
    assert response.diagnostics[0].urn == urn(ENV, "web")


@pytest.mark.parametrize(("stage", "level"), [("dev", ADVISORY), ("prod", MANDATORY)])
def test_a_single_az_environment_follows_the_stage(analyzer, stage: str, level: int) -> None:
    configure(analyzer, stage)
    response = analyzer.AnalyzeStack(stack(web("subnet-pa")))
    assert [(p, lv) for p, lv, _ in found(response)] == [("eb-multi-az-capacity", level)]
    assert response.diagnostics[0].message.endswith(
        f"{ENV} 'web': aws:ec2:vpc Subnets span 1 availability zone(s) (a); use subnets in at "
        "least 2 AZs"
    )


def test_unknown_subnets_are_related_through_property_dependencies(analyzer) -> None:
    configure(analyzer, "prod")
    private = [urn("aws:ec2/subnet:Subnet", "pa"), urn("aws:ec2/subnet:Subnet", "pb")]
    response = analyzer.AnalyzeStack(stack(web(UNKNOWN, deps=private)))
    # Placement passes by dependency; the AZ count needs the IDs, so it is advisory for now.
    assert found(response) == [
        (
            "eb-multi-az-capacity",
            ADVISORY,
            f"can't run policy 'eb-multi-az-capacity' from policy pack '{PACK}@v0.0.1' during "
            f"preview: {ENV} 'web': aws:ec2:vpc Subnets {IS_NOT_KNOWN}",
        )
    ]
    public = [urn("aws:ec2/subnet:Subnet", "pub")]
    response = analyzer.AnalyzeStack(stack(web(UNKNOWN, deps=public)))
    by_policy = {d.policyName: d for d in response.diagnostics}
    placement = by_policy["eb-instances-in-private-subnets"]
    assert placement.enforcementLevel == ADVISORY
    assert "during preview: " in placement.message
    assert f"Subnets {IS_NOT_KNOWN} and the settings depend on public" in (placement.message)


def test_secret_wrapped_settings_are_checked_over_the_protocol(analyzer) -> None:
    """The engine sends a secret top-level property as its envelope; the rule still sees it."""
    configure(analyzer, "dev")
    plain = web("subnet-pub,subnet-pb")
    settings = json_format.MessageToDict(plain.properties)["settings"]
    wrapped = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    secret = resource(
        ENV,
        "web",
        {
            "settings": {**wrapped, "value": settings},
            "tags": {},
            "application": "app",
            "version": "web-0123456789ab",
        },
    )
    response = analyzer.AnalyzeStack(stack(secret))
    assert [(p, lv) for p, lv, _ in found(response)] == [
        ("eb-instances-in-private-subnets", MANDATORY)
    ]
    assert "Subnets includes public subnets: subnet-pub ('pub')" in response.diagnostics[0].message


def test_the_pack_never_dials_the_engine_address() -> None:
    """A listening socket as the engine: after a full round of calls nobody connected."""
    with socket.socket() as engine:
        engine.bind(("127.0.0.1", 0))
        engine.listen(1)
        engine.setblocking(False)
        host, port = engine.getsockname()
        process, stub, channel = _start(f"{host}:{port}")
        try:
            configure(stub, "prod")
            stub.Analyze(rds(publiclyAccessible=True))
            stub.AnalyzeStack(stack(web("subnet-pub")))
        finally:
            _stop(process, channel)
        with pytest.raises(BlockingIOError):
            engine.accept()


# -- how the CLI applies a config file -------------------------------------------------------


def test_all_then_per_policy_entries_apply_as_the_cli_applies_them(analyzer) -> None:
    configure_with(
        analyzer,
        {"all": "advisory", "rds-not-publicly-accessible": {"enforcementLevel": "mandatory"}},
    )
    response = analyzer.Analyze(rds(publiclyAccessible=True, storageEncrypted=False))
    assert sorted((d.policyName, d.enforcementLevel) for d in response.diagnostics) == [
        ("rds-not-publicly-accessible", MANDATORY),
        ("rds-storage-encrypted", ADVISORY),
    ]
    configure_with(analyzer, {"rds-storage-encrypted": "disabled"})
    assert list(analyzer.Analyze(rds(storageEncrypted=False)).diagnostics) == []


def test_without_a_config_file_every_design_rule_is_mandatory(analyzer) -> None:
    configure_with(analyzer, {})
    response = analyzer.Analyze(rds(multiAz=False))
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [
        ("rds-multi-az", MANDATORY)
    ]


def test_stage_files_list_only_what_differs_from_the_packs_declared_levels() -> None:
    """The pack declares prod's levels; dev relaxes exactly the prod-only rules. A policy the
    file leaves out keeps its declared level, as the CLI reconciles `--policy-pack-config`."""
    dev = json.loads((ROOT / "policies/config/dev.json").read_text())
    prod = json.loads((ROOT / "policies/config/prod.json").read_text())
    assert set(dev) == PROD_ONLY
    cost = "stack-monthly-cost"  # also carries its ceiling, in both stages
    assert {v for k, v in dev.items() if k != cost} == {"advisory"}
    assert dev[cost]["enforcementLevel"] == "advisory"
    assert set(prod) == {cost}
    assert set(prod[cost]) == {"maxMonthlyUsd"}
