"""Generate preflight/forcenew.json: the properties that force a new resource, per AWS type.

Reads a local copy of terraform-provider-aws sources (a checkout of hashicorp's or pulumi's fork,
or a tree of the files named in SOURCES saved at their repository paths) and, for every resource
type the program and the pack use, collects the top-level schema attributes marked
`ForceNew: true` (SDKv2) or given a `RequiresReplace()` plan modifier (plugin framework).
Attribute names are converted to Pulumi's property names (lowerCamelCase, with pulumi-aws's
renames).

The schema read is the resource's own: the function after the file's
`// @SDKResource("aws_...")` annotation (or the function its `Schema`/`SchemaFunc` names), and
the `Schema` method of a framework resource; other maps in the file (flatteners, data sources)
are never taken for the schema.

    python scripts/gen_forcenew.py TREE --version TAG [--provenance FILE] > preflight/forcenew.json

`--provenance FILE` is a JSON object mapping source paths (as in SOURCES) to the upstream commit
each file was read at, for a tree assembled file by file; the output then records, per type,
`path@commit` under `upstream.readFromSource`. Every source must be named in it.

No network: CI runs it against a tree it already has.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = "github.com/hashicorp/terraform-provider-aws"

# Pulumi type token -> (source file in the provider, Terraform resource name).
SOURCES: dict[str, tuple[str, str]] = {
    "aws:acm/certificate:Certificate": (
        "internal/service/acm/certificate.go",
        "aws_acm_certificate",
    ),
    "aws:acm/certificateValidation:CertificateValidation": (
        "internal/service/acm/certificate_validation.go",
        "aws_acm_certificate_validation",
    ),
    "aws:autoscaling/policy:Policy": (
        "internal/service/autoscaling/policy.go",
        "aws_autoscaling_policy",
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        "internal/service/logs/group.go",
        "aws_cloudwatch_log_group",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        "internal/service/cloudwatch/metric_alarm.go",
        "aws_cloudwatch_metric_alarm",
    ),
    "aws:dynamodb/table:Table": ("internal/service/dynamodb/table.go", "aws_dynamodb_table"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "internal/service/ec2/vpc_default_security_group.go",
        "aws_default_security_group",
    ),
    "aws:ec2/eip:Eip": ("internal/service/ec2/ec2_eip.go", "aws_eip"),
    "aws:ec2/flowLog:FlowLog": ("internal/service/ec2/vpc_flow_log.go", "aws_flow_log"),
    "aws:ec2/internetGateway:InternetGateway": (
        "internal/service/ec2/vpc_internet_gateway.go",
        "aws_internet_gateway",
    ),
    "aws:ec2/natGateway:NatGateway": ("internal/service/ec2/vpc_nat_gateway.go", "aws_nat_gateway"),
    "aws:ec2/route:Route": ("internal/service/ec2/vpc_route.go", "aws_route"),
    "aws:ec2/routeTable:RouteTable": ("internal/service/ec2/vpc_route_table.go", "aws_route_table"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        "internal/service/ec2/vpc_route_table_association.go",
        "aws_route_table_association",
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        "internal/service/ec2/vpc_security_group.go",
        "aws_security_group",
    ),
    "aws:ec2/subnet:Subnet": ("internal/service/ec2/vpc_subnet.go", "aws_subnet"),
    "aws:ec2/vpc:Vpc": ("internal/service/ec2/vpc_.go", "aws_vpc"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("internal/service/ec2/vpc_endpoint.go", "aws_vpc_endpoint"),
    "aws:elasticbeanstalk/application:Application": (
        "internal/service/elasticbeanstalk/application.go",
        "aws_elastic_beanstalk_application",
    ),
    "aws:elasticbeanstalk/applicationVersion:ApplicationVersion": (
        "internal/service/elasticbeanstalk/application_version.go",
        "aws_elastic_beanstalk_application_version",
    ),
    "aws:elasticbeanstalk/environment:Environment": (
        "internal/service/elasticbeanstalk/environment.go",
        "aws_elastic_beanstalk_environment",
    ),
    "aws:iam/instanceProfile:InstanceProfile": (
        "internal/service/iam/instance_profile.go",
        "aws_iam_instance_profile",
    ),
    "aws:iam/role:Role": ("internal/service/iam/role.go", "aws_iam_role"),
    "aws:iam/rolePolicy:RolePolicy": ("internal/service/iam/role_policy.go", "aws_iam_role_policy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        "internal/service/iam/role_policy_attachment.go",
        "aws_iam_role_policy_attachment",
    ),
    "aws:lb/listenerRule:ListenerRule": (
        "internal/service/elbv2/listener_rule.go",
        "aws_lb_listener_rule",
    ),
    "aws:rds/instance:Instance": ("internal/service/rds/instance.go", "aws_db_instance"),
    "aws:rds/subnetGroup:SubnetGroup": (
        "internal/service/rds/subnet_group.go",
        "aws_db_subnet_group",
    ),
    "aws:route53/record:Record": ("internal/service/route53/record.go", "aws_route53_record"),
    "aws:s3/bucket:Bucket": ("internal/service/s3/bucket.go", "aws_s3_bucket"),
    "aws:s3/bucketObjectv2:BucketObjectv2": ("internal/service/s3/object.go", "aws_s3_object"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        "internal/service/s3/bucket_ownership_controls.go",
        "aws_s3_bucket_ownership_controls",
    ),
    "aws:s3/bucketPolicy:BucketPolicy": (
        "internal/service/s3/bucket_policy.go",
        "aws_s3_bucket_policy",
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "internal/service/s3/bucket_public_access_block.go",
        "aws_s3_bucket_public_access_block",
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "internal/service/s3/bucket_server_side_encryption_configuration.go",
        "aws_s3_bucket_server_side_encryption_configuration",
    ),
    "aws:s3/bucketVersioning:BucketVersioning": (
        "internal/service/s3/bucket_versioning.go",
        "aws_s3_bucket_versioning",
    ),
    "aws:sqs/queue:Queue": ("internal/service/sqs/queue.go", "aws_sqs_queue"),
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": (
        "internal/service/sqs/queue_redrive_allow_policy.go",
        "aws_sqs_queue_redrive_allow_policy",
    ),
    # The egress rule resource embeds securityGroupRuleResource, whose Schema method is defined
    # in the ingress rule's file: both resources share that one schema.
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "internal/service/ec2/vpc_security_group_ingress_rule.go",
        "aws_vpc_security_group_egress_rule",
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "internal/service/ec2/vpc_security_group_ingress_rule.go",
        "aws_vpc_security_group_ingress_rule",
    ),
}

# pulumi-aws renames (provider/resources.go): Terraform attribute -> Pulumi property.
RENAMES: dict[str, dict[str, str]] = {
    "aws:acm/certificate:Certificate": {"validation_option": "validationOptions"},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"alarm_name": "name"},
    "aws:dynamodb/table:Table": {"local_secondary_index": "localSecondaryIndexes"},
    "aws:elasticbeanstalk/environment:Environment": {"setting": "settings"},
}

NAMES_DIR = "names"
"""The provider's names package: `names.AttrXxx` constants are read from its .go files."""

_CONST = re.compile(r"^\s*(\w+)\s*=\s*\"([a-z0-9_]+)\"", re.MULTILINE)
_SDK_MAP = "map[string]*schema.Schema{"
_FW_ATTRS = "map[string]schema.Attribute{"
_FW_BLOCKS = "map[string]schema.Block{"
_FW_SCHEMA_METHOD = re.compile(r"^func \([^)]*\) Schema\(", re.MULTILINE)
_SCHEMA_REF = re.compile(r"\bSchema(?:Func)?:\s*(\w+)(?:\(\))?\s*,")


def attr_constants(root: Path) -> dict[str, str]:
    """names.AttrXxx -> "xxx" from the provider's names package."""
    consts: dict[str, str] = {}
    for path in sorted((root / NAMES_DIR).glob("*.go")):
        consts.update(
            (k, v) for k, v in _CONST.findall(path.read_text(encoding="utf-8")) if k[:4] == "Attr"
        )
    return consts


def _mask(text: str) -> str:
    """`text` with the insides of strings, runes and comments blanked (same length), so that
    brackets are counted in code only."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = [ch if ch == "\n" else " " for ch in text[i:end]]
            i = end
        elif c in "\"'`":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\" and c != "`":
                    j += 1
                j += 1
            out[i + 1 : j] = [ch if ch == "\n" else " " for ch in text[i + 1 : j]]
            i = j + 1
        else:
            i += 1
    return "".join(out)


def _close(masked: str, open_at: int) -> int:
    """Index just past the bracket matching masked[open_at] (end of text if unclosed)."""
    depth = 0
    for i in range(open_at, len(masked)):
        if masked[i] in "{([":
            depth += 1
        elif masked[i] in "})]":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(masked)


def _indent(text: str, at: int) -> int:
    start = text.rfind("\n", 0, at) + 1
    return len(text[start:at]) - len(text[start:at].lstrip("\t"))


def _entries(text: str, masked: str, start: int, end: int) -> list[tuple[str, str, str]]:
    """`key: value` pairs at depth 0 of masked[start:end] (a composite literal's body), as
    (key source, value source, value masked)."""
    found: list[tuple[str, str, str]] = []
    i = start
    while i < end:
        while i < end and masked[i] in " \t\n,":
            i += 1
        if i >= end:
            break
        colon = i
        while colon < end and masked[colon] not in ":{([,":
            colon += 1
        if colon >= end or masked[colon] != ":":
            raise ValueError(f"not a key: value entry: {text[i : i + 60]!r}")
        key = text[i:colon].strip()
        j = colon + 1
        while j < end and masked[j] != ",":
            j = _close(masked, j) if masked[j] in "{([" else j + 1
        a, b = colon + 1, j
        while a < b and masked[a].isspace():
            a += 1
        while b > a and masked[b - 1].isspace():
            b -= 1
        found.append((key, text[a:b], masked[a:b]))
        i = j + 1
    return found


def _func_body(masked: str, at: int) -> tuple[int, int]:
    """The body of the function declared at or after `at`."""
    decl = masked.find("func ", at)
    if decl < 0:
        return at, len(masked)
    after = decl + len("func ")
    if masked[after] == "(":  # a method: skip the receiver
        after = _close(masked, after)
    # The body opens after the parameters (a result type has no braces of its own).
    params_end = _close(masked, masked.find("(", after))
    open_at = masked.find("{", params_end)
    return open_at, _close(masked, open_at)


def _shallowest(text: str, masked: str, needle: str, start: int, end: int) -> int | None:
    """Index of the `{` of the least-indented `needle` in masked[start:end]; of those, the
    longest (a file without annotations may hold a small helper schema at the same depth)."""
    best: tuple[int, int, int] | None = None
    at = masked.find(needle, start, end)
    while at >= 0:
        brace = at + len(needle) - 1
        candidate = (_indent(text, at), -(_close(masked, brace) - brace), brace)
        best = candidate if best is None or candidate[:2] < best[:2] else best
        at = masked.find(needle, at + 1, end)
    return None if best is None else best[2]


@dataclass(frozen=True)
class _Schema:
    text: str
    masked: str
    maps: list[int]  # the `{` of each top-level map (framework: attributes and blocks)
    framework: bool


def _locate(text: str, resource: str | None) -> _Schema:
    masked = _mask(text)
    method = _FW_SCHEMA_METHOD.search(masked)
    if method:
        start, end = _func_body(masked, method.start())
        attrs = _shallowest(text, masked, _FW_ATTRS, start, end)
        if attrs is not None:
            maps = [attrs]
            blocks = masked.find(_FW_BLOCKS, start, end)
            while blocks >= 0:
                if _indent(text, blocks) == _indent(text, attrs):
                    maps.append(blocks + len(_FW_BLOCKS) - 1)
                blocks = masked.find(_FW_BLOCKS, blocks + 1, end)
            return _Schema(text, masked, maps, framework=True)
    start, end = 0, len(text)
    if resource:
        note = text.find(f'@SDKResource("{resource}"')
        if note >= 0:
            start, end = _func_body(masked, note)
    sdk = _shallowest(text, masked, _SDK_MAP, start, end)
    if sdk is None and resource is not None:
        ref = _SCHEMA_REF.search(masked, start, end)
        if ref:
            name = ref.group(1)
            func = re.search(rf"^func {name}\(", masked, re.MULTILINE)
            var = re.search(rf"^\s*{name}\s*=\s*map\[string\]\*schema\.Schema\{{", masked, re.M)
            if func:
                start, end = _func_body(masked, func.start())
                sdk = _shallowest(text, masked, _SDK_MAP, start, end)
            elif var:
                sdk = var.end() - 1
    if sdk is not None:
        return _Schema(text, masked, [sdk], framework=False)
    fw = _shallowest(text, masked, _FW_ATTRS, 0, len(text))
    if fw is not None:
        return _Schema(text, masked, [fw], framework=True)
    raise ValueError(f"no schema found for {resource or 'the resource'}")


def _struct_fields(value: str, masked: str) -> dict[str, str] | None:
    """The fields of a composite literal value (`{...}`, `&schema.Schema{...}`,
    `schema.StringAttribute{...}`), masked; None for anything else (a call, a variable)."""
    brace = masked.find("{")
    if brace < 0 or not re.fullmatch(r"&?[\w.]*", masked[:brace].strip()):
        return None
    end = _close(masked, brace)
    return {k: m for k, _, m in _entries(value, masked, brace + 1, end - 1)}


# The provider spells these as capitals in constant names (names/caps.csv) and as one word in
# attribute names; `derive_attr` undoes that spelling for a names.AttrXxx the copied names package
# lacks. tests/test_forcenew.py checks it against every constant the copied package defines.
_CAPS: tuple[str, ...] = ("AWS", "ARN", "CIDR", "DNS", "IAM", "ID", "IOPS", "IP", "JSON", "KMS")
_CAPS += ("S3", "SNS", "URI", "URL", "VPC")
_WORDS = {"CloudWatch": "cloudwatch"}
_WORD = re.compile(r"[A-Z][a-z0-9]*")


def derive_attr(constant: str) -> str:
    """names.AttrOutpostARN -> "outpost_arn", by the provider's own constant spelling."""
    name = constant.removeprefix("names.").removeprefix("Attr")
    parts: list[str] = []
    i = 0
    while i < len(name):
        word = next((w for w in _WORDS if name.startswith(w, i)), None)
        if word is not None:
            parts.append(_WORDS[word])
            i += len(word)
            continue
        end = None
        for cap in sorted(_CAPS, key=len, reverse=True):
            if not name.startswith(cap, i):
                continue
            j = i + len(cap)
            if name[j : j + 1] == "s" and (j + 1 == len(name) or name[j + 1].isupper()):
                j += 1
            if j == len(name) or name[j].isupper():
                end = j
                break
        if end is None:
            match = _WORD.match(name, i)
            end = match.end() if match else i + 1
        parts.append(name[i:end].lower())
        i = end
    return "_".join(parts)


def _key_name(key: str, consts: dict[str, str], derived: dict[str, str] | None = None) -> str:
    if key.startswith('"') and key.endswith('"'):
        return key[1:-1]
    name = consts.get(key.removeprefix("names."))
    if name is None and derived is not None and key.startswith("names.Attr"):
        name = derived.setdefault(key, derive_attr(key))
    if name is None:
        raise ValueError(f"schema key {key} is not a string or a known constant")
    return name


def force_new(
    text: str,
    consts: dict[str, str],
    resource: str | None = None,
    derived: dict[str, str] | None = None,
) -> list[str]:
    """Top-level attributes of the resource schema in `text` that force replacement.

    `resource` (the Terraform name) picks the function after its `@SDKResource` annotation;
    without it, or without the annotation, the least-indented schema map in `text` is taken.
    A names.AttrXxx missing from `consts` is an error, unless `derived` is given: then its
    name is derived (`derive_attr`) and recorded there.
    """
    schema = _locate(text, resource)
    local = dict(_CONST.findall(text))
    known = {**local, **consts}
    names: set[str] = set()
    for open_at in schema.maps:
        end = _close(schema.masked, open_at)
        for key, value, masked in _entries(text, schema.masked, open_at + 1, end - 1):
            name = _key_name(key, known, derived)
            fields = _struct_fields(value, masked)
            if fields is None:
                # A helper call: only a helper that says so forces a new resource.
                if re.match(r"[\w.]*ForceNew\w*\(", masked):
                    names.add(name)
            elif schema.framework:
                if "RequiresReplace()" in fields.get("PlanModifiers", ""):
                    names.add(name)
            elif fields.get("ForceNew") == "true":
                names.add(name)
    return sorted(names)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _short(commit: str) -> str:
    """A git commit as its first 12 hex digits; any other revision note unchanged."""
    return commit[:12] if re.fullmatch(r"[0-9a-f]{40}", commit) else commit


def generate(
    root: Path, version: str, provenance: dict[str, str] | None = None
) -> dict[str, object]:
    consts = attr_constants(root)
    table: dict[str, list[str]] = {}
    read_from: dict[str, str] = {}
    derived: dict[str, str] = {}
    for type_token, (source, resource) in sorted(SOURCES.items()):
        path = root / source
        if not path.is_file():
            raise SystemExit(
                f"gen_forcenew: {path}: not found; is {root} a terraform-provider-aws tree?"
            )
        if provenance is not None:
            if source not in provenance:
                raise SystemExit(f"gen_forcenew: --provenance names no commit for {source}")
            read_from[type_token] = f"{source}@{_short(provenance[source])}"
        renames = RENAMES.get(type_token, {})
        try:
            attrs = force_new(path.read_text(encoding="utf-8"), consts, resource, derived)
        except ValueError as err:
            raise SystemExit(f"gen_forcenew: {source}: {err}") from None
        table[type_token] = sorted(renames.get(a, camel(a)) for a in attrs)
    upstream: dict[str, object] = {"repository": REPOSITORY, "version": version}
    if provenance is not None:
        upstream["readFromSource"] = read_from
    if derived:
        upstream["derivedConstants"] = dict(sorted(derived.items()))
    return {"upstream": upstream, "generator": "scripts/gen_forcenew.py", "forceNew": table}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("checkout", type=Path, help="terraform-provider-aws checkout or tree")
    parser.add_argument("--version", required=True, help="the sources' tag or commit, recorded")
    parser.add_argument(
        "--provenance",
        type=Path,
        help="JSON object: source path -> commit it was read at (recorded per type)",
    )
    args = parser.parse_args(argv)
    provenance: dict[str, str] | None = None
    if args.provenance is not None:
        loaded = json.loads(args.provenance.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
        ):
            raise SystemExit(f"gen_forcenew: {args.provenance}: not an object of path -> commit")
        provenance = loaded
    document = generate(args.checkout, args.version, provenance)
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
