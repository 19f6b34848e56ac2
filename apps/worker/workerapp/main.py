"""The worker tier's FastAPI app (EB runs ``uvicorn --factory workerapp.main:create_app``).

On a worker environment EB's SQS daemon (sqsd) receives messages from the environment's queue and
POSTs each body to ``WORK_PATH`` (the ``aws:elasticbeanstalk:sqsd`` HttpPath option), with headers
such as ``X-Aws-Sqsd-Msgid``, ``X-Aws-Sqsd-Receive-Count`` and ``X-Aws-Sqsd-Queue``. A 200 answer
makes sqsd delete the message; any other status (or no answer within its timeout) leaves it on
the queue, so SQS delivers it again after the visibility timeout, and after the queue's
``maxReceiveCount`` receives moves it to the dead-letter queue.

GET  /health   200 {"status": "ok"} while the process serves (the environment's health check).
POST /work     a job: {"task": "<name>", "payload": {...}, "idempotency_key": "<optional>"}
               200 {"status": "done"}       the job ran (sqsd deletes the message)
               200 {"status": "duplicate"}  the job already ran: this delivery is a copy
               400  the body is not a job this worker knows: retried, then dead-lettered, where
                    it can be inspected (a malformed message never succeeds)
               409  another delivery is running the same job right now: retried later
               500  the job failed: retried, then dead-lettered
               503  the idempotency store is unreachable: the job did not run, retried

A job's key is ``<task>:<idempotency_key>`` when the producer gives one (so a job enqueued twice
runs once), else ``sqs:<message id>`` (so one message delivered twice runs once).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

import applogs

from .idempotency import Claim, DynamoStore, IdempotencyStore, MemoryStore, StoreError
from .settings import Settings

log = logging.getLogger("workerapp")

WORK_PATH = "/work"
HEALTH_PATH = "/health"
MSGID_HEADER = "x-aws-sqsd-msgid"
RECEIVE_COUNT_HEADER = "x-aws-sqsd-receive-count"
QUEUE_HEADER = "x-aws-sqsd-queue"


@dataclass(frozen=True)
class Delivery:
    """What sqsd tells about one delivery of a message."""

    message_id: str | None
    receive_count: int | None
    queue: str | None
    key: str
    """The job's idempotency key."""


Task = Callable[[Mapping[str, Any], Delivery], None]
"""A job: runs in a worker thread; raising makes the delivery fail (sqsd retries it)."""


def record(payload: Mapping[str, Any], delivery: Delivery) -> None:
    """The built-in ``record`` task: writes the payload to the structured log (audit events)."""
    log.info("event recorded", extra={"job_key": delivery.key, "payload": dict(payload)})


DEFAULT_TASKS: Mapping[str, Task] = {"record": record}


class BadJob(ValueError):
    """The body is not a job this worker can run."""


@dataclass(frozen=True)
class Job:
    task: str
    payload: Mapping[str, Any]
    idempotency_key: str | None


def parse_job(body: bytes, tasks: Mapping[str, Task]) -> Job:
    try:
        data = json.loads(body)
    except ValueError:
        raise BadJob("the body is not JSON") from None
    if not isinstance(data, dict):
        raise BadJob("the body is not a JSON object")
    task = data.get("task")
    if not isinstance(task, str) or task not in tasks:
        raise BadJob(f"unknown task {task!r}: use one of {', '.join(sorted(tasks))}")
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        raise BadJob("'payload' is not a JSON object")
    key = data.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not key or len(key) > 512):
        raise BadJob("'idempotency_key' is not a string of 1 to 512 characters")
    return Job(task, payload, key)


def default_store(settings: Settings) -> IdempotencyStore:
    if settings.idempotency_table is None:
        return MemoryStore()
    import boto3  # only on instances that use the table

    client = boto3.client("dynamodb", region_name=settings.region)
    return DynamoStore(client, settings.idempotency_table)


def _receive_count(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() else None


def create_app(
    settings: Settings | None = None,
    store: IdempotencyStore | None = None,
    tasks: Mapping[str, Task] | None = None,
) -> FastAPI:
    """The app; settings default to the process environment (EB's environment properties)."""
    settings = settings or Settings.from_env(os.environ)
    applogs.configure(log, settings.log_level)
    chosen_store = store if store is not None else default_store(settings)
    registry = dict(tasks if tasks is not None else DEFAULT_TASKS)
    retention = settings.idempotency_retention_days * 86400

    app = FastAPI(title="webmodel worker tier")
    app.state.settings = settings
    app.state.store = chosen_store

    def answer(status: int, outcome: str, started: float, fields: dict[str, Any]) -> JSONResponse:
        level = logging.INFO if status == 200 else logging.ERROR
        log.log(
            level,
            "delivery",
            extra={
                **fields,
                "status": status,
                "outcome": outcome,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        if status == 200:
            return JSONResponse(status_code=200, content={"status": outcome})
        return JSONResponse(status_code=status, content={"detail": outcome})

    @app.get(HEALTH_PATH)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post(WORK_PATH)
    async def work(request: Request) -> JSONResponse:
        started = time.perf_counter()
        message_id = request.headers.get(MSGID_HEADER)
        fields: dict[str, Any] = {
            "message_id": message_id,
            "receive_count": _receive_count(request.headers.get(RECEIVE_COUNT_HEADER)),
            "queue": request.headers.get(QUEUE_HEADER),
        }
        try:
            job = parse_job(await request.body(), registry)
        except BadJob as exc:
            return answer(400, str(exc), started, fields)
        if job.idempotency_key is not None:
            key = f"{job.task}:{job.idempotency_key}"
        elif message_id:
            key = f"sqs:{message_id}"
        else:
            return answer(
                400,
                "no X-Aws-Sqsd-Msgid header and no 'idempotency_key': cannot run it once",
                started,
                fields,
            )
        fields.update(task=job.task, job_key=key)
        delivery = Delivery(message_id, fields["receive_count"], fields["queue"], key)
        try:
            claim = await run_in_threadpool(
                chosen_store.claim, key, settings.idempotency_lease_seconds
            )
        except StoreError as exc:
            return answer(503, f"idempotency store unavailable: {exc}", started, fields)
        if claim is Claim.DONE:
            return answer(200, "duplicate", started, fields)
        if claim is Claim.BUSY:
            return answer(409, "another delivery is running this job", started, fields)
        try:
            await run_in_threadpool(registry[job.task], job.payload, delivery)
        except Exception as exc:
            log.exception("job failed", extra={**fields})
            with contextlib.suppress(StoreError):  # else the lease expires on its own
                await run_in_threadpool(chosen_store.release, key)
            return answer(500, f"task {job.task!r} failed: {type(exc).__name__}", started, fields)
        try:
            await run_in_threadpool(chosen_store.complete, key, retention)
        except StoreError as exc:
            # The job ran; answering 200 keeps sqsd from running it again on this lease.
            log.error("job done but not recorded", extra={**fields, "error": str(exc)})
        return answer(200, "done", started, fields)

    log.info(
        "worker tier started",
        extra={
            "app_env": settings.app_env,
            "store": type(chosen_store).__name__,
            "tasks": sorted(registry),
        },
    )
    return app
