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
        why = ", ".join(step.get("replaceReasons") or []) or "removed from the program"
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


def _read(path: str) -> dict[str, Any] | None:
    """The plan JSON, or None after one line on stderr saying why it is not one."""
    try:
        digest = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(digest, dict) or not all(
            isinstance(step, dict) for step in digest.get("steps") or []
        ):
            raise ValueError("expected an object whose steps are objects")
        slot_problems(digest)
        stateful_steps(digest)
    except (OSError, ValueError, AttributeError, IndexError, TypeError) as exc:
        sys.stderr.write(f"preflight: error: {path}: not a plan JSON ({exc})\n")
        return None
    found: dict[str, Any] = digest
    return found


if __name__ == "__main__":
    raise SystemExit(main())
