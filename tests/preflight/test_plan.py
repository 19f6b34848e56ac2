"""`preview --base` against preflight's own export of the base commit (the pull-request
workflow's base): known edits give exactly the expected plan."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from preflight.export.write import to_export
from preflight.gate import main as gate
from preflight.inputs.errors import InputError
from preflight.plan.base import index_base
from preflight.plan.compute import compute
from preflight.plan.render_json import to_json
from preflight.plan.render_text import render_text
from preflight.simulate.deployment import STACK_TYPE, Deployment
from preflight.simulate.run import simulate
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.project import read_program_config
from tests.preflight.conftest import Planner, base_edit, changes
from tests.preflight_support import ROOT, copy_project

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _web(config: ProgramConfig, **edits: Any) -> ProgramConfig:
    web = copy.deepcopy(config.values["webmodel:web"])
    for key, value in edits.items():
        if value is None:
            web.pop(key, None)
        else:
            web[key] = value
    return config.with_values({"webmodel:web": web})


def test_unchanged_program_plans_no_change(
    plan_of: Planner, own_base: dict[str, Any], total: int
) -> None:
    plan = plan_of(own_base)
    assert plan.counts() == {"same": total}
    assert render_text(plan).endswith(f"Resources:\n    {total} unchanged\n")
    assert not plan.refused
    assert not plan.stateful
    assert not plan.fresh


def test_instance_count_is_one_update_of_that_setting(
    plan_of: Planner, own_base: dict[str, Any], prod_config: ProgramConfig, total: int
) -> None:
    plan = plan_of(own_base, _web(prod_config, minSize=3))
    [step] = changes(plan)
    assert (step.op, step.type, step.name) == (
        "update",
        "aws:elasticbeanstalk/environment:Environment",
        "webmodel-prod-web",
    )
    assert step.diff_reasons == ["settings"]
    assert step.replace_reasons == []
    [(path, kind)] = step.detailed.items()
    assert kind == "update"
    index = int(path.removeprefix("settings[").split("]")[0])
    assert path == f"settings[{index}].value"
    setting = step.new_inputs["settings"][index]
    assert (setting["namespace"], setting["name"], setting["value"]) == (
        "aws:autoscaling:asg",
        "MinSize",
        "3",
    )
    assert plan.counts() == {"same": total - 1, "update": 1}
    text = render_text(plan)
    assert f'              ~ [{index}]: {{\n                  ~ value: "2" => "3"\n' in text
    assert text.endswith(f"    ~ 1 to update\n    1 change. {total - 1} unchanged\n")


@pytest.mark.parametrize(
    ("key", "old"), [("availabilityZone", "ap-northeast-2d"), ("cidrBlock", "10.30.240.0/20")]
)
def test_subnet_cidr_or_az_change_is_a_replace_for_that_property(
    plan_of: Planner, own_base: dict[str, Any], key: str, old: str, total: int
) -> None:
    plan = plan_of(base_edit(own_base, "aws:ec2/subnet:Subnet", 0, **{key: old}))
    # The new subnet's ID is unknown: its route table association (subnetId forces a new one)
    # is replaced and the database subnet group updated, as the CLI plans it.
    assert [(s.op, s.type, s.diff_reasons, s.replace_reasons) for s in changes(plan)] == [
        ("replace", "aws:ec2/subnet:Subnet", [key], [key]),
        (
            "replace",
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            ["subnetId"],
            ["subnetId"],
        ),
        ("update", "aws:rds/subnetGroup:SubnetGroup", ["subnetIds"], []),
    ]
    assert changes(plan)[0].detailed == {key: "update-replace"}
    assert plan.counts() == {"same": total - 3, "replace": 2, "update": 1}
    text = render_text(plan)
    assert "+-aws:ec2/subnet:Subnet: (replace)" in text
    assert f'~ {key}: "{old}" =>' in text
    assert '~ subnetId: "subnet-' in text
    assert '" => [unknown]\n' in text
    assert text.endswith(f"    +-2 to replace\n    3 changes. {total - 3} unchanged\n")


def test_new_secret_reference_updates_the_web_environment(
    plan_of: Planner, own_base: dict[str, Any], prod_config: ProgramConfig
) -> None:
    secrets = dict(prod_config.values["webmodel:web"]["secrets"])
    secrets["API_TOKEN"] = (
        "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webmodel/prod/api-token-Ab12Cd"
    )
    found = changes(plan_of(own_base, _web(prod_config, secrets=secrets)))
    # The environment gets the reference; the instance role may now read that secret.
    assert [(s.op, s.name, s.diff_reasons) for s in found] == [
        ("update", "web-instance-policy", ["policy"]),
        ("update", "webmodel-prod-web", ["settings"]),
    ]
    assert "api-token-Ab12Cd" in found[0].new_inputs["policy"]


def test_secret_values_are_compared_but_never_shown(
    plan_of: Planner, prod: Deployment, prod_config: ProgramConfig
) -> None:
    """The web settings secret (a `secure:` webmodel:web): preflight's export records a digest
    of the value, so an unchanged value is no change and a changed one an update, shown
    `[secret]` on both sides."""
    secret = dataclasses.replace(prod_config, secret_keys=frozenset({"webmodel:web"}))
    base = to_export(simulate("prod", config=secret), region=prod_config.region)
    settings = json.dumps(base)
    assert "ciphertext" in settings
    assert changes(plan_of(base, secret)) == []
    env = dict(prod_config.values["webmodel:web"]["env"], X="hunter2")
    plan = plan_of(base, _web(secret, env=env))
    [step] = changes(plan)
    assert (step.op, step.diff_reasons, step.detailed) == (
        "update",
        ["settings"],
        {"settings": "update"},
    )
    text, document = render_text(plan), to_json(plan)
    assert "\n          ~ settings: [secret] => [secret]\n" in text
    assert "hunter2" not in text
    assert "hunter2" not in document


def test_removing_the_certificate_deletes_the_https_listener_rule(
    plan_of: Planner, own_base: dict[str, Any], prod_config: ProgramConfig
) -> None:
    plan = plan_of(own_base, _web(prod_config, certificateArn=None))
    assert ("delete", "aws:lb/listenerRule:ListenerRule") in {(s.op, s.type) for s in changes(plan)}
    [web] = [s for s in changes(plan) if s.name == "webmodel-prod-web"]
    assert (web.op, web.diff_reasons) == ("update", ["settings"])
    assert [kind for kind in web.detailed.values() if kind == "delete"]
    assert "- aws:lb/listenerRule:ListenerRule: (delete)" in render_text(plan)


def _renamed(tmp_path: Path, alias: bool) -> ProgramConfig:
    project = copy_project(tmp_path)
    main = project / "__main__.py"
    opts = ', pulumi.ResourceOptions(aliases=[pulumi.Alias(name="app")])' if alias else ""
    text = main.read_text(encoding="utf-8")
    old = 'app = Application(\n    "app",\n'
    args_end = "name_prefix=prefix),\n)"
    assert text.count(old) == 1
    assert text.count(args_end) == 1
    main.write_text(
        text.replace(old, 'app = Application(\n    "application",\n').replace(
            args_end, f"name_prefix=prefix){opts},\n)"
        ),
        encoding="utf-8",
    )
    return read_program_config(project, "prod")


def test_renaming_a_component_deletes_and_creates_it(
    tmp_path: Path, plan_of: Planner, own_base: dict[str, Any]
) -> None:
    """Its children are named after it, so they are deleted and created with it."""
    plan = plan_of(own_base, _renamed(tmp_path, alias=False))
    found = [(s.op, s.type, s.name) for s in changes(plan)]
    created = sorted((t, n) for op, t, n in found if op == "create")
    deleted = sorted((t, n) for op, t, n in found if op == "delete")
    assert {op for op, _, _ in found} == {"create", "delete", "update"}
    assert ("webmodel:beanstalk:Application", "application") in created
    assert ("webmodel:beanstalk:Application", "app") in deleted
    assert [t for t, _ in created] == [t for t, _ in deleted]
    assert ("aws:iam/role:Role", "application-service-role") in created
    assert ("aws:iam/role:Role", "app-service-role") in deleted


def test_renaming_a_component_with_an_alias_keeps_it(
    tmp_path: Path, plan_of: Planner, own_base: dict[str, Any]
) -> None:
    plan = plan_of(own_base, _renamed(tmp_path, alias=True))
    [step] = [s for s in plan.steps if s.name == "application"]
    assert step.op == "same"
    assert step.old_urn is not None
    assert step.old_urn.endswith("webmodel:beanstalk:Application::app")
    assert not any(s.name in ("app", "application") for s in changes(plan))


def test_rds_db_name_change_replaces_the_protected_instance(
    plan_of: Planner, own_base: dict[str, Any]
) -> None:
    plan = plan_of(base_edit(own_base, "aws:rds/instance:Instance", 0, dbName="webmodel_old"))
    step, policy, web = changes(plan)
    assert (step.op, step.replace_reasons, step.protected) == ("replace", ["dbName"], True)
    # The new instance's address and secret are unknown until it exists: the web environment's
    # DB_HOST and DB_CREDENTIALS, and the instance policy that grants reading that secret.
    assert (policy.op, policy.name, policy.diff_reasons) == (
        "update",
        "web-instance-policy",
        ["policy"],
    )
    assert (web.op, web.name, web.diff_reasons) == ("update", "webmodel-prod-web", ["settings"])
    assert [(k, op) for k, op, _, _ in plan.outputs] == [
        ("dbEndpoint", "update"),
        ("dbInstanceIdentifier", "update"),
    ]
    assert plan.refused == [step]
    assert plan.stateful == [step]
    [error] = plan.errors()
    assert error.startswith(f'unable to replace resource "{step.urn}"\nas it is currently marked')
    text = render_text(plan)
    assert text.startswith("STATEFUL RESOURCES REPLACED OR DELETED in prod:\n")
    assert "[protected: the CLI refuses this]" in text
    assert "  ~ dbEndpoint: " in text
    assert ':5432" => [unknown]\n' in text


def test_base_of_another_project_or_stack_is_bad_input(
    prod_config: ProgramConfig, own_base: dict[str, Any]
) -> None:
    other = json.loads(json.dumps(own_base).replace("::webmodel::", "::other::"))
    with pytest.raises(InputError, match="an export of project 'other', not 'webmodel'"):
        compute(prod_config, index_base(other, "b.json"))
    dev = json.loads(json.dumps(own_base).replace("urn:pulumi:prod::", "urn:pulumi:dev::"))
    with pytest.raises(InputError, match="an export of stack 'dev', not 'prod'"):
        compute(prod_config, index_base(dev, "b.json"))


def test_outputs_of_replaced_resources_are_unknown_downstream(
    plan_of: Planner, own_base: dict[str, Any], prod: Deployment
) -> None:
    """Replacing the VPC: every input that takes its ID is `[unknown]`, as in the CLI."""
    plan = plan_of(base_edit(own_base, "aws:ec2/vpc:Vpc", 0, cidrBlock="10.31.0.0/16"))
    found = changes(plan)
    vpc = next(s for s in found if s.type == "aws:ec2/vpc:Vpc")
    assert (vpc.op, vpc.replace_reasons) == ("replace", ["cidrBlock"])
    subnets = [s for s in found if s.type == "aws:ec2/subnet:Subnet"]
    assert len(subnets) == 9
    assert {(s.op, tuple(s.replace_reasons)) for s in subnets} == {("replace", ("vpcId",))}
    text = render_text(plan)
    assert f'~ vpcId: "{prod.of_type("aws:ec2/vpc:Vpc")[0].id}" => [unknown]' in text
    digest = json.loads(to_json(plan))
    [step] = [s for s in digest["steps"] if s["urn"] == subnets[0].urn]
    assert step["newState"]["inputs"]["vpcId"] == UNKNOWN
    assert subnets[0].old is not None
    assert step["oldState"]["id"] == subnets[0].old["id"]
    assert len([s for s in plan.steps if s.op == "same" and s.type == STACK_TYPE]) == 1
    assert ("vpcId", "update") in [(k, op) for k, op, _, _ in plan.outputs]


def test_gate_fails_on_stateful_replace_and_passes_otherwise(
    tmp_path: Path,
    plan_of: Planner,
    own_base: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    edited = base_edit(own_base, "aws:rds/instance:Instance", 0, dbName="webmodel_old")
    risky, calm = tmp_path / "risky.json", tmp_path / "calm.json"
    risky.write_text(to_json(plan_of(edited)), encoding="utf-8")
    calm.write_text(to_json(plan_of(own_base)), encoding="utf-8")
    assert gate([str(risky)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "replace of a stateful resource: "
        "urn:pulumi:prod::webmodel::webmodel:database:Database$aws:rds/instance:Instance"
        "::database-postgres (dbName)",
        "1 stateful resource(s) would be replaced or deleted; "
        "a reviewer adds the `allow-stateful-replace` label to accept that",
    ]
    assert gate([str(calm)]) == 0
    assert capsys.readouterr().out == "no stateful resource is replaced or deleted\n"
    assert gate([str(tmp_path / "missing.json")]) == 2


def test_dev_database_replace_is_called_out_but_not_refused(tmp_path: Path) -> None:
    config = read_program_config(ROOT, "dev")
    base = base_edit(
        to_export(simulate("dev", config=config), region=config.region),
        "aws:rds/instance:Instance",
        0,
        dbName="webmodel_old",
    )
    plan, _ = compute(config, index_base(base, "b.json"))
    step = changes(plan)[0]
    assert (step.op, step.type, step.protected) == ("replace", "aws:rds/instance:Instance", False)
    assert plan.stateful == [step]
    assert plan.refused == []
    assert plan.errors() == []
    assert render_text(plan).startswith(
        "STATEFUL RESOURCES REPLACED OR DELETED in dev:\n"
        "  +-aws:rds/instance:Instance database-postgres: replace (replaced for dbName)\n"
    )
    digest = tmp_path / "plan.json"
    digest.write_text(to_json(plan), encoding="utf-8")
    assert gate([str(digest)]) == 1  # the workflow runs the gate for prod only


def test_the_same_files_in_another_checkout_plan_no_change(
    tmp_path: Path, plan_of: Planner, own_base: dict[str, Any], total: int
) -> None:
    """Assets compare by content hash, as the engine compares them: the pull-request workflow
    plans a head checkout against a base exported from a worktree at another path."""
    elsewhere = read_program_config(copy_project(tmp_path), "prod")
    assert plan_of(own_base, elsewhere).counts() == {"same": total}


def test_a_changed_model_file_replaces_its_objects_and_leaves_the_old_ones(
    tmp_path: Path, plan_of: Planner, own_base: dict[str, Any]
) -> None:
    project = copy_project(tmp_path)
    config = project / "apps/model/model_repository/scorer/config.pbtxt"
    config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    plan = plan_of(own_base, read_program_config(project, "prod"))
    objects = [s for s in changes(plan) if s.type == "aws:s3/bucketObjectv2:BucketObjectv2"]
    # The model prefix is the repository's content hash: every object moves to a new key,
    # which the provider can only do by replacing it; retainOnDelete leaves the old objects.
    assert {(s.name, s.op, s.retained) for s in objects} == {
        ("artifacts-model-scorer-config.pbtxt", "replace", True),
        ("artifacts-model-scorer-1-model.onnx", "replace", True),
    }
    assert all("key" in s.replace_reasons for s in objects)
    assert "+-aws:s3/bucketObjectv2:BucketObjectv2: (replace[retain])\n" in render_text(plan)


def test_urns_are_spelled_as_the_engine_spells_them(prod: Deployment) -> None:
    """A child of the root stack carries no parent type in its URN (the engine's rule), so a
    real `pulumi stack export` given as --base matches by URN; nested children chain their
    component's type."""
    stack = next(r for r in prod.resources if r.type == "pulumi:pulumi:Stack")
    for resource in prod.resources:
        if resource.parent == stack.urn:
            assert resource.urn == f"urn:pulumi:prod::webmodel::{resource.type}::{resource.name}"
    vpc = prod.get("aws:ec2/vpc:Vpc", "network-vpc")
    assert vpc.urn == (
        "urn:pulumi:prod::webmodel::webmodel:network:Network$aws:ec2/vpc:Vpc::network-vpc"
    )
    assert not [r.urn for r in prod.resources if "pulumi:pulumi:Stack$" in r.urn]
