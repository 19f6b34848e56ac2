"""The SQS rules: sqs-queue-encrypted (SSE-SQS or a KMS key, in every combination) and
sqs-queue-has-dlq (a dead-letter queue per queue, by ARN, by URL or by dependency during preview,
with a redrive policy inline or as its own resource). Passing and violating cases with exact
messages, in preview and export shapes; and the real WorkQueue component's queues. Mirrors
policies/guardrails/queues.py (the worker-tier rule: test_queues.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.components.test_queue import build as build_work_queue
from tests.components.test_queue import queue_args
from tests.policies.stacks import ACCOUNT, SECRET, UNKNOWN, arn, url
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

QUEUE = "aws:sqs/queue:Queue"
REDRIVE = "aws:sqs/redrivePolicy:RedrivePolicy"


# -- sqs-queue-encrypted ---------------------------------------------------------------------


def unencrypted(shown: str) -> Outcome:
    return fails(
        f"{QUEUE} 'jobs': sqsManagedSseEnabled is {shown} and kmsMasterKeyId is not set, so "
        "messages are not encrypted at rest by this configuration; set sqsManagedSseEnabled "
        "to true (SSE-SQS) or kmsMasterKeyId to a KMS key (SSE-KMS)"
    )


@pytest.mark.parametrize(
    ("type_token", "props", "expected"),
    [
        pytest.param(QUEUE, {"sqsManagedSseEnabled": True}, PASS, id="sse-sqs"),
        pytest.param(
            QUEUE,
            {"sqsManagedSseEnabled": False, "kmsMasterKeyId": "alias/aws/sqs"},
            PASS,
            id="sse-kms-by-alias",
        ),
        pytest.param(
            QUEUE,
            {"kmsMasterKeyId": f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/1234abcd"},
            PASS,
            id="sse-kms-by-arn",
        ),
        pytest.param(
            QUEUE,
            {"kmsMasterKeyId": UNKNOWN},
            PASS,
            id="a-key-created-in-the-same-stack-during-preview",
        ),
        pytest.param(
            QUEUE, {"sqsManagedSseEnabled": {**SECRET, "value": True}}, PASS, id="secret-sse-sqs"
        ),
        pytest.param(QUEUE, {}, unencrypted("not set"), id="nothing-set"),
        pytest.param(QUEUE, {"sqsManagedSseEnabled": False}, unencrypted("false"), id="sse-off"),
        pytest.param(
            QUEUE,
            {"sqsManagedSseEnabled": False, "kmsMasterKeyId": ""},
            unencrypted("false"),
            id="sse-off-and-an-empty-key",
        ),
        pytest.param("aws:sns/topic:Topic", {}, PASS, id="other-types-are-not-judged"),
    ],
)
def test_queues_are_encrypted(type_token: str, props: dict[str, Any], expected: Outcome) -> None:
    assert check("sqs-queue-encrypted", Res(type_token, "jobs", props)) == expected


def test_unknown_encryption_cannot_be_checked() -> None:
    outcome = check("sqs-queue-encrypted", Res(QUEUE, "q", {"sqsManagedSseEnabled": UNKNOWN}))
    assert outcome == undecided(f"{QUEUE} 'q': sqsManagedSseEnabled is not known yet")


_SSE_VALUES = [True, False, None, {**SECRET, "value": True}, {**SECRET, "value": False}]
_KMS_VALUES = [None, "", "alias/aws/sqs", UNKNOWN]


@pytest.mark.parametrize("sse", _SSE_VALUES)
@pytest.mark.parametrize("kms", _KMS_VALUES)
def test_encryption_verdict_for_every_combination(sse: Any, kms: Any) -> None:
    props = {
        k: v for k, v in (("sqsManagedSseEnabled", sse), ("kmsMasterKeyId", kms)) if v is not None
    }
    sse_on = sse is True or (isinstance(sse, dict) and sse["value"] is True)
    kms_set = kms not in (None, "")
    outcome = check("sqs-queue-encrypted", Res(QUEUE, "jobs", props))
    assert outcome.undecided is None
    assert (outcome.violations == []) is (sse_on or kms_set)


# -- sqs-queue-has-dlq -----------------------------------------------------------------------


def queue(name: str, **props: Any) -> Res:
    """A queue as a stack export shows it (ARN and URL known)."""
    return Res(QUEUE, name, {"arn": arn(name), "url": url(name), "id": url(name), **props})


def redrive(target: str, receives: int = 5) -> str:
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": receives})


NO_DLQ_FIX = (
    "a message that always fails is received again and again until it expires; create a "
    'dead-letter queue and set redrivePolicy to {"deadLetterTargetArn": <its ARN>, '
    '"maxReceiveCount": <receives>}'
)


def no_dlq(name: str, why: str = "redrivePolicy is not set") -> tuple[str, str]:
    return (f"{QUEUE} '{name}': {why}; {NO_DLQ_FIX}", urn(QUEUE, name))


def preview_queue(name: str, **props: Any) -> Res:
    """A queue during preview: its URL and ARN are not known yet."""
    return Res(QUEUE, name, {"url": UNKNOWN, "arn": UNKNOWN, **props})


PREVIEW_DLQ = preview_queue("jobs-dlq", id=UNKNOWN)
PREVIEW_JOBS, PREVIEW_JOBS_DLQ = preview_queue("jobs"), preview_queue("jobs-dlq")

DLQ_CASES = [
    pytest.param(
        [queue("jobs", redrivePolicy=redrive(arn("jobs-dlq"))), queue("jobs-dlq")],
        PASS,
        id="a-redrive-policy-and-its-dlq-exempt-by-arn",
    ),
    pytest.param(
        [
            Res(QUEUE, "jobs", {"redrivePolicy": UNKNOWN}, {"redrivePolicy": [PREVIEW_DLQ]}),
            PREVIEW_DLQ,
        ],
        PASS,
        id="in-preview-the-dlq-is-recognised-by-the-redrive-policys-dependency",
    ),
    pytest.param(
        [
            queue("jobs"),
            queue("jobs-dlq"),
            Res(
                REDRIVE,
                "jobs-redrive",
                {"queueUrl": url("jobs"), "redrivePolicy": redrive(arn("jobs-dlq"))},
            ),
        ],
        PASS,
        id="a-separate-redrive-policy-resource-counts-by-url",
    ),
    pytest.param(
        [
            PREVIEW_JOBS,
            PREVIEW_JOBS_DLQ,
            Res(
                REDRIVE,
                "jobs-redrive",
                {"queueUrl": UNKNOWN, "redrivePolicy": UNKNOWN},
                {"queueUrl": [PREVIEW_JOBS], "redrivePolicy": [PREVIEW_JOBS_DLQ]},
            ),
        ],
        PASS,
        id="a-separate-redrive-policy-resource-counts-by-dependency-in-preview",
    ),
    pytest.param(
        [
            queue(
                "jobs", redrivePolicy=redrive("arn:aws:sqs:ap-northeast-2:210987654321:shared-dlq")
            )
        ],
        PASS,
        id="a-dlq-outside-the-stack-counts",
    ),
    pytest.param([queue("jobs")], Outcome([no_dlq("jobs")]), id="no-redrive-policy"),
    pytest.param(
        [queue("a"), queue("b", redrivePolicy="")],
        Outcome([no_dlq("a"), no_dlq("b")]),
        id="queues-that-refer-to-no-dlq-each-fail-and-none-is-exempt",
    ),
    pytest.param(
        # The DLQ side of the relation (who may use me) is not a DLQ by itself.
        [
            queue(
                "maybe-dlq",
                redriveAllowPolicy=json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [arn("jobs")]}
                ),
            )
        ],
        Outcome([no_dlq("maybe-dlq")]),
        id="a-redrive-allow-policy-does-not-make-a-queue-a-dlq",
    ),
    *[
        pytest.param(
            [queue("jobs", redrivePolicy=policy)], Outcome([no_dlq("jobs", why)]), id=case_id
        )
        for policy, why, case_id in (
            (
                '{"maxReceiveCount": 3}',
                "redrivePolicy '{\"maxReceiveCount\": 3}' has no deadLetterTargetArn",
                "a-redrive-policy-without-a-target",
            ),
            (
                '{"deadLetterTargetArn": "", "maxReceiveCount": 3}',
                'redrivePolicy \'{"deadLetterTargetArn": "", "maxReceiveCount": 3}\' has no '
                "deadLetterTargetArn",
                "a-redrive-policy-with-an-empty-target",
            ),
            ("dlq please", "redrivePolicy is not JSON: 'dlq please'", "a-redrive-policy-not-json"),
        )
    ],
    pytest.param(
        [Res(QUEUE, "jobs", {"redrivePolicy": UNKNOWN})],
        undecided(
            f"{QUEUE} 'jobs': its redrivePolicy is not known yet and refers to no queue of this "
            "stack"
        ),
        id="an-unknown-redrive-policy-without-a-queue-dependency",
    ),
]


@pytest.mark.parametrize(("stack", "expected"), DLQ_CASES)
def test_every_queue_has_a_dlq(stack: list[Res], expected: Outcome) -> None:
    assert check("sqs-queue-has-dlq", *stack) == expected


def test_the_work_queue_component_satisfies_both_sqs_rules() -> None:
    """The real component's queues with the state AWS gives them (a stack export's shape)."""
    aws, _ = build_work_queue(queue_args())
    queues_ = [Res(QUEUE, r.name, dict(r.state)) for r in aws.of_type(QUEUE)]
    assert sorted(q.name for q in queues_) == ["jobs", "jobs-dlq"]
    for q in queues_:
        assert check("sqs-queue-encrypted", q) == PASS
    assert check("sqs-queue-has-dlq", *queues_) == PASS
    main = next(q for q in queues_ if q.name == "jobs")
    del main.props["redrivePolicy"]
    assert sorted(check("sqs-queue-has-dlq", *queues_).messages) == [
        f"{QUEUE} 'jobs': redrivePolicy is not set; {NO_DLQ_FIX}",
        f"{QUEUE} 'jobs-dlq': redrivePolicy is not set; {NO_DLQ_FIX}",
    ]
