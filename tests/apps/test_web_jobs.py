"""apps/web's POST /jobs: the web tier enqueues work for the worker tier on the stack's queue,
in exactly the shape the worker's POST /work runs (moto's SQS in process, botocore's Stubber)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from starlette.exceptions import StarletteDeprecationWarning

from apps.web.webapp.jobs import MAX_MESSAGE_BYTES, queue_region
from apps.web.webapp.main import create_app
from apps.web.webapp.settings import Settings, SettingsError
from apps.worker.workerapp.idempotency import MemoryStore
from apps.worker.workerapp.main import create_app as create_worker
from apps.worker.workerapp.settings import Settings as WorkerSettings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

REGION = "ap-northeast-2"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/123456789012/work-queue-19b7866"


@pytest.fixture
def queue() -> Iterator[tuple[Any, str]]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="work-queue-19b7866")["QueueUrl"]
        yield sqs, url


def web(queue_url: str | None, sqs: Any = None) -> TestClient:
    settings = Settings(model_url="http://model.internal", work_queue_url=queue_url)
    return TestClient(create_app(settings, sqs=sqs))


def test_work_queue_url_is_read_from_the_property_the_program_sets() -> None:
    env = {"MODEL_URL": "http://model.internal", "WORK_QUEUE_URL": QUEUE_URL}
    assert Settings.from_env(env).work_queue_url == QUEUE_URL
    assert Settings.from_env({"MODEL_URL": "http://m"}).work_queue_url is None
    assert queue_region(QUEUE_URL) == REGION
    with pytest.raises(SettingsError, match=r"^WORK_QUEUE_URL='http://x': use an SQS queue URL"):
        Settings.from_env({"MODEL_URL": "http://m", "WORK_QUEUE_URL": "http://x"})


def test_a_job_is_one_message_that_the_worker_runs_once(queue: tuple[Any, str]) -> None:
    sqs, url = queue
    job = {"task": "record", "payload": {"order": 42}, "idempotency_key": "order-42"}
    with web(url, sqs) as client:
        answer = client.post("/jobs", json=job)
    assert answer.status_code == 202
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["MessageId"] for m in messages] == [answer.json()["message_id"]]
    body = messages[0]["Body"]
    assert body == '{"task":"record","payload":{"order":42},"idempotency_key":"order-42"}'
    # the worker's sqsd would POST this body to /work: it runs, and a redelivery does not
    with TestClient(create_worker(WorkerSettings(), MemoryStore())) as worker:
        headers = {"X-Aws-Sqsd-Msgid": messages[0]["MessageId"], "X-Aws-Sqsd-Receive-Count": "1"}
        first = worker.post("/work", content=body, headers=headers)
        again = worker.post("/work", content=body, headers=headers)
    assert (first.status_code, first.json()["status"]) == (200, "done")
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")


def test_without_a_worker_tier_jobs_answer_503() -> None:
    with web(None) as client:
        answer = client.post("/jobs", json={"task": "record"})
    assert answer.status_code == 503
    assert answer.json() == {"detail": "this stack has no worker tier (WORK_QUEUE_URL is not set)"}


@pytest.mark.parametrize(
    "job",
    [
        {},
        {"task": "Bad Task"},
        {"task": "record", "payload": [1]},
        {"task": "r", "idempotency_key": ""},
    ],
)
def test_a_malformed_job_is_422_and_never_sent(job: dict[str, Any]) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    with Stubber(sqs) as stub, web(QUEUE_URL, sqs) as client:
        assert client.post("/jobs", json=job).status_code == 422
        stub.assert_no_pending_responses()


def test_a_refused_message_is_502_naming_the_error_code() -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    with Stubber(sqs) as stub, web(QUEUE_URL, sqs) as client:
        stub.add_client_error(
            "send_message", service_error_code="AccessDenied", http_status_code=403
        )
        answer = client.post("/jobs", json={"task": "record"})
    assert answer.status_code == 502
    assert answer.json() == {"detail": "the work queue refused the job (AccessDenied)"}


def test_a_job_over_the_sqs_limit_is_413_and_never_sent() -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    big = {"task": "record", "payload": {"blob": "x" * MAX_MESSAGE_BYTES}}
    with Stubber(sqs) as stub, web(QUEUE_URL, sqs) as client:
        answer = client.post("/jobs", json=big)
        stub.assert_no_pending_responses()
    assert answer.status_code == 413
    assert answer.json() == {"detail": "the job is over SQS's 262,144-byte limit"}
