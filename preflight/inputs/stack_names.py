"""Stack names and stack references, checked by Pulumi's own rules.

A stack name becomes part of a path (`Pulumi.<stack>.yaml`), so nothing that is not a valid
stack name gets that far.
"""

from __future__ import annotations

import re
from pathlib import Path

from preflight.inputs.errors import InputError

STACK_NAME_MAX = 100
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]*")


def stack_name_problem(name: str) -> str | None:
    """Pulumi's own rule for a stack name (sdk/go/common/tokens ParseStackName), or None."""
    if not name:
        return "a stack name may not be empty"
    if len(name.encode("utf-8", "surrogatepass")) > STACK_NAME_MAX:
        return f"a stack name cannot exceed {STACK_NAME_MAX} characters (this one has {len(name)})"
    end = _STACK_NAME.match(name)
    position = end.end() if end else 0
    if position != len(name):
        shown = name[position].encode("utf-8", "backslashreplace").decode()
        return (
            "a stack name may only contain alphanumeric, hyphens, underscores, or periods: "
            f"invalid character {shown!r} at position {position}"
        )
    return None


def parse_stack_reference(reference: str, project: str) -> str:
    """The stack name of `stack`, `org/stack` or `org/project/stack`, checked by Pulumi's rules.

    It names `Pulumi.<stack>.yaml`, so nothing that is not a valid stack name becomes a path.
    """
    parts = reference.split("/")
    shown = reference if len(reference) <= 120 else reference[:120] + "..."
    if len(parts) > 3:
        raise InputError(
            f"stack {shown!r}: a stack reference is <stack>, <org>/<stack> or "
            "<org>/<project>/<stack>"
        )
    for part in parts[:-1]:
        problem = stack_name_problem(part)
        if problem:
            raise InputError(
                f"stack {shown!r}: organization and project names follow the same rule as "
                f"stack names: {problem.replace('stack name', 'name')}"
            )
    if len(parts) == 3 and parts[1] != project:
        raise InputError(
            f"stack {shown!r}: names project {parts[1]!r}, but Pulumi.yaml is project {project!r}"
        )
    problem = stack_name_problem(parts[-1])
    if problem:
        raise InputError(f"stack {shown!r}: {problem}")
    return parts[-1]


def stack_names(project_dir: Path) -> list[str]:
    names = (p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
    return sorted(name for name in names if stack_name_problem(name) is None)
