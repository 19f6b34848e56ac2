"""The stateful-change gate: which steps of a plan replace or delete stateful data (the types in
`STATEFUL_TYPES` and anything protected). Reads the `pulumi preview --json` shape, so it judges
preflight's plan and the real CLI's alike."""

from __future__ import annotations

from typing import Any

from preflight.plan.steps import STATEFUL_TYPES


def stateful_steps(digest: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for step in digest.get("steps") or []:
        if step.get("op") not in ("replace", "delete"):
            continue
        old = step.get("oldState") or {}
        type_token = old.get("type") or str(step.get("urn", "")).split("::")[-2].split("$")[-1]
        if type_token in STATEFUL_TYPES or old.get("protect"):
            found.append(step)
    return found
