"""`preview --base`: the program run as a preview against the base state, and the plan.

The run's custom resources are decided by `engine.Planner` as they register; components and the
stack are matched after the run; what the base holds and the program no longer registers is
deleted (dependents first), discarded (a read resource) or dropped without a step (an entry
already pending deletion, a resource pending replacement, a default provider: the engine's
hidden steps). Stack outputs are compared last, unknown where the run could not know them.
"""

from __future__ import annotations

from typing import Any

from preflight.export.write import relations
from preflight.plan.base import Base, check_identity
from preflight.plan.engine import Planner, provider_ref
from preflight.plan.steps import Plan, Step
from preflight.plan.values import Sealed, equal, open_secrets
from preflight.simulate.account import SimulatedAws
from preflight.simulate.deployment import STACK_TYPE, Deployment, SimResource
from preflight.simulate.existing import existing_from_export
from preflight.simulate.run import default_tags, simulate
from preflight.stackfiles.program_config import ProgramConfig


def compute(config: ProgramConfig, base: Base) -> tuple[Plan, Deployment]:
    """The plan of the program in `config` against `base`, and the preview run it came from."""
    check_identity(base, config.project, config.stack)
    tags = default_tags(config)
    account = SimulatedAws(
        region=config.region, existing=existing_from_export(base.resources), default_tags=tags
    )
    planner = Planner(base, config.region, tags)
    deployment = simulate(config.stack, config=config, account=account, responder=planner)
    steps = [_step(planner, resource) for resource in deployment.resources]
    steps += _deletes(base, planner.claimed)
    plan = Plan(
        stack=deployment.stack,
        project=deployment.project,
        steps=steps,
        outputs=_output_changes(base, deployment),
        base_name=base.name,
    )
    return plan, deployment


def _step(planner: Planner, resource: SimResource) -> Step:
    decided = planner.steps.get(resource.urn)
    if decided is not None:
        return decided
    # A component, the stack, or a resource the planner was not asked about: the engine
    # compares its inputs (no provider to ask).
    old_urn = planner.match(resource.urn, resource.aliases)
    old = planner.base.olds.get(old_urn) if old_urn else None
    new: dict[str, Any] = {"urn": resource.urn, "custom": resource.custom, "type": resource.type}
    new["inputs"] = {k: open_secrets(v) for k, v in resource.inputs.items()}
    ref = provider_ref(resource.provider, planner.base) if resource.provider else None
    new.update(relations(resource, ref))
    step = Step("create" if old is None else "same", resource.urn, resource.type, old, new)
    step.old_urn = old_urn
    if old is not None and resource.type != STACK_TYPE:
        before = {k: open_secrets(v) for k, v in (old.get("inputs") or {}).items()}
        changed = sorted(
            k
            for k in before.keys() | new["inputs"].keys()
            if not k.startswith("__") and not equal(before.get(k), new["inputs"].get(k))
        )
        if changed:
            step.op, step.diff_reasons = "update", changed
    return step


def _is_default_provider(raw: dict[str, Any]) -> bool:
    parts = str(raw.get("urn", "")).split("::")
    return str(raw.get("type", "")).startswith("pulumi:providers:") and parts[-1].startswith(
        "default"
    )


def _deletes(base: Base, claimed: dict[str, str]) -> list[Step]:
    """What the program no longer registers, dependents before what they depend on."""
    steps: list[Step] = []
    for raw in reversed(base.resources):
        urn = str(raw["urn"])
        if raw.get("delete") or urn in claimed or _is_default_provider(raw):
            continue
        if raw.get("pendingReplacement"):
            continue  # already deleted: the engine only drops it from the state
        op = "discard" if raw.get("external") else "delete"
        steps.append(Step(op, urn, str(raw.get("type", "")), raw, None, old_urn=urn))
    return steps


def _output_changes(base: Base, deployment: Deployment) -> list[tuple[str, str, Any, Any]]:
    old_outputs = {k: open_secrets(v) for k, v in base.stack_outputs.items()}
    changes: list[tuple[str, str, Any, Any]] = []
    for key in sorted(old_outputs.keys() | deployment.outputs.keys()):
        if key not in deployment.outputs:
            changes.append((key, "delete", old_outputs[key], None))
            continue
        new: Any = open_secrets(deployment.outputs[key])
        if key in deployment.secret_outputs:
            new = Sealed(new)
        if key not in old_outputs:
            changes.append((key, "create", None, new))
        elif not equal(old_outputs[key], new):
            changes.append((key, "update", old_outputs[key], new))
    return changes
