"""The report as GitHub Markdown for the pull-request comment: the plan first (with `--base`), the
policy table, resources and outputs, and the architecture drawing.

A comment stays readable for any plan: pulumi/actions cuts its comment at 64,000 characters, so
when a stack's section with a plan would pass COMMENT_LIMIT, it keeps the summary, every
replacement and deletion and every policy violation, and links the workflow artifact that holds
the full plan (docs/pull-requests.md)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from preflight.pack.evaluate import Report
from preflight.plan.render_text import summary_lines
from preflight.plan.steps import PREFIX, Plan, Step
from preflight.render.architecture import architecture
from preflight.render.policy import verdict
from preflight.render.tree import counts_by_component, counts_by_type, display_type, output_rows
from preflight.simulate.deployment import Deployment


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


COMMENT_LIMIT = 60_000
"""Characters a stack's section may have before it is shortened."""


def render_markdown(
    deployment: Deployment,
    report: Report,
    plan: Plan | None = None,
    cost: Sequence[str] = (),
    guards: Sequence[str] = (),
) -> str:
    """The stack's section of the comment; `cost`: its cost section's lines, `guards`: the
    blue/green guards the plan breaks (both optional)."""
    passed = report.passed and not (plan and plan.refused)
    status = "✅" if passed else "❌"
    lines = [f"## {status} preflight preview: `{deployment.stack}`", ""]
    if guards:
        lines += ["> [!CAUTION]", "> **Blue/green guards the plan breaks** (the gate fails it):"]
        lines += [*(f"> - {_md_cell(problem)}" for problem in guards), ""]
    if plan is not None:
        full = _with_plan(lines, deployment, report, plan, [*plan_markdown(plan), *cost])
        if len(full) <= COMMENT_LIMIT:
            return full
        short = _with_plan(lines, deployment, report, plan, [*short_plan_markdown(plan), *cost])
        if len(short) <= COMMENT_LIMIT:
            return short
        excess = len(short) - COMMENT_LIMIT
        shortest = short_plan_markdown(plan, excess)
        return _with_plan(lines, deployment, report, plan, [*cost, *shortest])
    lines.extend([f"**{verdict(report)}**", "", *cost])
    lines.extend(
        [
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


def _with_plan(
    head: list[str], deployment: Deployment, report: Report, plan: Plan, plan_lines: list[str]
) -> str:
    lines = [*head, *plan_lines]
    lines.extend(["### Policy report", "", f"**{verdict(report, len(plan.refused))}**", ""])
    lines.extend(_policy_table(report))
    if plan_lines and plan_lines[-1] != _SHORTENED:
        changed = {s.urn: s.op for s in plan.steps if s.op != "same"}
        lines.extend(["", "### Architecture", "", "```mermaid", architecture(deployment, changed)])
        lines.extend(["```", ""])
    else:
        lines.append("")
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


_FLAG = {
    "replace": "⚠️ replace",
    "delete": "⚠️ delete",
    "create": "create",
    "update": "update",
    "discard": "discard",
}
_SHORTENED = "<!-- preflight: shortened -->"


def _banners(plan: Plan) -> list[str]:
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
    base = PurePath(plan.base_name).name if plan.base_name else ""
    lines.extend(["### Plan against the base state", ""])
    if base:
        lines.extend([f"Base: `{base}`.", ""])
    return lines


def _row(step: Step) -> str:
    props = ", ".join(f"`{k}`" for k in step.diff_reasons) or "-"
    why = ", ".join(f"`{k}`" for k in step.replace_reasons) or "-"
    op = f"`{PREFIX[step.op].strip()}` {_FLAG[step.op]}"
    if step.op == "replace" and step.delete_before_replace:
        op += " (delete first)"
    if step.retained:
        op += " [retain]"
    return f"| {op} | `{display_type(step.type)}` | {step.name} | {props} | {why} |"


_HEADER = ["| Op | Type | Name | Changed properties | Replaced because |", "|---|---|---|---|---|"]


def plan_markdown(plan: Plan) -> list[str]:
    """The plan first: stateful replacements/deletions in a banner, then every change."""
    lines = _banners(plan)
    changes = [s for s in plan.steps if s.shown and s.op != "same"]
    if not changes:
        lines.append("No changes.")
    else:
        lines.extend([*_HEADER, *(_row(step) for step in changes)])
    lines.extend(["", "```", *summary_lines(plan), "```", ""])
    return lines


def artifact_link(stack: str) -> str:
    """Where the full plan is: this workflow run's `preflight-plan-<stack>` artifact."""
    name = f"`preflight-plan-{stack}`"
    server, repo, run = (os.environ.get(k) for k in _RUN_ENV)
    if server and repo and run:
        return f"the {name} artifact of [this workflow run]({server}/{repo}/actions/runs/{run})"
    return f"the {name} artifact of this workflow run"


_RUN_ENV = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")


def short_plan_markdown(plan: Plan, excess: int = 0) -> list[str]:
    """The plan of a long comment: the summary, every replacement and deletion, the link.

    `excess`: characters to cut, from the end of the replacements and deletions, when even
    they do not fit; the comment then says how many more the artifact lists."""
    lines = _banners(plan)
    lines.extend(
        [
            f"This plan is too long for a comment: the full plan (text, JSON and this report) is "
            f"{artifact_link(plan.stack)}. Shown here: the summary, every replacement and "
            "deletion, and the policy report.",
            "",
            "```",
            *summary_lines(plan),
            "```",
            "",
        ]
    )
    rows = [_row(s) for s in plan.steps if s.destructive]
    total = len(rows)
    if excess:
        excess += 200  # room for the line that says what was left out
        while rows and excess > 0:
            excess -= len(rows.pop()) + 1
    if rows:
        lines.extend([*_HEADER, *rows, ""])
    if len(rows) < total:
        lines.extend([f"… and {total - len(rows)} more replacements and deletions.", ""])
    return [*lines, _SHORTENED]
