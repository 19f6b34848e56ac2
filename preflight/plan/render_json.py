"""The plan as `pulumi preview --json` writes it (pkg/display/json.go `PreviewDigest`): the steps
it shows with old and new states, diff and replace reasons, the detailed diff (`null` when the
step has none, as Go writes a nil map), the errors as diagnostics, and the change summary."""

from __future__ import annotations

import json
from typing import Any

from preflight.export.values import UNKNOWN_STRING, sorted_keys
from preflight.plan.steps import Plan, Step
from preflight.plan.values import open_secrets, shown
from preflight.simulate.deployment import STACK_TYPE

_ORDER = ("urn", "custom", "id", "type", "inputs", "outputs", "parent", "protect")
_AFTER = ("external", "dependencies", "provider", "propertyDependencies", "retainOnDelete")
"""ResourceV3's fields in its Go declaration order (how encoding/json writes them)."""


def _opened(values: Any) -> dict[str, Any]:
    return {k: open_secrets(v) for k, v in (values or {}).items()}


def _state(raw: dict[str, Any], inputs: dict[str, Any], outputs: dict[str, Any]) -> dict[str, Any]:
    """A ResourceV3 as the CLI serializes it in a preview: secrets as "[secret]", unknowns as
    the engine's unknown string."""
    out: dict[str, Any] = {}
    for key in _ORDER:
        if key == "inputs":
            out["inputs"] = sorted_keys(shown(inputs))
        elif key == "outputs":
            out["outputs"] = sorted_keys(shown(outputs))
        elif raw.get(key) is not None and (raw.get(key) or key in ("custom",)):
            out[key] = raw[key]
    for key in _AFTER:
        if raw.get(key):
            out[key] = raw[key]
    return out


def _new_state(step: Step) -> dict[str, Any]:
    new = step.new or {}
    inputs = step.new_inputs
    if step.op == "same" and step.old is not None:
        return _state(new, inputs, _opened(step.old.get("outputs")))
    if step.op == "update" and step.old is not None:
        outputs = {**_opened(step.old.get("outputs")), **inputs}
        outputs.update(dict.fromkeys(step.unknown_outputs, UNKNOWN_STRING))
        return _state(new, inputs, outputs)
    computed = {k: UNKNOWN_STRING for k in step.computed_outputs if k not in inputs}
    return _state(new, inputs, {**inputs, **computed})


def _entry(step: Step) -> dict[str, Any]:
    entry: dict[str, Any] = {"op": step.op, "urn": step.urn}
    state = step.new or step.old or {}
    if state.get("provider"):
        entry["provider"] = state["provider"]
    if step.old is not None:
        old = step.old
        entry["oldState"] = _state(old, _opened(old.get("inputs")), _opened(old.get("outputs")))
    if step.new is not None:
        entry["newState"] = _new_state(step)
    if step.diff_reasons:
        entry["diffReasons"] = step.diff_reasons
    if step.replace_reasons:
        entry["replaceReasons"] = step.replace_reasons
    entry["detailedDiff"] = (
        {path: {"kind": kind, "inputDiff": True} for path, kind in sorted(step.detailed.items())}
        if step.detailed
        else None
    )
    return entry


def to_json(plan: Plan) -> str:
    steps = [_entry(s) for s in plan.steps if s.shown or s.type == STACK_TYPE]
    counts = plan.counts()
    digest: dict[str, Any] = {"config": plan.config, "steps": steps}
    diagnostics = [
        {"urn": s.old_urn or s.urn, "message": error, "severity": "error"}
        for s in plan.steps
        if (error := s.error()) is not None
    ]
    if diagnostics:
        digest["diagnostics"] = diagnostics
    digest["changeSummary"] = {op: counts[op] for op in sorted(counts)}
    text = json.dumps(digest, indent=4, ensure_ascii=False)
    # Go's encoding/json escapes these three (json.MarshalIndent): match the CLI byte for byte.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
