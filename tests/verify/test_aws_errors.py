"""Every way an AWS call can fail gives exit 2 and one line naming the call, never a
traceback and never exit 1 (which means a guarantee is broken).

The class is generated on both axes: every exception botocore defines (each `BotoCoreError`
subclass, built from its own message template), `ClientError`s, `ResponseParserError` (not a
`BotoCoreError`) and plain socket errors, raised at every AWS call verify makes. The account
is stubbed (`botocore.stub.Stubber`, tests/verify/stubbed_dev.py), and the failure is raised
by a `before-call` hook on the real client, where botocore itself would raise it; a not-found
answer is a finding instead. The runs over HTTP and with a broken AWS configuration are in
test_aws_errors_end_to_end.py. Mirrors verify/aws.py.
"""

from __future__ import annotations

import inspect
import io
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from tests.cli_support import assert_one_line_error
from tests.verify.stubbed_dev import DB_ID, REGION, stub_healthy_account
from tests.verify.support import write_outputs
from verify.aws import Clients, guard
from verify.cli import main

# Every AWS call verify makes, as (client field, botocore operation, the IAM action the
# error names). `test_these_are_all_the_calls_verify_makes` keeps the list complete.
CALLS: list[tuple[str, str, str]] = [
    ("elasticbeanstalk", "DescribeEnvironments", "elasticbeanstalk:DescribeEnvironments"),
    (
        "elasticbeanstalk",
        "DescribeEnvironmentResources",
        "elasticbeanstalk:DescribeEnvironmentResources",
    ),
    (
        "elasticbeanstalk",
        "DescribeConfigurationSettings",
        "elasticbeanstalk:DescribeConfigurationSettings",
    ),
    ("ec2", "DescribeInstances", "ec2:DescribeInstances"),
    ("ec2", "DescribeSubnets", "ec2:DescribeSubnets"),
    ("ec2", "DescribeRouteTables", "ec2:DescribeRouteTables"),
    ("elbv2", "DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers"),
    ("rds", "DescribeDBInstances", "rds:DescribeDBInstances"),
]


@pytest.fixture(scope="module")
def clients() -> Clients:
    """Real botocore clients, shared by the module (stubbed per test, never sent)."""
    session = boto3.Session(
        region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    return Clients(
        elasticbeanstalk=session.client("elasticbeanstalk"),
        ec2=session.client("ec2"),
        elbv2=session.client("elbv2"),
        rds=session.client("rds"),
    )


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def run(clients: Clients, tmp_path: Path) -> Iterator[Callable[..., Result]]:
    """Run `main` on the stubbed account; `fail_at=(field, operation, error)` raises `error`
    from that call the way botocore would, before the stub answers."""
    outputs = write_outputs(tmp_path)
    cleanups: list[Callable[[], None]] = []

    def go(
        fail_at: tuple[str, str, BaseException] | None = None, record: list[str] | None = None
    ) -> Result:
        stubbers = stub_healthy_account(clients)
        cleanups.extend(s.deactivate for s in stubbers)
        for field in ("elasticbeanstalk", "ec2", "elbv2", "rds"):
            client = getattr(clients, field)

            def hook(model: Any, _client: Any = client, **_: Any) -> None:
                if record is not None:
                    service = _client.meta.service_model.signing_name
                    record.append(f"{service}:{model.name}")
                failing = fail_at is not None and getattr(clients, fail_at[0]) is _client
                if fail_at is not None and failing and model.name == fail_at[1]:
                    raise fail_at[2]

            events = client.meta.events
            events.register_first("before-call.*.*", hook, unique_id="h4-fail")
            cleanups.append(partial(events.unregister, "before-call.*.*", unique_id="h4-fail"))
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["--stack", "dev", "--outputs", str(outputs), "--region", REGION],
            make_clients=lambda region: clients,
            out=out,
            err=err,
        )
        return Result(code, out.getvalue(), err.getvalue())

    yield go
    for cleanup in reversed(cleanups):
        cleanup()


def test_the_stubbed_account_is_healthy(run: Callable[..., Result]) -> None:
    result = run()
    assert result.code == 0, result.out
    assert result.err == ""
    assert result.out.splitlines()[-1] == (
        "stack dev: 12 of 12 checks passed; every guarantee holds (exit 0)"
    )


def test_these_are_all_the_calls_verify_makes(run: Callable[..., Result]) -> None:
    """A new AWS call in verify must join CALLS, so the failure tests below cover it."""
    seen: list[str] = []
    assert run(record=seen).code == 0
    assert set(seen) == {action for _, _, action in CALLS}


def _botocore_errors() -> list[BaseException]:
    """One instance of every exception class botocore.exceptions defines, its message
    template filled with placeholder values."""
    errors: list[BaseException] = []
    for _, cls in inspect.getmembers(botocore.exceptions, inspect.isclass):
        if not issubclass(cls, BotoCoreError):
            continue
        fields = {f for _, f, _, _ in string.Formatter().parse(cls.fmt) if f}
        if cls is botocore.exceptions.WaiterError:
            errors.append(cls(name="w", reason="r", last_response={}))
        else:
            errors.append(cls(**{f: f"<{f}>" for f in fields}))
    return errors


def _client_error(code: str, message: str, operation: str = "Op") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


HTML_500 = (
    "Unable to parse response (syntax error: line 1, column 0), invalid XML received. "
    "Further retries may succeed:\nb'<!doctype html>\\n<html lang=en>\\n<title>500 Internal "
    "Server Error</title>'"
)
OTHER_ERRORS: list[BaseException] = [
    _client_error("AccessDenied", "User is not authorized to perform this action"),
    _client_error("UnauthorizedOperation", "You are not authorized to perform this operation."),
    _client_error("Throttling", "Rate exceeded"),
    _client_error("ExpiredToken", "The security token included in the request is expired"),
    _client_error("InternalFailure", "line one\nline two"),
    ClientError({}, "Op"),  # an error response without an Error element
    ResponseParserError(HTML_500),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError("timed out"),
]
ERRORS = _botocore_errors() + OTHER_ERRORS


def test_the_generated_class_is_broad() -> None:
    names = {type(e).__name__ for e in ERRORS}
    assert len(names) > 90
    assert {
        "ClientError",
        "ResponseParserError",
        "EndpointConnectionError",
        "ReadTimeoutError",
        "ConnectTimeoutError",
        "NoCredentialsError",
        "ParamValidationError",
        "SSLError",
    } <= names


def _check_one_line(result: Result, action: str) -> None:
    assert result.out == ""
    assert_one_line_error(result.code, result.err, f"verify: error: AWS call {action} failed: ")
    assert result.err.endswith("\n")
    assert "Traceback" not in result.err
    assert len(result.err) < 400


@pytest.mark.parametrize(
    "error", ERRORS, ids=[f"{i}-{type(e).__name__}" for i, e in enumerate(ERRORS)]
)
def test_every_error_class_exits_2_naming_the_call(
    run: Callable[..., Result], error: BaseException
) -> None:
    """Each class at one call, the calls taken in turn, so every call meets many classes."""
    field, operation, action = CALLS[ERRORS.index(error) % len(CALLS)]
    result = run(fail_at=(field, operation, error))
    _check_one_line(result, action)
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code") or "Unknown"
        assert f"failed: {code}: " in result.err
    else:
        assert f"failed: {type(error).__name__}: " in result.err


@pytest.mark.parametrize(("field", "operation", "action"), CALLS)
@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            _client_error("AccessDenied", "not authorized"),
            "AccessDenied: not authorized",
        ),
        (
            botocore.exceptions.EndpointConnectionError(endpoint_url="https://x.amazonaws.com/"),
            'EndpointConnectionError: Could not connect to the endpoint URL: "https://x.amazonaws.com/"',
        ),
        (
            ResponseParserError(HTML_500),
            "ResponseParserError: Unable to parse response (syntax error: line 1, column 0), "
            "invalid XML received. Further retries may succeed:",
        ),
        (
            botocore.exceptions.NoCredentialsError(),
            "NoCredentialsError: Unable to locate credentials",
        ),
        (
            botocore.exceptions.ReadTimeoutError(endpoint_url="https://x.amazonaws.com/"),
            'ReadTimeoutError: Read timeout on endpoint URL: "https://x.amazonaws.com/"',
        ),
    ],
    ids=["AccessDenied", "EndpointConnection", "ResponseParser", "NoCredentials", "ReadTimeout"],
)
def test_every_call_fails_with_its_exact_line(
    run: Callable[..., Result],
    field: str,
    operation: str,
    action: str,
    error: BaseException,
    reason: str,
) -> None:
    result = run(fail_at=(field, operation, error))
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"verify: error: AWS call {action} failed: {reason}\n"


def test_a_not_found_answer_is_a_finding_not_an_error(run: Callable[..., Result]) -> None:
    """DBInstanceNotFound means the database is gone: broken guarantees (exit 1); multi-AZ
    is advisory in policies/config/dev.json, so it warns."""
    gone = _client_error("DBInstanceNotFound", f"DBInstance {DB_ID} not found.")
    result = run(fail_at=("rds", "DescribeDBInstances", gone))
    assert result.code == 1
    assert result.err == ""
    assert [line for line in result.out.splitlines() if line[:4] in ("FAIL", "WARN")] == [
        f"FAIL  rds-not-public: DB instance {DB_ID!r} not found",
        f"FAIL  rds-encrypted: DB instance {DB_ID!r} not found",
        f"WARN  rds-multi-az: DB instance {DB_ID!r} not found "
        "(rds-multi-az is advisory in policies/config/dev.json)",
    ]


def test_a_missing_load_balancer_is_a_finding(run: Callable[..., Result]) -> None:
    gone = _client_error("LoadBalancerNotFound", "One or more load balancers not found")
    result = run(fail_at=("elbv2", "DescribeLoadBalancers", gone))
    assert result.code == 1
    assert [line for line in result.out.splitlines() if line.startswith("FAIL")] == [
        "FAIL  model-lb-internal: model load balancer(s) "
        "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/awseb-model/1 not found"
    ]


def test_a_guarded_client_offers_no_unguarded_paginators(clients: Clients) -> None:
    guarded = clients.guarded()
    with pytest.raises(AttributeError, match="get_paginator is not available"):
        guarded.ec2.get_paginator("describe_instances")
    assert guarded.ec2.meta is clients.ec2.meta
    assert guard(guarded.ec2) is guarded.ec2
