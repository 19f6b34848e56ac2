"""`python -m preflight.gate PLAN.json [--allow-stateful]`: exit 1 when a plan replaces or
deletes stateful data, or breaks a blue/green guard.

PLAN.json is `preview --base ... --plan-json` output, or the real `pulumi preview --json`: the
fields the gate reads (`op`, `urn`, `oldState.type`, `oldState.protect`, `replaceReasons`) are
the same in both. Stateful: the types in `preflight.plan.steps.STATEFUL_TYPES` and anything
protected in the base. This is preflight's check, not the CLI's (which refuses only protected
resources); the pull-request workflow runs it for prod; the `allow-stateful-replace` label
skips it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from preflight.plan.gate import slot_problems, stateful_steps


def main(argv: Sequence[str] | None = None) -> int:
    from preflight.cli import Parser

    parser = Parser(
        prog="python -m preflight.gate",
        description="Exit 1 when a plan replaces or deletes a stateful resource, or breaks a "
        "blue/green guard (flips to a slot it creates, deletes the live slot, points nowhere).",
    )
    parser.add_argument("plan", metavar="PLAN.json", help="`preview --base ... --plan-json` output")
    parser.add_argument(
        "--allow-stateful",
        action="store_true",
        help="report stateful replacements and deletions without failing (a reviewer accepted "
        "them: the `allow-stateful-replace` label); blue/green guards still fail",
    )
    args = parser.parse_args(argv)
    digest = _read(args.plan)
    if digest is None:
        return 2
    steps, slots = stateful_steps(digest), slot_problems(digest)
    for step in steps:
        default = "removed from the program" if step["op"] == "delete" else "no reason given"
        why = ", ".join(step.get("replaceReasons") or []) or default
        sys.stdout.write(f"{step['op']} of a stateful resource: {step['urn']} ({why})\n")
    if steps:
        accepted = " (accepted: --allow-stateful)" if args.allow_stateful else ""
        sys.stdout.write(
            f"{len(steps)} stateful resource(s) would be replaced or deleted{accepted}; "
            "a reviewer adds the `allow-stateful-replace` label to accept that\n"
        )
    else:
        sys.stdout.write("no stateful resource is replaced or deleted\n")
    for problem in slots:
        sys.stdout.write(f"blue/green guard: {problem}\n")
    return 1 if slots or (steps and not args.allow_stateful) else 0


_DIGEST_KEYS = ("steps", "changeSummary")
"""A plan JSON has at least one of these (`pulumi preview --json` omits empty fields, never
both): a file with neither (a stack export, a cost estimate) would pass the gate unread."""


def _read(path: str) -> dict[str, Any] | None:
    """The plan JSON, or None after one line on stderr saying why it is not one. The gate fails
    closed: anything it cannot read step by step is exit 2, never a pass."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(f"preflight: error: {path}: cannot be read: {exc.strerror}\n")
        return None
    except UnicodeDecodeError:
        sys.stderr.write(f"preflight: error: {path}: not UTF-8 text\n")
        return None
    try:
        digest = json.loads(text)
        _check_shape(digest)
        slot_problems(digest)  # a nested field of the wrong type stops here, not in main
        stateful_steps(digest)
    except (ValueError, AttributeError, TypeError, IndexError) as exc:
        sys.stderr.write(f"preflight: error: {path}: not a plan JSON ({exc})\n")
        return None
    found: dict[str, Any] = digest
    return found


def _check_shape(digest: Any) -> None:
    """ValueError naming the first field the gate needs and cannot use."""
    if not isinstance(digest, dict):
        raise ValueError("expected a JSON object")
    if not any(key in digest for key in _DIGEST_KEYS):
        raise ValueError(
            "no 'steps' and no 'changeSummary': expected `preview --base ... --plan-json` "
            "or `pulumi preview --json` output"
        )
    steps = digest.get("steps", [])
    if not isinstance(steps, list):
        raise ValueError("'steps' is not a list")
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            raise ValueError(f"steps[{index}] is not an object")
        for field in ("op", "urn"):
            if not isinstance(step.get(field), str):
                raise ValueError(f"steps[{index}].{field} is not a string")
        for field in ("oldState", "newState"):
            if step.get(field) is not None and not isinstance(step[field], dict):
                raise ValueError(f"steps[{index}].{field} is not an object")
        reasons = step.get("replaceReasons")
        if reasons is not None and not (
            isinstance(reasons, list) and all(isinstance(r, str) for r in reasons)
        ):
            raise ValueError(f"steps[{index}].replaceReasons is not a list of strings")


if __name__ == "__main__":
    raise SystemExit(main())
