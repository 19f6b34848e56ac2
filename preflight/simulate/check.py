"""What the AWS provider's `Check` adds to a resource's inputs before the engine records them:
the inputs a real `pulumi stack export` holds and the program never passed.

- Auto-names (pulumi-aws `provider/autonaming.go` and `resource_overrides.go`, through the
  bridge's `applyDefaults` in pulumi-terraform-bridge `pkg/tfbridge/schema.go`): a property the
  provider names itself when the program leaves it out, listed under `__defaults`. A `namePrefix`
  (`bucketPrefix`, `identifierPrefix`) conflicts with the name, so then nothing is generated:
  Terraform picks the name at create time and it appears only among the outputs.
- `region` (pulumi-aws `provider/region.go`, `applyRegion`): the provider's region, on every
  regional resource (IAM and Route 53 records are global).
- `tagsAll` (pulumi-aws `provider/tags.go`, `applyTagsPreCheckCallback`): the provider's default
  tags merged with the resource's `tags`, on taggable resources of the SDKv2 kind; the plugin
  framework resources (the VPC security group rules) are left alone.

`region` and `tagsAll` come from pre-check callbacks, not defaults, so `__defaults` does not
list them. The schema defaults Terraform adds (`path: "/"`, `forceDestroy: false`, ...) are not
simulated (docs/pull-requests.md lists that limit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULTS_KEY = "__defaults"
"""The bridge's list of input keys it filled in (`reservedkeys.Defaults`)."""

AUTONAMED: dict[str, str] = {
    "aws:autoscaling/policy:Policy": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:dynamodb/table:Table": "name",
    "aws:ec2/securityGroup:SecurityGroup": "name",
    "aws:elasticbeanstalk/application:Application": "name",
    "aws:elasticbeanstalk/applicationVersion:ApplicationVersion": "name",
    "aws:elasticbeanstalk/environment:Environment": "name",
    "aws:iam/instanceProfile:InstanceProfile": "name",
    "aws:iam/role:Role": "name",
    "aws:iam/rolePolicy:RolePolicy": "name",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/subnetGroup:SubnetGroup": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:sqs/queue:Queue": "name",
}
"""Type -> the property pulumi-aws auto-names (every top-level `name` without an override, the
bucket's `bucket`, the RDS instance's `identifier`; not a Route 53 record's `name`)."""

PREFIXES = {"name": "namePrefix", "bucket": "bucketPrefix", "identifier": "identifierPrefix"}
"""The prefix property that conflicts with each auto-named one (`ConflictsWith`)."""

GLOBAL_TYPES = frozenset(
    {
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:route53/record:Record",
        "aws:route53/zone:Zone",
    }
)
"""AWS types without a `region` argument in pulumi-aws 7 (tests check it against the SDK)."""

TAGGED_TYPES = frozenset(
    {
        "aws:acm/certificate:Certificate",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:dynamodb/table:Table",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/eip:Eip",
        "aws:ec2/flowLog:FlowLog",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:elasticbeanstalk/application:Application",
        "aws:elasticbeanstalk/applicationVersion:ApplicationVersion",
        "aws:elasticbeanstalk/environment:Environment",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/role:Role",
        "aws:lb/listenerRule:ListenerRule",
        "aws:rds/instance:Instance",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:route53/zone:Zone",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:sqs/queue:Queue",
    }
)
"""SDKv2 resource types of the program with `tags` and `tagsAll` (tests check it against the
SDK and against the generated diff-rule table's framework flag)."""


@dataclass(frozen=True)
class Checked:
    """What Check adds: `defaults` (listed under `__defaults`) and `extras` (region, tagsAll)."""

    defaults: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    def inputs(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs as the engine records them after Check."""
        return {**inputs, **self.defaults, **self.extras, DEFAULTS_KEY: sorted(self.defaults)}


def autoname_key(type_token: str, inputs: Mapping[str, Any]) -> str | None:
    """The property the provider would name for this resource, or None."""
    key = AUTONAMED.get(type_token)
    if key is None or key in inputs or PREFIXES[key] in inputs:
        return None
    return key


def extras(
    type_token: str, inputs: Mapping[str, Any], region: str, default_tags: Mapping[str, Any]
) -> dict[str, Any]:
    """`region` and `tagsAll` as the provider's pre-check callbacks set them."""
    out: dict[str, Any] = {}
    if not type_token.startswith("aws:"):
        return out
    if type_token not in GLOBAL_TYPES and "region" not in inputs:
        out["region"] = region
    if type_token in TAGGED_TYPES:
        tags = inputs.get("tags")
        out["tagsAll"] = {**default_tags, **(tags if isinstance(tags, dict) else {})}
    return out


def check(
    type_token: str,
    inputs: Mapping[str, Any],
    generated_name: str | None,
    region: str,
    default_tags: Mapping[str, Any] | None = None,
) -> Checked:
    """Check for a new resource: `generated_name` is the name the provider would pick."""
    key = autoname_key(type_token, inputs)
    defaults = {key: generated_name} if key is not None and generated_name else {}
    return Checked(defaults, extras(type_token, inputs, region, default_tags or {}))
