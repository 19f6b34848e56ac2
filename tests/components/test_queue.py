"""components/queue.py: the WorkQueue's children under the simulated AWS account, exact inputs."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.queue import (
    BACKLOG_METRIC,
    DLQ_RETENTION_SECONDS,
    SQS_NAMESPACE,
    WorkQueue,
    WorkQueueArgs,
)
from tests import program_fixtures
from tests.program_fixtures import Recording, run

QUEUE = "aws:sqs/queue:Queue"
ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
POLICY = "aws:autoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ACCOUNT, REGION = "123456789012", "ap-northeast-2"
ASG = "awseb-e-abc123-stack-AWSEBAutoScalingGroup-XYZ"
KMS_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAGS = {"project": "webmodel", "stage": "dev"}


class SqsAwareRecording(Recording):
    """The simulated account, also shaping SQS queues and scaling policies as AWS names them."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        if args.typ == QUEUE:
            name = state.get("name") or f"{args.name}-0a1b2c3"
            url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
            state.update(name=name, url=url, arn=f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
            resource_id, state["id"] = url, url
        elif args.typ == POLICY:
            state["arn"] = (
                f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:{args.name}:"
                f"autoScalingGroupName/{state['autoscalingGroupName']}:policyName/{args.name}"
            )
        self.resources[-1] = type(self.resources[-1])(
            args.typ, args.name, dict(args.inputs), dict(state), resource_id
        )
        return resource_id, state


def run_with(
    recording: SqsAwareRecording, program: Callable[[], Mapping[str, pulumi.Input[Any]] | None]
) -> dict[str, Any]:
    """`program_fixtures.run` with this recording in place of its plain one."""
    original = program_fixtures.Recording
    program_fixtures.Recording = lambda: recording  # type: ignore[assignment,misc]
    try:
        return run(program).values
    finally:
        program_fixtures.Recording = original  # type: ignore[misc]


def queue_args(**change: Any) -> WorkQueueArgs:
    values: dict[str, Any] = {
        "autoscaling_group_name": ASG,
        "max_receive_count": 5,
        "visibility_timeout_seconds": 330,
        "processing_timeout_seconds": 300,
        "scale_out_backlog": 50,
        "scale_in_backlog": 0,
        "tags": TAGS,
    }
    return WorkQueueArgs(**{**values, **change})


def build(args: WorkQueueArgs) -> tuple[SqsAwareRecording, dict[str, Any]]:
    recording = SqsAwareRecording()

    def program() -> dict[str, pulumi.Input[Any]]:
        queue = WorkQueue("jobs", args)
        return {
            "queue_url": queue.queue_url,
            "queue_arn": queue.queue_arn,
            "queue_name": queue.queue_name,
            "dlq_arn": queue.dlq_arn,
            "dlq_url": queue.dlq_url,
            "scale_out": queue.scale_out_policy_arn,
            "scale_in": queue.scale_in_policy_arn,
        }

    return recording, run_with(recording, program)


def queue_url(name: str) -> str:
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def test_queue_and_dlq_are_encrypted_and_wired_by_a_redrive_policy():
    aws, values = build(queue_args())
    assert sorted((r.type, r.name) for r in aws.resources) == sorted(
        [
            ("webmodel:queue:WorkQueue", "jobs"),
            (QUEUE, "jobs"),
            (QUEUE, "jobs-dlq"),
            (ALLOW, "jobs-dlq-sources"),
            (POLICY, "jobs-scale-out"),
            (POLICY, "jobs-scale-in"),
            (ALARM, "jobs-backlog-high"),
            (ALARM, "jobs-backlog-low"),
        ]
    )
    queue, dlq = aws.one(QUEUE, "jobs"), aws.one(QUEUE, "jobs-dlq")
    dlq_name = dlq.state["name"]
    assert {k: v for k, v in queue.inputs.items() if k != "redrivePolicy"} == {
        "sqsManagedSseEnabled": True,
        "visibilityTimeoutSeconds": 330,
        "messageRetentionSeconds": 345600,
        "receiveWaitTimeSeconds": 20,
        "tags": {**TAGS, "webmodel:queue-part": "work"},
    }
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": queue_arn(dlq_name),
        "maxReceiveCount": 5,
    }
    assert dlq.inputs == {
        "sqsManagedSseEnabled": True,
        "messageRetentionSeconds": DLQ_RETENTION_SECONDS,
        "tags": {**TAGS, "webmodel:queue-part": "dead-letter"},
    }
    allow = aws.one(ALLOW)
    assert allow.inputs["queueUrl"] == queue_url(dlq_name)
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [queue_arn(queue.state["name"])],
    }
    assert values["queue_url"] == queue_url(queue.state["name"])
    assert values["queue_arn"] == queue_arn(queue.state["name"])
    assert values["queue_name"] == queue.state["name"]
    assert values["dlq_arn"] == queue_arn(dlq_name)
    assert values["dlq_url"] == queue_url(dlq_name)


def test_a_kms_key_replaces_sqs_managed_encryption_on_both_queues():
    aws, _ = build(queue_args(kms_master_key_id=KMS_KEY))
    for queue in aws.of_type(QUEUE):
        assert queue.inputs["kmsMasterKeyId"] == KMS_KEY
        assert "sqsManagedSseEnabled" not in queue.inputs


def test_backlog_alarms_drive_scaling_policies_on_the_environments_group():
    aws, values = build(queue_args(scale_out_step=2, cooldown_seconds=240, scale_in_periods=15))
    out, in_ = aws.one(POLICY, "jobs-scale-out"), aws.one(POLICY, "jobs-scale-in")
    assert out.inputs == {
        "autoscalingGroupName": ASG,
        "policyType": "SimpleScaling",
        "adjustmentType": "ChangeInCapacity",
        "scalingAdjustment": 2,
        "cooldown": 240,
    }
    assert in_.inputs == {**out.inputs, "scalingAdjustment": -1}
    assert values["scale_out"] == out.state["arn"]
    assert values["scale_in"] == in_.state["arn"]
    queue_name = aws.one(QUEUE, "jobs").state["name"]
    shared = {
        "namespace": SQS_NAMESPACE,
        "metricName": BACKLOG_METRIC,
        "dimensions": {"QueueName": queue_name},
        "statistic": "Maximum",
        "period": 60,
    }
    assert aws.one(ALARM, "jobs-backlog-high").inputs == {
        **shared,
        "alarmDescription": "50+ messages waiting: add 2 worker instance(s)",
        "evaluationPeriods": 2,
        "comparisonOperator": "GreaterThanOrEqualToThreshold",
        "threshold": 50,
        "treatMissingData": "notBreaching",
        "alarmActions": [out.state["arn"]],
        "tags": {**TAGS, "webmodel:queue-part": "scale-out-alarm"},
    }
    assert aws.one(ALARM, "jobs-backlog-low").inputs == {
        **shared,
        "alarmDescription": "at most 0 messages waiting: remove a worker instance",
        "evaluationPeriods": 15,
        "comparisonOperator": "LessThanOrEqualToThreshold",
        "threshold": 0,
        "treatMissingData": "breaching",
        "alarmActions": [in_.state["arn"]],
        "tags": {**TAGS, "webmodel:queue-part": "scale-in-alarm"},
    }


def test_the_group_name_can_be_an_output_of_the_environment():
    recording = SqsAwareRecording()

    def program() -> None:
        WorkQueue("jobs", queue_args(autoscaling_group_name=pulumi.Output.from_input(ASG)))

    run_with(recording, program)
    assert {p.inputs["autoscalingGroupName"] for p in recording.of_type(POLICY)} == {ASG}


VISIBILITY_KEY = "webmodel:worker.visibilityTimeoutSeconds"
PROCESSING_KEY = "webmodel:worker.processingTimeoutSeconds"


def overlap_message(vis: int, proc: int) -> str:
    return (
        f"{VISIBILITY_KEY}={vis} is not greater than {PROCESSING_KEY}={proc}: a message would "
        "reappear on the queue while its job still runs and another instance would run it "
        f"again; raise {VISIBILITY_KEY} above {proc} or lower {PROCESSING_KEY} below {vis}"
    )


def test_a_visibility_timeout_within_the_processing_timeout_names_both_keys():
    with pytest.raises(ValueError, match=r"^WorkQueueArgs: ") as info:
        queue_args(visibility_timeout_seconds=300, processing_timeout_seconds=300)
    assert str(info.value) == "WorkQueueArgs: " + overlap_message(300, 300)


def test_the_error_names_the_keys_the_caller_read_the_values_from():
    with pytest.raises(ValueError, match=r"^WorkQueueArgs: ") as info:
        queue_args(
            visibility_timeout_seconds=30,
            processing_timeout_seconds=60,
            visibility_timeout_key="webmodel:batch.visibility",
            processing_timeout_key="webmodel:batch.timeout",
        )
    assert str(info.value) == (
        "WorkQueueArgs: webmodel:batch.visibility=30 is not greater than "
        "webmodel:batch.timeout=60: a message would reappear on the queue while its job still "
        "runs and another instance would run it again; raise webmodel:batch.visibility above 60 "
        "or lower webmodel:batch.timeout below 30"
    )


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 43200), st.integers(1, 36000))
def test_visibility_must_exceed_processing_for_every_pair(vis: int, proc: int):
    if vis > proc:
        assert (
            queue_args(visibility_timeout_seconds=vis, processing_timeout_seconds=proc).problems()
            == []
        )
    else:
        with pytest.raises(ValueError, match=r"^WorkQueueArgs: ") as info:
            queue_args(visibility_timeout_seconds=vis, processing_timeout_seconds=proc)
        assert str(info.value) == "WorkQueueArgs: " + overlap_message(vis, proc)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError, match=r"^WorkQueueArgs: ") as info:
        queue_args(
            max_receive_count=0,
            visibility_timeout_seconds=50000,
            processing_timeout_seconds=0,
            scale_out_backlog=5,
            scale_in_backlog=5,
            scale_out_step=0,
            scale_out_periods=0,
            scale_in_periods=0,
            cooldown_seconds=-1,
            message_retention_seconds=30,
        )
    assert str(info.value).split("; ") == [
        "WorkQueueArgs: webmodel:worker.maxReceiveCount=0: use 1 to 1000 receives",
        f"{VISIBILITY_KEY}=50000: use 0 to 43200 seconds",
        f"{PROCESSING_KEY}=0: use 1 to 36000 seconds",
        "scale_out_backlog=5 is not above scale_in_backlog=5: both alarms would fire at once",
        "scale_out_step=0: use 1 or more",
        "scale_out_periods=0: use 1 or more",
        "scale_in_periods=0: use 1 or more",
        "cooldown_seconds=-1: use 0 or more seconds",
        "message_retention_seconds=30: use 60 to 1209600 seconds",
    ]


def test_a_negative_scale_in_backlog_is_refused():
    with pytest.raises(ValueError, match=r"^WorkQueueArgs: ") as info:
        queue_args(scale_in_backlog=-1)
    assert str(info.value) == "WorkQueueArgs: scale_in_backlog=-1: use 0 or more messages"


def test_args_are_keyword_only():
    with pytest.raises(TypeError, match="positional argument"):
        WorkQueueArgs(ASG, 5, 330, 300, 50, 0)  # type: ignore[call-arg]


def test_a_processing_timeout_beyond_sqsds_limit_is_refused():
    with pytest.raises(ValueError, match=r"^WorkQueueArgs: ") as info:
        queue_args(visibility_timeout_seconds=43200, processing_timeout_seconds=40000)
    assert str(info.value) == f"WorkQueueArgs: {PROCESSING_KEY}=40000: use 1 to 36000 seconds"
