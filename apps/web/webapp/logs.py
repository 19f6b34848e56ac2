# One file, two copies: apps/web/webapp/logs.py and apps/worker/workerapp/logs.py are the same
# code, kept as copies because each app is bundled on its own (its zip holds only its own
# directory) and cannot import the other. tests/test_apps_logs_parity.py fails when they
# differ: change both together.
"""Structured logs: one JSON object per line on stdout (EB streams it to CloudWatch Logs)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# LogRecord attributes that are not extra fields.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", **extra}``; exceptions under ``"exc"``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stdout`` is at emit time (so a replaced stdout still works)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


APP_LOGGER = __name__.split(".")[-2]
"""The app's own logger: its package (`webapp`, `workerapp`), however the module is imported."""
LOGGERS = (APP_LOGGER, "uvicorn", "uvicorn.error", "uvicorn.access")


def configure(level: str) -> None:
    """The app's and uvicorn's loggers write JSON lines to stdout; the root logger is untouched."""
    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter())
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
