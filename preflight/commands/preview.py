"""`python -m preflight preview --stack NAME [--json|--markdown|--base|--plan-json ...]`: the
program run against the simulated account, the pack evaluated on the result, and with `--base`
the plan against a base export."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from preflight.commands.common import (
    EXIT_OK,
    EXIT_VIOLATION,
    pack_config,
    project_dir,
    write_output,
)
from preflight.cost.estimate import preview_cost
from preflight.cost.text import markdown_lines, total_line
from preflight.export.state import from_deployment
from preflight.export.write import dumps, to_export
from preflight.inputs.errors import InputError
from preflight.pack.evaluate import Report, evaluate, name_config_keys
from preflight.pack.load import load_pack
from preflight.plan.base import Base, load_base
from preflight.plan.steps import Plan, Step
from preflight.render import text as render
from preflight.render.markdown import render_markdown
from preflight.simulate.deployment import Deployment
from preflight.simulate.run import simulate
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.project import read_program_config
from preflight.stackfiles.rules import project_rules

if TYPE_CHECKING:
    from pricing import CostDiff, Estimate


def run(args: argparse.Namespace) -> int:
    if args.plan_json and not args.base:
        raise InputError("--plan-json needs --base STATE.json (the plan is against that state)")
    if args.show_secrets and not args.json:
        raise InputError(
            "--show-secrets writes secret values in plaintext into the --json export; "
            "give --json PATH too (it changes nothing else)"
        )
    if args.plan_json == "-" and args.json == "-":
        raise InputError("--json - and --plan-json - both want stdout; give one of them a path")
    project = project_dir(args.project_dir)
    config = read_program_config(project, args.stack)
    for warning in config.warnings:
        sys.stderr.write(f"preflight: warning: {warning}\n")
    plan: Plan | None = None
    base = load_base(args.base) if args.base else None
    if base is not None:
        plan, deployment = _plan(config, base)
        if plan.fresh:  # the preview run left values unknown: judge the fully simulated stack
            deployment = simulate(args.stack, config=config)
    else:
        deployment = simulate(args.stack, config=config)
    state = from_deployment(deployment)
    stdout_free = "-" not in (args.json, args.plan_json)
    result = evaluate(
        load_pack(project / "policies"),
        state,
        stage=args.stack,
        config_file=pack_config(project, args.stack),
    )
    name_config_keys(result, state, project_rules(project).config_key)
    base_state = base.state if base is not None else None
    cost = Cost(*preview_cost(project, config.stack, state, config.region, base_state))
    shown = (
        deployment if plan or not (args.markdown or stdout_free) else _previewed(config, deployment)
    )
    _write_files(args, config, deployment, (result, plan, cost), shown)
    if stdout_free:  # stdout carries the JSON otherwise; keep it parseable
        _print(shown, result, plan, cost.line())
    if plan is not None:
        for step in plan.refused:
            sys.stderr.write(f"preflight: error: {_refusal(step)}\n")
        if plan.refused:
            return EXIT_VIOLATION
    return EXIT_OK if result.passed else EXIT_VIOLATION


def _refusal(step: Step) -> str:
    urn = step.old_urn or step.urn
    if step.op == "replace":
        return f'unable to replace resource "{urn}" as it is protected'
    return f'resource "{urn}" cannot be deleted because it is protected'


def _plan(config: ProgramConfig, base: Base) -> tuple[Plan, Deployment]:
    from preflight.plan.compute import compute

    plan, deployment = compute(config, base)
    plan.config = {
        key: "[secret]" if key in config.secret_keys else value
        for key, value in config.as_runtime_config().items()
    }
    return plan, deployment


def _guards(plan: Plan | None) -> list[str]:
    """The blue/green guards the plan breaks, as `python -m preflight.gate` judges its JSON."""
    if plan is None:
        return []
    from preflight.plan.gate import slot_problems
    from preflight.plan.render_json import to_json

    return slot_problems(json.loads(to_json(plan)))


@dataclass(frozen=True)
class Cost:
    """The stack's monthly estimate and, with a base, the change: one line and a section."""

    estimate: Estimate
    diff: CostDiff | None

    def line(self) -> str:
        return total_line(self.estimate, self.diff)

    def markdown(self) -> list[str]:
        return markdown_lines(self.estimate, self.diff)


def _previewed(config: ProgramConfig, deployment: Deployment) -> Deployment:
    """The deployment with its stack outputs as `pulumi preview` shows them for a new stack:
    what only AWS computes (IDs, ARNs, endpoints, and all derived from them) unknown."""
    from preflight.plan.base import Base
    from preflight.plan.compute import compute

    _, run = compute(config, Base(name="(a new stack)", resources=[]))
    return dataclasses.replace(deployment, outputs=run.outputs, secret_outputs=run.secret_outputs)


def _write_files(
    args: argparse.Namespace,
    config: ProgramConfig,
    deployment: Deployment,
    outcome: tuple[Report, Plan | None, Cost],
    shown: Deployment,
) -> None:
    result, plan, cost = outcome
    if args.json:
        document = to_export(deployment, region=config.region, show_secrets=args.show_secrets)
        write_output(args.json, dumps(document))
    if plan is not None and args.plan_json:
        from preflight.plan.render_json import to_json

        write_output(args.plan_json, to_json(plan))
    if args.markdown:
        guards = _guards(plan)
        write_output(args.markdown, render_markdown(shown, result, plan, cost.markdown(), guards))


def _print(deployment: Deployment, result: Report, plan: Plan | None, cost_line: str) -> None:
    terminal = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if plan is not None:
        from preflight.plan.render_text import render_text

        policy = render.render_policy_text(result, len(plan.refused), cost_line)
        guards = "".join(f"blue/green guard: {problem}\n" for problem in _guards(plan))
        text = render_text(plan) + "\n" + guards + policy
        if terminal:
            from preflight.render.terminal import show_plan

            show_plan(text)
        else:
            sys.stdout.write(text)
    elif terminal:
        from preflight.render.terminal import show

        show(deployment, result, cost_line)
    else:
        sys.stdout.write(render.render_preview_text(deployment, result, cost_line))
