"""The report as GitHub Markdown for the pull-request comment: the plan first (with `--base`), the
policy table, resources and outputs, and the architecture drawing."""

from __future__ import annotations

from collections.abc import Iterable

from preflight.pack.evaluate import Report
from preflight.plan.render_text import summary_lines
from preflight.plan.steps import PREFIX, Plan
from preflight.render.architecture import architecture
from preflight.render.policy import verdict
from preflight.render.tree import counts_by_component, counts_by_type, display_type, output_rows
from preflight.simulate.deployment import Deployment


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render_markdown(deployment: Deployment, report: Report, plan: Plan | None = None) -> str:
    passed = report.passed and not (plan and plan.refused)
    status = "✅" if passed else "❌"
    lines = [f"## {status} preflight preview: `{deployment.stack}`", ""]
    if plan is not None:
        lines.extend(plan_markdown(plan))
        lines.extend(["### Policy report", "", f"**{verdict(report)}**", ""])
        lines.extend(_policy_table(report))
        changed = {s.urn: s.op for s in plan.steps if s.op != "same"}
        lines.extend(["", "### Architecture", "", "```mermaid", architecture(deployment, changed)])
        lines.extend(["```", ""])
        return "\n".join(lines)
    lines.extend(
        [
            f"**{verdict(report)}**",
            "",
            "### Resources by component",
            "",
            "| Component | Name | Resources |",
            "|---|---|---:|",
        ]
    )
    for type_token, name, size in counts_by_component(deployment):
        lines.append(f"| `{type_token}` | {name} | {size} |")
    total = sum(n for _, n in counts_by_type(deployment))
    lines.extend(["", f"<details><summary>{total} resources by type</summary>", ""])
    lines.extend(["| Type | Count |", "|---|---:|"])
    lines.extend(f"| `{t}` | {n} |" for t, n in counts_by_type(deployment))
    lines.extend(["", "</details>", "", "### Outputs", "", "| Output | Value |", "|---|---|"])
    lines.extend(f"| `{k}` | `{_md_cell(v)}` |" for k, v in output_rows(deployment))
    lines.extend(["", "### Policy report", ""])
    lines.extend(_policy_table(report))
    lines.extend(["", "### Architecture", "", "```mermaid", architecture(deployment), "```", ""])
    return "\n".join(lines)


def _policy_table(report: Report) -> Iterable[str]:
    yield f"Pack `{report.pack}@v{report.pack_version}`, config `{report.config_file or '-'}`."
    yield ""
    if not report.violations:
        yield "No violations."
        return
    yield "| Level | Policy | Resource | Message |"
    yield "|---|---|---|---|"
    for v in report.violations:
        where = f"`{display_type(v.resource_type)}` {v.resource_name}" if v.urn else "stack"
        yield f"| {v.level} | `{v.policy}` | {where} | {_md_cell(v.message)} |"


_FLAG = {"replace": "⚠️ replace", "delete": "⚠️ delete", "create": "create", "update": "update"}


def plan_markdown(plan: Plan) -> list[str]:
    """The plan first: stateful replacements/deletions in a banner, then every change."""
    lines: list[str] = []
    if plan.refused:
        lines.append(
            "> [!CAUTION]\n> **The CLI would refuse this plan**: it replaces or deletes a "
            "protected resource."
        )
        lines.append("")
    if plan.stateful:
        lines.append("> [!WARNING]\n> **Stateful resources replaced or deleted:**")
        for step in plan.stateful:
            why = (
                f" (forced by `{'`, `'.join(step.replace_reasons)}`)"
                if step.replace_reasons
                else ""
            )
            lock = ", protected" if step.protected else ""
            lines.append(f"> - **{step.op}** `{display_type(step.type)}` {step.name}{why}{lock}")
        lines.append("")
    lines.extend(["### Plan against the base state", ""])
    changes = [s for s in plan.steps if s.op != "same"]
    if not changes:
        lines.append("No changes.")
    else:
        lines.extend(
            [
                "| Op | Type | Name | Changed properties | Replaced because |",
                "|---|---|---|---|---|",
            ]
        )
        for step in changes:
            props = ", ".join(f"`{k}`" for k in step.diff_reasons) or "-"
            why = ", ".join(f"`{k}`" for k in step.replace_reasons) or "-"
            op = f"`{PREFIX[step.op].strip()}` {_FLAG[step.op]}"
            if step.op == "replace" and step.delete_before_replace:
                op += " (delete first)"
            lines.append(f"| {op} | `{display_type(step.type)}` | {step.name} | {props} | {why} |")
    lines.extend(["", "```", *summary_lines(plan), "```", ""])
    return lines
