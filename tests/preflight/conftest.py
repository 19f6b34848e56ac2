"""Shared for the plan's tests: prod's config and simulation, its export as preflight writes it
(the base of the pull-request workflow) and as a deployed stack's `pulumi stack export` looks
(preflight/bench/deployed.py), and a way to plan against either."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from preflight.bench.deployed import real_export
from preflight.export.write import to_export
from preflight.plan.base import index_base
from preflight.plan.compute import compute
from preflight.plan.steps import Plan, Step
from preflight.simulate.deployment import Deployment
from preflight.simulate.run import simulate
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.project import read_program_config
from tests.preflight_support import ROOT

Planner = Callable[..., Plan]


@pytest.fixture(scope="session")
def prod_config() -> ProgramConfig:
    return read_program_config(ROOT, "prod")


@pytest.fixture(scope="session")
def prod(prod_config: ProgramConfig) -> Deployment:
    return simulate("prod", config=prod_config)


@pytest.fixture(scope="session")
def own_base(prod: Deployment, prod_config: ProgramConfig) -> dict[str, Any]:
    """preflight's own export of prod (what the workflow exports at the base commit)."""
    document: dict[str, Any] = json.loads(json.dumps(to_export(prod, region=prod_config.region)))
    return document


@pytest.fixture(scope="session")
def deployed(prod: Deployment, prod_config: ProgramConfig) -> dict[str, Any]:
    """A real-shaped `pulumi stack export` of prod as deployed."""
    return real_export(prod, prod_config.region)


@pytest.fixture
def base(deployed: dict[str, Any]) -> dict[str, Any]:
    """A copy of the deployed export for one test to edit."""
    return copy.deepcopy(deployed)


@pytest.fixture(scope="session")
def plan_of(prod_config: ProgramConfig) -> Planner:
    def run(document: dict[str, Any], config: ProgramConfig | None = None) -> Plan:
        plan, _ = compute(config or prod_config, index_base(document, "base.json"))
        return plan

    return run


def changes(plan: Plan) -> list[Step]:
    return [s for s in plan.steps if s.shown and s.op != "same"]


def block(text: str, urn: str) -> str:
    """The lines of one step in a rendered plan: from its header to the next header."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == f"[urn={urn}]") - 1
    if lines[at].strip().startswith("[id="):
        at -= 1
    end = at + 1
    while end < len(lines) and (
        lines[end].startswith(" " * (len(lines[at]) - len(lines[at].lstrip()) + 2))
        and not lines[end].strip().startswith(("+ aws:", "~ aws:", "- aws:", "+-aws:", "< aws:"))
    ):
        end += 1
    return "\n".join(lines[at:end])
