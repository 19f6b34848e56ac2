"""Settings from the environment properties the Pulumi program sets on the worker environment.

    WORKER_IDEMPOTENCY_TABLE           a DynamoDB table (partition key ``key``, string; TTL on
                                       ``expires_at``) recording processed messages across
                                       instances; unset: an in-memory record per process (see
                                       ``idempotency.MemoryStore`` for what that does not cover)
    WORKER_IDEMPOTENCY_LEASE_SECONDS   how long a claimed message stays "in progress" before
                                       another delivery may take it over; set it to the
                                       processing timeout (default 300)
    WORKER_IDEMPOTENCY_RETENTION_DAYS  how long a processed message's key is remembered
                                       (default 4, SQS's default message retention)
    AWS_REGION                         the region of the DynamoDB table (EB sets it)
    LOG_LEVEL, APP_ENV                 logging level and the stage name

A bad value fails at start with one line naming the property and the fix (SettingsError).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


class SettingsError(ValueError):
    """An environment property is missing or malformed; the message names it and the fix."""


@dataclass(frozen=True)
class Settings:
    idempotency_table: str | None = None
    idempotency_lease_seconds: int = 300
    idempotency_retention_days: int = 4
    region: str | None = None
    log_level: str = "INFO"
    app_env: str = "dev"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            idempotency_table=_table(env),
            idempotency_lease_seconds=_whole(env, "WORKER_IDEMPOTENCY_LEASE_SECONDS", 300, 43200),
            idempotency_retention_days=_whole(env, "WORKER_IDEMPOTENCY_RETENTION_DAYS", 4, 14),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            app_env=env.get("APP_ENV", "dev"),
        )


def _table(env: Mapping[str, str]) -> str | None:
    raw = env.get("WORKER_IDEMPOTENCY_TABLE", "").strip()
    if not raw:
        return None
    if not _TABLE_NAME.match(raw):
        raise SettingsError(
            f"WORKER_IDEMPOTENCY_TABLE={raw!r}: use a DynamoDB table name "
            "(3-255 letters, digits, '_', '-', '.')"
        )
    return raw


def _whole(env: Mapping[str, str], key: str, default: int, most: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise SettingsError(f"{key}={raw!r}: use a whole number from 1 to {most}")
    return int(raw)
