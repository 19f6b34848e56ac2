"""The web tier's FastAPI app (EB runs ``uvicorn --factory webapp.main:create_app``).

GET  /health    EB's health check path: 200 {"status": "ok"} while the process serves.
                It deliberately does not call the model tier: a model outage must not make
                EB replace healthy web instances (the two tiers fail and scale apart).
POST /predict   {"inputs": [[f, f, f, f], ...]} (1 to 8 rows, the example model's
                max_batch_size) -> {"model_name", "model_version", "outputs": {name: rows}}
                502  the model tier is unreachable or answered an error (after retries)
                504  the model tier did not answer within MODEL_TIMEOUT_SECONDS
                422  the request (or, as the model judged it, its shape) is invalid
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
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from . import logs
from .model_client import ModelError, infer
from .settings import Settings

log = logging.getLogger("webapp")

MODEL_INPUT = "features"
FEATURES = 4
MAX_BATCH = 8

Row = Annotated[list[float], Field(min_length=FEATURES, max_length=FEATURES)]


class PredictRequest(BaseModel):
    inputs: Annotated[list[Row], Field(min_length=1, max_length=MAX_BATCH)]


class PredictResponse(BaseModel):
    model_name: str
    model_version: str
    outputs: dict[str, Any]


def create_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The app; settings default to the process environment (EB's environment properties)."""
    settings = settings or Settings.from_env(os.environ)
    logs.configure(settings.log_level)

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

    return app
