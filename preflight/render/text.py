"""Plain text for a terminal or a log: the `pulumi preview`-like tree, the resource counts, the
outputs and the policy report, and the same report after `analyze`."""

from __future__ import annotations

from preflight.pack.evaluate import Report
from preflight.render.policy import policy_lines, verdict
from preflight.render.tree import counts_by_type, display_type, output_rows, tree_lines
from preflight.simulate.deployment import Deployment


def render_preview_text(deployment: Deployment, report: Report, cost_line: str = "") -> str:
    rows = tree_lines(deployment)
    width = max((len(prefix) + len(display_type(r.type)) for prefix, r in rows), default=0) + 2
    lines = [
        f"Previewing update ({deployment.stack}) with the simulated engine: no cloud calls",
        "",
        f"     {'Type'.ljust(width)}Name",
    ]
    for prefix, resource in rows:
        label = prefix + display_type(resource.type)
        lock = "  [protect]" if resource.protect else ""
        lines.append(f" +   {label.ljust(width)}{resource.name}{lock}")
    for message in deployment.diagnostics:
        lines.extend(["", f"Diagnostics: {message}"])
    # The order `pulumi preview` prints: policies, then outputs, then the resource summary.
    lines.extend(["", *policy_lines(report), "", "Outputs:"])
    lines.extend(f"    {key}: {value}" for key, value in output_rows(deployment))
    lines.extend(["", "Resources:", f"    + {create_total(deployment)} to create"])
    lines.extend(f"      {n:>3} {display_type(t)}" for t, n in counts_by_type(deployment))
    lines.extend(["", *([cost_line] if cost_line else []), verdict(report)])
    return "\n".join(lines) + "\n"


def create_total(deployment: Deployment) -> int:
    """Resources to create, counted as the CLI counts them: the stack resource too."""
    return sum(n for _, n in counts_by_type(deployment)) + 1


def render_policy_text(report: Report, refused: int = 0, cost_line: str = "") -> str:
    cost = [cost_line] if cost_line else []
    return "\n".join([*policy_lines(report), "", *cost, verdict(report, refused)]) + "\n"


def render_analyze_text(resource_count: int, report: Report, source: str) -> str:
    lines = [f"Analyzing {source}: {resource_count} resources, stage {report.stage}", ""]
    lines.extend(policy_lines(report))
    lines.extend(["", verdict(report)])
    return "\n".join(lines) + "\n"
