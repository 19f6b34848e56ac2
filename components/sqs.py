"""SQS's and EB's sqsd limits, and the one timing rule between them. Pure, no Pulumi: the
`WorkQueue` component enforces them on its arguments and the stack config on `webmodel:worker`,
each naming the keys its caller knows."""

from __future__ import annotations

MAX_VISIBILITY_SECONDS = 43200
"""SQS's limit for a queue's visibility timeout (12 hours)."""
MAX_INACTIVITY_SECONDS = 36000
"""The largest InactivityTimeout EB's sqsd accepts (10 hours)."""
MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS = 60, 1209600
"""SQS's message retention bounds (one minute to 14 days)."""
MAX_RECEIVE_COUNT = 1000
"""SQS's largest maxReceiveCount in a redrive policy."""


def visibility_problem(
    visibility_seconds: int, processing_seconds: int, visibility_key: str, processing_key: str
) -> str | None:
    """Why the queue's visibility timeout does not outlast the worker's processing timeout."""
    if processing_seconds < 1 or visibility_seconds > processing_seconds:
        return None
    return (
        f"{visibility_key}={visibility_seconds} is not greater than "
        f"{processing_key}={processing_seconds}: a message would reappear on the queue while "
        "its job still runs and another instance would run it again; raise "
        f"{visibility_key} above {processing_seconds} or lower {processing_key} below "
        f"{visibility_seconds}"
    )
