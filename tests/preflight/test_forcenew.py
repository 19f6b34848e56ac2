"""scripts/gen_forcenew.py reads the provider's own schema; forcenew.json is its output."""

from __future__ import annotations

import importlib.util
import json
import re
import textwrap
from pathlib import Path

import pytest

from scripts.gen_forcenew import SOURCES, camel, generate, main
from scripts.go_schema import derive_attr, force_new

SDK_FILE = """\
package ec2

// @SDKResource("aws_thing", name="Thing")
func resourceThing() *schema.Resource {
\treturn &schema.Resource{
\t\tCreateWithoutTimeout: resourceThingCreate,

\t\tSchemaFunc: func() map[string]*schema.Schema {
\t\t\t// A helper with a nested map of its own: never the resource's top level.
\t\t\tinner := func() *schema.Schema {
\t\t\t\treturn &schema.Schema{
\t\t\t\t\tType: schema.TypeList,
\t\t\t\t\tElem: &schema.Resource{
\t\t\t\t\t\tSchema: map[string]*schema.Schema{
\t\t\t\t\t\t\t"deep": {ForceNew: true},
\t\t\t\t\t\t},
\t\t\t\t\t},
\t\t\t\t}
\t\t\t}

\t\t\treturn map[string]*schema.Schema{
\t\t\t\tnames.AttrCIDRBlock: {
\t\t\t\t\tType:     schema.TypeString,
\t\t\t\t\tRequired: true,
\t\t\t\t\tForceNew: true,
\t\t\t\t},
\t\t\t\t"description": {
\t\t\t\t\tType:         schema.TypeString,
\t\t\t\t\tOptional:     true,
\t\t\t\t\tValidateFunc: validation.StringMatch(regexache.MustCompile(`^[{(]`), "a } or ) here"),
\t\t\t\t},
\t\t\t\t"nested": {
\t\t\t\t\tType: schema.TypeList,
\t\t\t\t\tElem: &schema.Resource{
\t\t\t\t\t\tSchema: map[string]*schema.Schema{
\t\t\t\t\t\t\t"inner_id": {
\t\t\t\t\t\t\t\tType:     schema.TypeString,
\t\t\t\t\t\t\t\tForceNew: true,
\t\t\t\t\t\t\t},
\t\t\t\t\t\t},
\t\t\t\t\t},
\t\t\t\t},
\t\t\t\t"queries": inner(),
\t\t\t\tnames.AttrTags: tftags.TagsSchemaForceNew(),
\t\t\t\tnames.AttrTagsAll: tftags.TagsSchemaComputed(),
\t\t\t\tattrOwner: {
\t\t\t\t\tType:     schema.TypeString,
\t\t\t\t\tOptional: true,
\t\t\t\t\tForceNew: false,
\t\t\t\t},
\t\t\t\t"zone": { // ForceNew: true is only a comment here
\t\t\t\t\tType: schema.TypeString,
\t\t\t\t},
\t\t\t\t"vpc_id": &schema.Schema{
\t\t\t\t\tRequired: true,
\t\t\t\t\tForceNew: true,
\t\t\t\t},
\t\t\t}
\t\t},
\t}
}

const (
\tattrOwner = "owner"
)

func flattenThing(apiObject *awstypes.Thing) map[string]any {
\treturn map[string]any{
\t\t"name": aws.ToString(apiObject.Name),
\t}
}
"""

FRAMEWORK_FILE = """\
package ec2

// @FrameworkResource("aws_rule", name="Rule")
func newRuleResource(context.Context) (resource.ResourceWithConfigure, error) {
\treturn &ruleResource{}, nil
}

func (r *ruleResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *Response) {
\tresp.Schema = schema.Schema{
\t\tAttributes: map[string]schema.Attribute{
\t\t\tnames.AttrARN: framework.ARNAttributeComputedOnly(),
\t\t\t"security_group_id": schema.StringAttribute{
\t\t\t\tRequired: true,
\t\t\t\tPlanModifiers: []planmodifier.String{
\t\t\t\t\tstringplanmodifier.RequiresReplace(),
\t\t\t\t},
\t\t\t},
\t\t\tnames.AttrDescription: schema.StringAttribute{
\t\t\t\tOptional: true,
\t\t\t\tPlanModifiers: []planmodifier.String{
\t\t\t\t\tstringplanmodifier.RequiresReplaceIfConfigured(),
\t\t\t\t},
\t\t\t},
\t\t\t"settings": schema.ObjectAttribute{
\t\t\t\tOptional: true,
\t\t\t\tAttributes: map[string]schema.Attribute{
\t\t\t\t\t"inner": schema.StringAttribute{
\t\t\t\t\t\tPlanModifiers: []planmodifier.String{
\t\t\t\t\t\t\tstringplanmodifier.RequiresReplace(),
\t\t\t\t\t\t},
\t\t\t\t\t},
\t\t\t\t},
\t\t\t},
\t\t},
\t\tBlocks: map[string]schema.Block{
\t\t\t"target": schema.ListNestedBlock{
\t\t\t\tPlanModifiers: []planmodifier.List{
\t\t\t\t\tlistplanmodifier.RequiresReplace(),
\t\t\t\t},
\t\t\t},
\t\t},
\t}
}
"""

CONSTS = {"AttrCIDRBlock": "cidr_block", "AttrTags": "tags", "AttrTagsAll": "tags_all"}
FW_CONSTS = {"AttrARN": "arn", "AttrDescription": "description"}


def test_sdk_resource_top_level_force_new_attributes() -> None:
    """The annotated resource's own map: nested, commented, helper and flattener keys are not."""
    assert force_new(SDK_FILE, CONSTS, "aws_thing") == ["cidr_block", "tags", "vpc_id"]


def test_framework_resource_requires_replace_attributes_and_blocks() -> None:
    assert force_new(FRAMEWORK_FILE, FW_CONSTS, "aws_rule") == ["security_group_id", "target"]


def test_schema_named_by_reference_is_followed() -> None:
    text = (
        '// @SDKResource("aws_ref", name="Ref")\n'
        "func resourceRef() *schema.Resource {\n"
        "\treturn &schema.Resource{\n"
        "\t\tSchemaFunc: resourceRefSchema,\n"
        "\t}\n"
        "}\n\n"
        "func resourceRefSchema() map[string]*schema.Schema {\n"
        "\treturn map[string]*schema.Schema{\n"
        '\t\t"zone_id": {\n'
        "\t\t\tForceNew: true,\n"
        "\t\t},\n"
        '\t\t"ttl": {\n'
        "\t\t\tOptional: true,\n"
        "\t\t},\n"
        "\t}\n"
        "}\n"
    )
    assert force_new(text, {}, "aws_ref") == ["zone_id"]


def test_schema_held_in_a_package_variable_is_followed() -> None:
    text = textwrap.dedent(
        """\
        var (
        \tqueueSchema = map[string]*schema.Schema{
        \t\t"fifo_queue": {ForceNew: true},
        \t\t"policy":     {Optional: true},
        \t}
        )

        // @SDKResource("aws_queue", name="Queue")
        func resourceQueue() *schema.Resource {
        \treturn &schema.Resource{
        \t\tSchema: queueSchema,
        \t}
        }
        """
    )
    assert force_new(text, {}, "aws_queue") == ["fifo_queue"]


def test_an_unknown_key_constant_is_an_error_not_a_silent_gap() -> None:
    with pytest.raises(ValueError, match=r"schema key names\.AttrNope is not a string or a known"):
        force_new(SDK_FILE.replace("names.AttrCIDRBlock", "names.AttrNope"), CONSTS, "aws_thing")


def test_derived_constant_names_follow_the_providers_spelling() -> None:
    """Pairs from names/attr_consts_gen.go; the generator uses this only for a constant the
    copied names package lacks (all 229 constants of the copy read round-trip the same way)."""
    pairs = {
        "AttrARNs": "arns",
        "AttrAWSAccountID": "aws_account_id",
        "AttrCloudWatchLogGroupARN": "cloudwatch_log_group_arn",
        "AttrDNSName": "dns_name",
        "AttrIOPS": "iops",
        "AttrIPAddressType": "ip_address_type",
        "AttrS3KeyPrefix": "s3_key_prefix",
        "AttrUserName": "user_name",
        "AttrUsername": "username",
        "AttrVPCSecurityGroupIDs": "vpc_security_group_ids",
        "names.AttrOutpostARN": "outpost_arn",
    }
    assert {k: derive_attr(k) for k in pairs} == pairs
    derived: dict[str, str] = {}
    text = SDK_FILE.replace("names.AttrCIDRBlock", "names.AttrOutpostARN")
    assert force_new(text, CONSTS, "aws_thing", derived) == ["outpost_arn", "tags", "vpc_id"]
    assert derived == {"names.AttrOutpostARN": "outpost_arn"}


def test_camel_case_names() -> None:
    assert camel("availability_zone_id") == "availabilityZoneId"
    assert camel("customer_owned_ipv4_pool") == "customerOwnedIpv4Pool"
    assert camel("name") == "name"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return tmp_path


def test_generate_records_provenance_per_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "scripts.gen_forcenew.SOURCES",
        {
            "aws:x/thing:Thing": ("internal/service/x/thing.go", "aws_thing"),
            "aws:x/rule:Rule": ("internal/service/x/rule.go", "aws_rule"),
        },
    )
    root = _tree(
        tmp_path,
        {
            "names/attr_consts_gen.go": 'const (\n\tAttrCIDRBlock = "cidr_block"\n'
            '\tAttrTags = "tags"\n\tAttrTagsAll = "tags_all"\n\tAttrARN = "arn"\n'
            '\tAttrDescription = "description"\n)\n',
            "internal/service/x/thing.go": SDK_FILE,
            "internal/service/x/rule.go": FRAMEWORK_FILE,
        },
    )
    provenance = tmp_path / "provenance.json"
    provenance.write_text(
        json.dumps(
            {
                "internal/service/x/thing.go": "0123456789abcdef0123456789abcdef01234567",
                "internal/service/x/rule.go": "fedcba9876543210fedcba9876543210fedcba98",
            }
        ),
        encoding="utf-8",
    )
    assert main([str(root), "--version", "v6.0.0", "--provenance", str(provenance)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "forceNew": {
            "aws:x/rule:Rule": ["securityGroupId", "target"],
            "aws:x/thing:Thing": ["cidrBlock", "tags", "vpcId"],
        },
        "generator": "scripts/gen_forcenew.py",
        "upstream": {
            "readFromSource": {
                "aws:x/rule:Rule": "internal/service/x/rule.go@fedcba987654",
                "aws:x/thing:Thing": "internal/service/x/thing.go@0123456789ab",
            },
            "repository": "github.com/hashicorp/terraform-provider-aws",
            "version": "v6.0.0",
        },
    }
    with pytest.raises(SystemExit, match="--provenance names no commit for internal/service/x/"):
        generate(root, "v6.0.0", {"internal/service/x/thing.go": "0123456789ab"})


# -- the committed table ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
TABLE = json.loads((ROOT / "preflight" / "plan" / "forcenew.json").read_text(encoding="utf-8"))
SDK = Path(importlib.util.find_spec("pulumi_aws").origin or "").parent  # type: ignore[union-attr]
_CONSTRUCTED = re.compile(r"\baws\.(\w+)\.([A-Z]\w*)\(")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _sdk_token(module: str, cls: str) -> str | None:
    """The token the pulumi_aws SDK registers for `aws.<module>.<cls>`; None: not a resource."""
    for path in sorted((SDK / module).glob("*.py")):
        match = re.search(
            rf"super\({cls}, __self__\)\.__init__\(\s*'(aws:[^']+)'", path.read_text("utf-8")
        )
        if match:
            return match.group(1)
    return None


def test_table_is_the_generators_output_for_exactly_the_sources() -> None:
    assert set(TABLE) == {"forceNew", "generator", "upstream"}
    assert TABLE["generator"] == "scripts/gen_forcenew.py"
    assert set(TABLE["forceNew"]) == set(SOURCES)
    for props in TABLE["forceNew"].values():
        assert props == sorted(set(props))
    read_from = TABLE["upstream"]["readFromSource"]
    assert set(read_from) == set(SOURCES)
    for type_token, (source, _) in SOURCES.items():
        assert read_from[type_token].startswith(f"{source}@"), type_token


def test_every_aws_resource_the_program_constructs_has_a_source() -> None:
    """Read from the code, not a run: types behind config (the worker's queue, alarms and
    scaling policies, the certificate) count before any stack enables them."""
    code = "\n".join(
        p.read_text("utf-8")
        for p in [ROOT / "__main__.py", *sorted(ROOT.glob("components/**/*.py"))]
    )
    constructed = {m.groups() for m in _CONSTRUCTED.finditer(code)}
    tokens = {t for t in (_sdk_token(mod, cls) for mod, cls in constructed) if t is not None}
    assert {
        "aws:sqs/queue:Queue",
        "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
        "aws:autoscaling/policy:Policy",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:acm/certificate:Certificate",
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:route53/record:Record",
    } <= tokens
    assert tokens - set(SOURCES) == set()


def test_sources_cover_every_type_prod_creates() -> None:
    from preflight.simulate.run import simulate

    created = {r.type for r in simulate("prod").resources if r.custom}
    # 32 for web, model, database, network and artifacts; the worker tier adds its queues,
    # redrive allow policy, scaling policies, alarms and table
    assert len(created) == 37
    assert created - set(SOURCES) == set()


def test_every_property_is_an_input_of_the_pulumi_resource() -> None:
    """Terraform names turned into Pulumi's (camelCase, pulumi-aws's renames such as
    alarm_name -> name and validation_option -> validationOptions) exist in the SDK's Args."""
    for type_token, props in TABLE["forceNew"].items():
        module, name = type_token.split(":")[1].split("/")
        cls = type_token.split(":")[2]
        text = (SDK / module / f"{_snake(name)}.py").read_text("utf-8")
        start = text.find(f"class {cls}Args:")
        start = start if start >= 0 else text.index(f"class {cls}InitArgs:")
        signature = text[start : text.index("):", text.index("def __init__", start))]
        params = set(re.findall(r"\n\s+(\w+):", signature))
        assert {_snake(p) for p in props} <= params, type_token


def test_facts_read_from_the_provider() -> None:
    table = TABLE["forceNew"]
    # Since provider v5 an RDS instance's id is its resource id: renaming it is an update.
    assert "identifier" not in table["aws:rds/instance:Instance"]
    assert {"dbName", "engine", "storageEncrypted", "username"} <= set(
        table["aws:rds/instance:Instance"]
    )
    assert table["aws:ec2/subnet:Subnet"][:3] == [
        "availabilityZone",
        "availabilityZoneId",
        "cidrBlock",
    ]
    assert table["aws:cloudwatch/metricAlarm:MetricAlarm"] == ["name"]
    assert table["aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"] == ["queueUrl"]
    assert table["aws:ec2/internetGateway:InternetGateway"] == []
    assert TABLE["upstream"]["derivedConstants"] == {"names.AttrOutpostARN": "outpost_arn"}
