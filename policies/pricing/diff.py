"""What a change does to the estimate: the totals before and after, and resource by resource.

    compare(base, head) -> CostDiff
    CostDiff.to_json() -> {"base": {"monthlyUsd"}, "deltaMonthlyUsd", "deltas": [...]}

`deltas` lists every resource whose monthly amount moved (added, removed or changed), the one
that moved the maximum most first. A part that is unpriced on either side cannot move the
amounts: the unpriced lists of both estimates say what is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .estimate import Estimate, format_usd, usd_range
from .model import ZERO, Range


@dataclass(frozen=True)
class Delta:
    urn: str
    type: str
    base: Range
    head: Range

    @property
    def change(self) -> Range:
        return self.head - self.base


@dataclass(frozen=True)
class CostDiff:
    base: Estimate
    head: Estimate
    deltas: tuple[Delta, ...]

    @property
    def change(self) -> Range:
        return self.head.monthly - self.base.monthly

    def describe(self) -> str:
        """The change in one phrase: "+$X to +$Y a month against the base ($A to $B)"."""
        change, base = self.change, self.base.monthly
        return (
            f"{format_usd(change.min, sign=True)} to {format_usd(change.max, sign=True)} a month "
            f"against the base ({format_usd(base.min)} to {format_usd(base.max)})"
        )

    def to_json(self) -> dict[str, Any]:
        """The keys `preflight cost --base` adds to the estimate's JSON."""
        return {
            "base": {"monthlyUsd": usd_range(self.base.monthly)},
            "deltaMonthlyUsd": usd_range(self.change),
            "deltas": [
                {
                    "urn": delta.urn,
                    "type": delta.type,
                    "baseMonthlyUsd": usd_range(delta.base),
                    "monthlyUsd": usd_range(delta.head),
                    "deltaMonthlyUsd": usd_range(delta.change),
                }
                for delta in self.deltas
            ],
        }


def compare(base: Estimate, head: Estimate) -> CostDiff:
    """`head` against `base`, resource by resource (by URN)."""
    before = {r.urn: r for r in base.resources}
    after = {r.urn: r for r in head.resources}
    deltas = []
    for urn in [*after, *(u for u in before if u not in after)]:
        old, new = before.get(urn), after.get(urn)
        kind = new.type if new else old.type if old else ""
        delta = Delta(urn, kind, old.monthly if old else ZERO, new.monthly if new else ZERO)
        if delta.change != ZERO:
            deltas.append(delta)
    deltas.sort(key=lambda d: (-abs(d.change.max), -abs(d.change.min), d.urn))
    return CostDiff(base, head, tuple(deltas))
