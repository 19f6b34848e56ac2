"""The worker tier's stack outputs (issue 13): all four or none. A stack without them has no
worker; the four are the ones the brief names; a stack with some of them names the one it
lacks, as a `StackOutputs` error and as verify's exit 2 with one line; a worker output shown as
`[secret]` is refused. Mirrors the worker part of verify/outputs.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from preflight.inputs.errors import InputError
from tests.verify.account import REGION
from tests.verify.support import DEV_OUTPUTS, write_outputs
from tests.verify.worker_tier import WORKER_ENV, WORKER_VERSION
from verify.cli import main
from verify.outputs import WORKER_OUTPUTS, StackOutputs, WorkerOutputs


def test_without_worker_outputs_the_stack_has_no_worker() -> None:
    """verify_stack then adds no worker line and needs no SQS client: tests/verify/test_checks.py's
    healthy report, made with clients that have none, pins its exact list of checks."""
    assert StackOutputs.from_mapping(DEV_OUTPUTS, "src").worker is None


# --- the outputs: all four worker outputs, or none --------------------------------------

_WORKER: dict[str, str] = {
    "workerEnvironmentName": WORKER_ENV,
    "workerVersionLabel": WORKER_VERSION,
    "workQueueUrl": "https://sqs.example/1/work",
    "deadLetterQueueUrl": "https://sqs.example/1/dlq",
}


def test_the_worker_outputs_are_the_four_the_brief_names() -> None:
    assert tuple(_WORKER) == WORKER_OUTPUTS
    outputs = StackOutputs.from_mapping({**DEV_OUTPUTS, **_WORKER}, "src")
    assert outputs.worker == WorkerOutputs(
        WORKER_ENV, WORKER_VERSION, "https://sqs.example/1/work", "https://sqs.example/1/dlq"
    )


@pytest.mark.parametrize("left_out", list(_WORKER))
def test_a_stack_with_some_worker_outputs_names_the_missing_one(left_out: str) -> None:
    given = {k: v for k, v in _WORKER.items() if k != left_out}
    with pytest.raises(InputError) as raised:
        StackOutputs.from_mapping({**DEV_OUTPUTS, **given}, "src")
    assert str(raised.value) == (
        f"src has worker output(s) {', '.join(given)} but lacks {left_out}; a stack with a "
        "worker tier exports all of: workerEnvironmentName, workerVersionLabel, workQueueUrl, "
        "deadLetterQueueUrl (a stack without one exports none of them)"
    )


def test_partial_worker_outputs_exit_2_with_one_line(tmp_path: Path) -> None:
    path = write_outputs(tmp_path, {**DEV_OUTPUTS, "workQueueUrl": _WORKER["workQueueUrl"]})
    out, err = io.StringIO(), io.StringIO()
    code = main(["--stack", "prod", "--outputs", str(path), "--region", REGION], out=out, err=err)
    assert (code, out.getvalue()) == (2, "")
    assert err.getvalue() == (
        f"verify: error: {path} has worker output(s) workQueueUrl but lacks "
        "workerEnvironmentName, workerVersionLabel, deadLetterQueueUrl; a stack with a worker "
        "tier exports all of: workerEnvironmentName, workerVersionLabel, workQueueUrl, "
        "deadLetterQueueUrl (a stack without one exports none of them)\n"
    )


def test_a_worker_output_shown_as_a_secret_is_refused() -> None:
    with pytest.raises(InputError) as raised:
        StackOutputs.from_mapping({**DEV_OUTPUTS, **_WORKER, "workQueueUrl": "[secret]"}, "src")
    assert str(raised.value) == (
        "stack output workQueueUrl in src is a secret shown as [secret]; "
        "export with `pulumi stack output --json --show-secrets`"
    )
