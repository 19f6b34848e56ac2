"""The web tier's FastAPI app (EB runs ``uvicorn --factory webapp.main:create_app``).

GET  /health    EB's health check path: 200 {"status": "ok"} while the process serves.
                It deliberately does not call the model tier: a model outage must not make
                EB replace healthy web instances (the two tiers fail and scale apart).
POST /predict   {"inputs": [[f, f, f, f], ...]} (1 to 8 rows, the example model's
                max_batch_size) -> {"model_name", "model_version", "outputs": {name: rows}}
                502  the model tier is unreachable or answered an error (after retries)
                504  the model tier did not answer within MODEL_TIMEOUT_SECONDS
                422  the request (or, as the model judged it, its shape) is invalid
POST /jobs      {"task": "<name>", "payload": {...}, "idempotency_key": "<optional>"} -> 202
                {"message_id"}: queued for the worker tier (one SQS message, the body the
                worker's POST /work reads)
                503  this stack has no worker tier (WORK_QUEUE_URL is not set)
                502  SQS refused the message; 413 it is over SQS's 256 KiB
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

import applogs

from .jobs import TASK_PATTERN, EnqueueError, Job, enqueue, queue_region
from .model_client import ModelError, infer
from .settings import Settings

log = logging.getLogger("webapp")

MODEL_INPUT = "features"
FEATURES = 4
MAX_BATCH = 8

Row = Annotated[list[float], Field(min_length=FEATURES, max_length=FEATURES)]


class PredictRequest(BaseModel):
    inputs: Annotated[list[Row], Field(min_length=1, max_length=MAX_BATCH)]


class JobRequest(BaseModel):
    task: Annotated[str, Field(pattern=TASK_PATTERN.pattern)]
    payload: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: Annotated[str | None, Field(min_length=1, max_length=512)] = None


class PredictResponse(BaseModel):
    model_name: str
    model_version: str
    outputs: dict[str, Any]


def create_app(
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    sqs: Any = None,
) -> FastAPI:
    """The app; settings default to the process environment (EB's environment properties).
    `sqs` is a boto3 SQS client (made from the queue URL's region when not given)."""
    settings = settings or Settings.from_env(os.environ)
    applogs.configure(log, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(
            settings.model_timeout_seconds, connect=settings.model_connect_timeout_seconds
        )
        async with httpx.AsyncClient(
            base_url=settings.model_url, timeout=timeout, transport=transport
        ) as client:
            app.state.model_client = client
            log.info(
                "web tier started",
                extra={
                    "app_env": settings.app_env,
                    "model_url": settings.model_url,
                    "model_name": settings.model_name,
                    "database": settings.database is not None,
                },
            )
            yield

    app = FastAPI(title="webmodel web tier", lifespan=lifespan)
    app.state.settings = settings
    clients: dict[str, Any] = {}  # the SQS client, made on the first job

    @app.middleware("http")
    async def access_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["x-request-id"] = request_id
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/predict", response_model=PredictResponse)
    async def predict(body: PredictRequest, request: Request) -> Any:
        client: httpx.AsyncClient = request.app.state.model_client
        try:
            result = await infer(client, settings, MODEL_INPUT, body.inputs)
        except ModelError as exc:
            log.error("predict failed", extra={"status": exc.status, "error": exc.detail})
            return JSONResponse(status_code=exc.status, content={"detail": exc.detail})
        return PredictResponse(
            model_name=result.model_name,
            model_version=result.model_version,
            outputs={t.name: t.nested() for t in result.outputs},
        )

    @app.post("/jobs", status_code=202)
    async def enqueue_job(body: JobRequest) -> Any:
        if settings.work_queue_url is None:
            return JSONResponse(
                status_code=503,
                content={"detail": "this stack has no worker tier (WORK_QUEUE_URL is not set)"},
            )
        if "sqs" not in clients:
            clients["sqs"] = sqs or _sqs_client(settings.work_queue_url)
        client = clients["sqs"]
        job = Job(body.task, body.payload, body.idempotency_key)
        try:
            message_id = await run_in_threadpool(enqueue, client, settings.work_queue_url, job)
        except EnqueueError as exc:
            log.error("enqueue failed", extra={"status": exc.status, "error": exc.detail})
            return JSONResponse(status_code=exc.status, content={"detail": exc.detail})
        log.info("job enqueued", extra={"task": job.task, "message_id": message_id})
        return {"message_id": message_id}

    return app


def _sqs_client(queue_url: str) -> Any:
    import boto3  # only a stack with a worker tier needs it

    return boto3.client("sqs", region_name=queue_region(queue_url))
