"""Enqueueing work for the worker tier: one SQS message per job, in the shape the worker's
``POST /work`` reads (``{"task", "payload", "idempotency_key"}``).

The queue is the stack's work queue (``WORK_QUEUE_URL``, set by the program only when the stack
has a worker tier); the instance profile may ``sqs:SendMessage`` on exactly that queue.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

TASK_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
MAX_MESSAGE_BYTES = 262_144
"""SQS's largest message body (256 KiB)."""
_QUEUE_URL = re.compile(r"^https://sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?/\d{12}/[\w-]{1,80}$")


class EnqueueError(Exception):
    """The job could not be enqueued; `status` is the HTTP answer that says why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def queue_region(url: str) -> str | None:
    """The region in an SQS queue URL, or None when it is not one."""
    match = _QUEUE_URL.match(url)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Job:
    task: str
    payload: dict[str, Any]
    idempotency_key: str | None = None

    def body(self) -> str:
        document: dict[str, Any] = {"task": self.task, "payload": self.payload}
        if self.idempotency_key is not None:
            document["idempotency_key"] = self.idempotency_key
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        if len(text.encode()) > MAX_MESSAGE_BYTES:
            raise EnqueueError(413, f"the job is over SQS's {MAX_MESSAGE_BYTES:,}-byte limit")
        return text


def enqueue(client: Any, queue_url: str, job: Job) -> str:
    """Send `job` to the queue; the message ID. AWS failures become a 502 `EnqueueError`."""
    body = job.body()
    try:
        answer = client.send_message(QueueUrl=queue_url, MessageBody=body)
    except Exception as exc:  # botocore's ClientError and connection errors alike
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
        raise EnqueueError(502, f"the work queue refused the job ({code})") from exc
    return str(answer["MessageId"])
