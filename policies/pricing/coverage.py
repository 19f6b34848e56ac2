"""Which resource types are priced, which are free, and which are deliberately left unpriced.

Every AWS type falls in exactly one place: `RULES` (a price rule), `FREE` (no charge of its
own, with the reason), `UNPRICED` (billed, but not priced by this estimator, with the reason).
An AWS type in none of them is reported as unpriced too ("no price rule"), so nothing is ever
counted as zero silently. Pulumi's own resources (the stack, providers) and components (a type
that is some resource's parent) are not billed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from awsfacts.eb import EB_ENVIRONMENT

from . import beanstalk, network, services
from .model import Rule

RULES: Final[dict[str, Rule]] = {
    EB_ENVIRONMENT: beanstalk.environment,
    network.NAT_GATEWAY: network.nat_gateway,
    "aws:ec2/eip:Eip": network.elastic_ip,
    "aws:ec2/vpcEndpoint:VpcEndpoint": network.vpc_endpoint,
    network.FLOW_LOG: network.flow_log,
    network.LOG_GROUP: network.log_group,
    "aws:lb/loadBalancer:LoadBalancer": network.load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": network.load_balancer,
    "aws:elb/loadBalancer:LoadBalancer": network.load_balancer,
    "aws:ec2/instance:Instance": network.instance,
    "aws:ebs/volume:Volume": network.volume,
    "aws:rds/instance:Instance": services.db_instance,
    "aws:s3/bucket:Bucket": services.bucket,
    "aws:s3/bucketV2:BucketV2": services.bucket,
    "aws:cloudwatch/metricAlarm:MetricAlarm": services.metric_alarm,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": services.composite_alarm,
    "aws:sqs/queue:Queue": services.queue,
    "aws:dynamodb/table:Table": services.table,
    "aws:kms/key:Key": services.kms_key,
    "aws:kms/replicaKey:ReplicaKey": services.kms_key,
    "aws:secretsmanager/secret:Secret": services.secret,
}

_NETWORK = "a VPC building block with no charge of its own"
_IAM = "IAM is free"
_EB = "Elastic Beanstalk is free: the environment's instances and load balancer are priced on it"
_S3_SETTING = "a bucket setting, free (the bucket's storage is priced on the bucket)"
_IN_LB = "part of its load balancer (priced in its capacity units)"

FREE: Final = {
    **dict.fromkeys(
        (
            "aws:ec2/vpc:Vpc",
            "aws:ec2/subnet:Subnet",
            "aws:ec2/routeTable:RouteTable",
            "aws:ec2/defaultRouteTable:DefaultRouteTable",
            "aws:ec2/route:Route",
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
            "aws:ec2/internetGateway:InternetGateway",
            "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment",
            "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "aws:ec2/networkAcl:NetworkAcl",
            "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
            "aws:ec2/eipAssociation:EipAssociation",
            "aws:ec2/launchTemplate:LaunchTemplate",
        ),
        _NETWORK,
    ),
    **dict.fromkeys(
        (
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "aws:iam/policy:Policy",
            "aws:iam/instanceProfile:InstanceProfile",
        ),
        _IAM,
    ),
    **dict.fromkeys(
        (
            "aws:elasticbeanstalk/application:Application",
            "aws:elasticbeanstalk/applicationVersion:ApplicationVersion",
            "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate",
        ),
        _EB,
    ),
    **dict.fromkeys(
        (
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketVersioningV2:BucketVersioningV2",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        ),
        _S3_SETTING,
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": "its bytes are in its bucket's storage assumption",
    "aws:s3/bucketObject:BucketObject": "its bytes are in its bucket's storage assumption",
    **dict.fromkeys(
        (
            "aws:lb/listener:Listener",
            "aws:lb/listenerRule:ListenerRule",
            "aws:lb/targetGroup:TargetGroup",
            "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        ),
        _IN_LB,
    ),
    "aws:rds/subnetGroup:SubnetGroup": "a database setting, free",
    "aws:rds/parameterGroup:ParameterGroup": "a database setting, free",
    "aws:rds/optionGroup:OptionGroup": "a database setting, free",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "a queue setting, free",
    "aws:sqs/redrivePolicy:RedrivePolicy": "a queue setting, free",
    "aws:sqs/queuePolicy:QueuePolicy": "a queue setting, free",
    "aws:autoscaling/policy:Policy": "a scaling policy is free (its alarms are priced)",
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": "free (a wait for validation)",
    "aws:route53/record:Record": "records are free; alias queries to AWS resources are free",
    "aws:kms/alias:Alias": "a key alias is free",
    "aws:secretsmanager/secretVersion:SecretVersion": "priced on its secret",
}
"""Types with no charge of their own, and why."""

UNPRICED: Final = {
    "aws:rds/cluster:Cluster": "Aurora and multi-AZ DB clusters are not priced by the estimator",
    "aws:rds/clusterInstance:ClusterInstance": "Aurora instances are not priced by the estimator",
    "aws:route53/zone:Zone": "no Route 53 price data in the table",
    "aws:autoscaling/group:Group": (
        "an Auto Scaling group's instances come from its launch template, which the estimator "
        "does not read"
    ),
}
"""Billed types this estimator deliberately does not price, and why."""

NO_RULE: Final = "no price rule for this resource type (not counted)"


def components(urns: Iterable[str]) -> frozenset[str]:
    """Types that are some resource's parent in its URN (`...::parent$child::name`)."""
    found: set[str] = set()
    for urn in urns:
        parts = urn.split("::")
        if len(parts) >= 4:
            found.update(parts[2].split("$")[:-1])
    return frozenset(found)


def classify(type_token: str, parents: frozenset[str] = frozenset()) -> tuple[str, str]:
    """("priced" | "free" | "unpriced" | "no rule", why) for a resource type."""
    if type_token in RULES:
        return "priced", ""
    if type_token in FREE:
        return "free", FREE[type_token]
    if type_token in UNPRICED:
        return "unpriced", UNPRICED[type_token]
    if type_token.startswith("pulumi:"):
        return "free", "Pulumi's own bookkeeping, not an AWS resource"
    if type_token in parents:
        return "free", "a component: the resources it groups are priced one by one"
    if not type_token.startswith("aws:"):
        return "unpriced", "not an AWS resource: the estimator prices AWS only"
    return "no rule", NO_RULE
