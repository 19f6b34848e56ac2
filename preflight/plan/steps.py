"""The plan of a pull request: steps, as pulumi/pulumi's step generator
(`pkg/resource/deploy/step_generator.go`) makes them, and what they mean for review.

- Ops: `same`, `create`, `update`, `replace` (one logical step; the CLI hides its
  create-replacement and delete-replaced parts unless asked), `delete`, and `discard` (a
  resource the stack only read, `external`, that the program no longer reads: forgotten, not
  deleted).
- Protection: a replace is refused when the resource is protected in the base *and* in the
  program (unprotecting and replacing in one update is allowed); a delete when it is protected
  in the base. The CLI still shows a refused replace (and counts it), while a refused delete
  fails its step, which is shown but not counted.
- `retainOnDelete` in the base: a delete or replace leaves the cloud resource in place; the
  CLI marks the op `[retain]`.
- Stateful: a replace or delete of a type in STATEFUL_TYPES or of anything protected. That is
  preflight's own check (the gate), not the CLI's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATEFUL_TYPES = frozenset(
    {
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:dynamodb/table:Table",
        "aws:efs/fileSystem:FileSystem",
    }
)
"""Resources whose replacement or deletion loses data or a database's network home."""

SHOWN_OPS = ("create", "update", "delete", "replace")
"""The ops the summary lists, in the engine's `StepOps` order (`discard` is never listed)."""
PREFIX = {
    "same": "  ",
    "create": "+ ",
    "update": "~ ",
    "delete": "- ",
    "replace": "+-",
    "discard": "< ",
}
_TO = {"create": "to create", "update": "to update", "delete": "to delete", "replace": "to replace"}


def _flag(state: dict[str, Any] | None, key: str) -> bool:
    return bool(state and state.get(key))


@dataclass
class Step:
    op: str
    urn: str
    type: str
    old: dict[str, Any] | None
    """The base's entry (as exported)."""
    new: dict[str, Any] | None
    """The new state, shaped like a ResourceV3, values opened (`values.open_secrets`)."""
    diff_reasons: list[str] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)
    detailed: dict[str, str] = field(default_factory=dict)
    delete_before_replace: bool = False
    old_urn: str | None = None
    unknown_outputs: list[str] = field(default_factory=list)
    """Outputs an update leaves unknown (the provider's `SetNewComputed`)."""
    computed_outputs: list[str] = field(default_factory=list)
    """Outputs the provider computes (unknown to a preview of a create or replace)."""

    @property
    def name(self) -> str:
        return self.urn.split("::", 3)[3]

    @property
    def new_inputs(self) -> dict[str, Any]:
        inputs = (self.new or {}).get("inputs")
        return inputs if isinstance(inputs, dict) else {}

    @property
    def protected(self) -> bool:
        """Protected in the base."""
        return _flag(self.old, "protect")

    @property
    def unprotected(self) -> bool:
        """Protected in the base, not in the program."""
        return self.protected and self.new is not None and not _flag(self.new, "protect")

    @property
    def destructive(self) -> bool:
        return self.op in ("replace", "delete")

    @property
    def stateful(self) -> bool:
        return self.destructive and (self.type in STATEFUL_TYPES or self.protected)

    @property
    def refused(self) -> bool:
        if self.op == "replace":
            return self.protected and _flag(self.new, "protect")
        return self.op == "delete" and self.protected

    @property
    def retained(self) -> bool:
        """The base's `retainOnDelete`: the op leaves the cloud resource behind."""
        return self.destructive and _flag(self.old, "retainOnDelete")

    @property
    def shown(self) -> bool:
        """What `preview --diff` and `--json` show: every change, and a `same` whose protection
        changes."""
        return self.op != "same" or _flag(self.old, "protect") != _flag(self.new, "protect")

    @property
    def counted(self) -> bool:
        """A refused delete fails its step, so the summary leaves it out."""
        return not (self.op == "delete" and self.refused)

    def error(self) -> str | None:
        """The CLI's own error when it refuses this step."""
        if not self.refused:
            return None
        urn = self.old_urn or self.urn
        if self.op == "replace":
            return (
                f'unable to replace resource "{urn}"\n'
                "as it is currently marked for protection. To unprotect the resource, remove the "
                "`protect` flag from the resource in your Pulumi program and run `pulumi up`"
            )
        return (
            f'Preview failed: resource "{urn}" cannot be deleted\n'
            "because it is protected. To unprotect the resource, either remove the `protect` "
            "flag from the resource in your Pulumi program and run `pulumi up`, or use the "
            f"command:\n`pulumi state unprotect '{urn}'`"
        )


@dataclass
class Plan:
    stack: str
    project: str
    steps: list[Step]
    outputs: list[tuple[str, str, Any, Any]]  # key, op, old, new
    config: dict[str, Any] = field(default_factory=dict)
    base_name: str = ""

    def counts(self) -> dict[str, int]:
        """Steps per op as the engine counts them (`changeSummary`)."""
        counts: dict[str, int] = {}
        for step in self.steps:
            if step.counted:
                counts[step.op] = counts.get(step.op, 0) + 1
        return counts

    @property
    def refused(self) -> list[Step]:
        return [s for s in self.steps if s.refused]

    @property
    def stateful(self) -> list[Step]:
        return [s for s in self.steps if s.stateful]

    @property
    def fresh(self) -> bool:
        """Whether anything is created or replaced (its outputs unknown to a preview)."""
        return any(s.op in ("create", "replace") for s in self.steps)

    def errors(self) -> list[str]:
        """The CLI's own error for each step it refuses."""
        return [error for step in self.steps if (error := step.error()) is not None]
