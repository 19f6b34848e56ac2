"""Shared for the plan's tests: prod's config and simulation, its export as preflight writes it
(the base of the pull-request workflow) and as a deployed stack's `pulumi stack export` looks
(preflight/bench/deployed.py), and a way to plan against either. For the hostile-state tests: a
collection of earlier tests' cyclic garbage before each of their modules."""

from __future__ import annotations

import copy
import gc
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from preflight.bench.deployed import real_export, resource
from preflight.export.write import to_export
from preflight.plan.base import index_base
from preflight.plan.compute import compute
from preflight.plan.steps import Plan, Step
from preflight.simulate.deployment import Deployment
from preflight.simulate.run import simulate
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.project import read_program_config
from tests.preflight_support import ROOT, copy_project

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


STACK_URN = "urn:pulumi:prod::webmodel::pulumi:pulumi:Stack::webmodel-prod"
HEAD = f"Previewing update (prod):\n  pulumi:pulumi:Stack: (same)\n    [urn={STACK_URN}]\n"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def header(entry: dict[str, Any], op: str, prefix: str, lock: str = "") -> str:
    """A step's header as the CLI prints it for a child of a component (two levels deep)."""
    return (
        f"        {prefix}{entry['type']}: ({op}){lock}\n"
        f"            [id={entry['id']}]\n"
        f"            [urn={entry['urn']}]\n"
        f"            [provider={entry['provider']}]\n"
    )


def with_options(tmp_path: Path, type_token: str, options: str, props: str = "") -> ProgramConfig:
    """The program with resource options (and inputs) added to every `type_token` resource by a
    stack transformation, as a program author would write them."""
    project = copy_project(tmp_path)
    main = project / "__main__.py"
    code = textwrap.dedent(
        f"""
        def _options(args: pulumi.ResourceTransformationArgs) -> Any:
            if args.type_ != "{type_token}":
                return None
            extra = pulumi.ResourceOptions({options})
            props = {{**args.props, {props}}}
            return pulumi.ResourceTransformationResult(
                props, pulumi.ResourceOptions.merge(args.opts, extra)
            )


        pulumi.runtime.register_stack_transformation(_options)
        """
    )
    text = main.read_text(encoding="utf-8")
    assert text.count("\nimport pulumi\n") == 1
    main.write_text(text.replace("\nimport pulumi\n", "\nimport pulumi\n" + code), "utf-8")
    return read_program_config(project, "prod")


def retag(base: dict[str, Any]) -> dict[str, Any]:
    vpc = resource(base, "aws:ec2/vpc:Vpc", "network-vpc")
    for side in ("inputs", "outputs"):
        vpc[side]["tags"]["Name"] = vpc[side]["tagsAll"]["Name"] = "old-vpc"
    return vpc


def base_edit(base: dict[str, Any], type_token: str, index: int, **inputs: Any) -> dict[str, Any]:
    """A copy of `base` whose `index`th resource of this type has these inputs and outputs."""
    edited = copy.deepcopy(base)
    found = [r for r in edited["deployment"]["resources"] if r["type"] == type_token]
    found[index]["inputs"].update(inputs)
    found[index]["outputs"].update(inputs)
    return edited


@pytest.fixture(scope="session")
def total(own_base: dict[str, Any]) -> int:
    """What the CLI counts for this stack: every resource, the stack included, but not the
    default providers."""
    resources = own_base["deployment"]["resources"]
    return sum(not r["type"].startswith("pulumi:providers:") for r in resources)


@pytest.fixture(scope="module")
def no_garbage_from_earlier_tests() -> None:
    """Earlier tests in this worker (previews run in process) leave cyclic garbage; collected
    deep inside these parsers' recursion, a finalizer can run out of stack and raise an
    unraisable RecursionError. Collect it once, at a shallow stack, before a module that asks
    for it (the hostile-state modules, through `pytestmark`)."""
    gc.collect()
