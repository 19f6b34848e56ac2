"""Rendering: a `pulumi preview`-like tree, outputs and the policy report, as text or Markdown."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from preflight.pack.evaluate import Report, Violation
from preflight.plan.render_text import summary_lines
from preflight.plan.steps import PREFIX, Plan
from preflight.simulate.deployment import STACK_TYPE, Deployment, SimResource

SECRET_MARK = "[secret]"


def display_type(type_token: str) -> str:
    """Pulumi's display form: `aws:ec2/subnet:Subnet` is shown as `aws:ec2:Subnet`."""
    parts = type_token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        module = parts[1].split("/")[0]
        if parts[1].split("/")[1].lower() == parts[2].lower():
            return f"{parts[0]}:{module}:{parts[2]}"
    return type_token


def _children(deployment: Deployment) -> dict[str | None, list[SimResource]]:
    children: dict[str | None, list[SimResource]] = defaultdict(list)
    for resource in deployment.resources:
        children[resource.parent].append(resource)
    return children


def tree_lines(deployment: Deployment) -> list[tuple[str, SimResource]]:
    """(prefix, resource) rows in tree order: components first, then by name."""
    children = _children(deployment)
    rows: list[tuple[str, SimResource]] = []

    def key(r: SimResource) -> tuple[bool, str, str]:
        return (r.custom, r.type, r.name)

    def walk(resource: SimResource, prefix: str, last: bool, root: bool) -> None:
        branch = "" if root else ("└─ " if last else "├─ ")
        rows.append((prefix + branch, resource))
        kids = sorted(children.get(resource.urn, []), key=key)
        extension = "" if root else ("   " if last else "│  ")
        for index, child in enumerate(kids):
            walk(child, prefix + extension, index == len(kids) - 1, False)

    for root in sorted(children.get(None, []), key=key):
        walk(root, "", True, True)
    return rows


def counts_by_type(deployment: Deployment) -> list[tuple[str, int]]:
    counter = Counter(r.type for r in deployment.resources if r.type != STACK_TYPE)
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def counts_by_component(deployment: Deployment) -> list[tuple[str, str, int]]:
    """(component type, name, number of resources beneath it), components in tree order."""
    children = _children(deployment)

    def size(urn: str) -> int:
        return sum(1 + size(child.urn) for child in children.get(urn, []))

    return [
        (r.type, r.name, size(r.urn))
        for _, r in tree_lines(deployment)
        if not r.custom and r.type != STACK_TYPE
    ]


def format_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def output_rows(deployment: Deployment) -> list[tuple[str, str]]:
    return [
        (key, SECRET_MARK if key in deployment.secret_outputs else format_value(value))
        for key, value in sorted(deployment.outputs.items())
    ]


def verdict(report: Report) -> str:
    mandatory, advisory = len(report.mandatory), len(report.advisory)
    if mandatory:
        return (
            f"FAILED: {mandatory} mandatory policy violation(s), {advisory} advisory "
            f"[{report.pack} on stage {report.stage}]"
        )
    return (
        f"PASSED: no mandatory policy violation, {advisory} advisory "
        f"[{report.pack} on stage {report.stage}]"
    )


def violation_heading(v: Violation) -> str:
    where = f"{display_type(v.resource_type)} {v.resource_name}" if v.urn else "stack"
    return f"[{v.level}] {v.policy} ({where})"


def policy_lines(report: Report) -> list[str]:
    source = report.config_file or "policy defaults"
    lines = [f"Policies: {report.pack}@v{report.pack_version} (config: {source})"]
    if not report.violations:
        lines.append("    no violations")
    for v in report.violations:
        lines.append(f"    {violation_heading(v)}")
        lines.extend(f"        {line}" for line in v.message.splitlines())
    for urn, key in report.unreadable_secrets:
        lines.append(
            f"    [advisory] secret property {key!r} of {urn} has only ciphertext and was "
            "not checked; export with `pulumi stack export --show-secrets` to check it"
        )
    return lines


def render_preview_text(deployment: Deployment, report: Report) -> str:
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
    # Counted as the CLI counts them: the stack resource too (it is created with the stack).
    total = sum(n for _, n in counts_by_type(deployment)) + 1
    lines.extend(["", "Resources:", f"    + {total} to create"])
    lines.extend(f"      {n:>3} {display_type(t)}" for t, n in counts_by_type(deployment))
    lines.extend(["", "Outputs:"])
    lines.extend(f"    {key}: {value}" for key, value in output_rows(deployment))
    lines.append("")
    lines.extend(policy_lines(report))
    lines.extend(["", verdict(report)])
    return "\n".join(lines) + "\n"


def render_policy_text(report: Report) -> str:
    return "\n".join([*policy_lines(report), "", verdict(report)]) + "\n"


def render_analyze_text(resource_count: int, report: Report, source: str) -> str:
    lines = [f"Analyzing {source}: {resource_count} resources, stage {report.stage}", ""]
    lines.extend(policy_lines(report))
    lines.extend(["", verdict(report)])
    return "\n".join(lines) + "\n"


# -- Markdown (pull-request comment) ------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


class _Ids:
    """Short, stable Mermaid ids (n1, n2, ...) handed out in first-use order."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def __call__(self, key: str) -> str:
        if key not in self._ids:
            self._ids[key] = f"n{len(self._ids) + 1}"
        return self._ids[key]


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


# -- the plan against a base state ---------------------------------------------------------

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


def architecture(deployment: Deployment, changed: dict[str, str] | None = None) -> str:
    """Tiers and their subnets per AZ, traffic flowing left to right.

    internet -> web load balancer (public tier) -> web instances -> model load balancer ->
    model instances (private tier); web instances -> database (isolated tier); with a worker
    tier, web instances -> work queue (SQS, a regional service outside the subnets) -> worker
    instances (private tier, no load balancer) -> model load balancer. Resources the plan
    creates, updates, replaces or deletes are highlighted by operation.
    """
    changed = changed or {}
    ids = _Ids()
    tiers: dict[str, list[SimResource]] = defaultdict(list)
    for subnet in sorted(
        deployment.of_type("aws:ec2/subnet:Subnet"),
        key=lambda r: str(r.inputs.get("availabilityZone", "")),
    ):
        tags = subnet.inputs.get("tags") or {}
        tiers[str(tags.get("tier", "other"))].append(subnet)
    envs = {
        str((r.inputs.get("tags") or {}).get("role", r.name)): r
        for r in deployment.of_type("aws:elasticbeanstalk/environment:Environment")
    }
    dbs = deployment.of_type("aws:rds/instance:Instance")
    members: dict[str, list[tuple[str, str, str]]] = {
        "public": [("weblb", '["web load balancer"]', envs["web"].urn if "web" in envs else "")],
        "private": [
            ("webi", '["web instances"]', envs["web"].urn if "web" in envs else ""),
            ("modellb", '["model load balancer (internal)"]', ""),
            ("modeli", '["model instances"]', envs["model"].urn if "model" in envs else ""),
            *(
                [("workeri", '["worker instances"]', envs["worker"].urn)]
                if "worker" in envs
                else []
            ),
        ],
        "isolated": [("db", f'[("database {dbs[0].name}")]', dbs[0].urn)] if dbs else [],
    }
    lines = ["flowchart LR", '    internet(("internet"))']
    marks: list[tuple[str, str]] = []
    queues = [
        r
        for r in deployment.of_type("aws:sqs/queue:Queue")
        if (r.inputs.get("tags") or {}).get("webmodel:queue-part") == "work"
    ]
    if queues and "worker" in envs:
        lines.append('    queue[["work queue (SQS) + dead-letter queue"]]')
        if queues[0].urn in changed:
            marks.append(("queue", changed[queues[0].urn]))
    for tier in (
        "public",
        "private",
        "isolated",
        *sorted(set(tiers) - {"public", "private", "isolated"}),
    ):
        if tier not in tiers and not members.get(tier):
            continue
        lines.append(f'    subgraph tier_{tier}["{tier} tier"]')
        for node, shape, urn in members.get(tier, []):
            lines.append(f"        {node}{shape}")
            if urn in changed:
                marks.append((node, changed[urn]))
        for subnet in tiers.get(tier, []):
            node = ids(subnet.urn)
            az = subnet.inputs.get("availabilityZone", "?")
            lines.append(f'        {node}["{az}<br>{subnet.inputs.get("cidrBlock", "")}"]')
            if subnet.urn in changed:
                marks.append((node, changed[subnet.urn]))
        lines.append("    end")
    lines.extend(
        [
            "    internet --> weblb",
            "    weblb --> webi",
            "    webi --> modellb",
            "    modellb --> modeli",
        ]
    )
    if dbs:
        lines.append("    webi --> db")
    if queues and "worker" in envs:
        lines.extend(["    webi --> queue", "    queue --> workeri", "    workeri --> modellb"])
    for urn, op in changed.items():  # the web load balancer's listener rules
        if op != "same" and urn.split("::")[-2].endswith("aws:lb/listenerRule:ListenerRule"):
            marks.append(("weblb", op))
    styles = {
        "create": "fill:#d4f7d4,stroke:#2a2",
        "update": "fill:#fff3c4,stroke:#b80",
        "replace": "fill:#ffd0d0,stroke:#c00",
        "delete": "fill:#ffd0d0,stroke:#c00,stroke-dasharray:4",
    }
    for node, op in sorted(set(marks)):
        lines.append(f"    style {node} {styles[op]},stroke-width:3px")
    return "\n".join(lines)
