"""The monthly estimate of a stack: per resource, per role, in total, and what is unpriced.

    estimate_stack(records, region, usage) -> Estimate
    Estimate.to_json(stack) -> the JSON of `python -m preflight cost --json`
    compare(base, head) -> CostDiff; CostDiff.to_json() -> "base", "deltaMonthlyUsd", "deltas"

Amounts are exact `Decimal`s (rounded to cents only in JSON and text), as ranges from the
autoscaling minimum to the maximum, for 730 hours a month. A resource's role is its `role` tag
(`tags`, else the provider's default tags in `tagsAll`), else the family of its type:
`network`, `database`, `compute` or `shared`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from .coverage import RULES, classify, components
from .model import ZERO, Context, Gap, Item, Pricer, Range, Record, Stack
from .table import PriceTable, load_table
from .usage import Usage

FAMILIES: Final = (
    ("aws:rds/", "database"),
    ("aws:dynamodb/", "database"),
    ("aws:elasticbeanstalk/", "compute"),
    ("aws:autoscaling/", "compute"),
    ("aws:ebs/", "compute"),
    ("aws:ec2/instance:", "compute"),
    ("aws:ec2/", "network"),
    ("aws:lb/", "network"),
    ("aws:alb/", "network"),
    ("aws:elb/", "network"),
)
"""The role of a resource without a `role` tag: the first family whose prefix its type has,
else `shared`."""


def role_of(record: Record) -> str:
    tags = record.props.get("tags")
    if not (isinstance(tags, dict) and "role" in tags):
        tags = record.props.get("tagsAll")
    role = tags.get("role") if isinstance(tags, dict) else None
    if isinstance(role, str) and role:
        return role
    return next((family for prefix, family in FAMILIES if record.type.startswith(prefix)), "shared")


@dataclass(frozen=True)
class ResourceCost:
    urn: str
    type: str
    role: str
    items: tuple[Item, ...]

    @property
    def monthly(self) -> Range:
        return sum((item.monthly for item in self.items), ZERO)


@dataclass(frozen=True)
class Unpriced:
    urn: str
    type: str
    why: str
    unknown: bool = False
    """The reason is a value not known yet (or encrypted), not a missing price."""
    part: str = ""
    """The part of the resource left out (empty: the whole resource)."""
    reason: str = ""
    """Why, without the part (`why` is `<part>: <reason>` when there is a part)."""


@dataclass(frozen=True)
class Estimate:
    stack: str | None
    region: str | None
    table: PriceTable
    usage: Usage
    resources: tuple[ResourceCost, ...]
    unpriced: tuple[Unpriced, ...]
    free: tuple[tuple[str, str, str], ...]
    """(urn, type, why) of every resource with no charge of its own."""

    @property
    def monthly(self) -> Range:
        return sum((resource.monthly for resource in self.resources), ZERO)

    @property
    def by_role(self) -> dict[str, Range]:
        roles: dict[str, Range] = {}
        for resource in self.resources:
            roles[resource.role] = roles.get(resource.role, ZERO) + resource.monthly
        return dict(sorted(roles.items()))

    def describe(self) -> str:
        """The estimate in one phrase, for a report line or a policy message: "monthly
        on-demand estimate is $X to $Y in REGION (730 hours, AWS prices of DATE, the 'STAGE'
        usage assumptions)"."""
        monthly, stage = self.monthly, self.usage.stage or "default"
        return (
            f"monthly on-demand estimate is {format_usd(monthly.min)} to "
            f"{format_usd(monthly.max)} in {self.region or 'an unknown region'} (730 hours, AWS "
            f"prices of {self.table.date}, the {stage!r} usage assumptions)"
        )

    def not_counted(self) -> str:
        """How much is unpriced: "N unpriced part(s) of M resource(s)", or "" when none."""
        if not self.unpriced:
            return ""
        resources = len({u.urn for u in self.unpriced})
        return f"{len(self.unpriced)} unpriced part(s) of {resources} resource(s)"

    def biggest(self, count: int) -> list[tuple[ResourceCost, Item]]:
        """The `count` most expensive lines at the maximum, most expensive first."""
        lines = [(resource, item) for resource in self.resources for item in resource.items]
        lines.sort(key=lambda line: (-line[1].monthly.max, line[0].urn, line[1].what))
        return lines[:count]

    def to_json(self, stack: str | None = None) -> dict[str, Any]:
        """The issue's JSON shape (`stack` defaults to the stack named in the URNs)."""
        return {
            "stack": stack if stack is not None else self.stack,
            "region": self.region,
            "currency": self.table.currency,
            "prices": {"date": self.table.date, "source": self.table.source},
            "monthlyUsd": usd_range(self.monthly),
            "byRole": {role: usd_range(amount) for role, amount in self.by_role.items()},
            "resources": [_resource_json(resource) for resource in self.resources],
            "unpriced": [{"urn": u.urn, "type": u.type, "why": u.why} for u in self.unpriced],
        }


def _resource_json(resource: ResourceCost) -> dict[str, Any]:
    return {
        "urn": resource.urn,
        "type": resource.type,
        "role": resource.role,
        "monthlyUsd": usd_range(resource.monthly),
        "items": [
            {
                "what": item.what,
                "quantity": {"min": _number(item.quantity.min), "max": _number(item.quantity.max)},
                "unit": item.unit,
                "usdPerUnit": _number(item.usd_per_unit),
                "monthlyUsd": usd_range(item.monthly),
            }
            for item in resource.items
        ],
    }


CENT: Final = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def usd_range(amount: Range) -> dict[str, float]:
    return {"min": float(cents(amount.min)), "max": float(cents(amount.max))}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def format_usd(amount: Decimal, *, sign: bool = False) -> str:
    """`$1,234.56` (`+$1,234.56` / `-$1,234.56` with `sign`)."""
    rounded = cents(amount)
    prefix = "-" if rounded < 0 else ("+" if sign else "")
    return f"{prefix}${abs(rounded):,.2f}"


def stack_name(records: Iterable[Record]) -> str | None:
    """The stack named in the URNs (`urn:pulumi:<stack>::...`)."""
    for record in records:
        if record.urn.startswith("urn:pulumi:"):
            return record.urn.removeprefix("urn:pulumi:").split("::", 1)[0]
    return None


_ARN_REGION: Final = re.compile(r"^arn:aws[\w-]*:[\w-]+:([a-z]{2}(?:-[a-z]+)+-\d+):")


def stack_region(records: Sequence[Record]) -> str | None:
    """The stack's region: its default AWS provider's (else its one AWS provider region), else
    the one most of its resources state, else the one most of its ARNs name."""
    providers = [r for r in records if r.type == "pulumi:providers:aws"]
    defaults = [r for r in providers if r.name.startswith("default")]
    for group in (defaults, providers):
        regions = {r.props.get("region") for r in group}
        named = sorted(region for region in regions if isinstance(region, str) and region)
        if len(named) == 1:
            return named[0]
    stated = Counter(r.props.get("region") for r in records if r.type.startswith("aws:"))
    arns = (_ARN_REGION.match(str(r.props.get("arn", ""))) for r in records)
    for found in (stated, Counter(match.group(1) for match in arns if match)):
        ranked = [(n, region) for region, n in found.items() if isinstance(region, str) and region]
        if ranked:
            return max(ranked)[1]
    return None


def estimate_stack(
    records: Sequence[Record],
    region: str | None,
    usage: Usage,
    table: PriceTable | None = None,
) -> Estimate:
    """Price every record; what cannot be priced goes to `unpriced` with the reason."""
    table = table or load_table()
    ctx = Context(Pricer(table, region, usage), Stack(records))
    parents = components(record.urn for record in records)
    priced: list[ResourceCost] = []
    unpriced: list[Unpriced] = []
    free: list[tuple[str, str, str]] = []
    for record in records:
        kind, why = classify(record.type, parents)
        if kind == "free":
            free.append((record.urn, record.type, why))
            continue
        if kind != "priced":
            unpriced.append(Unpriced(record.urn, record.type, why, reason=why))
            continue
        lines = RULES[record.type](record, ctx)
        items = tuple(line for line in lines if isinstance(line, Item))
        unpriced.extend(
            Unpriced(
                record.urn, record.type, f"{gap.what}: {gap.why}", gap.unknown, gap.what, gap.why
            )
            for gap in lines
            if isinstance(gap, Gap)
        )
        if items:
            priced.append(ResourceCost(record.urn, record.type, role_of(record), items))
        elif not lines:
            free.append((record.urn, record.type, "nothing billed in this configuration"))
    return Estimate(
        stack_name(records), region, table, usage, tuple(priced), tuple(unpriced), tuple(free)
    )
