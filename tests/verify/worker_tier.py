"""A worker tier for verify's tests: its queues made on moto's SQS (the work queue, its
dead-letter queue and another one a hand edit could redrive to), a worker instance, and the
Elastic Beanstalk answers for the worker environment queued on `botocore.stub.Stubber` (moto
does not implement `describe_environment_resources` or `describe_configuration_settings`),
healthy by default and drifted one field at a time (`WorkerDrift`). Used by
tests/verify/test_worker.py and test_worker_outputs.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.stub import Stubber

from tests.verify.account import ENV_NS, queue_described, queue_resources, queue_settings

WORKER_ENV = "webmodel-prod-worker"
WORKER_VERSION = "worker-3f9c2a1b"
SQSD_NS = "aws:elasticbeanstalk:sqsd"


@dataclass(frozen=True)
class WorkerDrift:
    """What is wrong with the worker tier; the defaults are a healthy one."""

    tier: str = "Worker"
    status: tuple[str, str] = ("Ready", "Green")
    version: str = WORKER_VERSION
    missing: bool = False
    sqsd_queue: str | None = None
    """The sqsd WorkerQueueURL; None: the stack's work queue."""
    visibility: str | None = "300"
    inactivity: str | None = "240"
    work_queue_sse: bool = True
    dlq_sse: bool = True
    redrive_to_other: bool = False
    max_receive_count: int = 5


@dataclass(frozen=True)
class Queues:
    work_url: str
    dlq_url: str
    dlq_arn: str
    other_arn: str


def build_queues(sqs: Any, drift: WorkerDrift) -> Queues:
    """The work queue (SSE-KMS with the AWS managed key), its DLQ (SSE-SQS) and another
    queue a hand edit could redrive to."""

    def create(name: str, attributes: dict[str, str]) -> tuple[str, str]:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return url, arn["Attributes"]["QueueArn"]

    dlq_sse = {"SqsManagedSseEnabled": str(drift.dlq_sse).lower()}
    dlq_url, dlq_arn = create("webmodel-prod-work-dlq", dlq_sse)
    _, other_arn = create("webmodel-prod-other", {"SqsManagedSseEnabled": "true"})
    redrive = {
        "deadLetterTargetArn": other_arn if drift.redrive_to_other else dlq_arn,
        "maxReceiveCount": drift.max_receive_count,
    }
    encryption = (
        {"KmsMasterKeyId": "alias/aws/sqs"}
        if drift.work_queue_sse
        else {"SqsManagedSseEnabled": "false"}
    )
    work_url, _ = create("webmodel-prod-work", {**encryption, "RedrivePolicy": json.dumps(redrive)})
    return Queues(work_url, dlq_url, dlq_arn, other_arn)


def launch_worker(ec2: Any, subnet: str) -> str:
    return str(
        ec2.run_instances(
            ImageId="ami-0123456789abcdef0",
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.small",
            SubnetId=subnet,
        )["Instances"][0]["InstanceId"]
    )


def add_worker_answers(stubber: Stubber, drift: WorkerDrift, instance: str, queues: Queues) -> None:
    """Queue the EB answers in the order verify asks for the worker environment."""
    tier_type = "SQS/HTTP" if drift.tier == "Worker" else "Standard"
    described = {
        "Status": drift.status[0],
        "Health": drift.status[1],
        "VersionLabel": drift.version,
        "Tier": {"Name": drift.tier, "Type": tier_type, "Version": "1.0"},
    }
    queue_described(stubber, WORKER_ENV, None if drift.missing else described)
    if drift.missing:
        return
    queue_resources(stubber, WORKER_ENV, [instance], [])
    sqsd = {
        "WorkerQueueURL": drift.sqsd_queue or queues.work_url,
        "HttpPath": "/work",
        "VisibilityTimeout": drift.visibility,
        "InactivityTimeout": drift.inactivity,
    }
    options = [
        {"Namespace": SQSD_NS, "OptionName": name, "Value": value}
        for name, value in sqsd.items()
        if value is not None
    ]
    options.append({"Namespace": ENV_NS, "OptionName": "APP_ENV", "Value": "prod"})
    queue_settings(stubber, WORKER_ENV, options)


def worker_outputs(queues: Queues) -> dict[str, str]:
    return {
        "workerEnvironmentName": WORKER_ENV,
        "workerVersionLabel": WORKER_VERSION,
        "workQueueUrl": queues.work_url,
        "deadLetterQueueUrl": queues.dlq_url,
    }
