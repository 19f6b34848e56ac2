"""The pack on the stacks the program builds: clean as built, and each broken variant caught."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from preflight.analysis import LoadedPack, Report, evaluate, load_pack
from preflight.engine import simulate
from preflight.state import State, StateResource, from_deployment
from tests.preflight_support import ROOT

ENV = "aws:elasticbeanstalk/environment:Environment"
SUBNET = "aws:ec2/subnet:Subnet"
RDS = "aws:rds/instance:Instance"


@cache
def _state(stack: str) -> State:
    return from_deployment(simulate(stack))


@cache
def _pack() -> LoadedPack:
    return load_pack(ROOT / "policies")


def _evaluate(state: State, stage: str) -> Report:
    return evaluate(_pack(), state, stage=stage, config_file=ROOT / f"policies/config/{stage}.json")


def _variant(stack: str, edit: Callable[[list[StateResource]], list[StateResource]]) -> State:
    state = _state(stack)
    return State(stack=state.stack, project=state.project, resources=edit(list(state.resources)))


def _replace(
    resources: list[StateResource], pick: Callable[[StateResource], bool], **props: Any
) -> list[StateResource]:
    done = []
    hits = 0
    for r in resources:
        if pick(r):
            hits += 1
            r = dataclasses.replace(r, properties={**r.properties, **props})
        done.append(r)
    assert hits, "the variant changed nothing"
    return done


def _role(role: str) -> Callable[[StateResource], bool]:
    return lambda r: r.type == ENV and r.properties["tags"].get("role") == role


def _settings(r: StateResource) -> list[dict[str, str]]:
    settings: list[dict[str, str]] = r.properties["settings"]
    return settings


def _set_option(namespace: str, name: str, value: str) -> Callable[[StateResource], dict[str, Any]]:
    def edit(r: StateResource) -> dict[str, Any]:
        kept = [s for s in _settings(r) if (s["namespace"], s["name"]) != (namespace, name)]
        return {"settings": [*kept, {"namespace": namespace, "name": name, "value": value}]}

    return edit


def _edit_env(role: str, edit: Callable[[StateResource], dict[str, Any]]):
    def apply(resources: list[StateResource]) -> list[StateResource]:
        return [
            dataclasses.replace(r, properties={**r.properties, **edit(r)}) if _role(role)(r) else r
            for r in resources
        ]

    return apply


def _mandatory(report: Report) -> list[tuple[str, str]]:
    return sorted((v.policy, v.resource_name) for v in report.mandatory)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_program_s_stacks_have_no_mandatory_violation(stack: str) -> None:
    report = _evaluate(_state(stack), stack)
    assert report.mandatory == []
    assert report.unreadable_secrets == []


def test_prod_has_no_advisory_either() -> None:
    assert _evaluate(_state("prod"), "prod").violations == []


def test_dev_advisories_are_exactly_the_prod_only_rules() -> None:
    report = _evaluate(_state("dev"), "dev")
    assert sorted({v.policy for v in report.violations}) == [
        "eb-deployment-policy-safe",
        "eb-multi-az-capacity",
        "rds-backup-retention",
        "rds-deletion-protection",
        "rds-final-snapshot",
        "rds-multi-az",
    ]


def _public_subnet_ids(state: State) -> str:
    return ",".join(r.id for r in state.resources if r.type == SUBNET and "-public-" in r.name)


BROKEN: dict[
    str, tuple[Callable[[list[StateResource]], list[StateResource]], list[tuple[str, str]]]
] = {
    "web instances in public subnets": (
        _edit_env(
            "web",
            lambda r: _set_option("aws:ec2:vpc", "Subnets", _public_subnet_ids(_state("dev")))(r),
        ),
        [("eb-instances-in-private-subnets", "webmodel-dev-web")],
    ),
    "a public IP on the model instances": (
        _edit_env("model", _set_option("aws:ec2:vpc", "AssociatePublicIpAddress", "true")),
        [("eb-instances-in-private-subnets", "webmodel-dev-model")],
    ),
    "4,200 bytes of environment properties": (
        _edit_env(
            "web",
            _set_option("aws:elasticbeanstalk:application:environment", "BLOB", "x" * 4200),
        ),
        [("eb-env-properties-size-limit", "webmodel-dev-web")],
    ),
    "IMDSv1 allowed": (
        _edit_env(
            "web", _set_option("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "false")
        ),
        [("eb-imdsv2-required", "webmodel-dev-web")],
    ),
    "a public model load balancer": (
        _edit_env("model", _set_option("aws:ec2:vpc", "ELBScheme", "public")),
        [("eb-model-environment-internal", "webmodel-dev-model")],
    ),
    "public RDS": (
        lambda rs: _replace(rs, lambda r: r.type == RDS, publiclyAccessible=True),
        [("rds-not-publicly-accessible", "database-postgres")],
    ),
    "unencrypted RDS": (
        lambda rs: _replace(rs, lambda r: r.type == RDS, storageEncrypted=False),
        [("rds-storage-encrypted", "database-postgres")],
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_variant_fails_with_exactly_its_policy(name: str) -> None:
    edit, expected = BROKEN[name]
    report = _evaluate(_variant("dev", edit), "dev")
    assert _mandatory(report) == expected


def test_a_private_subnet_routed_to_the_igw_fails() -> None:
    state = _state("dev")
    (igw,) = [r for r in state.resources if r.type == "aws:ec2/internetGateway:InternetGateway"]
    private_tables = [
        r
        for r in state.resources
        if r.type == "aws:ec2/routeTable:RouteTable" and "-private-" in r.name
    ]
    route = StateResource(
        urn=state.resources[0].urn.rsplit("::", 2)[0] + "::aws:ec2/route:Route::oops",
        type="aws:ec2/route:Route",
        name="oops",
        custom=True,
        id="r-oops",
        properties={
            "routeTableId": private_tables[0].id,
            "destinationCidrBlock": "0.0.0.0/0",
            "gatewayId": igw.id,
        },
        parent=None,
        dependencies=[],
        property_dependencies={},
        protect=False,
        provider=None,
    )
    report = _evaluate(_variant("dev", lambda rs: [*rs, route]), "dev")
    assert _mandatory(report) == [
        ("eb-instances-in-private-subnets", "webmodel-dev-model"),
        ("eb-instances-in-private-subnets", "webmodel-dev-web"),
        ("eb-model-environment-internal", "webmodel-dev-model"),
    ]
    assert "aws:ec2/route:Route 'oops'" in report.mandatory[0].message


def test_world_open_ssh_fails() -> None:
    state = _state("dev")
    (group,) = [r for r in state.resources if r.name == "security-web-instances"]
    rule = dataclasses.replace(
        group,
        urn=group.urn.replace(
            "SecurityGroup::security-web-instances", "SecurityGroupIngressRule::ssh"
        ),
        type="aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name="ssh",
        properties={
            "securityGroupId": group.id,
            "cidrIpv4": "0.0.0.0/0",
            "ipProtocol": "tcp",
            "fromPort": 22,
            "toPort": 22,
        },
    )
    report = _evaluate(_variant("dev", lambda rs: [*rs, rule]), "dev")
    assert _mandatory(report) == [("sg-no-world-ingress", "ssh")]


def test_a_public_subnet_in_the_db_subnet_group_fails() -> None:
    public = _public_subnet_ids(_state("dev")).split(",")[0]

    def edit(resources: list[StateResource]) -> list[StateResource]:
        return [
            dataclasses.replace(
                r, properties={**r.properties, "subnetIds": [*r.properties["subnetIds"], public]}
            )
            if r.type == "aws:rds/subnetGroup:SubnetGroup"
            else r
            for r in resources
        ]

    report = _evaluate(_variant("dev", edit), "dev")
    assert _mandatory(report) == [("rds-subnet-group-private", "database-subnets")]


@pytest.mark.parametrize(("stage", "level"), [("dev", "advisory"), ("prod", "mandatory")])
def test_prod_only_rules_are_mandatory_only_in_prod(stage: str, level: str) -> None:
    state = _variant(
        "prod",
        lambda rs: _edit_env(
            "web", _set_option("aws:elasticbeanstalk:command", "DeploymentPolicy", "AllAtOnce")
        )(_replace(rs, lambda r: r.type == RDS, multiAz=False)),
    )
    report = _evaluate(state, stage)
    found = {(v.policy, v.level) for v in report.violations}
    assert ("eb-deployment-policy-safe", level) in found
    assert ("rds-multi-az", level) in found
