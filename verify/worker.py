"""The live checks of a stack's worker tier (issue 13): an Elastic Beanstalk environment of
tier `Worker` whose `sqsd` daemon reads the stack's work queue, and that queue and its
dead-letter queue. Like verify/checks.py, each check is a small function over what was read
(or the guarded clients passed in) that returns a `CheckResult`; the runner composes them
with the environment checks every tier gets (health, version, instances, properties).

The queue guarantees mirror the pack's `sqs-queue-encrypted` and `sqs-queue-has-dlq`, so a
stage's pack config decides how they count; the tier and the `sqsd` wiring have no pack rule
of their own (the program builds them) and always fail the run when broken.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from verify.aws import AwsCallFailed, SqsClient
from verify.result import CheckResult

if TYPE_CHECKING:
    from mypy_boto3_elasticbeanstalk.type_defs import (
        ConfigurationOptionSettingTypeDef,
        EnvironmentDescriptionTypeDef,
    )

TIER_CHECK = "worker-tier"
READS_QUEUE_CHECK = "worker-reads-queue"
SQSD_TIMEOUTS_CHECK = "worker-sqsd-timeouts"
QUEUES_ENCRYPTED_CHECK = "work-queue-encrypted"
REDRIVE_CHECK = "work-queue-redrive"

# The pack policies the queue checks mirror; their level in the stage decides FAIL or WARN.
QUEUE_ENCRYPTED_POLICY = "sqs-queue-encrypted"
QUEUE_DLQ_POLICY = "sqs-queue-has-dlq"

QUEUE_CHECKS: tuple[tuple[str, str], ...] = (
    (QUEUES_ENCRYPTED_CHECK, QUEUE_ENCRYPTED_POLICY),
    (REDRIVE_CHECK, QUEUE_DLQ_POLICY),
)
"""(check id, pack policy) of every queue check, in report order."""

WORKER_TIER = "Worker"
SQSD_NS = "aws:elasticbeanstalk:sqsd"
MAX_RECEIVE_COUNT = 1000
"""SQS's upper bound for a redrive policy's maxReceiveCount (the lower is 1)."""

QUEUE_ATTRIBUTES: tuple[str, ...] = (
    "QueueArn",
    "RedrivePolicy",
    "KmsMasterKeyId",
    "SqsManagedSseEnabled",
)
_NO_SUCH_QUEUE = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"})
"""The error codes (JSON and query protocols) of a queue URL that names no queue: a finding."""

_REFRESH_AND_UP = "run `pulumi refresh` (if it changed outside Pulumi), then `pulumi up`"


# --- the worker environment -------------------------------------------------------------


def check_worker_tier(environment: str, description: EnvironmentDescriptionTypeDef) -> CheckResult:
    """The environment is a worker (`Tier.Name` Worker): a web server tier runs no `sqsd`, so
    nothing would read the queue."""
    tier = description.get("Tier", {})
    name = tier.get("Name") or "no tier"
    if name == WORKER_TIER:
        kind = tier.get("Type")
        shown = f"{WORKER_TIER} ({kind})" if kind else WORKER_TIER
        return CheckResult(TIER_CHECK, True, f"worker environment {environment!r} is tier {shown}")
    return CheckResult(
        TIER_CHECK,
        False,
        f"worker environment {environment!r} is tier {name}, expected {WORKER_TIER}: "
        "nothing reads the work queue",
        "an environment's tier cannot change in place: `pulumi up` replaces it with the "
        "program's Worker tier (`pulumi refresh` first if it was rebuilt outside Pulumi)",
    )


def sqsd_options(options: Sequence[ConfigurationOptionSettingTypeDef]) -> dict[str, str]:
    """The environment's `aws:elasticbeanstalk:sqsd` options by name."""
    return {
        option["OptionName"]: option.get("Value") or ""
        for option in options
        if option.get("Namespace") == SQSD_NS and "OptionName" in option
    }


def check_worker_reads_queue(
    environment: str, options: Sequence[ConfigurationOptionSettingTypeDef], queue_url: str
) -> CheckResult:
    """The worker's `sqsd` reads the stack's work queue, not one EB made or one set by hand."""
    found = sqsd_options(options).get("WorkerQueueURL", "")
    if found and found.rstrip("/") == queue_url.rstrip("/"):
        return CheckResult(
            READS_QUEUE_CHECK,
            True,
            f"worker environment {environment!r} reads the work queue {queue_url}",
        )
    detail = (
        f"worker environment {environment!r} sets no {SQSD_NS} WorkerQueueURL"
        if not found
        else f"worker environment {environment!r} reads {found}"
    )
    return CheckResult(
        READS_QUEUE_CHECK,
        False,
        f"{detail}, not the stack's work queue {queue_url}",
        f"the program sets {SQSD_NS} WorkerQueueURL from the work queue; {_REFRESH_AND_UP}",
    )


def _seconds(sqsd: Mapping[str, str], name: str) -> tuple[int | None, str | None]:
    """(whole seconds, None) or (None, what is wrong with the option)."""
    value = sqsd.get(name, "")
    if not value:
        return None, f"sets no sqsd {name}"
    try:
        return int(value), None
    except ValueError:
        return None, f"has sqsd {name} {value!r}, not a whole number of seconds"


def check_sqsd_timeouts(
    environment: str, options: Sequence[ConfigurationOptionSettingTypeDef]
) -> CheckResult:
    """sqsd's VisibilityTimeout (set on every receive) outlasts its InactivityTimeout (how
    long the worker may take): otherwise a message reappears while its job still runs."""
    sqsd = sqsd_options(options)
    visibility, bad_visibility = _seconds(sqsd, "VisibilityTimeout")
    inactivity, bad_inactivity = _seconds(sqsd, "InactivityTimeout")
    fix = (
        "make the worker's visibility timeout greater than its processing timeout in the "
        f"stack's webmodel:worker config; {_REFRESH_AND_UP}"
    )
    if visibility is None or inactivity is None:
        problems = [p for p in (bad_visibility, bad_inactivity) if p]
        return CheckResult(
            SQSD_TIMEOUTS_CHECK,
            False,
            f"worker environment {environment!r} {' and '.join(problems)}",
            fix,
        )
    if visibility > inactivity:
        return CheckResult(
            SQSD_TIMEOUTS_CHECK,
            True,
            f"worker environment {environment!r}: sqsd VisibilityTimeout {visibility} s is "
            f"greater than InactivityTimeout {inactivity} s",
        )
    return CheckResult(
        SQSD_TIMEOUTS_CHECK,
        False,
        f"worker environment {environment!r}: sqsd VisibilityTimeout {visibility} s is not "
        f"greater than InactivityTimeout {inactivity} s, so a message reappears on the queue "
        "while its job still runs and another instance runs it again",
        fix,
    )


# --- the work queue and its dead-letter queue --------------------------------------------


@dataclass(frozen=True)
class Queue:
    """One queue as SQS describes it; `attributes` is None when SQS says it does not exist."""

    kind: str
    """`work queue` or `dead-letter queue`, for messages."""
    url: str
    attributes: Mapping[str, str] | None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.url.rstrip('/').rsplit('/', 1)[-1]}"


def fetch_queue(sqs: SqsClient, kind: str, url: str) -> Queue:
    try:
        answer = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(QUEUE_ATTRIBUTES))
    except AwsCallFailed as failure:
        if failure.code in _NO_SUCH_QUEUE:
            return Queue(kind, url, None)
        raise
    attributes = answer.get("Attributes") or {}
    return Queue(kind, url, {str(k): str(v) for k, v in attributes.items()})


def _encryption(attributes: Mapping[str, str]) -> str | None:
    """How the queue is encrypted at rest, or None when it is not."""
    key = attributes.get("KmsMasterKeyId", "")
    if key:
        return f"SSE-KMS key {key}"
    if attributes.get("SqsManagedSseEnabled", "").lower() == "true":
        return "SSE-SQS"
    return None


def check_queues_encrypted(queues: Sequence[Queue]) -> CheckResult:
    """Every queue is encrypted at rest: SqsManagedSseEnabled "true" or a KmsMasterKeyId."""
    problems: list[str] = []
    encrypted: list[str] = []
    for queue in queues:
        if queue.attributes is None:
            problems.append(f"{queue.label} does not exist")
            continue
        how = _encryption(queue.attributes)
        if how is not None:
            encrypted.append(f"{queue.label} ({how})")
            continue
        sse = queue.attributes.get("SqsManagedSseEnabled")
        problems.append(
            f"{queue.label} is not encrypted at rest (SqsManagedSseEnabled is "
            f"{sse or 'not set'} and there is no KmsMasterKeyId)"
        )
    if not problems:
        return CheckResult(
            QUEUES_ENCRYPTED_CHECK,
            True,
            f"{' and '.join(encrypted)} {'are' if len(encrypted) > 1 else 'is'} encrypted at rest",
            policy=QUEUE_ENCRYPTED_POLICY,
        )
    return CheckResult(
        QUEUES_ENCRYPTED_CHECK,
        False,
        "; ".join(problems),
        "set sqsManagedSseEnabled: true (SSE-SQS) or kmsMasterKeyId (SSE-KMS) on the queue "
        f"(the program does); {_REFRESH_AND_UP}. Messages sent before stay unencrypted",
        QUEUE_ENCRYPTED_POLICY,
    )


def _receive_count(value: object) -> int | None:
    """maxReceiveCount as SQS returns it (a JSON number, or a string of digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def check_queue_redrive(queue: Queue, dead_letter: Queue) -> CheckResult:
    """The work queue's RedrivePolicy sends a message to the stack's dead-letter queue after
    1 to 1000 receives: a message that always fails stops being retried."""
    fix = (
        "set the queue's redrivePolicy to {\"deadLetterTargetArn\": <the dead-letter queue's "
        f'ARN>, "maxReceiveCount": 1 to {MAX_RECEIVE_COUNT}}} (the program does); '
        f"{_REFRESH_AND_UP}"
    )

    def broken(detail: str) -> CheckResult:
        return CheckResult(REDRIVE_CHECK, False, detail, fix, QUEUE_DLQ_POLICY)

    if queue.attributes is None:
        return broken(f"{queue.label} does not exist")
    if dead_letter.attributes is None:
        return broken(f"{dead_letter.label} does not exist")
    raw = queue.attributes.get("RedrivePolicy", "")
    if not raw:
        return broken(
            f"{queue.label} has no RedrivePolicy: a message that always fails is received "
            "again and again until it expires"
        )
    try:
        policy = json.loads(raw)
    except ValueError:
        return broken(f"{queue.label} has a RedrivePolicy that is not JSON: {raw[:200]!r}")
    if not isinstance(policy, dict):
        return broken(f"{queue.label} has a RedrivePolicy that is not a JSON object: {raw[:200]!r}")
    target = policy.get("deadLetterTargetArn")
    dlq_arn = dead_letter.attributes.get("QueueArn", "")
    if target != dlq_arn:
        where = f"to {target}" if isinstance(target, str) and target else "nowhere"
        return broken(
            f"{queue.label} sends its dead letters {where}, not to the stack's "
            f"{dead_letter.label} ({dlq_arn or 'no ARN'})"
        )
    count = _receive_count(policy.get("maxReceiveCount"))
    if count is None or not 1 <= count <= MAX_RECEIVE_COUNT:
        shown = count if count is not None else json.dumps(policy.get("maxReceiveCount"))
        return broken(
            f"{queue.label} has RedrivePolicy maxReceiveCount {shown}, expected 1 to "
            f"{MAX_RECEIVE_COUNT}"
        )
    return CheckResult(
        REDRIVE_CHECK,
        True,
        f"{queue.label} moves a message to {dead_letter.label} after {count} receive(s)",
        policy=QUEUE_DLQ_POLICY,
    )
