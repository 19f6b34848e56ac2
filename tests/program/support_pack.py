"""What the pack tests on the program share: the stacks' vocabulary, running the pack with a
stage's config, and the smallest edits of a saved state that a broken variant is made of.

`conftest.py` holds the fixtures (the pack, and each stack simulated once per module).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from preflight.export.state import State, StateResource
from preflight.pack.evaluate import Report, evaluate
from preflight.pack.load import LoadedPack

ROOT = Path(__file__).resolve().parents[2]
ENV = "aws:elasticbeanstalk/environment:Environment"
SUBNET = "aws:ec2/subnet:Subnet"
RDS = "aws:rds/instance:Instance"
ENV_PROPS = "aws:elasticbeanstalk:application:environment"
ENV_SETTINGS = "aws:elasticbeanstalk:environment"
LAUNCH = "aws:autoscaling:launchconfiguration"
VPC = "aws:ec2:vpc"
STAGES = ("dev", "prod")


def run(pack: LoadedPack, state: State, stage: str) -> Report:
    return evaluate(pack, state, stage=stage, config_file=ROOT / f"policies/config/{stage}.json")


def mandatory(report: Report) -> set[tuple[str, str]]:
    return {(v.policy, v.resource_name) for v in report.mandatory}


def advisory(report: Report) -> set[tuple[str, str]]:
    return {(v.policy, v.resource_name) for v in report.advisory}


# -- finding and changing resources ----------------------------------------------------------


def env(state: State, role: str) -> StateResource:
    (found,) = [
        r for r in state.resources if r.type == ENV and r.properties["tags"].get("role") == role
    ]
    return found


def one(state: State, type_token: str, name_part: str = "") -> StateResource:
    (found,) = [r for r in state.resources if r.type == type_token and name_part in r.name]
    return found


def subnets(state: State, tier: str) -> list[StateResource]:
    return [
        r
        for r in state.resources
        if r.type == SUBNET and r.properties.get("tags", {}).get("tier") == tier
    ]


def setting_value(resource: StateResource, namespace: str, name: str) -> Any:
    (value,) = [
        s["value"]
        for s in resource.properties["settings"]
        if (s["namespace"], s["name"]) == (namespace, name)
    ]
    return value


def with_props(resource: StateResource, **props: Any) -> StateResource:
    return dataclasses.replace(resource, properties={**resource.properties, **props})


def with_setting(resource: StateResource, namespace: str, name: str, value: str) -> StateResource:
    kept = [
        s
        for s in resource.properties["settings"]
        if (s["namespace"], s["name"]) != (namespace, name)
    ]
    entry = {"namespace": namespace, "name": name, "value": value}
    return with_props(resource, settings=[*kept, entry])


def replaced(state: State, old: StateResource, new: StateResource) -> State:
    assert old != new, "the variant changed nothing"
    resources = [new if r.urn == old.urn else r for r in state.resources]
    return dataclasses.replace(state, resources=resources)


def added(state: State, *extra: StateResource) -> State:
    return dataclasses.replace(state, resources=[*state.resources, *extra])


def new_resource(state: State, type_token: str, name: str, **props: Any) -> StateResource:
    stack, project = state.stack, state.project
    return StateResource(
        urn=f"urn:pulumi:{stack}::{project}::{type_token}::{name}",
        type=type_token,
        name=name,
        custom=True,
        id=str(props.get("id", "")),
        properties=props,
        parent=None,
        dependencies=[],
        property_dependencies={},
        protect=False,
        provider=None,
    )


def one_setting(
    state: State, role: str, namespace: str, option: str, value: str, policy: str
) -> tuple[State, set[tuple[str, str]]]:
    """`role`'s environment with one option setting at `value`, which `policy` alone fails."""
    target = env(state, role)
    broken = with_setting(target, namespace, option, value)
    return replaced(state, target, broken), {(policy, target.name)}


def role_in_public_subnets(state: State, role: str) -> tuple[State, set[tuple[str, str]]]:
    public_ids = ",".join(s.properties["id"] for s in subnets(state, "public"))
    return one_setting(state, role, VPC, "Subnets", public_ids, "eb-instances-in-private-subnets")


TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"


def launched_from_template(
    state: State, template_settings: list[dict[str, Any]], env_settings: list[dict[str, Any]]
) -> tuple[State, StateResource, StateResource]:
    """The web environment's settings moved into a configuration template it launches from."""
    web = env(state, "web")
    template = dataclasses.replace(
        new_resource(state, TEMPLATE, "web-base", application=web.properties["application"]),
        properties={
            "name": "web-base",
            "application": web.properties["application"],
            "settings": template_settings,
        },
    )
    moved = with_props(web, templateName="web-base", settings=env_settings)
    return added(replaced(state, web, moved), template), moved, template


def removed(state: State, gone: StateResource) -> State:
    return dataclasses.replace(state, resources=[r for r in state.resources if r.urn != gone.urn])
