"""apps/worker: settings from the environment, /work's answers (a message delivered twice runs
once, a failing job answers 500 and its retry runs it, 409 while another delivery runs it, 503
without the idempotency store, 400 for what is not a job) and its JSON log lines. The stores
are pinned in test_worker_store.py, an sqsd loop on moto's SQS in test_worker_sqsd.py."""

from __future__ import annotations

import json
import logging
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.exceptions import StarletteDeprecationWarning

from applogs import UVICORN_LOGGERS, JsonFormatter
from apps.worker.workerapp.idempotency import Claim, MemoryStore, StoreError
from apps.worker.workerapp.main import DEFAULT_TASKS, Delivery, create_app
from apps.worker.workerapp.settings import Settings, SettingsError
from tests.apps.worker_support import JOB, REGION, TABLE, Recorder, client_for, sqsd_headers

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


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
