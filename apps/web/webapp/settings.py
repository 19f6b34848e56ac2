"""Settings from the environment properties the Pulumi program sets on the web environment.

    MODEL_URL                       the model tier's base URL (its internal load balancer)
    MODEL_NAME                      the Triton model /predict calls (default "scorer")
    MODEL_TIMEOUT_SECONDS           read timeout for one inference call (default 10)
    MODEL_CONNECT_TIMEOUT_SECONDS   connect timeout (default 2)
    MODEL_RETRIES                   extra attempts when the model tier is unreachable (default 2)
    MODEL_RETRY_BACKOFF_SECONDS     first backoff, doubled each retry (default 0.2)
    DB_HOST, DB_PORT, DB_NAME       the PostgreSQL endpoint
    DB_CREDENTIALS                  the RDS-managed Secrets Manager secret, which EB injects as
                                    its JSON string: {"username": ..., "password": ...}
    LOG_LEVEL, APP_ENV              logging level and the stage name

A bad value fails at start with one line naming the property and the fix (SettingsError).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """An environment property is missing or malformed; the message names it and the fix."""


@dataclass(frozen=True)
class DatabaseSettings:
    host: str
    port: int
    name: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Settings:
    model_url: str
    model_name: str = "scorer"
    model_timeout_seconds: float = 10.0
    model_connect_timeout_seconds: float = 2.0
    model_retries: int = 2
    model_retry_backoff_seconds: float = 0.2
    database: DatabaseSettings | None = None
    log_level: str = "INFO"
    app_env: str = "dev"
    work_queue_url: str | None = None
    """The worker tier's SQS queue (WORK_QUEUE_URL); None in a stack without a worker."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            model_url=_url(env),
            model_name=env.get("MODEL_NAME", "scorer").strip() or "scorer",
            model_timeout_seconds=_positive(env, "MODEL_TIMEOUT_SECONDS", 10.0),
            model_connect_timeout_seconds=_positive(env, "MODEL_CONNECT_TIMEOUT_SECONDS", 2.0),
            model_retries=_retries(env),
            model_retry_backoff_seconds=_positive(env, "MODEL_RETRY_BACKOFF_SECONDS", 0.2),
            database=_database(env),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            app_env=env.get("APP_ENV", "dev"),
            work_queue_url=_queue_url(env),
        )


def _queue_url(env: Mapping[str, str]) -> str | None:
    from .jobs import queue_region

    raw = env.get("WORK_QUEUE_URL", "").strip()
    if not raw:
        return None
    if queue_region(raw) is None:
        raise SettingsError(
            f"WORK_QUEUE_URL={raw[:120]!r}: use an SQS queue URL "
            "(https://sqs.<region>.amazonaws.com/<account>/<queue>)"
        )
    return raw


def _url(env: Mapping[str, str]) -> str:
    raw = env.get("MODEL_URL", "").strip()
    if not raw:
        raise SettingsError("MODEL_URL is not set: set it to the model tier's http(s):// URL")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"MODEL_URL={raw!r}: use an http:// or https:// URL with a host")
    return raw.rstrip("/")


def _positive(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{key}={raw!r}: use a number of seconds greater than 0") from None
    if not value > 0:
        raise SettingsError(f"{key}={raw!r}: use a number of seconds greater than 0")
    return value


def _retries(env: Mapping[str, str]) -> int:
    raw = env.get("MODEL_RETRIES", "2")
    if not raw.isdigit() or int(raw) > 5:
        raise SettingsError(f"MODEL_RETRIES={raw!r}: use a whole number from 0 to 5")
    return int(raw)


def _database(env: Mapping[str, str]) -> DatabaseSettings | None:
    keys = ("DB_HOST", "DB_PORT", "DB_NAME", "DB_CREDENTIALS")
    present = [k for k in keys if env.get(k)]
    if not present:
        return None  # local runs without a database
    missing = [k for k in keys if k not in present]
    if missing:
        given = ", ".join(present)
        raise SettingsError(
            f"{', '.join(missing)} not set while {given} is: set all of {', '.join(keys)}"
        )
    port_raw = env["DB_PORT"]
    if not port_raw.isdigit() or not 0 < int(port_raw) < 65536:
        raise SettingsError(f"DB_PORT={port_raw!r}: use a TCP port number (e.g. 5432)")
    try:
        secret = json.loads(env["DB_CREDENTIALS"])
    except ValueError:
        raise SettingsError(
            'DB_CREDENTIALS is not JSON: expected the secret\'s {"username": ..., "password": ...}'
        ) from None
    if not isinstance(secret, dict) or not all(
        isinstance(secret.get(k), str) and secret.get(k) for k in ("username", "password")
    ):
        raise SettingsError(
            'DB_CREDENTIALS: expected a JSON object with string "username" and "password"'
        )
    return DatabaseSettings(
        host=env["DB_HOST"],
        port=int(port_raw),
        name=env["DB_NAME"],
        username=secret["username"],
        password=secret["password"],
    )
