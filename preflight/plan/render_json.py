"""The plan as `pulumi preview --json` writes it: steps with old and new states, diff and
replace reasons, the detailed diff, and the change summary."""

from __future__ import annotations

import json
from typing import Any

from preflight.export.values import UNKNOWN_STRING
from preflight.plan.steps import Plan, _inputs
from preflight.plan.values import open_secrets, shown
from preflight.simulate.deployment import STACK_TYPE


def _shown_state(
    raw: dict[str, Any],
    *,
    inputs: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
    unknown_outputs: bool = False,
) -> dict[str, Any]:
    """A ResourceV3 as the CLI serializes it in a preview: secrets as "[secret]".

    A created or replaced resource has only its inputs known (its ID and every other output
    unknown); an updated one keeps the base's outputs under its new inputs.
    """
    out: dict[str, Any] = {}
    for key in ("urn", "custom", "id", "type"):
        if key in raw:
            out[key] = raw[key]
    shown_inputs = shown(inputs if inputs is not None else _inputs(raw))
    out["inputs"] = shown_inputs
    if unknown_outputs:
        out.pop("id", None)
        computed = {k: UNKNOWN_STRING for k in (raw.get("outputs") or {}) if k not in shown_inputs}
        out["outputs"] = {**shown_inputs, **computed}
    else:
        source = outputs if outputs is not None else (raw.get("outputs") or {})
        out["outputs"] = shown({k: open_secrets(v) for k, v in source.items()})
        if outputs is not None:
            out["outputs"].update(shown_inputs)
    for key in ("parent", "protect", "dependencies", "propertyDependencies", "provider"):
        if raw.get(key):
            out[key] = raw[key]
    return out


def to_json(plan: Plan) -> str:
    steps: list[dict[str, Any]] = []
    for step in plan.steps:
        if step.op == "same" and step.type != STACK_TYPE:
            continue
        entry: dict[str, Any] = {"op": step.op, "urn": step.urn}
        state = step.new or step.old or {}
        if state.get("provider"):
            entry["provider"] = state["provider"]
        if step.old is not None:
            entry["oldState"] = _shown_state(step.old, unknown_outputs=False)
        if step.new is not None:
            if step.op == "same":
                entry["newState"] = _shown_state(step.old or step.new)
            elif step.op == "update":
                base_outputs = (step.old or {}).get("outputs") or {}
                entry["newState"] = _shown_state(
                    step.new, inputs=step.new_inputs, outputs=dict(base_outputs)
                )
                if step.old and "id" in step.old:
                    entry["newState"]["id"] = step.old["id"]
            else:
                entry["newState"] = _shown_state(
                    step.new, inputs=step.new_inputs, unknown_outputs=True
                )
        if step.diff_reasons:
            entry["diffReasons"] = step.diff_reasons
        if step.replace_reasons:
            entry["replaceReasons"] = step.replace_reasons
        if step.detailed:
            entry["detailedDiff"] = {
                path: {"kind": kind, "inputDiff": True}
                for path, kind in sorted(step.detailed.items())
            }
        steps.append(entry)
    counts = plan.counts()
    digest = {
        "config": plan.config,
        "steps": steps,
        "changeSummary": {op: counts[op] for op in sorted(counts)},
    }
    text = json.dumps(digest, indent=4, ensure_ascii=False)
    # Go's encoding/json escapes these three (json.MarshalIndent): match the CLI byte for byte.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
