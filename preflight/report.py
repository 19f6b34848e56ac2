"""Rendering: a `pulumi preview`-like tree, outputs and the policy report, as text or Markdown."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .analysis import Report, Violation
from .engine import STACK_TYPE, Deployment, SimResource

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
    total = sum(n for _, n in counts_by_type(deployment))
    lines.extend(["", "Resources:", f"    + {total} to create"])
    lines.extend(f"      {n:>3} {display_type(t)}" for t, n in counts_by_type(deployment))
    lines.extend(["", "Outputs:"])
    lines.extend(f"    {key}: {value}" for key, value in output_rows(deployment))
    lines.append("")
    lines.extend(policy_lines(report))
    lines.extend(["", verdict(report)])
    return "\n".join(lines) + "\n"


def render_analyze_text(resource_count: int, report: Report, source: str) -> str:
    lines = [f"Analyzing {source}: {resource_count} resources, stage {report.stage}", ""]
    lines.extend(policy_lines(report))
    lines.extend(["", verdict(report)])
    return "\n".join(lines) + "\n"


# -- Markdown (pull-request comment) ------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _node_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def mermaid(deployment: Deployment) -> str:
    """A component-level architecture diagram drawn from the resource graph itself.

    Each component is a subgraph holding its resources grouped by type; an edge joins two
    groups when a resource of one takes a property from a resource of the other.
    """
    by_urn = deployment.by_urn
    component_of: dict[str, str] = {}

    def owner(resource: SimResource) -> str:
        if resource.urn in component_of:
            return component_of[resource.urn]
        parent = by_urn.get(resource.parent or "")
        result = (
            resource.urn
            if not resource.custom
            else (owner(parent) if parent and parent.type != STACK_TYPE else "")
        )
        component_of[resource.urn] = result
        return result

    groups: dict[tuple[str, str], int] = Counter()
    for r in deployment.resources:
        if r.custom:
            groups[(owner(r), r.type)] += 1
    components = [r for r in deployment.resources if not r.custom and r.type != STACK_TYPE]
    lines = ["flowchart LR"]
    for comp in sorted(components, key=lambda c: c.urn):
        if comp.parent and by_urn.get(comp.parent) and by_urn[comp.parent].type != STACK_TYPE:
            continue
        lines.extend(_subgraph(comp, deployment, groups, owner, indent="    "))
    loose = sorted((t, n) for (o, t), n in groups.items() if o == "")
    for type_token, count in loose:
        label = f"{display_type(type_token)} x{count}" if count > 1 else display_type(type_token)
        lines.append(f'    {_node_id("root_" + type_token)}["{label}"]')
    edges: set[tuple[str, str]] = set()
    for r in deployment.resources:
        if not r.custom:
            continue
        source = _node_id(f"{owner(r)}_{r.type}" if owner(r) else "root_" + r.type)
        for deps in r.property_dependencies.values():
            for dep_urn in deps:
                dep = by_urn.get(dep_urn)
                if dep is None or not dep.custom:
                    continue
                target_owner = owner(dep)
                target = _node_id(
                    f"{target_owner}_{dep.type}" if target_owner else "root_" + dep.type
                )
                if target != source and _interesting(r.type, dep.type):
                    edges.add((source, target))
    lines.extend(f"    {a} --> {b}" for a, b in sorted(edges))
    return "\n".join(lines)


_KEY_TYPES = (
    "elasticbeanstalk/environment",
    "rds/instance",
    "ec2/subnet",
    "ec2/securityGroup",
    "ec2/natGateway",
    "ec2/internetGateway",
    "elasticbeanstalk/application",
)


def _interesting(source_type: str, target_type: str) -> bool:
    return any(k in source_type for k in _KEY_TYPES) and any(k in target_type for k in _KEY_TYPES)


def _subgraph(
    comp: SimResource,
    deployment: Deployment,
    groups: Mapping[tuple[str, str], int],
    owner: Any,
    indent: str,
) -> list[str]:
    lines = [f'{indent}subgraph {_node_id(comp.urn)}["{comp.name} ({comp.type})"]']
    for (o, type_token), count in sorted(groups.items()):
        if o != comp.urn:
            continue
        label = f"{display_type(type_token)} x{count}" if count > 1 else display_type(type_token)
        lines.append(f'{indent}    {_node_id(f"{o}_{type_token}")}["{label}"]')
    for child in deployment.children(comp.urn):
        if not child.custom:
            lines.extend(_subgraph(child, deployment, groups, owner, indent + "    "))
    lines.append(f"{indent}end")
    return lines


def render_markdown(deployment: Deployment, report: Report) -> str:
    status = "✅" if report.passed else "❌"
    lines = [
        f"## {status} preflight preview: `{deployment.stack}`",
        "",
        f"**{verdict(report)}**",
        "",
        "### Resources by component",
        "",
        "| Component | Name | Resources |",
        "|---|---|---:|",
    ]
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
    lines.extend(["", "### Architecture", "", "```mermaid", mermaid(deployment), "```", ""])
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
