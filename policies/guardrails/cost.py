"""`stack-monthly-cost`: the stack's maximum monthly on-demand estimate stays under a ceiling.

The ceiling is the policy's `maxMonthlyUsd` (in `policies/config/<stage>.json`); without one
the policy is not applicable. The estimate is the pack's own (`pricing`): the stack's resources
priced at the table's on-demand prices in the stack's region, 730 hours a month, with the usage
assumptions of the stage named in the URNs, from the autoscaling minimum to the maximum. The
maximum is what is compared: it is what the stack costs when every environment has scaled out.

Parts the table cannot price (no price data, e.g. RDS or load balancers before a refresh with
credentials) are not counted; the message says how many. A part that depends on a value not
known yet (during a preview) makes the check undecided when the rest stays under the ceiling:
it is reported as advisory and checked again on `up`. A stack whose region nothing names (no
AWS provider, `region` property or ARN) cannot be priced at all: the policy is not applicable.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Final

from pricing import (
    Estimate,
    Record,
    estimate_stack,
    format_usd,
    stack_name,
    stack_region,
    usage_for,
)
from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import MANDATORY, CannotCheck, network_of

MAX_MONTHLY_USD: Final = "maxMonthlyUsd"
BIGGEST: Final = 3
"""How many of the most expensive lines a violation names."""
NO_REGION: Final = (
    "the stack's AWS region is not known (no AWS provider, region property or ARN names one), "
    "so nothing in it can be priced"
)


def ceiling_of(config: Any) -> Decimal | None:
    """The configured ceiling; None when none is set. A ValueError names a bad value."""
    value = config.get(MAX_MONTHLY_USD) if hasattr(config, "get") else None
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        ceiling = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{MAX_MONTHLY_USD} is {value!r}, not a number of dollars") from None
    if not ceiling.is_finite() or ceiling < 0:
        raise ValueError(f"{MAX_MONTHLY_USD} is {value!r}, not a non-negative number of dollars")
    return ceiling


def _biggest(estimate: Estimate) -> str:
    lines = [
        f"{resource.urn.rsplit('::', 1)[-1]}: {item.what} {format_usd(item.monthly.max)}"
        for resource, item in estimate.biggest(BIGGEST)
    ]
    return "; ".join(lines) or "none"


def _not_counted(estimate: Estimate) -> str:
    parts = estimate.not_counted()
    if not parts:
        return ""
    return f" Not counted: {parts} (`python -m preflight cost` lists them with the reason)."


def judge(estimate: Estimate, ceiling: Decimal) -> tuple[str | None, str | None]:
    """(the violation message, or the undecided fact) of `estimate` against `ceiling`."""
    top = estimate.monthly.max
    if top > ceiling:
        return (
            f"The stack's {estimate.describe()}: its maximum exceeds the "
            f"ceiling {MAX_MONTHLY_USD} {format_usd(ceiling)} by {format_usd(top - ceiling)}. "
            f"Biggest lines at the maximum: {_biggest(estimate)}.{_not_counted(estimate)} "
            "Lower an instance type or a maxSize, or raise the ceiling in "
            f"policies/config/{estimate.usage.stage or '<stage>'}.json.",
            None,
        )
    unknown = [u for u in estimate.unpriced if u.unknown]
    if not unknown:
        return None, None
    parts = "; ".join(f"{u.urn.rsplit('::', 1)[-1]}: {u.why}" for u in unknown[:BIGGEST])
    more = f"; and {len(unknown) - BIGGEST} more" if len(unknown) > BIGGEST else ""
    return None, (
        f"The stack's {estimate.describe()}, within {MAX_MONTHLY_USD} {format_usd(ceiling)}, "
        f"but parts cannot be priced yet: {parts}{more}"
    )


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    try:
        ceiling = ceiling_of(args.get_config())
    except ValueError as problem:
        report_violation(f"{problem}: the ceiling cannot be applied", None)
        return
    if ceiling is None:
        args.not_applicable(f"no {MAX_MONTHLY_USD} ceiling is set for this stage")
        return
    network = network_of(args)
    records = [Record(r.urn, r.type, r.props, r.property_dependencies) for r in network.resources]
    region = stack_region(records)
    if region is None:
        args.not_applicable(NO_REGION)
        return
    estimate = estimate_stack(records, region, usage_for(stack_name(records)))
    violation, undecided = judge(estimate, ceiling)
    if violation:
        report_violation(violation, None)
    if undecided:
        raise CannotCheck(undecided)


POLICIES: Final = [
    StackValidationPolicy(
        name="stack-monthly-cost",
        description=(
            "The stack's maximum monthly on-demand cost estimate stays within maxMonthlyUsd."
        ),
        validate=_validate,
        enforcement_level=MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={MAX_MONTHLY_USD: {"type": "number", "minimum": 0}}
        ),
    )
]
