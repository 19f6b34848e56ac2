"""The simulated account's answers for the worker tier's resources: SQS queues as AWS names
them (the URL is the queue's ID), the DLQ's redrive allow policy, scaling policies, alarms and
the DynamoDB table of processed messages.
Registered into simulated_aws's shapers; same contract (fill the state, return the ID)."""

from __future__ import annotations

from typing import Any

from preflight.simulate.naming import Account


def _queue(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    if not s.get("name"):
        suffix = ".fifo" if s.get("fifoQueue") else ""
        s["name"] = f"{name[: 80 - 8 - len(suffix)]}-{seed[-7:]}{suffix}"
    queue = str(s["name"])
    url = f"https://sqs.{aws.region}.amazonaws.com/{aws.account_id}/{queue}"
    s.update(url=url, arn=aws.arn("sqs", queue))
    s.setdefault("visibilityTimeoutSeconds", 30)
    s.setdefault("messageRetentionSeconds", 345600)
    return url


def _redrive_allow(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    return str(s.get("queueUrl") or "")


def _scaling_policy(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    group = s.get("autoscalingGroupName", "")
    s["arn"] = aws.arn(
        "autoscaling",
        f"scalingPolicy:{seed[:8]}-{seed[8:12]}-{seed[12:16]}-{seed[16:20]}-{seed[20:32]}:"
        f"autoScalingGroupName/{group}:policyName/{name}",
    )
    return name


def _alarm(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    alarm = s.get("name") or f"{name}-{seed[-7:]}"
    s.update(name=alarm, arn=aws.arn("cloudwatch", f"alarm:{alarm}"))
    return str(alarm)


def _table(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    table = s.get("name") or f"{name}-{seed[-7:]}"
    s.update(name=table, arn=aws.arn("dynamodb", f"table/{table}"))
    return str(table)


SHAPERS = {
    "aws:dynamodb/table:Table": _table,
    "aws:sqs/queue:Queue": _queue,
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": _redrive_allow,
    "aws:autoscaling/policy:Policy": _scaling_policy,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
}
