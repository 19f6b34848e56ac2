"""Runs every check for one stack in a fixed order, so reports are stable and complete:
each guarantee appears once, even when something it depends on is gone. Every AWS call
goes through guarded clients (verify/aws.py): one that fails stops the run with
`AwsCallFailed` (exit 2) instead of turning into a failed check. Each result then gets its
stage's enforcement level (verify/enforcement.py): FAIL where the mirrored pack policy is
mandatory, WARN where it is advisory, SKIP where it is disabled."""

from __future__ import annotations

from dataclasses import replace

from preflight.inputs.errors import InputError
from verify.aws import Clients
from verify.checks import (
    ENV_PROPERTIES_POLICY,
    INTERNAL_MODEL_POLICY,
    PRIVATE_SUBNETS_POLICY,
    STACK_VERSION_POLICY,
    Role,
    check_environment_health,
    check_environment_properties,
    check_load_balancer_internal,
    check_no_public_ip,
    check_private_subnets,
    check_runs_stack_version,
    describe_instances,
    fetch_environment_resources,
    fetch_option_settings,
    find_environment,
)
from verify.database import (
    DATABASE_CHECKS,
    check_db,
    check_db_missing,
    find_db_instance,
)
from verify.domain import check_domain_alias
from verify.enforcement import Enforcement
from verify.outputs import StackOutputs, WorkerOutputs
from verify.result import CheckResult, not_checked
from verify.slots import SWITCH_POLICY, verify_switches
from verify.worker import (
    QUEUE_CHECKS,
    READS_QUEUE_CHECK,
    SQSD_TIMEOUTS_CHECK,
    TIER_CHECK,
    check_queue_redrive,
    check_queues_encrypted,
    check_sqsd_timeouts,
    check_worker_reads_queue,
    check_worker_tier,
    fetch_queue,
)

MIRRORED_POLICIES: frozenset[str] = frozenset(
    {PRIVATE_SUBNETS_POLICY, ENV_PROPERTIES_POLICY, INTERNAL_MODEL_POLICY, STACK_VERSION_POLICY}
    | {SWITCH_POLICY}
    | {check.policy for check in DATABASE_CHECKS}
    | {policy for _, policy in QUEUE_CHECKS}
)
"""The pack policies verify's checks mirror; each must exist in the pack (a parity test)."""


def stage_of(stack_name: str) -> str:
    """`acme/webmodel/prod` and `prod` are both stage `prod`."""
    return stack_name.rsplit("/", 1)[-1]


def verify_stack(
    outputs: StackOutputs, enforcement: Enforcement, clients: Clients, slot: str | None = None
) -> list[CheckResult]:
    """Every check, in report order, each at its stage's level (raises `AwsCallFailed`); with
    `slot`, that blue/green slot's environments and the switches instead (verify/slots.py)."""
    guarded = clients.guarded()
    if slot is not None:
        return [apply_level(r, enforcement) for r in verify_slot(guarded, outputs, slot)]
    results: list[CheckResult] = []
    environments: tuple[tuple[Role, str, str | None], ...] = (
        ("web", outputs.web_environment_name, outputs.web_version_label),
        ("model", outputs.model_environment_name, outputs.model_version_label),
    )
    for role, environment, version in environments:
        results += verify_environment(guarded, outputs.application_name, environment, role, version)
    results += verify_switches(guarded, outputs)
    domain = outputs.web_domain
    if domain is not None and outputs.web_slots is None:  # with slots: web-switch-live
        web = find_environment(
            guarded.elasticbeanstalk, outputs.application_name, outputs.web_environment_name
        )
        resources = (
            fetch_environment_resources(guarded.elasticbeanstalk, outputs.web_environment_name)
            if web is not None
            else None
        )
        results.append(check_domain_alias(guarded.route53, guarded.elbv2, domain, resources))
    worker = outputs.worker
    if worker is not None:
        results += verify_worker(guarded, outputs.application_name, worker)
    results += verify_database(guarded, outputs.db_instance_identifier)
    return [apply_level(result, enforcement) for result in results]


def apply_level(result: CheckResult, enforcement: Enforcement) -> CheckResult:
    """The result at its policy's level; a broken guarantee that is not mandatory says why
    it does not fail the run."""
    level = enforcement.level(result.policy)
    if result.passed or level in ("mandatory", "remediate"):
        return replace(result, level=level)
    detail = f"{result.detail} ({result.policy} is {level} in {enforcement.source})"
    return replace(result, level=level, detail=detail)


def verify_environment(
    clients: Clients, application: str, environment: str, role: Role, version: str | None = None
) -> list[CheckResult]:
    eb, ec2 = clients.elasticbeanstalk, clients.ec2
    dependent: list[tuple[str, str]] = [
        (f"{role}-instances-no-public-ip", PRIVATE_SUBNETS_POLICY),
        (f"{role}-instances-private-subnets", PRIVATE_SUBNETS_POLICY),
        (f"{role}-env-properties-size", ENV_PROPERTIES_POLICY),
    ]
    if role == "model":
        dependent.append(("model-lb-internal", INTERNAL_MODEL_POLICY))
    if version is not None:
        dependent.insert(0, (f"{role}-runs-stack-version", STACK_VERSION_POLICY))

    description = find_environment(eb, application, environment)
    results = [check_environment_health(role, application, environment, description)]
    if description is None:
        reason = f"{role} environment {environment!r} does not exist"
        return results + [not_checked(check, reason, policy) for check, policy in dependent]

    if version is not None:
        results.append(check_runs_stack_version(role, environment, description, version))
    resources = fetch_environment_resources(eb, environment)
    instances = describe_instances(ec2, resources.instance_ids)
    results.append(check_no_public_ip(role, instances))
    results.append(check_private_subnets(ec2, role, instances))
    results.append(check_environment_properties(eb, application, environment, role))
    if role == "model":
        results.append(check_load_balancer_internal(clients.elbv2, role, resources))
    return results


def verify_worker(clients: Clients, application: str, worker: WorkerOutputs) -> list[CheckResult]:
    """The worker environment (what every tier gets, then its tier and `sqsd` wiring), then
    its queues, which are checked even when the environment is gone."""
    eb, ec2, environment = clients.elasticbeanstalk, clients.ec2, worker.environment_name
    description = find_environment(eb, application, environment)
    results = [check_environment_health("worker", application, environment, description)]
    if description is None:
        reason = f"worker environment {environment!r} does not exist"
        dependent: list[tuple[str, str | None]] = [
            (TIER_CHECK, None),
            ("worker-runs-stack-version", STACK_VERSION_POLICY),
            ("worker-instances-no-public-ip", PRIVATE_SUBNETS_POLICY),
            ("worker-instances-private-subnets", PRIVATE_SUBNETS_POLICY),
            ("worker-env-properties-size", ENV_PROPERTIES_POLICY),
            (READS_QUEUE_CHECK, None),
            (SQSD_TIMEOUTS_CHECK, None),
        ]
        results += [not_checked(check, reason, policy) for check, policy in dependent]
    else:
        results.append(check_worker_tier(environment, description))
        results.append(
            check_runs_stack_version("worker", environment, description, worker.version_label)
        )
        resources = fetch_environment_resources(eb, environment)
        instances = describe_instances(ec2, resources.instance_ids)
        results.append(check_no_public_ip("worker", instances))
        results.append(check_private_subnets(ec2, "worker", instances))
        options = fetch_option_settings(eb, application, environment)
        results.append(
            check_environment_properties(eb, application, environment, "worker", options)
        )
        results.append(check_worker_reads_queue(environment, options, worker.queue_url))
        results.append(check_sqsd_timeouts(environment, options))
    if clients.sqs is None:
        return results + [
            not_checked(check, "no SQS client", policy) for check, policy in QUEUE_CHECKS
        ]
    queue = fetch_queue(clients.sqs, "work queue", worker.queue_url)
    dead_letter = fetch_queue(clients.sqs, "dead-letter queue", worker.dead_letter_queue_url)
    results.append(check_queues_encrypted([queue, dead_letter]))
    results.append(check_queue_redrive(queue, dead_letter))
    return results


def verify_database(clients: Clients, identifier: str) -> list[CheckResult]:
    db = find_db_instance(clients.rds, identifier)
    if db is None:
        return check_db_missing(identifier)
    return check_db(db)


def verify_slot(clients: Clients, outputs: StackOutputs, slot: str) -> list[CheckResult]:
    """`slot`'s environment in every role that has it, then every role's switch."""
    roles = [(role, slots) for role, slots in outputs.slotted() if slot in slots.slots]
    if not roles:
        known = "; ".join(
            f"{role}: {', '.join(sorted(slots.slots))}" for role, slots in outputs.slotted()
        )
        raise InputError(
            f"--slot {slot}: no role of the stack has a slot {slot!r} "
            f"({known or 'the stack runs no blue/green slots: no webSlots or modelSlots output'})"
        )
    results: list[CheckResult] = []
    for role, slots in roles:
        environment = slots.slots[slot]
        found = verify_environment(
            clients,
            outputs.application_name,
            environment.environment_name,
            role,
            environment.version_label,
        )
        results += [_in_slot(result, role, slot) for result in found]
    return results + verify_switches(clients, outputs)


def _in_slot(result: CheckResult, role: Role, slot: str) -> CheckResult:
    """A role's check, named for the slot it ran on (`web-env-ready-green` ->
    `web-green-env-ready-green`)."""
    return replace(result, check_id=f"{role}-{slot}-{result.check_id.removeprefix(f'{role}-')}")
