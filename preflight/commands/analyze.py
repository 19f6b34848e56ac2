"""`python -m preflight analyze STATE.json [--stack NAME]`: the policy pack on anyone's export."""

from __future__ import annotations

import argparse
import sys

from preflight.commands.common import (
    EXIT_OK,
    EXIT_VIOLATION,
    known_stages,
    pack_config,
    project_dir,
)
from preflight.export.read import read_export
from preflight.export.values import printable
from preflight.inputs.errors import InputError
from preflight.inputs.stack_names import stack_name_problem
from preflight.pack.evaluate import evaluate, name_config_keys
from preflight.pack.load import load_pack
from preflight.render.text import render_analyze_text
from preflight.stackfiles.project import project_name
from preflight.stackfiles.rules import project_rules


def run(args: argparse.Namespace) -> int:
    project = project_dir(args.project_dir)
    state = read_export(args.state)
    stage = args.stack or state.stack
    if not stage:
        raise InputError(
            f"{args.state}: no resources with a URN to take the stack from; pass --stack"
        )
    parts = stage.split("/")
    problem = next(filter(None, map(stack_name_problem, parts)), None)
    if len(parts) > 3:
        problem = "a stack reference is <stack>, <org>/<stack> or <org>/<project>/<stack>"
    if problem:
        source = "--stack" if args.stack else f"{args.state}: the stack in its URNs"
        raise InputError(f"{source} {printable(stage)[:120]!r}: {problem}")
    config_file = pack_config(project, stage)
    if config_file is None:
        sys.stderr.write(
            f"preflight: note: no policies/config/{stage.split('/')[-1]}.json for stage "
            f"{stage!r}: the pack's own levels apply (prod's, stricter than dev's); "
            f"stages with a config: {', '.join(known_stages(project)) or 'none'}\n"
        )
    pack = load_pack(project / "policies")
    result = evaluate(pack, state, stage=stage, config_file=config_file, during="on this state")
    if state.project == project_name(project):  # the project's own stack: name its config keys
        name_config_keys(result, state, project_rules(project).config_key)
    sys.stdout.write(render_analyze_text(len(state.resources), result, str(args.state)))
    return EXIT_OK if result.passed else EXIT_VIOLATION
