"""The pack's estimator on a state: the simulated deployment or anyone's `pulumi stack export`.

The prices and the estimator live in the policy pack (`policies/pricing`), so that the pack's
`stack-monthly-cost` policy runs under the real `pulumi preview --policy-pack`; preflight
imports that package with the pack's folder on `sys.path`, as the Pulumi CLI runs the pack.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from preflight.export.state import State
from preflight.inputs.errors import InputError
from preflight.pack.modules import pack_module

if TYPE_CHECKING:
    from pricing import CostDiff, Estimate, Usage


def _pricing(project_dir: Path) -> Any:
    """The pack's `pricing` package (policies/ on sys.path, as the CLI runs the pack)."""
    return pack_module("pricing", project_dir)


def usage(project_dir: Path, stage: str, path: Path | None) -> Usage:
    """The stage's usage assumptions, overridden by a usage file; a bad file is exit 2 (the
    pack's message already names the file)."""
    pricing = _pricing(project_dir)
    try:
        overrides = pricing.read_usage_file(path) if path is not None else None
        found: Usage = pricing.usage_for(stage, overrides)
    except pricing.UsageError as error:
        raise InputError(str(error)) from None
    return found


def estimate(project_dir: Path, state: State, region: str | None, assumed: Usage) -> Estimate:
    """Every resource of `state` priced (or listed as unpriced, with the reason)."""
    pricing = _pricing(project_dir)
    from guardrails.values import plain_props

    records = [
        pricing.Record(r.urn, r.type, plain_props(r.properties), r.property_dependencies)
        for r in state.resources
    ]
    found: Estimate = pricing.estimate_stack(
        records, region or pricing.stack_region(records), assumed
    )
    return found


def compare(project_dir: Path, base: Estimate, head: Estimate) -> CostDiff:
    found: CostDiff = _pricing(project_dir).compare(base, head)
    return found


def preview_cost(
    project_dir: Path, stage: str, state: State, region: str, base: State | None
) -> tuple[Estimate, CostDiff | None]:
    """The stack's estimate with its stage's usage assumptions, and against `base` the change."""
    assumed = usage(project_dir, stage, None)
    head = estimate(project_dir, state, region, assumed)
    if base is None:
        return head, None
    return head, compare(project_dir, estimate(project_dir, base, None, assumed), head)
