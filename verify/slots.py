"""Blue/green slots, live: one slot's environment before a flip (`--slot NAME`), and each
switch record resolving to the live slot's load balancer after it.

`python -m verify --stack prod --slot green` runs, for every role with a slot `green`, the checks
every environment gets (Ready/Green, the version the stack deployed to it, no public IP,
private subnets, the 4 KB budget, an internal model load balancer), named `<role>-green-...`;
then, for every role with slots, `<role>-switch-live`: the role's record (`webSlots.record` in
its public zone, `modelSlots.record` in the VPC's private zone) is an alias of the live slot's
load balancer. Records are read from Route 53, never from DNS lookups, so resolver caches do not
hide a record that has not changed; which environment a name reaches is the pack's rule
(`awsfacts.dns`).
"""

from __future__ import annotations

from awsfacts.dns import dns_name

from verify.aws import Clients
from verify.checks import (
    EnvironmentResources,
    Role,
    _existing,
    fetch_environment_resources,
    find_environment,
)
from verify.domain import alias_of
from verify.outputs import SlotsOutput, StackOutputs
from verify.result import CheckResult

SWITCH_POLICY = "eb-switch-points-at-stack-environment"
"""The pack policy the switch check mirrors."""


def verify_switches(clients: Clients, outputs: StackOutputs) -> list[CheckResult]:
    """`<role>-switch-live` for every role that runs as slots."""
    return [
        check_switch(clients, outputs.application_name, role, slots)
        for role, slots in outputs.slotted()
    ]


def _balancers(clients: Clients, application: str, environment: str) -> set[str] | None:
    """The DNS names of an environment's load balancers; None when it does not exist."""
    if find_environment(clients.elasticbeanstalk, application, environment) is None:
        return None
    resources: EnvironmentResources = fetch_environment_resources(
        clients.elasticbeanstalk, environment
    )
    arns = [lb for lb in resources.load_balancers if lb.startswith("arn:")]
    if not arns:
        return set()
    found = _existing(lambda: clients.elbv2.describe_load_balancers(LoadBalancerArns=arns))
    return {name for lb in found if (name := dns_name(lb.get("DNSName"))) is not None}


def check_switch(clients: Clients, application: str, role: Role, slots: SlotsOutput) -> CheckResult:
    """The role's record is an alias of the live slot's load balancer."""
    check_id, record, live = f"{role}-switch-live", slots.record, slots.live
    fix = f"run `pulumi up`: the record follows webmodel:{role}.live ({live!r})"
    if clients.route53 is None:
        return CheckResult(check_id, False, "not checked: no Route 53 client", fix, SWITCH_POLICY)
    target = alias_of(clients.route53, slots.zone_id, record)
    if target is None:
        detail = f"{record} has no alias A record in hosted zone {slots.zone_id}"
        return CheckResult(check_id, False, detail, fix, SWITCH_POLICY)
    serving: dict[str, set[str] | None] = {
        name: _balancers(clients, application, slot.environment_name)
        for name, slot in sorted(slots.slots.items(), key=lambda item: item[0] != live)
    }
    if serving[live] is None:
        detail = f"the live {role} slot {live!r} ({slots.live_environment}) does not exist"
        return CheckResult(check_id, False, detail, fix, SWITCH_POLICY)
    if target in (serving[live] or set()):
        return CheckResult(
            check_id,
            True,
            f"{record} is an alias of the live {role} slot {live!r} ({slots.live_environment})",
            policy=SWITCH_POLICY,
        )
    other = next((name for name, dns in serving.items() if dns and target in dns), None)
    where = f"slot {other!r}" if other else "no slot of the stack"
    detail = (
        f"{record} is an alias of {target} ({where}), not of the live {role} slot {live!r} "
        f"({', '.join(sorted(serving[live] or ())) or 'no load balancer'})"
    )
    return CheckResult(check_id, False, detail, fix, SWITCH_POLICY)
