"""The plan of a pull request: the simulated deployment compared by URN with a base export.

Steps follow the engine's rules: a resource only in the program is a `create`, only in the base
a `delete`; a changed input is an `update`, or a `replace` when the AWS provider marks the
property force-new (`forcenew.json`, generated from the provider's source) or the resource's
`replaceOnChanges` option names it. `aliases` map an old URN onto the new one. Secrets are
compared without being shown; a replace or delete of a protected resource is refused as the
CLI refuses it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from preflight.export.write import to_export
from preflight.inputs.errors import InputError
from preflight.plan.values import Sealed, Unknown, diff_paths, equal, open_secrets
from preflight.simulate.deployment import STACK_TYPE, Deployment, SimResource

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
PAST = {"create": "create", "update": "update", "delete": "delete", "replace": "replace"}
PREFIX = {"same": "  ", "create": "+ ", "update": "~ ", "delete": "- ", "replace": "+-"}
_TO = {"create": "to create", "update": "to update", "delete": "to delete", "replace": "to replace"}


@cache
def force_new_table() -> dict[str, tuple[str, ...]]:
    """Pulumi type -> properties the provider replaces the resource for."""
    text = resources.files("preflight.plan").joinpath("forcenew.json").read_text(encoding="utf-8")
    return {k: tuple(v) for k, v in json.loads(text)["forceNew"].items()}


@dataclass
class Step:
    op: str  # same | create | update | replace | delete
    urn: str
    type: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    diff_reasons: list[str] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)
    detailed: dict[str, str] = field(default_factory=dict)
    delete_before_replace: bool = False
    old_urn: str | None = None
    new_inputs: dict[str, Any] | None = None
    """The new inputs as a preview knows them: values computed by a create or replace unknown."""

    @property
    def name(self) -> str:
        return self.urn.split("::", 3)[3]

    @property
    def protected(self) -> bool:
        return bool(self.old and self.old.get("protect"))

    @property
    def destructive(self) -> bool:
        return self.op in ("replace", "delete")

    @property
    def stateful(self) -> bool:
        return self.destructive and (self.type in STATEFUL_TYPES or self.protected)

    @property
    def refused(self) -> bool:
        return self.destructive and self.protected


@dataclass
class Plan:
    stack: str
    project: str
    steps: list[Step]
    outputs: list[tuple[str, str, Any, Any]]  # key, op, old, new
    config: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for step in self.steps:
            counts[step.op] = counts.get(step.op, 0) + 1
        return counts

    @property
    def refused(self) -> list[Step]:
        return [s for s in self.steps if s.refused]

    @property
    def stateful(self) -> list[Step]:
        return [s for s in self.steps if s.stateful]

    def errors(self) -> list[str]:
        """The CLI's own error for each protected resource the plan would replace or delete."""
        verb = {"replace": "replace", "delete": "delete"}
        return [
            f'unable to {verb[s.op]} resource "{s.old_urn or s.urn}"\n'
            "as it is currently marked for protection. To unprotect the resource, remove the "
            "`protect` flag from the resource in your Pulumi program and run `pulumi up`"
            for s in self.refused
        ]


def _inputs(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        k: open_secrets(v) for k, v in (raw.get("inputs") or {}).items() if not k.startswith("__")
    }


def _is_default_provider(raw: dict[str, Any]) -> bool:
    parts = str(raw.get("urn", "")).split("::")
    return (
        str(raw.get("type", "")).startswith("pulumi:providers:")
        and len(parts) > 3
        and parts[3].startswith("default")
    )


def _replace_on_changes(patterns: Iterable[str], changed: Iterable[str]) -> list[str]:
    wanted = list(patterns)
    if "*" in wanted:
        return sorted(changed)
    roots = {p.split(".")[0].split("[")[0] for p in wanted}
    return sorted(k for k in changed if k in roots)


def compute(
    deployment: Deployment, base: dict[str, Any], *, region: str, base_name: str = "base"
) -> Plan:
    """Compare the deployment with the base export document (already validated by the caller)."""
    base_raw = [r for r in base["deployment"].get("resources") or [] if isinstance(r, dict)]
    base_by_urn = {str(r["urn"]): r for r in base_raw}
    _check_project(deployment, base_raw, base_name)
    new_doc = to_export(deployment, region=region, show_secrets=True)
    new_raw = new_doc["deployment"]["resources"]
    sims = {r.urn: r for r in deployment.resources}
    table = force_new_table()

    steps: list[Step] = []
    matched: set[str] = set()
    fresh: dict[str, set[str]] = {}  # URN -> computed values, for resources created or replaced
    for raw in new_raw:
        if _is_default_provider(raw):
            matched.add(str(raw["urn"]))
            continue
        urn = str(raw["urn"])
        sim = sims.get(urn)
        old_urn = urn if urn in base_by_urn else None
        if old_urn is None and sim is not None:
            old_urn = next((a for a in sim.aliases if a in base_by_urn and a not in sims), None)
        new_in = _known_inputs(raw, sim, fresh)
        if old_urn is None:
            steps.append(Step("create", urn, str(raw["type"]), None, raw, new_inputs=new_in))
            if sim is not None:
                fresh[urn] = _computed_values(sim)
            continue
        matched.add(old_urn)
        old = base_by_urn[old_urn]
        step = Step("same", urn, str(raw["type"]), old, raw, old_urn=old_urn, new_inputs=new_in)
        if raw["type"] != STACK_TYPE:
            _compare(step, _inputs(old), new_in, sim, table.get(step.type, ()))
        if step.op == "replace" and sim is not None:
            fresh[urn] = _computed_values(sim)
        steps.append(step)
    # Deletes come last, dependents first (reverse of the base's dependency order).
    for raw in reversed(base_raw):
        urn = str(raw["urn"])
        if urn in matched or _is_default_provider(raw):
            continue
        steps.append(Step("delete", urn, str(raw.get("type", "")), raw, None, old_urn=urn))
    return Plan(
        stack=deployment.stack,
        project=deployment.project,
        steps=steps,
        outputs=_output_changes(deployment, base_raw, steps),
    )


def _compare(
    step: Step,
    old_in: dict[str, Any],
    new_in: dict[str, Any],
    sim: SimResource | None,
    force_new: tuple[str, ...],
) -> None:
    """Make `step` an update or a replace when its inputs changed, with the engine's reasons."""
    changed = sorted(
        k for k in old_in.keys() | new_in.keys() if not equal(old_in.get(k), new_in.get(k))
    )
    if not changed:
        return
    step.op = "update"
    step.diff_reasons = changed
    replace = sorted(set(changed) & set(force_new))
    if sim is not None:
        replace = sorted(set(replace) | set(_replace_on_changes(sim.replace_on_changes, changed)))
        step.delete_before_replace = sim.delete_before_replace
    detailed: dict[str, str] = {}
    for key in changed:
        if key not in new_in:
            detailed[key] = "delete"
        elif key not in old_in:
            detailed[key] = "add"
        else:
            diff_paths(old_in[key], new_in[key], key, detailed)
    if replace:
        step.op = "replace"
        step.replace_reasons = replace
        roots = set(replace)
        detailed = {
            p: f"{k}-replace" if p.split(".")[0].split("[")[0] in roots else k
            for p, k in detailed.items()
        }
    step.detailed = detailed


def _check_project(deployment: Deployment, base_raw: list[dict[str, Any]], name: str) -> None:
    for raw in base_raw:
        parts = str(raw["urn"]).split("::")
        stack, project = parts[0].removeprefix("urn:pulumi:"), parts[1]
        if project != deployment.project:
            raise InputError(
                f"{name}: an export of project {project!r}, not {deployment.project!r}; "
                f"pass `pulumi stack export` of this project's {deployment.stack!r} stack"
            )
        if stack != deployment.stack:
            raise InputError(
                f"{name}: an export of stack {stack!r}, not {deployment.stack!r}; "
                f"pass the export of stack {deployment.stack!r} (or --stack {stack})"
            )
        return


def _computed_values(resource: SimResource) -> set[str]:
    """Simulated values of a resource's computed outputs (ID, ARN, ...): unknown in a preview."""
    values = {resource.id} if resource.id else set()
    for key, value in resource.outputs.items():
        if key in resource.inputs or not isinstance(value, str) or len(value) < 8:
            continue
        if not value.isdigit():  # an account ID is shared by every resource: not this one's
            values.add(value)
    # A value the program gave (an RDS identifier that is also its ID) is known in a preview.
    return values - {v for v in resource.inputs.values() if isinstance(v, str)}


def _known_inputs(
    raw: dict[str, Any], sim: SimResource | None, fresh: dict[str, set[str]]
) -> dict[str, Any]:
    """Inputs, with what they take from a created or replaced resource unknown.

    Only properties that depend on such a resource (its property dependencies, as the engine
    records them) are looked at, and only that resource's computed values are masked.
    """
    inputs = _inputs(raw)
    if sim is None or not fresh:
        return inputs
    for key, deps in sim.property_dependencies.items():
        unknown = set().union(*(fresh[d] for d in deps if d in fresh))
        if unknown and key in inputs:
            inputs[key] = _mask(inputs[key], unknown)
    return inputs


def _mask(value: Any, unknown: set[str]) -> Any:
    """Values that embed a computed output of a fresh resource become unknown."""
    if isinstance(value, str):
        return Unknown() if any(u in value for u in unknown) else value
    if isinstance(value, Sealed):
        return Sealed(_mask(value.plain, unknown), value.known, value.ciphertext)
    if isinstance(value, dict):
        return {k: _mask(v, unknown) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, unknown) for v in value]
    return value


def _unknown_values(deployment: Deployment, steps: list[Step]) -> set[str]:
    fresh = {s.urn for s in steps if s.op in ("create", "replace")}
    values: set[str] = set()
    for resource in deployment.resources:
        if resource.urn in fresh:
            values |= _computed_values(resource)
    return values


def _is_unknown(value: Any, unknown: set[str]) -> bool:
    if isinstance(value, str):
        return any(u in value for u in unknown)
    if isinstance(value, list):
        return any(_is_unknown(v, unknown) for v in value)
    if isinstance(value, dict):
        return any(_is_unknown(v, unknown) for v in value.values())
    return False


def _output_changes(
    deployment: Deployment, base_raw: list[dict[str, Any]], steps: list[Step]
) -> list[tuple[str, str, Any, Any]]:
    old_outputs: dict[str, Any] = {}
    for raw in base_raw:
        if raw.get("type") == STACK_TYPE:
            old_outputs = {k: open_secrets(v) for k, v in (raw.get("outputs") or {}).items()}
    unknown = _unknown_values(deployment, steps)
    changes: list[tuple[str, str, Any, Any]] = []
    for key in sorted(old_outputs.keys() | deployment.outputs.keys()):
        if key not in deployment.outputs:
            changes.append((key, "delete", old_outputs[key], None))
            continue
        new: Any = deployment.outputs[key]
        if key in deployment.secret_outputs:
            new = Sealed(new)
        if _is_unknown(deployment.outputs[key], unknown):
            new = Unknown()
        if key not in old_outputs:
            changes.append((key, "create", None, new))
        elif isinstance(new, Unknown) or not equal(old_outputs[key], new):
            changes.append((key, "update", old_outputs[key], new))
    return changes
