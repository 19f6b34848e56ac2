"""The provider's diff rules: scripts/gen_diffrules.py reads them from the provider's Go source,
preflight/plan/diffrules.json is its output for every type the program creates, and each rule
it records is modelled (preflight/plan/provider_rules.py) or listed as a known limit."""

from __future__ import annotations

import importlib.util
import json
import re
import textwrap
from pathlib import Path

import pytest

from preflight.plan import provider_rules as model
from preflight.plan.equivalence import eb_setting_key, normalize_json, policies_equivalent, protocol
from preflight.plan.provider import diff, rules_for
from preflight.simulate.check import AUTONAMED, GLOBAL_TYPES, TAGGED_TYPES
from preflight.simulate.run import simulate
from scripts.gen_diffrules import generate
from scripts.gen_forcenew import SOURCES
from scripts.go_rules import attribute_rules, digest

ROOT = Path(__file__).resolve().parents[2]
TABLE = json.loads((ROOT / "preflight/plan/diffrules.json").read_text(encoding="utf-8"))
DOCS = (ROOT / "docs/pull-requests.md").read_text(encoding="utf-8")
SDK = Path(importlib.util.find_spec("pulumi_aws").origin or "").parent  # type: ignore[union-attr]


def test_table_records_its_upstream_commit_per_type() -> None:
    upstream = TABLE["upstream"]
    assert TABLE["generator"] == "scripts/gen_diffrules.py"
    assert re.fullmatch(r"[0-9a-f]{40}", upstream["commit"])
    assert upstream["repository"] == "github.com/pulumi/terraform-provider-aws"
    assert set(TABLE["types"]) == set(SOURCES) == set(upstream["readFromSource"])
    for type_token, (source, _) in SOURCES.items():
        assert upstream["readFromSource"][type_token] == f"{source}@{upstream['commit'][:12]}"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_type_the_program_creates_is_covered(stack: str) -> None:
    created = {r.type for r in simulate(stack).resources if r.custom}
    assert created - set(TABLE["types"]) == set()
    assert (
        created - set(json.loads((ROOT / "preflight/plan/forcenew.json").read_text())["forceNew"])
        == set()
    )


def _recorded() -> set[str]:
    keys: set[str] = set()
    for entry in TABLE["types"].values():
        for group in ("suppress", "normalise", "sets", "customType"):
            keys |= set(entry.get(group, {}).values())
        for modifiers in entry.get("planModifiers", {}).values():
            keys |= set(modifiers)
        keys |= {
            f"{c['kind']} {c['attribute']} {c['function']}" for c in entry.get("conditional", [])
        }
    return keys


def test_every_recorded_rule_is_modelled_or_a_listed_limit() -> None:
    modelled = (
        set(model.SUPPRESS)
        | set(model.NORMALISE)
        | set(model.SET_KEYS)
        | set(model.REPLACE_IF)
        | set(model.CLEAR_IF)
        | set(model.COMPUTED_IF)
        | {model.SOURCE_TYPE_RULE}
    )
    assert _recorded() - modelled - set(model.UNMODELLED) == set()
    assert set(model.UNMODELLED) <= _recorded()  # no stale limit
    for key in model.UNMODELLED:
        assert f"`{key}`" in DOCS, f"docs/pull-requests.md does not list the limit {key}"


def test_check_facts_match_the_sdk_and_the_table() -> None:
    """`region` on every type whose pulumi_aws Args have it; `tagsAll` on the SDKv2 types with
    tags; auto-named properties are inputs of their resource."""
    for type_token in SOURCES:
        module, name = type_token.split(":")[1].split("/")
        cls = type_token.split(":")[2]
        snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
        text = (SDK / module / f"{snake}.py").read_text("utf-8")
        start = text.find(f"class {cls}Args:")
        start = start if start >= 0 else text.index(f"class {cls}InitArgs:")
        signature = text[start : text.index("):", text.index("def __init__", start))]
        params = set(re.findall(r"\n\s+(\w+):", signature))
        assert ("region" not in params) == (type_token in GLOBAL_TYPES), type_token
        tagged = "tags" in params and not TABLE["types"][type_token]["framework"]
        assert tagged == (type_token in TAGGED_TYPES), type_token
        if type_token in AUTONAMED:
            snake_key = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", AUTONAMED[type_token]).lower()
            assert snake_key in params, type_token


# -- the generator on the provider's kinds of source ----------------------------------------

SDK_SOURCE = textwrap.dedent(
    """\
    package x

    // @SDKResource("aws_thing", name="Thing")
    func resourceThing() *schema.Resource {
    \treturn &schema.Resource{
    \t\tCustomizeDiff: customdiff.All(
    \t\t\tresourceThingCustomizeDiff,
    \t\t\tcustomdiff.ForceNewIfChange("restore_name", func(_ ctx, old, new, m any) bool {
    \t\t\t\treturn new.(string) != ""
    \t\t\t}),
    \t\t),
    \t\tSchema: map[string]*schema.Schema{
    \t\t\t"policy": {
    \t\t\t\tType:             schema.TypeString,
    \t\t\t\tDiffSuppressFunc: verify.SuppressEquivalentPolicyDiffs,
    \t\t\t\tStateFunc: func(v interface{}) string {
    \t\t\t\t\tjson, _ := structure.NormalizeJsonString(v)
    \t\t\t\t\treturn json
    \t\t\t\t},
    \t\t\t},
    \t\t\t"size": {
    \t\t\t\tType:     schema.TypeInt,
    \t\t\t\tOptional: true,
    \t\t\t\tComputed: true,
    \t\t\t\tDiffSuppressFunc: func(k, old, new string, d *Data) bool { return old > new },
    \t\t\t},
    \t\t\t"ids": {
    \t\t\t\tType:     schema.TypeSet,
    \t\t\t\tOptional: true,
    \t\t\t\tDefault:  nil,
    \t\t\t},
    \t\t\t"setting": {
    \t\t\t\tType: schema.TypeSet,
    \t\t\t\tSet:  settingHash,
    \t\t\t},
    \t\t},
    \t}
    }

    func settingHash(v interface{}) int {
    \treturn 1
    }

    func resourceThingCustomizeDiff(_ ctx, diff *schema.ResourceDiff, v interface{}) error {
    \tif diff.HasChange("tenancy") {
    \t\tdiff.ForceNew("tenancy") // diff.ForceNew("commented")
    \t}
    \treturn diff.SetNewComputed("arn")
    }
    """
)


def test_generator_reads_suppressions_sets_defaults_and_conditions() -> None:
    rules = attribute_rules(SDK_SOURCE, {}, "aws_thing")
    assert not rules.framework
    policy, size, ids, setting = (rules.attributes[k] for k in ("policy", "size", "ids", "setting"))
    assert policy.suppress == "verify.SuppressEquivalentPolicyDiffs"
    assert policy.state_func == "inline#4acc8ee25fea"  # the provider's NormalizeJsonString
    assert (size.optional, size.computed, size.suppress) == (
        True,
        True,
        "inline#" + digest("func(k, old, new string, d *Data) bool { return old > new }"),
    )
    assert (ids.set_hash, ids.default) == ("schema.HashSchema", True)
    assert (
        setting.set_hash
        == f"settingHash#{digest('func settingHash(v interface{}) int { return 1 }')}"
    )
    assert [(c["kind"], c["attribute"]) for c in rules.conditional] == [
        ("SetNewComputed", "arn"),
        ("ForceNewIfChange", "restore_name"),
        ("ForceNew", "tenancy"),
    ]


def test_generator_reads_a_framework_resources_plan_modification() -> None:
    source = textwrap.dedent(
        """\
        func (r *ruleResource) Schema(ctx context.Context, req SchemaRequest, resp *Response) {
        \tresp.Schema = schema.Schema{
        \t\tAttributes: map[string]schema.Attribute{
        \t\t\t"ip_protocol": schema.StringAttribute{
        \t\t\t\tRequired: true,
        \t\t\t\tPlanModifiers: []planmodifier.String{
        \t\t\t\t\tNormalizeIPProtocol(),
        \t\t\t\t\tstringplanmodifier.UseStateForUnknown(),
        \t\t\t\t},
        \t\t\t},
        \t\t},
        \t}
        }

        func (r *ruleResource) ModifyPlan(ctx context.Context, req Request, response *Response) {
        \tresponse.RequiresReplace = []path.Path{path.Root("cidr_ipv4")}
        }
        """
    )
    rules = attribute_rules(source, {})
    assert rules.framework
    assert rules.attributes["ip_protocol"].plan_modifiers == ["NormalizeIPProtocol()"]
    [condition] = rules.conditional
    assert (condition["kind"], condition["attribute"]) == ("RequiresReplace", "*")
    assert condition["function"].startswith("ModifyPlan#")


def test_generate_names_properties_as_pulumi_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "scripts.gen_diffrules.SOURCES", {"aws:x/thing:Thing": ("internal/x/thing.go", "aws_thing")}
    )
    (tmp_path / "names").mkdir()
    (tmp_path / "internal/x").mkdir(parents=True)
    (tmp_path / "internal/x/thing.go").write_text(SDK_SOURCE, encoding="utf-8")
    document = generate(
        tmp_path, "github.com/example/tpa", "v1", "0123456789abcdef0123456789abcdef01234567"
    )
    entry = document["types"]["aws:x/thing:Thing"]
    assert entry["optionalComputed"] == ["size"]
    assert entry["defaults"] == ["ids"]
    assert [(c["kind"], c["attribute"]) for c in entry["conditional"]] == [
        ("ForceNew", "tenancy"),
        ("ForceNewIfChange", "restoreName"),
        ("SetNewComputed", "arn"),
    ]
    assert document["upstream"]["readFromSource"] == {
        "aws:x/thing:Thing": "internal/x/thing.go@0123456789ab"
    }


# -- the models --------------------------------------------------------------------------------


def test_policy_equivalence_follows_aws_policy_equivalence() -> None:
    one = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    assert policies_equivalent(one, json.dumps(json.loads(one), indent=2))
    assert policies_equivalent(one, one.replace('"s3:GetObject"', '["s3:GetObject"]'))
    assert policies_equivalent(one, one.replace('"Allow"', '"allow"'))
    assert not policies_equivalent(one, one.replace("s3:GetObject", "s3:getobject"))
    assert not policies_equivalent(one, one.replace("2012-10-17", "2008-10-17"))
    statement = {"Effect": "Allow", "Principal": {"AWS": "123456789012"}}
    principal = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    assert policies_equivalent(
        principal, principal.replace('"123456789012"', '"arn:aws:iam::123456789012:root"')
    )


def test_value_normalisations() -> None:
    assert normalize_json('{ "b": 1, "a": [2] }') == '{"a":[2],"b":1}'
    assert normalize_json("not json") == "not json"
    assert protocol("TCP") == protocol("6") == "tcp"
    assert protocol("all") == protocol("-1") == "-1"
    setting = {"namespace": "aws:ec2:vpc", "name": "Subnets", "value": "subnet-b,subnet-a"}
    assert eb_setting_key(setting) == eb_setting_key({**setting, "value": "subnet-a,subnet-b"})
    assert eb_setting_key(setting) == "aws:ec2:vpc:Subnets=subnet-a,subnet-b"


def test_region_is_a_conditional_replacement() -> None:
    """pulumi-aws 7: a regional resource whose region changes is replaced, unless the old one
    had none and the new one is the provider's."""
    subnet = "aws:ec2/subnet:Subnet"
    assert diff(
        subnet, {"region": "us-east-1"}, {"region": "ap-northeast-2"}, "ap-northeast-2"
    ).replace == ["region"]
    assert diff(subnet, {}, {"region": "ap-northeast-2"}, "ap-northeast-2").changed == []


def test_optional_computed_properties_left_out_keep_the_deployed_value() -> None:
    old = {"snapshotIdentifier": "snap-1", "dbName": "webmodel"}
    found = diff("aws:rds/instance:Instance", old, {"dbName": "webmodel"}, "ap-northeast-2")
    assert (found.changed, found.replace) == ([], [])
    assert "snapshotIdentifier" in rules_for("aws:rds/instance:Instance").optional_computed
