"""Generate preflight/forcenew.json: the properties that force a new resource, per AWS type.

Reads a local checkout of terraform-provider-aws (hashicorp's or pulumi's fork, at the version
pulumi-aws pins: see pulumi-aws's `upstream` submodule) and, for every resource type the program
and the pack use, collects the top-level schema attributes marked `ForceNew: true` (SDKv2) or
given a `RequiresReplace()` plan modifier (plugin framework). Attribute names are converted to
Pulumi's property names (lowerCamelCase, with pulumi-aws's renames).

    python scripts/gen_forcenew.py CHECKOUT --version TAG > preflight/forcenew.json

No network: CI runs it against a checkout it already has.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

# Pulumi type token -> (source file in the provider, Terraform resource name).
SOURCES: dict[str, tuple[str, str]] = {
    "aws:cloudwatch/logGroup:LogGroup": (
        "internal/service/logs/group.go",
        "aws_cloudwatch_log_group",
    ),
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
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "internal/service/ec2/vpc_security_group_egress_rule.go",
        "aws_vpc_security_group_egress_rule",
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "internal/service/ec2/vpc_security_group_ingress_rule.go",
        "aws_vpc_security_group_ingress_rule",
    ),
}

# pulumi-aws renames (provider/resources.go): Terraform attribute -> Pulumi property.
RENAMES: dict[str, dict[str, str]] = {
    "aws:elasticbeanstalk/environment:Environment": {"setting": "settings"},
}

_ATTR_CONST = re.compile(r"^\s*(Attr\w+)\s*=\s*\"([a-z0-9_]+)\"", re.MULTILINE)
_SDK_KEY = re.compile(r"^(\t+)(\"([a-z0-9_]+)\"|names\.(Attr\w+)):\s*(\{|[\w.]+\(|&)", re.MULTILINE)
_FW_KEY = re.compile(
    r"^(\t+)(\"([a-z0-9_]+)\"|names\.(Attr\w+)):\s*schema\.\w+Attribute\{", re.MULTILINE
)


def attr_constants(root: Path) -> dict[str, str]:
    """names.AttrXxx -> "xxx" from the provider's names package."""
    consts: dict[str, str] = {}
    for path in sorted((root / "names").glob("*.go")):
        consts.update(_ATTR_CONST.findall(path.read_text(encoding="utf-8")))
    return consts


def _blocks(
    text: str, pattern: re.Pattern[str], consts: dict[str, str]
) -> dict[str, tuple[int, str]]:
    """Top-level schema entries (the shallowest indentation seen) -> (indent, body)."""
    found: list[tuple[int, str, str]] = []
    for match in pattern.finditer(text):
        name = match.group(3) or consts.get(match.group(4) or "", "")
        if not name:
            continue
        start = match.end()
        depth, i = 1, start
        if text[start - 1] not in "{(":
            continue
        while i < len(text) and depth:
            if text[i] in "{(":
                depth += 1
            elif text[i] in "})":
                depth -= 1
            i += 1
        found.append((len(match.group(1)), name, text[start:i]))
    if not found:
        return {}
    top = min(indent for indent, _, _ in found)
    return {name: (indent, body) for indent, name, body in found if indent == top}


def _own_text(body: str) -> str:
    """The entry's own fields: nested `Elem`/`Attributes`/`Blocks` removed."""
    out, depth = [], 0
    for line in body.splitlines():
        if depth == 0:
            out.append(line)
        depth += line.count("{") - line.count("}")
        depth = max(depth, 0)
    return "\n".join(out)


def force_new(text: str, consts: dict[str, str]) -> list[str]:
    """Top-level attributes of the resource schema in `text` that force replacement."""
    names: set[str] = set()
    for name, (_, body) in _blocks(text, _SDK_KEY, consts).items():
        if re.search(r"^\s*ForceNew:\s*true", _own_text(body), re.MULTILINE):
            names.add(name)
    for name, (_, body) in _blocks(text, _FW_KEY, consts).items():
        if "RequiresReplace()" in body.split("Attributes:")[0]:
            names.add(name)
    return sorted(names)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def generate(root: Path, version: str) -> dict[str, object]:
    consts = attr_constants(root)
    table: dict[str, list[str]] = {}
    for type_token, (source, _) in sorted(SOURCES.items()):
        path = root / source
        if not path.is_file():
            raise SystemExit(
                f"gen_forcenew: {path}: not found; is {root} a terraform-provider-aws checkout?"
            )
        renames = RENAMES.get(type_token, {})
        attrs = force_new(path.read_text(encoding="utf-8"), consts)
        table[type_token] = sorted(renames.get(a, camel(a)) for a in attrs)
    return {
        "upstream": {
            "repository": "github.com/hashicorp/terraform-provider-aws",
            "version": version,
        },
        "generator": "scripts/gen_forcenew.py",
        "forceNew": table,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="terraform-provider-aws checkout")
    parser.add_argument("--version", required=True, help="the checkout's tag or commit, recorded")
    args = parser.parse_args(argv)
    sys.stdout.write(
        json.dumps(generate(args.checkout, args.version), indent=2, sort_keys=True) + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
