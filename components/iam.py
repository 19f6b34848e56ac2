"""IAM policy documents the components share, built as JSON strings (no resources)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def trust_policy(service: str, condition: Mapping[str, Any] | None = None) -> str:
    """A role trust policy letting one AWS service principal assume the role."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = dict(condition)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy_document(*statements: Mapping[str, Any]) -> str:
    """An identity policy from its statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": [dict(s) for s in statements]})


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
    """Least privilege for an EB Docker instance: the parts of AWSElasticBeanstalkWebTier it
    uses, scoped to this account and region, ECR pulls, exactly the given secrets, read access
    to exactly one S3 prefix when given (the model repository), each grant `(sid, actions,
    resource)` on exactly its resource, and for a worker sqsd's metrics (the part of
    AWSElasticBeanstalkWorkerTier it uses besides its queue, which comes as a grant)."""
    eb_buckets = f"arn:{partition}:s3:::elasticbeanstalk-{region}-{account_id}"
    statements: list[dict[str, object]] = [
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
            "Resource": (
                f"arn:{partition}:logs:{region}:{account_id}:log-group:/aws/elasticbeanstalk*"
            ),
        },
        {
            "Sid": "EnhancedHealth",
            "Effect": "Allow",
            "Action": "elasticbeanstalk:PutInstanceStatistics",
            "Resource": [
                f"arn:{partition}:elasticbeanstalk:{region}:{account_id}:application/*",
                f"arn:{partition}:elasticbeanstalk:{region}:{account_id}:environment/*",
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
            "Resource": f"arn:{partition}:ecr:{region}:{account_id}:repository/*",
        },
    ]
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
    secrets = sorted({arn for arn in secret_arns if ":secretsmanager:" in arn})
    parameters = sorted({arn for arn in secret_arns if ":ssm:" in arn})
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
    if secrets or parameters:
        statements.append(
            {
                "Sid": "DecryptOwnSecrets",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": [
                            f"secretsmanager.{region}.amazonaws.com",
                            f"ssm.{region}.amazonaws.com",
                        ]
                    }
                },
            }
        )
    return policy_document(*statements)


def read_prefix_statements(partition: str, uri: str) -> list[dict[str, object]]:
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
