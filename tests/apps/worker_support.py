"""What apps/worker's tests share: the region and table names, a task that records its calls and
fails the first few (`Recorder`), the worker app with it on a TestClient, the headers sqsd
sends with a message, and a job. Used by tests/apps/test_worker.py, test_worker_store.py and
test_worker_sqsd.py."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

from apps.worker.workerapp.idempotency import IdempotencyStore, MemoryStore
from apps.worker.workerapp.main import Delivery, create_app
from apps.worker.workerapp.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

REGION = "ap-northeast-2"
TABLE = "webmodel-dev-worker-jobs"


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
