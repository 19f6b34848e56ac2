"""`stack-monthly-cost` through pulumi-policy's own arguments: the ceiling and its boundary."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from guardrails.cost import judge
from pricing import HOURS_PER_MONTH, estimate_stack, usage_for
from pulumi_policy.policy import _NotApplicableError

from tests.policies.cost_support import REGION, ROOT, price, stack_records
from tests.policies.stacks import UNKNOWN
from tests.policies.support import PASS, Res, check

POLICY = "stack-monthly-cost"
PROVIDER = Res("pulumi:providers:aws", "default_7_51_1", {"region": REGION})
NAT = Res("aws:ec2/natGateway:NatGateway", "nat", {"connectivityType": "public"})


def _web(instance_types: str = "t3.small") -> Res:
    settings = [
        {"namespace": "aws:ec2:instances", "name": "InstanceTypes", "value": instance_types},
        {"namespace": "aws:autoscaling:asg", "name": "MinSize", "value": "1"},
        {"namespace": "aws:autoscaling:asg", "name": "MaxSize", "value": "2"},
        {
            "namespace": "aws:elasticbeanstalk:environment",
            "name": "LoadBalancerIsShared",
            "value": "true",
        },
    ]
    return Res(
        "aws:elasticbeanstalk/environment:Environment",
        "web",
        {"settings": settings, "tags": {"role": "web"}},
    )


def _maximum() -> Decimal:
    """By hand: 2 t3.small, the trigger's 2 alarms, one NAT gateway with dev's NAT data."""
    return (
        2 * HOURS_PER_MONTH * price("ec2.instanceHour", "t3.small")
        + 2 * price("cloudwatch.alarmMonth")
        + HOURS_PER_MONTH * price("natGateway.hour")
        + usage_for("dev")["natDataGbPerMonth"] * price("natGateway.gb")
    )


def test_it_passes_at_the_ceiling_and_fails_a_cent_above() -> None:
    stack = [PROVIDER, _web(), NAT]
    ceiling = _maximum()
    assert check(POLICY, *stack, config={"maxMonthlyUsd": float(ceiling)}) == PASS
    over = check(POLICY, *stack, config={"maxMonthlyUsd": float(ceiling - Decimal("0.01"))})
    [(message, urn)] = over.violations
    assert urn is None
    assert "its maximum exceeds the ceiling maxMonthlyUsd" in message
    assert "by $0.01" in message
    assert message.startswith("The stack's monthly on-demand estimate is ")
    assert "Biggest lines at the maximum: nat: NAT gateway $43.07; web: t3.small instances" in (
        message
    )
    assert message.endswith("or raise the ceiling in policies/config/dev.json.")


def test_without_a_ceiling_it_is_not_applicable() -> None:
    with pytest.raises(_NotApplicableError) as skipped:
        check(POLICY, PROVIDER, _web())
    assert skipped.value.reason == "no maxMonthlyUsd ceiling is set for this stage"


def test_without_a_region_nothing_can_be_priced_so_it_is_not_applicable() -> None:
    with pytest.raises(_NotApplicableError) as skipped:
        check(POLICY, _web(), NAT, config={"maxMonthlyUsd": 1})
    assert skipped.value.reason == (
        "the stack's AWS region is not known (no AWS provider, region property or ARN names "
        "one), so nothing in it can be priced"
    )


def test_a_bad_ceiling_is_a_violation_naming_it() -> None:
    outcome = check(POLICY, PROVIDER, _web(), config={"maxMonthlyUsd": "lots"})
    assert outcome.messages == [
        "maxMonthlyUsd is 'lots', not a number of dollars: the ceiling cannot be applied"
    ]


def test_a_value_not_known_yet_leaves_it_undecided_under_the_ceiling() -> None:
    outcome = check(POLICY, PROVIDER, _web(UNKNOWN), NAT, config={"maxMonthlyUsd": 10_000})
    assert outcome.violations == []
    assert outcome.undecided is not None
    assert "within maxMonthlyUsd $10,000.00, but parts cannot be priced yet: web: instances: " in (
        outcome.undecided
    )
    assert "InstanceTypes is not known yet" in outcome.undecided


def test_over_the_ceiling_it_fails_even_with_parts_not_known_yet() -> None:
    stack = [PROVIDER, _web(), NAT, _web(UNKNOWN)]
    stack[-1].name = "api"
    outcome = check(POLICY, *stack, config={"maxMonthlyUsd": 1})
    assert len(outcome.violations) == 1
    assert outcome.undecided is None


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_committed_ceilings_hold_for_the_committed_stacks(stage: str) -> None:
    """Each stage's ceiling leaves room above its estimate (for usage and the parts priced
    only after a refresh with credentials) and the estimate is judged as the pack judges it."""
    config = json.loads((ROOT / "policies" / "config" / f"{stage}.json").read_text())
    ceiling = Decimal(str(config[POLICY]["maxMonthlyUsd"]))
    records = stack_records(stage)
    estimate = estimate_stack(records, REGION, usage_for(stage))
    assert judge(estimate, ceiling) == (None, None)
    assert estimate.monthly.max * Decimal("1.2") < ceiling
