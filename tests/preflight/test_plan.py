"""`preview --base`: known edits to the stack give exactly the expected plan."""

from __future__ import annotations

import copy
import dataclasses
import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from preflight.export.state import from_deployment
from preflight.export.write import to_export
from preflight.gate import main as gate
from preflight.inputs.errors import InputError
from preflight.pack.evaluate import Report, evaluate
from preflight.pack.load import load_pack
from preflight.plan.render_json import to_json
from preflight.plan.render_text import render_text
from preflight.plan.steps import Plan, Step, compute, force_new_table
from preflight.render.architecture import architecture
from preflight.render.markdown import render_markdown
from preflight.simulate.deployment import STACK_TYPE, Deployment
from preflight.simulate.run import simulate
from preflight.stackfiles.project import read_program_config
from scripts.gen_forcenew import camel
from scripts.go_schema import force_new
from tests.preflight_support import ROOT, copy_project, preflight

REGION = {"prod": "ap-northeast-2"}


@pytest.fixture(scope="module")
def prod() -> Deployment:
    return simulate("prod")


@pytest.fixture(scope="module")
def prod_base(prod: Deployment) -> dict[str, Any]:
    region = read_program_config(ROOT, "prod").region
    return to_export(prod, region=region)


def _report(deployment: Deployment) -> Report:
    pack = load_pack(ROOT / "policies")
    return evaluate(pack, from_deployment(deployment), stage=deployment.stack, config_file=None)


def _plan(deployment: Deployment, base: dict[str, Any]) -> Plan:
    return compute(deployment, base, region=read_program_config(ROOT, deployment.stack).region)


def _changes(plan: Plan) -> list[Step]:
    return [s for s in plan.steps if s.op != "same"]


def _web(**edits: Any) -> dict[str, Any]:
    web = copy.deepcopy(read_program_config(ROOT, "prod").values["webmodel:web"])
    for key, value in edits.items():
        if value is None:
            web.pop(key, None)
        else:
            web[key] = value
    return {"webmodel:web": web}


def _base_edit(base: dict[str, Any], type_token: str, index: int, **inputs: Any) -> dict[str, Any]:
    edited = copy.deepcopy(base)
    found = [r for r in edited["deployment"]["resources"] if r["type"] == type_token]
    found[index]["inputs"].update(inputs)
    found[index]["outputs"].update(inputs)
    return edited


@pytest.fixture(scope="module")
def total(prod_base: dict[str, Any]) -> int:
    """What the CLI counts for this stack: every resource, the stack included, but not the
    default providers."""
    resources = prod_base["deployment"]["resources"]
    return sum(not r["type"].startswith("pulumi:providers:") for r in resources)


def test_unchanged_program_plans_no_change(
    prod: Deployment, prod_base: dict[str, Any], total: int
) -> None:
    plan = _plan(prod, prod_base)
    assert plan.counts() == {"same": total}
    assert render_text(plan).endswith(f"Resources:\n    {total} unchanged\n")
    assert not plan.refused
    assert not plan.stateful


def test_instance_count_is_one_update_of_that_setting(
    prod_base: dict[str, Any], total: int
) -> None:
    plan = _plan(simulate("prod", config_overrides=_web(minSize=3)), prod_base)
    [step] = _changes(plan)
    assert (step.op, step.type, step.name) == (
        "update",
        "aws:elasticbeanstalk/environment:Environment",
        "webmodel-prod-web",
    )
    assert step.diff_reasons == ["settings"]
    assert step.replace_reasons == []
    [(path, kind)] = step.detailed.items()
    assert kind == "update"
    assert path.startswith("settings[")
    assert path.endswith("].value")
    index = int(path.split("[")[1].split("]")[0])
    setting = step.new["inputs"]["settings"][index] if step.new else {}
    assert (setting["namespace"], setting["name"], setting["value"]) == (
        "aws:autoscaling:asg",
        "MinSize",
        "3",
    )
    assert plan.counts() == {"same": total - 1, "update": 1}
    assert '~ value: "2" => "3"' in render_text(plan)
    assert f"    ~ 1 to update\n    1 change. {total - 1} unchanged\n" in render_text(plan)


@pytest.mark.parametrize(
    ("key", "old"), [("availabilityZone", "ap-northeast-2d"), ("cidrBlock", "10.30.240.0/20")]
)
def test_subnet_cidr_or_az_change_is_a_replace_for_that_property(
    prod: Deployment, prod_base: dict[str, Any], key: str, old: str, total: int
) -> None:
    base = _base_edit(prod_base, "aws:ec2/subnet:Subnet", 0, **{key: old})
    plan = _plan(prod, base)
    # The subnet's new ID is unknown: its route table association (subnetId forces a new one)
    # is replaced and the database subnet group updated, as the CLI plans it.
    assert [(s.op, s.type, s.diff_reasons, s.replace_reasons) for s in _changes(plan)] == [
        ("replace", "aws:ec2/subnet:Subnet", [key], [key]),
        (
            "replace",
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            ["subnetId"],
            ["subnetId"],
        ),
        ("update", "aws:rds/subnetGroup:SubnetGroup", ["subnetIds"], []),
    ]
    step = _changes(plan)[0]
    assert step.detailed == {key: "update-replace"}
    assert plan.counts() == {"same": total - 3, "replace": 2, "update": 1}
    text = render_text(plan)
    assert "+-aws:ec2/subnet:Subnet: (replace)" in text
    assert f'~ {key}: "{old}" =>' in text
    assert '~ subnetId: "subnet-' in text
    assert f"    +-2 to replace\n    3 changes. {total - 3} unchanged\n" in text
    assert key in force_new_table()["aws:ec2/subnet:Subnet"]


def test_new_secret_reference_updates_the_web_environment(prod_base: dict[str, Any]) -> None:
    secrets = dict(read_program_config(ROOT, "prod").values["webmodel:web"]["secrets"])
    secrets["API_TOKEN"] = (
        "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webmodel/prod/api-token-Ab12Cd"
    )
    plan = _plan(simulate("prod", config_overrides=_web(secrets=secrets)), prod_base)
    changes = _changes(plan)
    # The environment gets the reference; the instance role may now read that secret.
    assert [(s.op, s.name, s.diff_reasons) for s in changes] == [
        ("update", "web-instance-policy", ["policy"]),
        ("update", "webmodel-prod-web", ["settings"]),
    ]
    assert "api-token-Ab12Cd" in changes[0].new["inputs"]["policy"] if changes[0].new else False


def test_secret_values_are_compared_but_never_shown(
    prod: Deployment, prod_base: dict[str, Any]
) -> None:
    """A secret input: base holds only the ciphertext; the plan shows [secret] on both sides."""
    web = prod.get("aws:elasticbeanstalk/environment:Environment", "webmodel-prod-web")
    secret_web = dataclasses.replace(web, secret_inputs=frozenset({"settings"}))
    same = Deployment(
        prod.project,
        prod.stack,
        [secret_web if r is web else r for r in prod.resources],
        prod.outputs,
    )
    base = to_export(same, region="ap-northeast-2")  # ciphertext only
    assert _changes(_plan(same, base)) == []
    settings = [dict(s) for s in web.inputs["settings"]] + [
        {
            "namespace": "aws:elasticbeanstalk:application:environment",
            "name": "X",
            "value": "hunter2",
        }
    ]
    changed = dataclasses.replace(secret_web, inputs={**web.inputs, "settings": settings})
    after = Deployment(
        prod.project,
        prod.stack,
        [changed if r is web else r for r in prod.resources],
        prod.outputs,
    )
    plan = _plan(after, base)
    [step] = _changes(plan)
    assert (step.op, step.diff_reasons, step.detailed) == (
        "update",
        ["settings"],
        {"settings": "update"},
    )
    text, doc = render_text(plan), to_json(plan)
    assert "~ settings: [secret] => [secret]" in text
    assert "hunter2" not in text
    assert "hunter2" not in doc


def test_removing_the_certificate_deletes_the_https_listener_rule(
    prod_base: dict[str, Any],
) -> None:
    plan = _plan(simulate("prod", config_overrides=_web(certificateArn=None)), prod_base)
    changes = {(s.op, s.type) for s in _changes(plan)}
    assert ("delete", "aws:lb/listenerRule:ListenerRule") in changes
    [web] = [s for s in _changes(plan) if s.name == "webmodel-prod-web"]
    assert web.op == "update"
    assert web.diff_reasons == ["settings"]
    removed = [p for p, kind in web.detailed.items() if kind == "delete"]
    assert removed  # the 443 listener's settings go away
    assert "- aws:lb/listenerRule:ListenerRule: (delete)" in render_text(plan)


def _renamed(tmp_path: Path, alias: bool) -> Deployment:
    project = copy_project(tmp_path)
    main = project / "__main__.py"
    opts = ', pulumi.ResourceOptions(aliases=[pulumi.Alias(name="app")])' if alias else ""
    text = main.read_text(encoding="utf-8")
    old = 'app = Application(\n    "app",\n'
    assert text.count(old) == 1
    args_end = "name_prefix=prefix),\n)"
    assert text.count(args_end) == 1
    main.write_text(
        text.replace(old, 'app = Application(\n    "application",\n').replace(
            args_end, f"name_prefix=prefix){opts},\n)"
        ),
        encoding="utf-8",
    )
    return simulate("prod", project_dir=project)


def test_renaming_a_component_deletes_and_creates_it(
    tmp_path: Path, prod_base: dict[str, Any]
) -> None:
    """Its children are named after it, so they are deleted and created with it."""
    plan = _plan(_renamed(tmp_path, alias=False), prod_base)
    changes = [(s.op, s.type, s.name) for s in _changes(plan)]
    created = sorted((t, n) for op, t, n in changes if op == "create")
    deleted = sorted((t, n) for op, t, n in changes if op == "delete")
    # Resources that take the new children's ARNs are updated.
    assert {op for op, _, _ in changes} == {"create", "delete", "update"}
    assert ("webmodel:beanstalk:Application", "application") in created
    assert ("webmodel:beanstalk:Application", "app") in deleted
    assert [t for t, _ in created] == [t for t, _ in deleted]
    assert ("aws:iam/role:Role", "application-service-role") in created
    assert ("aws:iam/role:Role", "app-service-role") in deleted


def test_renaming_a_component_with_an_alias_keeps_it(
    tmp_path: Path, prod_base: dict[str, Any]
) -> None:
    plan = _plan(_renamed(tmp_path, alias=True), prod_base)
    [step] = [s for s in plan.steps if s.name == "application"]
    assert step.op == "same"
    assert step.old_urn is not None
    assert step.old_urn.endswith("webmodel:beanstalk:Application::app")
    assert not any(s.name in ("app", "application") for s in _changes(plan))


def test_rds_db_name_change_replaces_the_protected_instance(
    prod: Deployment, prod_base: dict[str, Any]
) -> None:
    base = _base_edit(prod_base, "aws:rds/instance:Instance", 0, dbName="webmodel_old")
    plan = _plan(prod, base)
    step, web = _changes(plan)
    assert (step.op, step.replace_reasons, step.protected) == ("replace", ["dbName"], True)
    # The new instance's address is unknown until it exists: the web environment's DB host.
    assert (web.op, web.name, web.diff_reasons) == ("update", "webmodel-prod-web", ["settings"])
    assert [(k, op, str(new)) for k, op, _, new in plan.outputs] == [
        ("dbEndpoint", "update", "Unknown(kind='string')"),
        ("dbInstanceIdentifier", "update", "Unknown(kind='string')"),
    ]
    assert plan.refused == [step]
    assert plan.stateful == [step]
    [error] = plan.errors()
    assert error.startswith(f'unable to replace resource "{step.urn}"\nas it is currently marked')
    text = render_text(plan)
    assert text.startswith("STATEFUL RESOURCES REPLACED OR DELETED in prod:\n")
    assert "[protected: the CLI refuses this]" in text


def test_replace_on_changes_and_delete_before_replace_are_honoured(
    prod: Deployment, prod_base: dict[str, Any]
) -> None:
    vpc = prod.of_type("aws:ec2/vpc:Vpc")[0]
    tagged = dataclasses.replace(vpc, replace_on_changes=("tags",), delete_before_replace=True)
    deployment = Deployment(
        prod.project, prod.stack, [tagged if r is vpc else r for r in prod.resources], prod.outputs
    )
    base = _base_edit(prod_base, "aws:ec2/vpc:Vpc", 0, tags={"Name": "old"})
    step = _changes(_plan(deployment, base))[0]
    assert (step.op, step.replace_reasons, step.delete_before_replace) == (
        "replace",
        ["tags"],
        True,
    )
    text = render_text(_plan(deployment, base))
    assert "+-aws:ec2/vpc:Vpc: (replace)" in text
    assert (
        "[deleteBeforeReplace: the old one is deleted first]" not in text
    )  # a VPC is not stateful
    assert "| `+-` ⚠️ replace (delete first) | `aws:ec2:Vpc` | network-vpc | `tags` | `tags` |" in (
        render_markdown(deployment, _report(deployment), _plan(deployment, base))
    )
    [plain] = _changes(_plan(prod, base))
    assert (plain.op, plain.replace_reasons) == ("update", [])


def test_base_of_another_project_or_stack_is_bad_input(
    prod: Deployment, prod_base: dict[str, Any]
) -> None:
    other = json.loads(json.dumps(prod_base).replace("::webmodel::", "::other::"))
    with pytest.raises(InputError, match="an export of project 'other', not 'webmodel'"):
        compute(prod, other, region="ap-northeast-2", base_name="b.json")
    dev = json.loads(json.dumps(prod_base).replace("urn:pulumi:prod::", "urn:pulumi:dev::"))
    with pytest.raises(InputError, match="an export of stack 'dev', not 'prod'"):
        compute(prod, dev, region="ap-northeast-2", base_name="b.json")


# -- the CLI ---------------------------------------------------------------------------------

PREVIEW_DIGEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["config", "steps", "changeSummary"],
    "additionalProperties": False,
    "properties": {
        "config": {"type": "object", "additionalProperties": {"type": "string"}},
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["op", "urn"],
                "additionalProperties": False,
                "properties": {
                    "op": {"enum": ["same", "create", "update", "delete", "replace"]},
                    "urn": {"type": "string", "pattern": "^urn:pulumi:"},
                    "provider": {"type": "string"},
                    "oldState": {"$ref": "#/$defs/resource"},
                    "newState": {"$ref": "#/$defs/resource"},
                    "diffReasons": {"type": "array", "items": {"type": "string"}},
                    "replaceReasons": {"type": "array", "items": {"type": "string"}},
                    "detailedDiff": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "required": ["kind", "inputDiff"],
                            "properties": {
                                "kind": {
                                    "enum": [
                                        "add",
                                        "add-replace",
                                        "delete",
                                        "delete-replace",
                                        "update",
                                        "update-replace",
                                    ]
                                },
                                "inputDiff": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
        "changeSummary": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
    "$defs": {
        "resource": {
            "type": "object",
            "required": ["urn", "custom", "type"],
            "properties": {
                "urn": {"type": "string"},
                "custom": {"type": "boolean"},
                "type": {"type": "string"},
                "inputs": {"type": "object"},
                "outputs": {"type": "object"},
            },
        }
    },
}


def test_cli_plan_json_is_the_preview_digest_and_byte_identical(
    tmp_path: Path, prod_base: dict[str, Any], total: int
) -> None:
    base = tmp_path / "base.json"
    edited = _base_edit(prod_base, "aws:ec2/subnet:Subnet", 0, cidrBlock="10.99.0.0/24")
    base.write_text(json.dumps(edited), encoding="utf-8")
    first = preflight("preview", "--stack", "prod", "--base", base, "--plan-json", "-")
    second = preflight("preview", "--stack", "prod", "--base", base, "--plan-json", "-")
    assert first.code == 0, first.stderr
    assert first.stdout == second.stdout
    digest = json.loads(first.stdout)
    jsonschema.validate(digest, PREVIEW_DIGEST_SCHEMA)
    assert digest["changeSummary"] == {"replace": 2, "same": total - 3, "update": 1}
    root, step, association, group = digest["steps"]
    assert (association["op"], association["replaceReasons"]) == ("replace", ["subnetId"])
    assert (group["op"], group["diffReasons"]) == ("update", ["subnetIds"])
    assert "04da6b54-80e4-46f7-96ec-b56ff0331ba9" in group["newState"]["inputs"]["subnetIds"]
    assert root["op"] == "same"
    assert root["urn"].endswith("::pulumi:pulumi:Stack::webmodel-prod")
    assert step["op"] == "replace"
    assert step["replaceReasons"] == ["cidrBlock"]
    assert step["detailedDiff"] == {"cidrBlock": {"kind": "update-replace", "inputDiff": True}}
    assert step["oldState"]["inputs"]["cidrBlock"] == "10.99.0.0/24"
    assert step["newState"]["outputs"]["id"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert "id" not in step["newState"]
    assert digest["config"]["webmodel:database"].startswith("{")


def test_cli_refuses_a_protected_replace_in_prod(tmp_path: Path, prod_base: dict[str, Any]) -> None:
    base = tmp_path / "base.json"
    edited = _base_edit(prod_base, "aws:rds/instance:Instance", 0, dbName="webmodel_old")
    base.write_text(json.dumps(edited), encoding="utf-8")
    markdown = tmp_path / "plan.md"
    run = preflight("preview", "--stack", "prod", "--base", base, "--markdown", markdown)
    assert run.code == 1
    assert run.stdout.startswith("STATEFUL RESOURCES REPLACED OR DELETED in prod:\n")
    assert "preflight: error: unable to replace resource" in run.stderr
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("## ❌ preflight preview: `prod`\n\n> [!CAUTION]\n")
    assert "| `+-` ⚠️ replace | `aws:rds:Instance` | database-postgres | `dbName` |" in text
    assert text.index("### Plan against the base state") < text.index("### Policy report")
    assert text.index("### Policy report") < text.index("```mermaid")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"version": 2, "deployment": {}}', "unsupported 'version' 2"),
    ],
)
def test_cli_malformed_base_exits_2(tmp_path: Path, content: str, message: str) -> None:
    base = tmp_path / "base.json"
    base.write_text(content, encoding="utf-8")
    run = preflight("preview", "--stack", "dev", "--base", base)
    assert run.code == 2
    assert run.stdout == ""
    assert run.stderr.startswith(f"preflight: error: {base}: ")
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_plan_json_without_base_exits_2() -> None:
    run = preflight("preview", "--stack", "dev", "--plan-json", "-")
    assert run.code == 2
    assert run.stderr == (
        "preflight: error: --plan-json needs --base STATE.json (the plan is against that state)\n"
    )


# -- the force-new table ---------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_force_new_table_covers_every_type_the_program_creates(stack: str) -> None:
    deployment = simulate(stack)
    created = {r.type for r in deployment.resources if r.custom}
    assert created - set(force_new_table()) == set()


def test_generator_reads_sdk_and_framework_schemas() -> None:
    sdk = textwrap.dedent(
        """\
        func resourceThing() *schema.Resource {
        \treturn &schema.Resource{
        \t\tSchema: map[string]*schema.Schema{
        \t\t\tnames.AttrCIDRBlock: {
        \t\t\t\tType:     schema.TypeString,
        \t\t\t\tForceNew: true,
        \t\t\t},
        \t\t\t"map_public_ip_on_launch": {
        \t\t\t\tType: schema.TypeBool,
        \t\t\t\tElem: &schema.Resource{
        \t\t\t\t\tSchema: map[string]*schema.Schema{
        \t\t\t\t\t\t"inner": {ForceNew: true},
        \t\t\t\t\t},
        \t\t\t\t},
        \t\t\t},
        \t\t\t"vpc_id": {
        \t\t\t\tRequired: true,
        \t\t\t\tForceNew: true,
        \t\t\t},
        \t\t},
        \t}
        }
        """
    )
    assert force_new(sdk, {"AttrCIDRBlock": "cidr_block"}) == ["cidr_block", "vpc_id"]
    framework = textwrap.dedent(
        """\
        \tresp.Schema = schema.Schema{
        \t\tAttributes: map[string]schema.Attribute{
        \t\t\t"security_group_id": schema.StringAttribute{
        \t\t\t\tRequired: true,
        \t\t\t\tPlanModifiers: []planmodifier.String{
        \t\t\t\t\tstringplanmodifier.RequiresReplace(),
        \t\t\t\t},
        \t\t\t},
        \t\t\t"description": schema.StringAttribute{
        \t\t\t\tOptional: true,
        \t\t\t},
        \t\t},
        \t}
        """
    )
    assert force_new(framework, {}) == ["security_group_id"]
    assert camel("availability_zone_id") == "availabilityZoneId"


def test_outputs_of_replaced_resources_are_unknown_downstream(
    prod: Deployment, prod_base: dict[str, Any]
) -> None:
    """Replacing the VPC: every input that takes its ID is `output<string>`, as in the CLI."""
    base = _base_edit(prod_base, "aws:ec2/vpc:Vpc", 0, cidrBlock="10.31.0.0/16")
    plan = _plan(prod, base)
    changes = _changes(plan)
    vpc = next(s for s in changes if s.type == "aws:ec2/vpc:Vpc")
    assert (vpc.op, vpc.replace_reasons) == ("replace", ["cidrBlock"])
    subnets = [s for s in changes if s.type == "aws:ec2/subnet:Subnet"]
    assert len(subnets) == 9
    assert {(s.op, tuple(s.replace_reasons)) for s in subnets} == {("replace", ("vpcId",))}
    text = render_text(plan)
    assert f'~ vpcId: "{prod.of_type("aws:ec2/vpc:Vpc")[0].id}" => output<string>' in text
    digest = json.loads(to_json(plan))
    [step] = [s for s in digest["steps"] if s["urn"] == subnets[0].urn]
    assert step["newState"]["inputs"]["vpcId"] == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    assert step["oldState"]["id"] == subnets[0].old["id"] if subnets[0].old else False
    unchanged = [s for s in plan.steps if s.op == "same" and s.type == STACK_TYPE]
    assert len(unchanged) == 1
    assert ("vpcId", "update") in [(k, op) for k, op, _, _ in plan.outputs]


def test_gate_fails_on_stateful_replace_and_passes_otherwise(
    tmp_path: Path,
    prod: Deployment,
    prod_base: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    edited = _base_edit(prod_base, "aws:rds/instance:Instance", 0, dbName="webmodel_old")
    risky, calm = tmp_path / "risky.json", tmp_path / "calm.json"
    risky.write_text(to_json(_plan(prod, edited)), encoding="utf-8")
    calm.write_text(to_json(_plan(prod, prod_base)), encoding="utf-8")
    assert gate([str(risky)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "replace of a stateful resource: "
        "urn:pulumi:prod::webmodel::webmodel:database:Database$aws:rds/instance:Instance"
        "::database-postgres (dbName)",
        "1 stateful resource(s) would be replaced or deleted; "
        "a reviewer adds the `allow-stateful-replace` label to accept that",
    ]
    assert gate([str(calm)]) == 0
    assert capsys.readouterr().out == "no stateful resource is replaced or deleted\n"
    assert gate([str(tmp_path / "missing.json")]) == 2


def test_architecture_shows_tiers_per_az_traffic_order_and_changes(prod: Deployment) -> None:
    subnet = prod.of_type("aws:ec2/subnet:Subnet")[0]
    db = prod.of_type("aws:rds/instance:Instance")[0]
    lines = architecture(prod, {subnet.urn: "replace", db.urn: "replace"}).splitlines()
    assert lines[0] == "flowchart LR"
    tiers = [line.strip() for line in lines if line.strip().startswith("subgraph")]
    assert tiers == [
        'subgraph tier_public["public tier"]',
        'subgraph tier_private["private tier"]',
        'subgraph tier_isolated["isolated tier"]',
    ]
    assert sum(line.strip() == "end" for line in lines) == 3
    assert [line.strip() for line in lines if "-->" in line] == [
        "internet --> weblb",
        "weblb --> webi",
        "webi --> modellb",
        "modellb --> modeli",
        "webi --> db",
        "webi --> queue",
        "queue --> workeri",
        "workeri --> modellb",
    ]
    assert '        workeri["worker instances"]' in lines  # in the private tier, no balancer
    assert '    queue[["work queue (SQS) + dead-letter queue"]]' in lines
    subnets = [line for line in lines if "<br>10.30." in line]
    assert len(subnets) == 9
    assert sum("ap-northeast-2a<br>" in line for line in subnets) == 3
    styles = [line.strip() for line in lines if line.strip().startswith("style")]
    assert styles == [
        "style db fill:#ffd0d0,stroke:#c00,stroke-width:3px",
        "style n7 fill:#ffd0d0,stroke:#c00,stroke-width:3px",
    ]
    assert (
        f'n7["{subnet.inputs["availabilityZone"]}<br>{subnet.inputs["cidrBlock"]}"]'
        in "\n".join(line.strip() for line in lines)
    )


def test_dev_database_replace_is_called_out_but_not_refused(tmp_path: Path) -> None:
    dev = simulate("dev")
    base = _base_edit(
        to_export(dev, region=read_program_config(ROOT, "dev").region),
        "aws:rds/instance:Instance",
        0,
        dbName="webmodel_old",
    )
    plan = _plan(dev, base)
    step = _changes(plan)[0]
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


def test_urns_are_spelled_as_the_engine_spells_them(prod: Deployment) -> None:
    """A child of the root stack carries no parent type in its URN (the engine's rule), so a
    real `pulumi stack export` given as --base matches by URN; nested children chain their
    component's type."""
    stack = next(r for r in prod.resources if r.type == "pulumi:pulumi:Stack")
    for resource in prod.resources:
        if resource.parent == stack.urn:
            assert resource.urn == f"urn:pulumi:prod::webmodel::{resource.type}::{resource.name}"
    vpc = prod.get("aws:ec2/vpc:Vpc", "network-vpc")
    assert (
        vpc.urn
        == "urn:pulumi:prod::webmodel::webmodel:network:Network$aws:ec2/vpc:Vpc::network-vpc"
    )
    assert not [r.urn for r in prod.resources if "pulumi:pulumi:Stack$" in r.urn]


def test_the_same_files_in_another_checkout_plan_no_change(
    tmp_path: Path, prod_base: dict[str, Any], total: int
) -> None:
    """Assets compare by content hash, as the engine compares them: the pull-request workflow
    plans a head checkout against a base exported from a worktree at another path."""
    elsewhere = simulate("prod", project_dir=copy_project(tmp_path))
    assert _plan(elsewhere, prod_base).counts() == {"same": total}


def test_a_changed_model_file_updates_its_object_by_hash(
    tmp_path: Path, prod_base: dict[str, Any]
) -> None:
    project = copy_project(tmp_path)
    config = project / "apps/model/model_repository/scorer/config.pbtxt"
    config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    plan = _plan(simulate("prod", project_dir=project), prod_base)
    objects = [s for s in _changes(plan) if s.type == "aws:s3/bucketObjectv2:BucketObjectv2"]
    # The model prefix is the repository's content hash: every object moves to a new key,
    # which the provider can only do by replacing it.
    assert {(s.name, s.op) for s in objects} == {
        ("artifacts-model-scorer-config.pbtxt", "replace"),
        ("artifacts-model-scorer-1-model.onnx", "replace"),
    }
    assert all("key" in s.replace_reasons for s in objects)
