"""Generate preflight/plan/forcenew.json: the properties that force a new resource, per AWS type.

Reads a local copy of terraform-provider-aws sources (a checkout of hashicorp's or pulumi's fork,
or a tree of the files named in SOURCES saved at their repository paths) and, for every resource
type the program and the pack use, collects the top-level schema attributes marked
`ForceNew: true` (SDKv2) or given a `RequiresReplace()` plan modifier (plugin framework).
Attribute names are converted to Pulumi's property names (lowerCamelCase, with pulumi-aws's
renames).

The schema read is the resource's own (scripts/go_schema.py): the function after the file's
`// @SDKResource("aws_...")` annotation (or the function its `Schema`/`SchemaFunc` names), and
the `Schema` method of a framework resource; other maps in the file (flatteners, data sources)
are never taken for the schema.

    python -m scripts.gen_forcenew TREE --version TAG [--provenance FILE] \
        > preflight/plan/forcenew.json

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
from pathlib import Path

from scripts.go_schema import attr_constants, force_new

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
    "aws:route53/zone:Zone": ("internal/service/route53/zone.go", "aws_route53_zone"),
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
