"""`python -m preflight analyze STATE.json [--stack NAME]`: the policy pack on anyone's export."""

from __future__ import annotations

import argparse
import sys

from preflight.commands.common import EXIT_OK, EXIT_VIOLATION, pack_config, project_dir
from preflight.export.read import read_export
from preflight.inputs.errors import InputError
from preflight.pack.evaluate import evaluate
from preflight.pack.load import load_pack
from preflight.render.text import render_analyze_text


def run(args: argparse.Namespace) -> int:
    project = project_dir(args.project_dir)
    state = read_export(args.state)
    stage = args.stack or state.stack
    if not stage:
        raise InputError(
            f"{args.state}: no resources with a URN to take the stack from; pass --stack"
        )
    pack = load_pack(project / "policies")
    result = evaluate(
        pack,
        state,
        stage=stage,
        config_file=pack_config(project, stage),
        during="on this state",
    )
    sys.stdout.write(render_analyze_text(len(state.resources), result, str(args.state)))
    return EXIT_OK if result.passed else EXIT_VIOLATION
