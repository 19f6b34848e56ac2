"""apps/worker: settings, idempotency stores, /work's answers, an sqsd loop on moto's SQS."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from starlette.exceptions import StarletteDeprecationWarning

from applogs import UVICORN_LOGGERS, JsonFormatter
from apps.worker.workerapp.idempotency import (
    Claim,
    DynamoStore,
    IdempotencyStore,
    MemoryStore,
    StoreError,
)
from apps.worker.workerapp.main import DEFAULT_TASKS, Delivery, create_app, default_store
from apps.worker.workerapp.settings import Settings, SettingsError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

REGION = "ap-northeast-2"
TABLE = "webmodel-dev-worker-jobs"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A task that records its calls and fails the first `failures` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.calls: list[tuple[dict[str, Any], Delivery]] = []
        self.failures = failures

    def __call__(self, payload: Mapping[str, Any], delivery: Delivery) -> None:
        self.calls.append((dict(payload), delivery))
        if len(self.calls) <= self.failures:
            raise RuntimeError("downstream unavailable")


def client_for(task: Recorder, store: IdempotencyStore | None = None) -> TestClient:
    app = create_app(Settings(), store if store is not None else MemoryStore(), {"render": task})
    return TestClient(app)


def sqsd_headers(message_id: str, receive_count: int = 1) -> dict[str, str]:
    return {
        "X-Aws-Sqsd-Msgid": message_id,
        "X-Aws-Sqsd-Receive-Count": str(receive_count),
        "X-Aws-Sqsd-Queue": "webmodel-dev-work",
        "User-Agent": "aws-sqsd/3.0.4",
        "Content-Type": "application/json",
    }


JOB = json.dumps({"task": "render", "payload": {"report": 7}})


# --- settings ---------------------------------------------------------------------------------


def test_settings_defaults_and_full_environment():
    assert Settings.from_env({}) == Settings(None, 300, 4, None, "INFO", "dev")
    assert Settings.from_env(
        {
            "WORKER_IDEMPOTENCY_TABLE": TABLE,
            "WORKER_IDEMPOTENCY_LEASE_SECONDS": "900",
            "WORKER_IDEMPOTENCY_RETENTION_DAYS": "14",
            "AWS_REGION": REGION,
            "LOG_LEVEL": "debug",
            "APP_ENV": "prod",
        }
    ) == Settings(TABLE, 900, 14, REGION, "DEBUG", "prod")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"WORKER_IDEMPOTENCY_TABLE": "jobs table"},
            "WORKER_IDEMPOTENCY_TABLE='jobs table': use a DynamoDB table name "
            "(3-255 letters, digits, '_', '-', '.')",
        ),
        (
            {"WORKER_IDEMPOTENCY_LEASE_SECONDS": "0"},
            "WORKER_IDEMPOTENCY_LEASE_SECONDS='0': use a whole number from 1 to 43200",
        ),
        (
            {"WORKER_IDEMPOTENCY_LEASE_SECONDS": "5m"},
            "WORKER_IDEMPOTENCY_LEASE_SECONDS='5m': use a whole number from 1 to 43200",
        ),
        (
            {"WORKER_IDEMPOTENCY_RETENTION_DAYS": "15"},
            "WORKER_IDEMPOTENCY_RETENTION_DAYS='15': use a whole number from 1 to 14",
        ),
    ],
)
def test_bad_settings_fail_with_one_line_naming_the_property(env, message):
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    assert str(info.value) == message


# --- the idempotency stores: one contract, both implementations --------------------------------


def create_table(client: Any) -> None:
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture(params=["memory", "dynamodb"])
def store_and_clock(request, monkeypatch) -> Iterator[tuple[IdempotencyStore, Clock]]:
    clock = Clock()
    if request.param == "memory":
        yield MemoryStore(clock), clock
        return
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client)
        yield DynamoStore(client, TABLE, clock), clock


def test_store_claims_once_then_reports_done(store_and_clock):
    store, _ = store_and_clock
    assert store.claim("sqs:m1", 60) is Claim.NEW
    assert store.claim("sqs:m1", 60) is Claim.BUSY
    assert store.claim("sqs:m2", 60) is Claim.NEW
    store.complete("sqs:m1", 3600)
    assert store.claim("sqs:m1", 60) is Claim.DONE


def test_store_release_lets_the_retry_run(store_and_clock):
    store, _ = store_and_clock
    assert store.claim("k", 60) is Claim.NEW
    store.release("k")
    assert store.claim("k", 60) is Claim.NEW


def test_store_release_never_forgets_a_done_job(store_and_clock):
    store, _ = store_and_clock
    store.claim("k", 60)
    store.complete("k", 3600)
    store.release("k")
    assert store.claim("k", 60) is Claim.DONE


def test_store_expired_lease_and_expired_record_are_claimable(store_and_clock):
    store, clock = store_and_clock
    assert store.claim("crashed", 60) is Claim.NEW
    clock.now += 59
    assert store.claim("crashed", 60) is Claim.BUSY
    clock.now += 2
    assert store.claim("crashed", 60) is Claim.NEW  # the first process died mid-job
    store.complete("crashed", 3600)
    clock.now += 3599
    assert store.claim("crashed", 60) is Claim.DONE
    clock.now += 2
    assert store.claim("crashed", 60) is Claim.NEW  # past retention (TTL deletion may lag)


def test_dynamo_store_writes_the_documented_item(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client)
        store = DynamoStore(client, TABLE, Clock(1000.0))
        item_key = {"key": {"S": "sqs:m1"}}
        store.claim("sqs:m1", 300)
        busy = {"status": {"S": "busy"}, "lease_until": {"N": "1300"}, "expires_at": {"N": "1300"}}
        assert client.get_item(TableName=TABLE, Key=item_key)["Item"] == {**item_key, **busy}
        store.complete("sqs:m1", 86400)
        done = {"status": {"S": "done"}, "expires_at": {"N": "87400"}}
        assert client.get_item(TableName=TABLE, Key=item_key)["Item"] == {**item_key, **done}


def test_dynamo_store_turns_aws_errors_into_store_errors(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        store = DynamoStore(client, "missing-table")
        with pytest.raises(StoreError) as info:
            store.claim("k", 60)
    assert str(info.value) == (
        "DynamoDB table 'missing-table': ResourceNotFoundException: An error occurred "
        "(ResourceNotFoundException) when calling the PutItem operation: Requested resource "
        "not found"
    )


def test_default_store_follows_the_table_setting(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    assert isinstance(default_store(Settings()), MemoryStore)
    assert isinstance(default_store(Settings(idempotency_table=TABLE, region=REGION)), DynamoStore)


# --- /work -------------------------------------------------------------------------------------


def test_health():
    with client_for(Recorder()) as client:
        response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_a_message_delivered_twice_is_processed_once():
    task = Recorder()
    with client_for(task) as client:
        first = client.post("/work", content=JOB, headers=sqsd_headers("m-1"))
        second = client.post("/work", content=JOB, headers=sqsd_headers("m-1", 2))
    assert (first.status_code, first.json()) == (200, {"status": "done"})
    assert (second.status_code, second.json()) == (200, {"status": "duplicate"})
    assert len(task.calls) == 1
    payload, delivery = task.calls[0]
    assert payload == {"report": 7}
    assert delivery == Delivery("m-1", 1, "webmodel-dev-work", "sqs:m-1")


def test_a_job_enqueued_twice_with_one_idempotency_key_runs_once():
    task = Recorder()
    body = json.dumps({"task": "render", "payload": {}, "idempotency_key": "order-42"})
    with client_for(task) as client:
        first = client.post("/work", content=body, headers=sqsd_headers("m-1"))
        second = client.post("/work", content=body, headers=sqsd_headers("m-2"))
    assert [first.json(), second.json()] == [{"status": "done"}, {"status": "duplicate"}]
    assert [d.key for _, d in task.calls] == ["render:order-42"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=8))
def test_any_delivery_sequence_runs_each_message_exactly_once(message_ids):
    task = Recorder()
    with client_for(task) as client:
        answers = [
            client.post("/work", content=JOB, headers=sqsd_headers(m)).json()["status"]
            for m in message_ids
        ]
    assert sorted(str(d.message_id) for _, d in task.calls) == sorted(set(message_ids))
    first_seen = [m not in message_ids[:i] for i, m in enumerate(message_ids)]
    assert answers == ["done" if first else "duplicate" for first in first_seen]


def test_a_failing_job_answers_500_and_its_retry_runs_it_again():
    task = Recorder(failures=1)
    with client_for(task) as client:
        failed = client.post("/work", content=JOB, headers=sqsd_headers("m-1"))
        retried = client.post("/work", content=JOB, headers=sqsd_headers("m-1", 2))
    assert (failed.status_code, failed.json()) == (
        500,
        {"detail": "task 'render' failed: RuntimeError"},
    )
    assert (retried.status_code, retried.json()) == (200, {"status": "done"})
    assert [d.receive_count for _, d in task.calls] == [1, 2]


def test_a_job_another_delivery_is_running_answers_409():
    store = MemoryStore()
    assert store.claim("sqs:m-1", 300) is Claim.NEW  # another delivery, still within its lease
    task = Recorder()
    with client_for(task, store) as client:
        response = client.post("/work", content=JOB, headers=sqsd_headers("m-1", 2))
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "another delivery is running this job"},
    )
    assert task.calls == []


class BrokenStore(MemoryStore):
    def claim(self, key: str, lease_seconds: int) -> Claim:
        raise StoreError("DynamoDB table 'jobs': EndpointConnectionError: no route")


def test_an_unreachable_store_answers_503_and_runs_nothing():
    task = Recorder()
    with client_for(task, BrokenStore()) as client:
        response = client.post("/work", content=JOB, headers=sqsd_headers("m-1"))
    assert (response.status_code, response.json()) == (
        503,
        {
            "detail": "idempotency store unavailable: "
            "DynamoDB table 'jobs': EndpointConnectionError: no route"
        },
    )
    assert task.calls == []


@pytest.mark.parametrize(
    ("body", "headers", "detail"),
    [
        ("not json", sqsd_headers("m"), "the body is not JSON"),
        ("[1, 2]", sqsd_headers("m"), "the body is not a JSON object"),
        ('{"task": "resize"}', sqsd_headers("m"), "unknown task 'resize': use one of render"),
        ('{"payload": {}}', sqsd_headers("m"), "unknown task None: use one of render"),
        (
            '{"task": "render", "payload": [1]}',
            sqsd_headers("m"),
            "'payload' is not a JSON object",
        ),
        (
            '{"task": "render", "idempotency_key": ""}',
            sqsd_headers("m"),
            "'idempotency_key' is not a string of 1 to 512 characters",
        ),
        (
            '{"task": "render"}',
            {"Content-Type": "application/json"},
            "no X-Aws-Sqsd-Msgid header and no 'idempotency_key': cannot run it once",
        ),
    ],
)
def test_a_message_that_is_not_a_job_answers_400(body, headers, detail):
    task = Recorder()
    with client_for(task) as client:
        response = client.post("/work", content=body, headers=headers)
    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert task.calls == []


def test_each_delivery_is_one_structured_log_line(capsys):
    with client_for(Recorder()) as client:
        capsys.readouterr()
        client.post("/work", content=JOB, headers=sqsd_headers("m-9", 3))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    delivery = [line for line in lines if line["message"] == "delivery"]
    assert len(delivery) == 1
    entry = delivery[0]
    assert {k: entry[k] for k in ("level", "logger", "status", "outcome", "task")} == {
        "level": "INFO",
        "logger": "workerapp",
        "status": 200,
        "outcome": "done",
        "task": "render",
    }
    assert (entry["message_id"], entry["receive_count"], entry["job_key"]) == ("m-9", 3, "sqs:m-9")
    assert isinstance(entry["duration_ms"], float)


def test_the_built_in_record_task_logs_the_payload(capsys):
    with TestClient(create_app(Settings(), MemoryStore())) as client:
        capsys.readouterr()
        body = json.dumps({"task": "record", "payload": {"user": 3, "action": "export"}})
        response = client.post("/work", content=body, headers=sqsd_headers("m-1"))
    assert response.json() == {"status": "done"}
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    recorded = [line for line in lines if line["message"] == "event recorded"]
    assert [(r["job_key"], r["payload"]) for r in recorded] == [
        ("sqs:m-1", {"user": 3, "action": "export"})
    ]
    assert sorted(DEFAULT_TASKS) == ["record"]


def test_logs_are_json_lines_for_the_app_and_uvicorn():
    create_app(Settings(), MemoryStore())
    for name in ("workerapp", *UVICORN_LOGGERS):
        handlers = logging.getLogger(name).handlers
        assert [type(h.formatter) for h in handlers] == [JsonFormatter]
    record = logging.LogRecord("workerapp", logging.INFO, "x", 1, "hello", None, None)
    record.job_key = "sqs:m"
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["message"], entry["job_key"], entry["level"]) == ("hello", "sqs:m", "INFO")


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
