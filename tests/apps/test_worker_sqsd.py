"""apps/worker behind an emulation of EB's sqsd (receive, POST with its headers, delete on 200)
against moto's SQS, with a dead-letter queue after three receives: a poison message lands in
the dead-letter queue, a malformed one is dead-lettered without running, a transient failure
is retried and a job enqueued twice runs once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from tests.apps.worker_support import JOB, REGION, Recorder, client_for, sqsd_headers

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


# --- an sqsd emulation against moto's SQS --------------------------------------------------------


class Sqsd:
    """What EB's sqsd does, reduced: receive, POST the body with its headers, delete on 200."""

    def __init__(self, sqs: Any, queue_url: str, client: TestClient) -> None:
        self.sqs, self.queue_url, self.client = sqs, queue_url, client
        self.receives = 0

    def poll(self) -> int:
        """One receive; returns how many messages it got."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        ).get("Messages", [])
        for message in messages:
            self.receives += 1
            response = self.client.post(
                "/work",
                content=message["Body"],
                headers=sqsd_headers(
                    message["MessageId"], int(message["Attributes"]["ApproximateReceiveCount"])
                ),
            )
            if response.status_code == 200:
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return len(messages)

    def drain(self, polls: int = 20) -> None:
        for _ in range(polls):
            self.poll()


MAX_RECEIVES = 3


@pytest.fixture
def queues(monkeypatch) -> Iterator[tuple[Any, str, str]]:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        dlq = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES}
        work = sqs.create_queue(
            QueueName="work",
            Attributes={"VisibilityTimeout": "0", "RedrivePolicy": json.dumps(redrive)},
        )["QueueUrl"]
        yield sqs, work, dlq


def bodies(sqs: Any, url: str) -> list[str]:
    found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [m["Body"] for m in found]


def test_a_poison_message_lands_in_the_dlq_after_max_receive_count(queues):
    sqs, work, dlq = queues
    task = Recorder(failures=10**6)
    with client_for(task) as client:
        sqs.send_message(QueueUrl=work, MessageBody=JOB)
        sqsd = Sqsd(sqs, work, client)
        sqsd.drain()
    assert sqsd.receives == MAX_RECEIVES
    assert [d.receive_count for _, d in task.calls] == [1, 2, 3]
    assert bodies(sqs, work) == []
    assert bodies(sqs, dlq) == [JOB]


def test_a_malformed_message_is_dead_lettered_without_running(queues):
    sqs, work, dlq = queues
    task = Recorder()
    with client_for(task) as client:
        sqs.send_message(QueueUrl=work, MessageBody="{not json")
        Sqsd(sqs, work, client).drain()
    assert task.calls == []
    assert bodies(sqs, dlq) == ["{not json"]


def test_transient_failures_are_retried_and_duplicates_run_once(queues):
    sqs, work, dlq = queues
    task = Recorder(failures=1)
    job = json.dumps({"task": "render", "payload": {"n": 1}, "idempotency_key": "n-1"})
    with client_for(task) as client:
        sqs.send_message(QueueUrl=work, MessageBody=job)
        sqs.send_message(QueueUrl=work, MessageBody=job)  # the producer enqueued it twice
        Sqsd(sqs, work, client).drain()
    # Whichever copy came first failed once; one run succeeded; the other copy was a duplicate.
    assert len(task.calls) == 2
    assert {d.key for _, d in task.calls} == {"render:n-1"}
    assert bodies(sqs, work) == []
    assert bodies(sqs, dlq) == []
