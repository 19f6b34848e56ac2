"""The least-privilege policy of an Elastic Beanstalk instance profile, as a JSON string.

What a Docker instance of any role needs (the parts of AWSElasticBeanstalkWebTier it uses,
scoped to this account and region, and ECR pulls), then exactly what this environment is
given: its source bundles, one readable S3 prefix, each grant on its one resource, a worker's
metrics, and its own secrets. Pure: the `Environment` builds it once every ARN is known.
"""

from __future__ import annotations

from collections.abc import Sequence

from components.iam import arn, policy_document

Statement = dict[str, object]


def instance_policy(
    partition: str,
    region: str,
    account_id: str,
    secret_arns: Sequence[str],
    read_s3_uri: str | None = None,
    source_bundles_arn: str | None = None,
    grants: Sequence[tuple[str, Sequence[str], str]] = (),
    worker_metrics: bool = False,
) -> str:
    """Least privilege for an EB Docker instance: the platform's own needs, the source bundles
    when given, read access to exactly one S3 prefix when given (the model repository), each
    grant `(sid, actions, resource)` on exactly its resource, for a worker sqsd's metrics (the
    part of AWSElasticBeanstalkWorkerTier it uses besides its queue, which comes as a grant),
    and exactly the given secrets."""
    statements = platform_statements(partition, region, account_id)
    if source_bundles_arn:
        statements.append(
            {
                "Sid": "ReadSourceBundles",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": source_bundles_arn,
            }
        )
    if read_s3_uri:
        statements += read_prefix_statements(partition, read_s3_uri)
    for sid, actions, resource in grants:
        statements.append(
            {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resource}
        )
    if worker_metrics:
        # PutMetricData has no resource-level permissions: "*" is the only valid resource.
        statements.append(
            {
                "Sid": "WorkerDaemonMetrics",
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
            }
        )
    return policy_document(*statements, *secret_statements(region, secret_arns))


def platform_statements(partition: str, region: str, account_id: str) -> list[Statement]:
    """What every EB Docker instance needs: its version and log buckets, log streaming,
    enhanced health, and pulling images from this account's ECR."""
    eb_buckets = f"arn:{partition}:s3:::elasticbeanstalk-{region}-{account_id}"
    eb = "elasticbeanstalk"
    return [
        {
            "Sid": "ApplicationVersionsAndLogBundles",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
            "Resource": [eb_buckets, f"{eb_buckets}/*"],
        },
        {
            "Sid": "StreamLogs",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:DescribeLogGroups",
            ],
            "Resource": arn(
                partition, "logs", region, account_id, "log-group:/aws/elasticbeanstalk*"
            ),
        },
        {
            "Sid": "EnhancedHealth",
            "Effect": "Allow",
            "Action": "elasticbeanstalk:PutInstanceStatistics",
            "Resource": [
                arn(partition, eb, region, account_id, "application/*"),
                arn(partition, eb, region, account_id, "environment/*"),
            ],
        },
        {
            "Sid": "PullImagesToken",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        {
            "Sid": "PullImages",
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            "Resource": arn(partition, "ecr", region, account_id, "repository/*"),
        },
    ]


def secret_statements(region: str, secret_arns: Sequence[str]) -> list[Statement]:
    """Read exactly these Secrets Manager secrets and SSM parameters, and decrypt them only
    through those two services."""
    secrets = sorted({arn for arn in secret_arns if ":secretsmanager:" in arn})
    parameters = sorted({arn for arn in secret_arns if ":ssm:" in arn})
    statements: list[Statement] = []
    if secrets:
        statements.append(
            {
                "Sid": "ReadOwnSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secrets,
            }
        )
    if parameters:
        statements.append(
            {
                "Sid": "ReadOwnParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                "Resource": parameters,
            }
        )
    if statements:
        via = [f"secretsmanager.{region}.amazonaws.com", f"ssm.{region}.amazonaws.com"]
        statements.append(
            {
                "Sid": "DecryptOwnSecrets",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": via}},
            }
        )
    return statements


def read_prefix_statements(partition: str, uri: str) -> list[Statement]:
    """s3:GetObject on `prefix/*` and s3:ListBucket limited to that prefix: nothing else."""
    if not uri.startswith("s3://"):
        raise ValueError(f"readable S3 location {uri!r} is not an s3://bucket/prefix URI")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    prefix = prefix.strip("/")
    objects = f"{prefix}/*" if prefix else "*"
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    return [
        {
            "Sid": "ReadModelRepository",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"{bucket_arn}/{objects}",
        },
        {
            "Sid": "ListModelRepository",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [prefix, objects] if prefix else ["*"]}},
        },
    ]
