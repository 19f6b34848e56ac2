"""The worker tier's job queue: an encrypted SQS queue, its dead-letter queue, and scaling on depth.

    producers --SendMessage--> queue --(sqsd on each worker instance)--> POST /work
                                 \\--after max_receive_count failed receives--> DLQ

Both queues are encrypted at rest (SSE-SQS by default, a KMS key when given). The queue's
visibility timeout must outlast the worker's processing timeout (sqsd's InactivityTimeout):
otherwise a message reappears while its job still runs and a second instance receives it. sqsd
sets its own ``VisibilityTimeout`` option on every receive, overriding the queue's default, so
the environment's ``aws:elasticbeanstalk:sqsd`` VisibilityTimeout must carry the same
``visibility_timeout_seconds`` (and InactivityTimeout the ``processing_timeout_seconds``).

Scaling follows the backlog, not CPU: a CloudWatch alarm pair on the queue's
``ApproximateNumberOfMessagesVisible`` drives two simple scaling policies on the worker
environment's Auto Scaling group. That group belongs to Elastic Beanstalk, so this component only
takes its name (an Output of the environment) and attaches the policies to it; min and max size
stay the environment's ``aws:autoscaling:asg`` options.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
from awsfacts.eb import MAX_INACTIVITY_SECONDS
from awsfacts.sqs import (
    MAX_RECEIVE_COUNT,
    MAX_RETENTION_SECONDS,
    MAX_VISIBILITY_SECONDS,
    MIN_RETENTION_SECONDS,
)

from components.base import Component
from components.rules import visibility_problem

SQS_NAMESPACE = "AWS/SQS"
BACKLOG_METRIC = "ApproximateNumberOfMessagesVisible"
DLQ_RETENTION_SECONDS = MAX_RETENTION_SECONDS
"""A dead-lettered message keeps its original enqueue time, so the DLQ keeps the maximum."""


@dataclass(frozen=True, kw_only=True)
class WorkQueueArgs:
    """Inputs of `WorkQueue`. Every problem is reported at construction, all at once."""

    autoscaling_group_name: pulumi.Input[str] | None = None
    """The worker environment's Auto Scaling group (EB's), which the scaling policies act on.
    None when the environment is built after the queue (it needs the queue's URL): then call
    `scale_on_backlog` with the group once the environment exists."""
    max_receive_count: int
    """Receives before SQS moves a message to the DLQ (1 to 1000)."""
    visibility_timeout_seconds: int
    """How long a received message stays hidden; must exceed `processing_timeout_seconds`."""
    processing_timeout_seconds: int
    """How long the worker may take over one message (sqsd's InactivityTimeout, 1 to 36000)."""
    scale_out_backlog: int
    """Visible messages at or above which the group grows by `scale_out_step` instances."""
    scale_in_backlog: int
    """Visible messages at or below which the group shrinks by one; below `scale_out_backlog`."""
    scale_out_step: int = 1
    """Instances added per scale-out alarm."""
    scale_out_periods: int = 2
    """Consecutive one-minute periods above the threshold before scaling out."""
    scale_in_periods: int = 10
    """Consecutive one-minute periods at or below the threshold before scaling in."""
    cooldown_seconds: int = 300
    """Wait after a scaling activity before the next one (a new instance's boot time)."""
    message_retention_seconds: int = 345600
    """How long an unprocessed message waits on the queue (60 s to 14 days; SQS default 4 days)."""
    idempotency_table: bool = False
    """Also a DynamoDB table (partition key `key`, TTL on `expires_at`) where the workers
    record the messages they processed, so a message delivered twice, to any instance, runs
    once (apps/worker's DynamoStore)."""
    kms_master_key_id: pulumi.Input[str] | None = None
    """Encrypt with this KMS key (SSE-KMS) instead of SQS-managed keys (SSE-SQS)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Merged into every child's tags."""
    visibility_timeout_key: str = "webmodel:worker.visibilityTimeoutSeconds"
    """How error messages name `visibility_timeout_seconds` (the config key it came from)."""
    processing_timeout_key: str = "webmodel:worker.processingTimeoutSeconds"
    """How error messages name `processing_timeout_seconds`."""
    max_receive_count_key: str = "webmodel:worker.maxReceiveCount"
    """How error messages name `max_receive_count`."""

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("WorkQueueArgs: " + "; ".join(problems))

    def problems(self) -> list[str]:
        problems: list[str] = []
        vis, vis_key = self.visibility_timeout_seconds, self.visibility_timeout_key
        proc, proc_key = self.processing_timeout_seconds, self.processing_timeout_key
        if not 1 <= self.max_receive_count <= MAX_RECEIVE_COUNT:
            problems.append(
                f"{self.max_receive_count_key}={self.max_receive_count}: use 1 to "
                f"{MAX_RECEIVE_COUNT} receives"
            )
        if not 0 <= vis <= MAX_VISIBILITY_SECONDS:
            problems.append(f"{vis_key}={vis}: use 0 to {MAX_VISIBILITY_SECONDS} seconds")
        if not 1 <= proc <= MAX_INACTIVITY_SECONDS:
            problems.append(f"{proc_key}={proc}: use 1 to {MAX_INACTIVITY_SECONDS} seconds")
        timing = visibility_problem(vis, proc, vis_key, proc_key)
        if timing:
            problems.append(timing)
        if self.scale_in_backlog < 0:
            problems.append(f"scale_in_backlog={self.scale_in_backlog}: use 0 or more messages")
        if self.scale_out_backlog <= self.scale_in_backlog:
            problems.append(
                f"scale_out_backlog={self.scale_out_backlog} is not above "
                f"scale_in_backlog={self.scale_in_backlog}: both alarms would fire at once"
            )
        for label, value in (
            ("scale_out_step", self.scale_out_step),
            ("scale_out_periods", self.scale_out_periods),
            ("scale_in_periods", self.scale_in_periods),
        ):
            if value < 1:
                problems.append(f"{label}={value}: use 1 or more")
        if self.cooldown_seconds < 0:
            problems.append(f"cooldown_seconds={self.cooldown_seconds}: use 0 or more seconds")
        retention = self.message_retention_seconds
        if not MIN_RETENTION_SECONDS <= retention <= MAX_RETENTION_SECONDS:
            problems.append(
                f"message_retention_seconds={retention}: use {MIN_RETENTION_SECONDS} to "
                f"{MAX_RETENTION_SECONDS} seconds"
            )
        return problems


class WorkQueue(Component):
    """The queue, its DLQ (only this queue may use it), and the backlog alarms and policies.

    Outputs: `queue_url`, `queue_arn`, `queue_name`, `dlq_arn`, `dlq_url`, with
    `idempotency_table` its `idempotency_table_name` and `idempotency_table_arn`, and once
    scaling is attached `scale_out_policy_arn`, `scale_in_policy_arn`.
    """

    type_token = "webmodel:queue:WorkQueue"
    queue_url: pulumi.Output[str]
    queue_arn: pulumi.Output[str]
    queue_name: pulumi.Output[str]
    dlq_arn: pulumi.Output[str]
    dlq_url: pulumi.Output[str]
    idempotency_table_name: pulumi.Output[str] | None
    idempotency_table_arn: pulumi.Output[str] | None
    scale_out_policy_arn: pulumi.Output[str] | None
    scale_in_policy_arn: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: WorkQueueArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, opts)
        self._name, self._args = name, args
        queue, dlq = self._queues()
        table = self._idempotency_table() if args.idempotency_table else None

        self.queue_url = queue.url
        self.queue_arn = queue.arn
        self.queue_name = queue.name
        self.dlq_arn = dlq.arn
        self.dlq_url = dlq.url
        self.idempotency_table_name = table.name if table else None
        self.idempotency_table_arn = table.arn if table else None
        self.scale_out_policy_arn = self.scale_in_policy_arn = None
        if args.autoscaling_group_name is not None:
            self.scale_on_backlog(args.autoscaling_group_name)
        self.register_outputs(
            {
                "queue_url": self.queue_url,
                "queue_arn": self.queue_arn,
                "queue_name": self.queue_name,
                "dlq_arn": self.dlq_arn,
                "dlq_url": self.dlq_url,
            }
        )

    def _tags(self, part: str) -> dict[str, str]:
        return {**self._args.tags, "webmodel:queue-part": part}

    def _queues(self) -> tuple[aws.sqs.Queue, aws.sqs.Queue]:
        """The work queue and its dead-letter queue, both encrypted; only this queue may
        dead-letter into the DLQ."""
        name, args = self._name, self._args
        encryption: dict[str, Any] = (
            {"kms_master_key_id": args.kms_master_key_id}
            if args.kms_master_key_id is not None
            else {"sqs_managed_sse_enabled": True}
        )
        dlq = aws.sqs.Queue(
            f"{name}-dlq",
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags=self._tags("dead-letter"),
            opts=self.child_opts,
            **encryption,
        )
        queue = aws.sqs.Queue(
            name,
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            message_retention_seconds=args.message_retention_seconds,
            receive_wait_time_seconds=20,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": args.max_receive_count}
            ),
            tags=self._tags("work"),
            opts=self.child_opts,
            **encryption,
        )
        aws.sqs.RedriveAllowPolicy(
            f"{name}-dlq-sources",
            queue_url=dlq.url,
            redrive_allow_policy=pulumi.Output.json_dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]}
            ),
            opts=self.child_opts,
        )
        return queue, dlq

    def _idempotency_table(self) -> aws.dynamodb.Table:
        """Where the workers record the messages they processed (key, TTL on expires_at)."""
        return aws.dynamodb.Table(
            f"{self._name}-processed",
            billing_mode="PAY_PER_REQUEST",
            hash_key="key",
            attributes=[aws.dynamodb.TableAttributeArgs(name="key", type="S")],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="expires_at", enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            tags=self._tags("processed-messages"),
            opts=self.child_opts,
        )

    def scale_on_backlog(self, autoscaling_group_name: pulumi.Input[str]) -> None:
        """The alarm pair on the queue's visible messages and the two simple scaling policies
        they drive on `autoscaling_group_name` (children of this component)."""
        if self.scale_out_policy_arn is not None:
            raise ValueError(f"WorkQueue {self._name}: its backlog scaling is already attached")
        args = self._args
        scale_out = self._policy("scale-out", autoscaling_group_name, args.scale_out_step)
        scale_in = self._policy("scale-in", autoscaling_group_name, -1)
        self._backlog_alarm(
            "high",
            f"{args.scale_out_backlog}+ messages waiting: add {args.scale_out_step} "
            "worker instance(s)",
            ("GreaterThanOrEqualToThreshold", args.scale_out_backlog, args.scale_out_periods),
            missing="notBreaching",
            action=scale_out,
        )
        self._backlog_alarm(
            "low",
            f"at most {args.scale_in_backlog} messages waiting: remove a worker instance",
            ("LessThanOrEqualToThreshold", args.scale_in_backlog, args.scale_in_periods),
            # SQS stops publishing metrics for a queue that stays idle: nothing to do.
            missing="breaching",
            action=scale_in,
        )
        self.scale_out_policy_arn = scale_out.arn
        self.scale_in_policy_arn = scale_in.arn

    def _policy(
        self, label: str, autoscaling_group_name: pulumi.Input[str], adjustment: int
    ) -> aws.autoscaling.Policy:
        """A simple scaling policy changing the group's capacity by `adjustment`."""
        return aws.autoscaling.Policy(
            f"{self._name}-{label}",
            autoscaling_group_name=autoscaling_group_name,
            policy_type="SimpleScaling",
            adjustment_type="ChangeInCapacity",
            scaling_adjustment=adjustment,
            cooldown=self._args.cooldown_seconds,
            opts=self.child_opts,
        )

    def _backlog_alarm(
        self,
        level: str,
        description: str,
        when: tuple[str, int, int],
        *,
        missing: str,
        action: aws.autoscaling.Policy,
    ) -> None:
        """An alarm on the queue's visible messages (one-minute maxima): `when` is the
        comparison, the threshold and how many periods in a row; it runs `action`."""
        comparison, threshold, periods = when
        aws.cloudwatch.MetricAlarm(
            f"{self._name}-backlog-{level}",
            alarm_description=description,
            namespace=SQS_NAMESPACE,
            metric_name=BACKLOG_METRIC,
            dimensions={"QueueName": self.queue_name},
            statistic="Maximum",
            period=60,
            evaluation_periods=periods,
            comparison_operator=comparison,
            threshold=threshold,
            treat_missing_data=missing,
            alarm_actions=[action.arn],
            tags=self._tags(f"scale-{'out' if level == 'high' else 'in'}-alarm"),
            opts=self.child_opts,
        )
