"""`python -m preflight.gate PLAN.json`: exit 1 when a plan replaces or deletes stateful data.

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

from preflight.plan.gate import stateful_steps


def main(argv: Sequence[str] | None = None) -> int:
    from preflight.cli import Parser
    from preflight.commands.common import EXIT_BAD_INPUT

    parser = Parser(
        prog="python -m preflight.gate",
        description="Exit 1 when a plan replaces or deletes a stateful resource.",
    )
    parser.add_argument("plan", metavar="PLAN.json", help="`preview --base ... --plan-json` output")
    path = parser.parse_args(argv).plan
    try:
        digest = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(digest, dict) or not all(
            isinstance(step, dict) for step in digest.get("steps") or []
        ):
            raise ValueError("expected an object whose steps are objects")
        steps = stateful_steps(digest)
    except (OSError, ValueError, AttributeError, IndexError, TypeError) as exc:
        sys.stderr.write(f"preflight: error: {path}: not a plan JSON ({exc})\n")
        return EXIT_BAD_INPUT
    for step in steps:
        why = ", ".join(step.get("replaceReasons") or []) or "removed from the program"
        sys.stdout.write(f"{step['op']} of a stateful resource: {step['urn']} ({why})\n")
    if steps:
        sys.stdout.write(
            f"{len(steps)} stateful resource(s) would be replaced or deleted; "
            "a reviewer adds the `allow-stateful-replace` label to accept that\n"
        )
        return 1
    sys.stdout.write("no stateful resource is replaced or deleted\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
