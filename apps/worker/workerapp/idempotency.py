"""Process each job once, however often SQS delivers it.

SQS delivers at least once: a message can arrive twice (a redelivery after a slow answer, after a
visibility timeout, or simply a duplicate), possibly on another instance. Before running a job the
app *claims* its key; the store answers whether the job is new (run it), already done (answer 200
so sqsd deletes the copy), or being run by another delivery right now (answer non-2xx so sqsd
tries again later). After the job the key is marked done; after a failure the claim is released
so the retry can run it.

A claim is a lease: if the process dies mid-job, the key becomes claimable again once
``lease_seconds`` have passed (set it to the worker's processing timeout).

Two stores:

* :class:`DynamoStore`: a DynamoDB conditional put, shared by every instance: the production one.
* :class:`MemoryStore`: a dict in this process. It deduplicates redeliveries that reach the same
  process only: a duplicate that another instance (or another uvicorn worker) receives runs
  again, and a restart forgets everything. Fine for tests and for jobs whose effects are
  naturally idempotent; not a guarantee across the fleet.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

Clock = Callable[[], float]


class Claim(enum.Enum):
    NEW = "new"
    """Nobody ran this job: the caller owns it until it completes or releases it."""
    DONE = "done"
    """The job already ran to completion: skip it."""
    BUSY = "busy"
    """Another delivery holds an unexpired claim: try again later."""


class StoreError(Exception):
    """The store could not answer (e.g. DynamoDB unreachable); the job must not run."""


class IdempotencyStore(Protocol):
    def claim(self, key: str, lease_seconds: int) -> Claim: ...

    def complete(self, key: str, retention_seconds: int) -> None: ...

    def release(self, key: str) -> None: ...


class MemoryStore:
    """In-process store (see the module docstring for its limits)."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Claim, float]] = {}
        """key -> (BUSY with the lease's end | DONE with the retention's end)."""

    def claim(self, key: str, lease_seconds: int) -> Claim:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[1] > now:
                return entry[0]
            self._entries[key] = (Claim.BUSY, now + lease_seconds)
            return Claim.NEW

    def complete(self, key: str, retention_seconds: int) -> None:
        with self._lock:
            self._entries[key] = (Claim.DONE, self._clock() + retention_seconds)

    def release(self, key: str) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] is Claim.BUSY:
                del self._entries[key]


class DynamoStore:
    """One item per job key in a DynamoDB table (partition key ``key``, a string).

    ``status`` is ``busy`` (with ``lease_until``) or ``done``; ``expires_at`` (epoch seconds) is
    the item's end: enable the table's TTL on it so DynamoDB deletes old keys. TTL deletion lags,
    so an item past ``expires_at`` counts as absent.
    """

    def __init__(self, client: Any, table: str, clock: Clock = time.time) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    def claim(self, key: str, lease_seconds: int) -> Claim:
        now = int(self._clock())
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "key": {"S": key},
                    "status": {"S": "busy"},
                    "lease_until": {"N": str(now + lease_seconds)},
                    "expires_at": {"N": str(now + lease_seconds)},
                },
                ConditionExpression=(
                    "attribute_not_exists(#k) OR expires_at < :now "
                    "OR (#s = :busy AND lease_until < :now)"
                ),
                ExpressionAttributeNames={"#k": "key", "#s": "status"},
                ExpressionAttributeValues={":now": {"N": str(now)}, ":busy": {"S": "busy"}},
            )
        except Exception as exc:
            if _error_code(exc) != "ConditionalCheckFailedException":
                raise StoreError(f"DynamoDB table {self._table!r}: {_describe(exc)}") from exc
            return self._existing(key)
        return Claim.NEW

    def _existing(self, key: str) -> Claim:
        try:
            item = self._client.get_item(
                TableName=self._table, Key={"key": {"S": key}}, ConsistentRead=True
            ).get("Item")
        except Exception as exc:
            raise StoreError(f"DynamoDB table {self._table!r}: {_describe(exc)}") from exc
        if item is not None and item.get("status", {}).get("S") == "done":
            return Claim.DONE
        # Busy, or deleted between the put and the get: either way, not ours now.
        return Claim.BUSY

    def complete(self, key: str, retention_seconds: int) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    "key": {"S": key},
                    "status": {"S": "done"},
                    "expires_at": {"N": str(int(self._clock()) + retention_seconds)},
                },
            )
        except Exception as exc:
            raise StoreError(f"DynamoDB table {self._table!r}: {_describe(exc)}") from exc

    def release(self, key: str) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key={"key": {"S": key}},
                ConditionExpression="#s = :busy",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":busy": {"S": "busy"}},
            )
        except Exception as exc:
            if _error_code(exc) != "ConditionalCheckFailedException":
                raise StoreError(f"DynamoDB table {self._table!r}: {_describe(exc)}") from exc


def _error_code(exc: Exception) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return code if isinstance(code, str) else None
    return None


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"
