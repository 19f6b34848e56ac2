"""The worker tier on the real program (issue 13): what `webmodel:worker` adds, exactly, and
how the queue, the worker environment and the web tier are wired to each other."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from components.config import ROLES
from preflight.simulate.deployment import Deployment, SimResource
from preflight.simulate.run import ProgramError, simulate
from tests.program_fixtures import settings_map

ENV = "aws:elasticbeanstalk/environment:Environment"
QUEUE = "aws:sqs/queue:Queue"
POLICY = "aws:autoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TABLE = "aws:dynamodb/table:Table"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SQSD = "aws:elasticbeanstalk:sqsd"
ENV_NS = "aws:elasticbeanstalk:application:environment"
WORKER = {
    "minSize": 1,
    "maxSize": 4,
    "processingTimeoutSeconds": 120,
    "visibilityTimeoutSeconds": 150,
    "retryDelaySeconds": 45,
    "maxReceiveCount": 3,
    "messageRetentionSeconds": 86400,
    "httpConnections": 4,
    "scaleOutBacklog": 25,
    "scaleInBacklog": 2,
    "scaleOutStep": 3,
}


@cache
def dev(with_worker: bool) -> Deployment:
    overrides = {"webmodel:worker": dict(WORKER)} if with_worker else None
    return simulate("dev", config_overrides=overrides)


def role_env(d: Deployment, role: str) -> SimResource:
    (found,) = [r for r in d.of_type(ENV) if r.inputs["tags"]["role"] == role]
    return found


def options(resource: SimResource) -> dict[tuple[str, str], str]:
    return settings_map(resource.inputs["settings"])


def statements(d: Deployment, name: str) -> dict[str, dict[str, Any]]:
    policy = json.loads(d.get(ROLE_POLICY, name).inputs["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


def test_adding_webmodel_worker_to_dev_adds_exactly_the_worker_resources() -> None:
    without, with_ = dev(False), dev(True)
    before = {(r.type, r.name) for r in without.resources}
    after = {(r.type, r.name) for r in with_.resources}
    assert before <= after
    env_name = role_env(with_, "worker").name
    assert sorted(after - before) == sorted(
        [
            ("webmodel:queue:WorkQueue", "work-queue"),
            (QUEUE, "work-queue"),
            (QUEUE, "work-queue-dlq"),
            ("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "work-queue-dlq-sources"),
            (TABLE, "work-queue-processed"),
            (POLICY, "work-queue-scale-out"),
            (POLICY, "work-queue-scale-in"),
            (ALARM, "work-queue-backlog-high"),
            (ALARM, "work-queue-backlog-low"),
            ("webmodel:beanstalk:Environment", "worker"),
            ("aws:iam/role:Role", "worker-instance-role"),
            (ROLE_POLICY, "worker-instance-policy"),
            ("aws:iam/instanceProfile:InstanceProfile", "worker-instance-profile"),
            (ENV, env_name),
            ("aws:ec2/securityGroup:SecurityGroup", "security-worker-instances"),
            (
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "security-model-lb-80-from-worker",
            ),
            (
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "security-model-lb-443-from-worker",
            ),
            (
                "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
                "security-worker-instances-egress",
            ),
            ("aws:s3/bucketObjectv2:BucketObjectv2", "artifacts-worker-bundle"),
            (
                "aws:elasticbeanstalk/applicationVersion:ApplicationVersion",
                "artifacts-worker-version",
            ),
        ]
    )
    assert env_name == "webmodel-dev-worker"
    # What changes on resources both have: only the web tier, which may now enqueue.
    changed = sorted(
        r.name
        for r in with_.resources
        if (r.type, r.name) in before and r.inputs != without.get(r.type, r.name).inputs
    )
    assert changed == sorted([role_env(with_, "web").name, "web-instance-policy"])


def test_dev_without_a_worker_has_no_queue_and_no_worker_outputs() -> None:
    d = dev(False)
    assert d.of_type(QUEUE) == []
    assert [r.inputs["tier"] for r in d.of_type(ENV)] == ["WebServer", "WebServer"]
    assert not {"workQueueUrl", "workerEnvironmentName"} & set(d.outputs)
    assert (ENV_NS, "WORK_QUEUE_URL") not in options(role_env(d, "web"))


def test_the_worker_environment_is_a_worker_tier_fed_by_sqsd() -> None:
    d = dev(True)
    worker = role_env(d, "worker")
    queue = d.get(QUEUE, "work-queue")
    settings = options(worker)
    assert worker.inputs["tier"] == "Worker"
    assert {k: v for k, v in settings.items() if k[0] == SQSD} == {
        (SQSD, "WorkerQueueURL"): queue.outputs["url"],
        (SQSD, "HttpPath"): "/work",
        (SQSD, "MimeType"): "application/json",
        (SQSD, "HttpConnections"): "4",
        (SQSD, "ConnectTimeout"): "5",
        (SQSD, "InactivityTimeout"): "120",
        (SQSD, "VisibilityTimeout"): "150",
        (SQSD, "ErrorVisibilityTimeout"): "45",
        (SQSD, "RetentionPeriod"): "86400",
    }
    # No load balancer at all, instances private, IMDSv2 only.
    assert not [k for k in settings if "elb" in k[0].lower() or k[1].startswith("ELB")]
    assert ("aws:elasticbeanstalk:environment", "LoadBalancerType") not in settings
    assert settings[("aws:ec2:vpc", "AssociatePublicIpAddress")] == "false"
    assert settings[("aws:ec2:vpc", "Subnets")] == ",".join(d.outputs["privateSubnetIds"])
    assert settings[("aws:autoscaling:launchconfiguration", "DisableIMDSv1")] == "true"
    assert (
        settings[("aws:autoscaling:asg", "MinSize")],
        settings[("aws:autoscaling:asg", "MaxSize")],
    ) == ("1", "4")
    # EB's own trigger can never fire: the backlog alarms scale the worker.
    assert settings[("aws:autoscaling:trigger", "LowerThreshold")] == "0"
    assert settings[("aws:autoscaling:trigger", "UpperThreshold")] == "100"
    table = d.get(TABLE, "work-queue-processed")
    assert settings[(ENV_NS, "WORKER_IDEMPOTENCY_TABLE")] == table.outputs["name"]
    assert settings[(ENV_NS, "WORKER_IDEMPOTENCY_LEASE_SECONDS")] == "120"
    assert settings[(ENV_NS, "AWS_DEFAULT_REGION")] == "ap-northeast-2"
    assert settings[(ENV_NS, "MODEL_URL")] == d.outputs["modelInternalUrl"]
    assert worker.inputs["version"] == d.outputs["workerVersionLabel"]
    # its own security group, which admits nothing
    group_id = settings[("aws:autoscaling:launchconfiguration", "SecurityGroups")]
    group = d.get("aws:ec2/securityGroup:SecurityGroup", "security-worker-instances")
    assert group_id == group.outputs["id"]
    ingress = d.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert [r.name for r in ingress if r.inputs["securityGroupId"] == group_id] == []


def test_the_queue_is_encrypted_and_dead_letters_after_max_receive_count() -> None:
    d = dev(True)
    queue, dlq = d.get(QUEUE, "work-queue"), d.get(QUEUE, "work-queue-dlq")
    assert queue.inputs["sqsManagedSseEnabled"] is True
    assert dlq.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["visibilityTimeoutSeconds"] == 150
    assert queue.inputs["messageRetentionSeconds"] == 86400
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dlq.outputs["arn"],
        "maxReceiveCount": 3,
    }
    table = d.get(TABLE, "work-queue-processed")
    assert table.inputs["hashKey"] == "key"
    assert table.inputs["ttl"] == {"attributeName": "expires_at", "enabled": True}
    assert table.inputs["serverSideEncryption"] == {"enabled": True}
    assert d.outputs["workQueueUrl"] == queue.outputs["url"]
    assert d.outputs["deadLetterQueueUrl"] == dlq.outputs["url"]


def test_backlog_alarms_scale_the_worker_environments_group() -> None:
    d = dev(True)
    group = role_env(d, "worker").outputs["autoscalingGroups"][0]
    out, in_ = d.get(POLICY, "work-queue-scale-out"), d.get(POLICY, "work-queue-scale-in")
    assert (out.inputs["autoscalingGroupName"], in_.inputs["autoscalingGroupName"]) == (
        group,
        group,
    )
    assert (out.inputs["scalingAdjustment"], in_.inputs["scalingAdjustment"]) == (3, -1)
    high, low = d.get(ALARM, "work-queue-backlog-high"), d.get(ALARM, "work-queue-backlog-low")
    queue_name = d.get(QUEUE, "work-queue").outputs["name"]
    assert high.inputs["dimensions"] == low.inputs["dimensions"] == {"QueueName": queue_name}
    assert (high.inputs["threshold"], high.inputs["comparisonOperator"]) == (
        25,
        "GreaterThanOrEqualToThreshold",
    )
    assert (low.inputs["threshold"], low.inputs["comparisonOperator"]) == (
        2,
        "LessThanOrEqualToThreshold",
    )
    assert high.inputs["alarmActions"] == [out.outputs["arn"]]
    assert low.inputs["alarmActions"] == [in_.outputs["arn"]]


def test_the_web_tier_may_send_to_that_queue_only_and_gets_its_url() -> None:
    d = dev(True)
    queue = d.get(QUEUE, "work-queue")
    web = statements(d, "web-instance-policy")
    assert web["SendToWorkQueue"] == {
        "Sid": "SendToWorkQueue",
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": queue.outputs["arn"],
    }
    sqs_statements = [s for s in web.values() if "sqs:" in json.dumps(s["Action"])]
    assert sqs_statements == [web["SendToWorkQueue"]]
    assert options(role_env(d, "web"))[(ENV_NS, "WORK_QUEUE_URL")] == queue.outputs["url"]
    worker = statements(d, "worker-instance-policy")
    assert worker["ConsumeOwnQueue"]["Resource"] == queue.outputs["arn"]
    assert worker["ConsumeOwnQueue"]["Action"] == [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:ReceiveMessage",
    ]
    table = d.get(TABLE, "work-queue-processed")
    assert worker["RecordProcessedMessages"]["Resource"] == table.outputs["arn"]
    assert "SendToWorkQueue" not in worker


def test_the_queue_url_is_inside_the_web_budget_reservation() -> None:
    url = dev(True).outputs["workQueueUrl"]
    assert len(url.encode()) <= ROLES["web"].program_properties["WORK_QUEUE_URL"]


@pytest.mark.parametrize(
    ("worker", "fragment"),
    [
        (
            {"visibilityTimeoutSeconds": 60, "processingTimeoutSeconds": 60},
            "webmodel:worker.visibilityTimeoutSeconds=60 is not greater than "
            "webmodel:worker.processingTimeoutSeconds=60",
        ),
        ({"certificateArn": None}, "webmodel:worker.certificateArn: unknown key"),
        ({"env": {"WORKER_IDEMPOTENCY_TABLE": "x"}}, "is set by the program itself"),
    ],
)
def test_a_broken_worker_config_stops_the_program_naming_the_key(
    worker: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ProgramError) as info:
        simulate("dev", config_overrides={"webmodel:worker": worker})
    assert fragment in str(info.value)
