"""The plan as `pulumi preview --diff` prints it (pkg/backend/display in pulumi/pulumi)."""

from __future__ import annotations

import json
from typing import Any

from preflight.export.values import UNKNOWN_STRING
from preflight.plan.steps import _TO, PREFIX, SHOWN_OPS, Plan, Step
from preflight.plan.values import Sealed, Unknown, equal, open_secrets, shown
from preflight.simulate.deployment import STACK_TYPE

UNKNOWN_TEXT = "[unknown]"
"""How the CLI prints a value a preview cannot know (since v3.163.0; `output<string>` before)."""


def _inputs(raw: dict[str, Any] | None, key: str = "inputs") -> dict[str, Any]:
    values = (raw or {}).get(key) or {}
    return {k: open_secrets(v) for k, v in values.items() if not k.startswith("__")}


def _fmt(value: Any) -> str:
    if isinstance(value, Sealed):
        return "[secret]"
    if isinstance(value, Unknown):
        return UNKNOWN_TEXT
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<null>"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(shown(value), ensure_ascii=False, sort_keys=True)


def _value_lines(key: str, value: Any, indent: str, mark: str) -> list[str]:
    """`key: value`, lists and objects expanded one element a line like the CLI."""
    if isinstance(value, dict) and value:
        lines = [f"{indent}{mark}{key}: {{"]
        width = max(len(k) for k in value)
        for k in sorted(value):
            lines += _value_lines(k.ljust(width), value[k], indent + "    ", mark)
        return [*lines, f"{indent}  }}"]
    if isinstance(value, list) and value:
        lines = [f"{indent}{mark}{key}: ["]
        for i, item in enumerate(value):
            lines += _value_lines(f"[{i}]", item, indent + "    ", mark)
        return [*lines, f"{indent}  ]"]
    return [f"{indent}{mark}{key}: {_fmt(value)}"]


def _diff_lines(old: Any, new: Any, key: str, indent: str) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict) and not isinstance(old, Sealed):
        lines = [f"{indent}~ {key}: {{"]
        for k in sorted(old.keys() | new.keys()):
            if k not in new:
                lines += _value_lines(k, old[k], indent + "    ", "- ")
            elif k not in old:
                lines += _value_lines(k, new[k], indent + "    ", "+ ")
            elif not equal(old[k], new[k]):
                lines += _diff_lines(old[k], new[k], k, indent + "    ")
        return [*lines, f"{indent}  }}"]
    if isinstance(old, list) and isinstance(new, list):
        lines = [f"{indent}~ {key}: ["]
        for i in range(max(len(old), len(new))):
            if i >= len(new):
                lines += _value_lines(f"[{i}]", old[i], indent + "    ", "- ")
            elif i >= len(old):
                lines += _value_lines(f"[{i}]", new[i], indent + "    ", "+ ")
            elif not equal(old[i], new[i]):
                lines += _diff_lines(old[i], new[i], f"[{i}]", indent + "    ")
        return [*lines, f"{indent}  ]"]
    return [f"{indent}~ {key}: {_fmt(old)} => {_fmt(new)}"]


def _depth(step: Step, parents: dict[str, str | None]) -> int:
    depth, urn = 0, parents.get(step.urn)
    while urn:
        depth += 1
        urn = parents.get(urn)
    return depth


def _header(step: Step, indent: str) -> str:
    """`printStepHeader`: the op, `[retain]` when the base retains it, and a lock when the
    resource is protected (open when this update unprotects it)."""
    op = step.op + ("[retain]" if step.retained else "")
    protected = step.protected or bool(step.new and step.new.get("protect"))
    lock = " 🔓" if step.unprotected else " 🔒" if protected else ""
    return f"{indent}{PREFIX[step.op]}{step.type}: ({op}){lock}"


def _provider_line(step: Step, body: str) -> list[str]:
    old = (step.old or {}).get("provider")
    new = (step.new or {}).get("provider")
    if old and new and old != new:
        urn, _, provider_id = new.rpartition("::")
        shown_new = f"{urn}::[unknown]" if provider_id == UNKNOWN_STRING else new
        return [f"{body}[provider: {old} => {shown_new}]"]
    ref = new or old
    if not ref or ref.rpartition("::")[0].split("::")[-1] == "default":
        return []  # the CLI elides a default provider named just "default"
    return [f"{body}[provider={ref}]"]


def _object_lines(values: dict[str, Any], body: str, mark: str) -> list[str]:
    width = max((len(k) for k in values), default=0)
    lines: list[str] = []
    for key in sorted(values):
        lines += _value_lines(key.ljust(width), values[key], body, mark)
    return lines


def _step_lines(step: Step, indent: str) -> list[str]:
    lines = [_header(step, indent)]
    body = indent + "    "
    if step.old and step.old.get("id"):  # a new resource has no ID until it is created
        lines.append(f"{body}[id={step.old['id']}]")
    lines.append(f"{body}[urn={step.urn}]")
    if step.old_urn and step.old_urn != step.urn:
        lines.append(f"{body}[aliased from {step.old_urn}]")
    lines += _provider_line(step, body)
    if step.op == "create":
        lines += _object_lines(_inputs(step.new), body, "")
    elif step.op in ("delete", "discard"):
        lines += _object_lines(_inputs(step.old), body, "- ")
    elif step.op in ("update", "replace") and step.old is not None:
        old_in = {**_inputs(step.old), **_inputs(step.old, "outputs")}
        new_in = _inputs(step.new)
        for key in step.diff_reasons:
            if key not in new_in:
                lines += _value_lines(key, old_in.get(key), "  " + indent, "- ")
            elif key not in old_in:
                lines += _value_lines(key, new_in[key], "  " + indent, "+ ")
            else:
                lines += _diff_lines(old_in[key], new_in[key], key, "  " + indent)
    return lines


def summary_lines(plan: Plan) -> list[str]:
    """`Resources:` as the CLI sums them up (discards and reads are never listed)."""
    counts = plan.counts()
    lines = ["Resources:"]
    for op in SHOWN_OPS:
        if counts.get(op):
            lines.append(f"    {PREFIX[op]}{counts[op]} {_TO[op]}")
    changes = sum(counts.get(op, 0) for op in SHOWN_OPS)
    same = counts.get("same", 0)
    if changes:
        lines.append(f"    {changes} change{'s' if changes != 1 else ''}. {same} unchanged")
    else:
        lines.append(f"    {same} unchanged")
    return lines


def callout_lines(plan: Plan) -> list[str]:
    """Stateful replacements/deletions first: impossible to miss."""
    if not plan.stateful:
        return []
    lines = [f"STATEFUL RESOURCES REPLACED OR DELETED in {plan.stack}:"]
    for step in plan.stateful:
        why = f" (replaced for {', '.join(step.replace_reasons)})" if step.replace_reasons else ""
        if step.delete_before_replace:
            why += " [deleteBeforeReplace: the old one is deleted first]"
        mark = " [protected: the CLI refuses this]" if step.refused else ""
        if step.retained:
            mark += " [retainOnDelete: the cloud resource is left in place]"
        lines.append(f"  {PREFIX[step.op]}{step.type} {step.name}: {step.op}{why}{mark}")
    return [*lines, ""]


def render_text(plan: Plan) -> str:
    """The plan as `pulumi preview --diff` prints it (sames summarised, not listed)."""
    parents: dict[str, str | None] = {}
    for step in plan.steps:
        state = step.new or step.old or {}
        parents[step.urn] = state.get("parent")
    lines = [*callout_lines(plan), f"Previewing update ({plan.stack}):"]
    for step in plan.steps:
        if step.shown or step.type == STACK_TYPE:
            lines += _step_lines(step, "    " * _depth(step, parents))
    if plan.outputs:
        lines.append("    --outputs:--")
        for key, op, old, new in plan.outputs:
            if op == "update":
                lines.append(f"  ~ {key}: {_fmt(old)} => {_fmt(new)}")
            elif op == "create":
                lines.append(f"  + {key}: {_fmt(new)}")
            else:
                lines.append(f"  - {key}: {_fmt(old)}")
    for error in plan.errors():
        first, *rest = error.splitlines()
        lines.append(f"  error: {first}")
        lines += [f"  {line}" for line in rest]
    lines += summary_lines(plan)
    return "\n".join(lines) + "\n"
