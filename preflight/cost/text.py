"""An estimate as a reader scans it: the total, each role, each resource's lines, what is not
priced and why; with a base, what the change adds or saves, the biggest movers first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from preflight.render.tree import display_type

if TYPE_CHECKING:
    from pricing import CostDiff, Estimate, Range


def usd_range(amount: Range, *, sign: bool = False) -> str:
    """`$1.00` or `$1.00 to $2.00` (signed with `sign`)."""
    from pricing import format_usd

    low, high = format_usd(amount.min, sign=sign), format_usd(amount.max, sign=sign)
    return low if low == high else f"{low} to {high}"


def change_phrase(diff: CostDiff) -> str:
    """What the change does to the monthly estimate, against the base's."""
    change, base = diff.change, diff.base.monthly
    moved = "no change" if change.min == change.max == 0 else usd_range(change, sign=True)
    return f"{moved} a month against the base ({usd_range(base)})"


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def total_line(estimate: Estimate, diff: CostDiff | None = None) -> str:
    """The one line `preview` prints: the total, and with a base the change."""
    line = f"Cost: {usd_range(estimate.monthly)} a month on demand"
    if diff is not None:
        line += f"; {change_phrase(diff)}"
    if estimate.unpriced:
        line += f" ({estimate.not_counted()} not counted: `preflight cost` lists them)"
    return line


def _unpriced_lines(estimate: Estimate) -> list[str]:
    """Each reason once, with the parts it leaves out."""
    parts: dict[str, list[str]] = {}
    for unpriced in estimate.unpriced:
        shown = f"{display_type(unpriced.type)} {_name(unpriced.urn)}"
        if unpriced.part:
            shown += f": {unpriced.part}"
        parts.setdefault(unpriced.reason or unpriced.why, []).append(shown)
    lines: list[str] = []
    for why, shown_parts in parts.items():
        lines += [f"    {why}", *(f"        {part}" for part in shown_parts)]
    return lines


def _resource_lines(estimate: Estimate) -> list[str]:
    lines: list[str] = []
    for resource in sorted(estimate.resources, key=lambda r: (-r.monthly.max, r.urn)):
        lines.append(
            f"    {usd_range(resource.monthly)}  {display_type(resource.type)} "
            f"{_name(resource.urn)} ({resource.role})"
        )
        lines += [f"        {usd_range(item.monthly)}  {item.what}" for item in resource.items]
    return lines


def render_cost_text(estimate: Estimate, diff: CostDiff | None, base_name: str | None) -> str:
    """The whole estimate: total, roles, resources, what is not priced, the change."""
    lines = [
        f"Cost of stack {estimate.stack}: {estimate.describe()}.",
        f"Prices: {estimate.table.source}, of {estimate.table.date}.",
        "",
        "By role:",
    ]
    width = max((len(role) for role in estimate.by_role), default=0)
    lines += [
        f"    {role.ljust(width)}  {usd_range(amount)}" for role, amount in estimate.by_role.items()
    ]
    lines += ["", "Resources, most expensive first:", *_resource_lines(estimate)]
    if estimate.unpriced:
        lines += ["", f"Not priced ({estimate.not_counted()}), by reason:"]
        lines += _unpriced_lines(estimate)
    if diff is not None:
        lines += ["", f"Against {base_name}: {change_phrase(diff)}."]
        lines += [
            f"    {usd_range(delta.change, sign=True)}  {display_type(delta.type)} "
            f"{_name(delta.urn)}"
            for delta in diff.deltas
        ]
    return "\n".join(lines) + "\n"


SHOWN_MOVERS = 5


def markdown_lines(estimate: Estimate, diff: CostDiff | None) -> list[str]:
    """The pull-request comment's cost section: the total, with a base the change and the
    resources that moved it most, else the biggest lines."""
    lines = [
        "### Cost",
        "",
        f"**{usd_range(estimate.monthly)} a month** on demand: {estimate.describe()}.",
    ]
    if diff is not None:
        lines += ["", f"**{change_phrase(diff)}**"]
        if diff.deltas:
            lines += ["", "| Change a month | Resource |", "|---:|---|"]
            lines += [
                f"| {usd_range(delta.change, sign=True)} | `{display_type(delta.type)}` "
                f"{_name(delta.urn)} |"
                for delta in diff.deltas[:SHOWN_MOVERS]
            ]
    else:
        lines += ["", "| A month | Resource | Line |", "|---:|---|---|"]
        lines += [
            f"| {usd_range(item.monthly)} | `{display_type(resource.type)}` {_name(resource.urn)} "
            f"| {item.what} |"
            for resource, item in estimate.biggest(SHOWN_MOVERS)
        ]
    if estimate.unpriced:
        lines += ["", f"Not counted: {estimate.not_counted()} (`preflight cost` lists them)."]
    return [*lines, ""]
