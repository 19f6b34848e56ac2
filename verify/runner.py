"""Runs every check for one stack in a fixed order, so reports are stable and complete:
each guarantee appears once, as PASS or FAIL, even when something it depends on is gone."""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import ClientError

from verify.checks import (
    CheckResult,
    Clients,
    Role,
    check_db_encrypted,
    check_db_multi_az,
    check_db_not_public,
    check_environment_health,
    check_environment_properties,
    check_load_balancer_internal,
    check_no_public_ip,
    check_private_subnets,
    describe_instances,
    fetch_environment_resources,
    find_db_instance,
    find_environment,
    not_checked,
)
from verify.outputs import StackOutputs

_AWS_ERROR_FIX = "verify needs read-only describe access to EB, EC2, ELBv2 and RDS"


def stage_of(stack_name: str) -> str:
    """`acme/webmodel/prod` and `prod` are both stage `prod`."""
    return stack_name.rsplit("/", 1)[-1]


def verify_stack(outputs: StackOutputs, stage: str, clients: Clients) -> list[CheckResult]:
    results: list[CheckResult] = []
    environments: tuple[tuple[Role, str], ...] = (
        ("web", outputs.web_environment_name),
        ("model", outputs.model_environment_name),
    )
    for role, environment in environments:
        results += verify_environment(clients, outputs.application_name, environment, role)
    results += verify_database(clients, outputs.db_instance_identifier, stage)
    return results


def verify_environment(
    clients: Clients, application: str, environment: str, role: Role
) -> list[CheckResult]:
    eb, ec2 = clients.elasticbeanstalk, clients.ec2
    dependent = [f"{role}-instances-no-public-ip", f"{role}-instances-private-subnets"]
    dependent.append(f"{role}-env-properties-size")
    if role == "model":
        dependent.append("model-lb-internal")

    health_id = f"{role}-env-ready-green"
    try:
        description = find_environment(eb, application, environment)
    except ClientError as err:
        return [_aws_error(health_id, err)] + [
            not_checked(c, f"{role} environment {environment!r} could not be read")
            for c in dependent
        ]
    results = [check_environment_health(role, application, environment, description)]
    if description is None:
        return results + [
            not_checked(c, f"{role} environment {environment!r} does not exist") for c in dependent
        ]

    try:
        resources = fetch_environment_resources(eb, environment)
        instances = describe_instances(ec2, resources.instance_ids)
    except ClientError as err:
        results += [_aws_error(c, err) for c in dependent[:2]]
        resources = None
    else:
        results.append(check_no_public_ip(role, instances))
        results.append(_guarded(dependent[1], lambda: check_private_subnets(ec2, role, instances)))
    results.append(
        _guarded(
            dependent[2],
            lambda: check_environment_properties(eb, application, environment, role),
        )
    )
    if role == "model":
        if resources is None:
            results.append(not_checked("model-lb-internal", "environment resources unreadable"))
        else:
            found = resources
            results.append(
                _guarded(
                    "model-lb-internal",
                    lambda: check_load_balancer_internal(clients.elbv2, role, found),
                )
            )
    return results


def verify_database(clients: Clients, identifier: str, stage: str) -> list[CheckResult]:
    ids = ("rds-not-public", "rds-encrypted", "rds-multi-az")
    try:
        db = find_db_instance(clients.rds, identifier)
    except ClientError as err:
        return [_aws_error(c, err) for c in ids]
    if db is None:
        return [
            CheckResult(
                c,
                False,
                f"DB instance {identifier!r} not found",
                "run `pulumi refresh` then `pulumi up`; restore from the latest snapshot "
                "if it was deleted",
            )
            for c in ids
        ]
    return [check_db_not_public(db), check_db_encrypted(db), check_db_multi_az(db, stage)]


def _guarded(check_id: str, run: Callable[[], CheckResult]) -> CheckResult:
    try:
        return run()
    except ClientError as err:
        return _aws_error(check_id, err)


def _aws_error(check_id: str, err: ClientError) -> CheckResult:
    error = err.response.get("Error", {})
    code, message = error.get("Code", "Unknown"), error.get("Message", str(err))
    return CheckResult(check_id, False, f"AWS error {code}: {message}", _AWS_ERROR_FIX)
