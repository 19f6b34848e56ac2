"""The base of a plan: any `pulumi stack export` of the stack (version 3, pulumi/pulumi
`sdk/go/common/apitype` DeploymentV3 and ResourceV3), read once, validated by the export reader
and indexed as the engine's step generator sees it.

- Live resources by URN; an entry with `delete: true` (left pending deletion by an earlier
  replacement) is not one: the engine deletes it as a hidden `delete-replaced` step.
- `pending_operations` are ignored, as a preview ignores them (only `pulumi up` warns).
- Fields the engine does not read when planning (`sequenceNumber`, which belongs to the
  service's checkpoint requests, not to a deployment; `created`, `modified`, `sourcePosition`,
  the manifest's plugins, the secrets provider's state) are accepted and not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.export.read import cyclic_gc_paused, parse_export, read_document
from preflight.export.state import State
from preflight.inputs.errors import InputError

FLAGS = ("delete", "external", "protect", "retainOnDelete", "pendingReplacement", "taint")
"""ResourceV3's booleans the plan reads."""


@dataclass
class Base:
    name: str
    resources: list[dict[str, Any]]
    """Every entry of `deployment.resources`, in the export's order."""
    olds: dict[str, dict[str, Any]] = field(default_factory=dict)
    """URN -> the live entry."""
    providers: dict[str, str] = field(default_factory=dict)
    """Provider URN -> its ID, for resources whose provider is the same in the program."""
    state: State | None = None
    """The export read as the pack reads a state (for the cost of the base)."""

    @property
    def stack_outputs(self) -> dict[str, Any]:
        for raw in self.resources:
            if raw.get("type") == "pulumi:pulumi:Stack" and not raw.get("delete"):
                outputs = raw.get("outputs")
                return outputs if isinstance(outputs, dict) else {}
        return {}


def load_base(path: Path) -> Base:
    """The base export at `path`; InputError (exit 2) naming what is wrong with it. Read with
    the cyclic collector paused, as `read_export` reads a state for analyze."""
    with cyclic_gc_paused():
        document, name = read_document(path)
        return index_base(document, name)


def index_base(document: Any, name: str) -> Base:
    state = parse_export(document, name)  # version 3, every resource and value checked
    raw = document["deployment"].get("resources") or []
    base = Base(name=name, resources=raw, state=state)
    for index, entry in enumerate(raw):
        where = f"{name}: deployment.resources[{index}] ({entry['urn']})"
        for flag in FLAGS:
            if not isinstance(entry.get(flag, False), bool):
                raise InputError(f"{where}: '{flag}' must be true or false")
        if entry.get("delete"):
            continue
        if entry["urn"] in base.olds:
            raise InputError(
                f"{where}: this URN is already a live resource of the export; "
                "`pulumi stack export` holds each live resource once"
            )
        base.olds[entry["urn"]] = entry
        if str(entry["type"]).startswith("pulumi:providers:") and entry.get("id"):
            base.providers[entry["urn"]] = str(entry["id"])
    return base


def check_identity(base: Base, project: str, stack: str) -> None:
    """Every resource of the base belongs to this project's stack (exit 2 otherwise)."""
    for entry in base.resources:
        parts = str(entry["urn"]).split("::")
        their_stack, their_project = parts[0].removeprefix("urn:pulumi:"), parts[1]
        if their_project != project:
            raise InputError(
                f"{base.name}: an export of project {their_project!r}, not {project!r}; "
                f"pass `pulumi stack export` of this project's {stack!r} stack"
            )
        if their_stack != stack:
            raise InputError(
                f"{base.name}: an export of stack {their_stack!r}, not {stack!r}; "
                f"pass the export of stack {stack!r} (or --stack {their_stack})"
            )
