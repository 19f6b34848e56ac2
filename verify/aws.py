"""The AWS clients verify uses, and the one place every AWS call goes through.

Every call verify makes runs through `guard`: whatever botocore or the HTTP stack raises
(a `ClientError` such as AccessDenied, `NoCredentialsError`, `EndpointConnectionError`, a
timeout, `ParamValidationError`, or `ResponseParserError` when an endpoint answers HTML,
which is not even a `BotoCoreError`) becomes one `AwsCallFailed` naming the call as an IAM
action (`elasticbeanstalk:DescribeEnvironmentResources`) and why. The CLI turns it into
exit 2 with one line: a check that could not ask AWS has not failed, it was not run.

Call sites stay typed (the guarded client is the boto3 client's type) and carry no
try/except of their own, except where an error code is an answer (`DBInstanceNotFound`
means "there is no such database", a finding, not a failure).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_elasticbeanstalk import ElasticBeanstalkClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_route53 import Route53Client

_REASON_LIMIT = 300
"""Characters of an error message kept: an HTML error page must not flood the terminal."""


class AwsCallFailed(Exception):
    """An AWS call that did not return an answer verify can read (exit 2, not a failed check)."""

    def __init__(self, action: str, reason: str, code: str | None = None) -> None:
        super().__init__(f"AWS call {action} failed: {reason}")
        self.action = action
        """The call as an IAM action, e.g. `rds:DescribeDBInstances`."""
        self.reason = reason
        self.code = code
        """The AWS error code of a `ClientError` (`AccessDenied`, ...), else None."""


def describe_failure(error: BaseException) -> tuple[str, str | None]:
    """(one-line reason, AWS error code or None) for anything an AWS call raised."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code") or "Unknown")
        message = str(details.get("Message") or error)
        return _one_line(f"{code}: {message}"), code
    return _one_line(f"{type(error).__name__}: {error}"), None


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else "no message"
    first = "".join(ch if ch.isprintable() else "?" for ch in first)
    return first if len(first) <= _REASON_LIMIT else first[: _REASON_LIMIT - 3] + "..."


class SqsClient(Protocol):
    """The one SQS call verify makes, typed here: the environment has no mypy_boto3_sqs
    stubs, and boto3 types `session.client("sqs")` as Any."""

    def get_queue_attributes(
        self,
        *,
        QueueUrl: str,
        AttributeNames: Sequence[str],
    ) -> Mapping[str, Any]: ...


ClientT = TypeVar("ClientT")


class _GuardedClient:
    """Forwards to a boto3 client; its API methods raise `AwsCallFailed` and nothing else."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._service = client.meta.service_model.signing_name
        self._operations: dict[str, str] = client.meta.method_to_api_mapping

    def __getattr__(self, name: str) -> Any:
        if name in ("get_paginator", "get_waiter"):
            # Their requests would bypass the guard; page with guarded calls instead.
            raise AttributeError(f"{name} is not available on a guarded client")
        attribute = getattr(self._client, name)
        operation = self._operations.get(name)
        if operation is None:
            return attribute
        return self._guarded(f"{self._service}:{operation}", attribute)

    @staticmethod
    def _guarded(action: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return call(*args, **kwargs)
            except Exception as error:  # any failure of the call itself: see the module doc
                reason, code = describe_failure(error)
                raise AwsCallFailed(action, reason, code) from error

        return run


def guard(client: ClientT) -> ClientT:
    """`client` with every API call wrapped (see the module docstring); idempotent."""
    if isinstance(client, _GuardedClient):
        return client
    return cast(ClientT, _GuardedClient(client))


@dataclass(frozen=True)
class Clients:
    """The AWS clients verify needs, built by the caller (real, moto-backed or stubbed)."""

    elasticbeanstalk: ElasticBeanstalkClient
    ec2: EC2Client
    elbv2: ElasticLoadBalancingv2Client
    rds: RDSClient
    route53: Route53Client | None = None
    """Needed only for a stack served on its own domain (`webUrl` not on elasticbeanstalk.com)."""
    sqs: SqsClient | None = None
    """Needed only for a stack with a worker tier (its work queue and dead-letter queue)."""

    def guarded(self) -> Clients:
        """The same clients, every call going through `guard`."""
        return Clients(
            elasticbeanstalk=guard(self.elasticbeanstalk),
            ec2=guard(self.ec2),
            elbv2=guard(self.elbv2),
            rds=guard(self.rds),
            route53=guard(self.route53) if self.route53 is not None else None,
            sqs=guard(self.sqs) if self.sqs is not None else None,
        )
