"""`python -m preflight preview --stack NAME [--json|--markdown|--base|--plan-json ...]`: the
program run against the simulated account, the pack evaluated on the result, and with `--base`
the plan against a base export."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from preflight.commands.common import (
    EXIT_OK,
    EXIT_VIOLATION,
    pack_config,
    project_dir,
    write_output,
)
from preflight.export.read import read_export
from preflight.export.state import from_deployment
from preflight.export.write import dumps, to_export
from preflight.inputs.errors import InputError
from preflight.pack.evaluate import Report, evaluate, name_config_keys
from preflight.pack.load import load_pack
from preflight.plan.steps import Plan
from preflight.render import text as render
from preflight.render.markdown import render_markdown
from preflight.simulate.deployment import Deployment
from preflight.simulate.run import simulate
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.project import read_program_config
from preflight.stackfiles.rules import project_rules


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
    base = _read_base(args.base) if args.base else None
    deployment = simulate(args.stack, config=config)
    plan = _plan(deployment, base, config, str(args.base)) if base is not None else None
    state = from_deployment(deployment)
    result = evaluate(
        load_pack(project / "policies"),
        state,
        stage=args.stack,
        config_file=pack_config(project, args.stack),
    )
    name_config_keys(result, state, project_rules(project).config_key)
    _write_files(args, config, deployment, result, plan)
    if "-" not in (args.json, args.plan_json):  # stdout carries the JSON then; keep it parseable
        _print(deployment, result, plan)
    if plan is not None:
        for error in plan.errors():
            sys.stderr.write(f"preflight: error: {error.splitlines()[0]} as it is protected\n")
        if plan.refused:
            return EXIT_VIOLATION
    return EXIT_OK if result.passed else EXIT_VIOLATION


def _read_base(path: Path) -> dict[str, Any]:
    """The base export, validated by the state reader; the raw document for the plan."""
    read_export(path)  # names what is wrong with a malformed or non-export file
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _plan(
    deployment: Deployment, base: dict[str, Any], config: ProgramConfig, base_name: str
) -> Plan:
    from preflight.plan.steps import compute

    plan = compute(deployment, base, region=config.region, base_name=base_name)
    plan.config = {
        key: "[secret]" if key in config.secret_keys else value
        for key, value in config.as_runtime_config().items()
    }
    return plan


def _write_files(
    args: argparse.Namespace,
    config: ProgramConfig,
    deployment: Deployment,
    result: Report,
    plan: Plan | None,
) -> None:
    if args.json:
        document = to_export(deployment, region=config.region, show_secrets=args.show_secrets)
        write_output(args.json, dumps(document))
    if plan is not None and args.plan_json:
        from preflight.plan.render_json import to_json

        write_output(args.plan_json, to_json(plan))
    if args.markdown:
        write_output(args.markdown, render_markdown(deployment, result, plan))


def _print(deployment: Deployment, result: Report, plan: Plan | None) -> None:
    terminal = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if plan is not None:
        from preflight.plan.render_text import render_text

        text = render_text(plan) + "\n" + render.render_policy_text(result, len(plan.refused))
        if terminal:
            from preflight.render.terminal import show_plan

            show_plan(text)
        else:
            sys.stdout.write(text)
    elif terminal:
        from preflight.render.terminal import show

        show(deployment, result)
    else:
        sys.stdout.write(render.render_preview_text(deployment, result))
