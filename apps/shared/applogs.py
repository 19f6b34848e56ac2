"""Structured logs for the Python apps: one JSON object per line on stdout (EB streams it to
CloudWatch Logs).

One file for every app. Each app's bundle.toml has components/bundle.py copy it to the bundle's
root, beside the app's package (/srv in the image, where uvicorn imports from), so an app imports
it as the top-level module ``applogs``. In the repository, pyproject.toml puts apps/shared on the
path of pytest and mypy; a local run sets ``PYTHONPATH=../shared`` (docs/apps.md).
"""

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


UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
"""uvicorn's loggers, configured with the app's own."""


def configure(app_log: logging.Logger, level: str) -> None:
    """The app's logger (``webapp``, ``workerapp``) and uvicorn's write JSON lines to stdout;
    the root logger is untouched."""
    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter())
    for name in (app_log.name, *UVICORN_LOGGERS):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
