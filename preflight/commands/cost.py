"""`python -m preflight cost --stack NAME [--base STATE.json] [--usage FILE] [--json PATH|-]`:
the stack's monthly on-demand estimate (autoscaling minimum to maximum), per resource and role,
what it could not price and why, and with `--base` the difference, resource by resource."""

from __future__ import annotations

import argparse
import json
import sys

from preflight.commands.common import EXIT_OK, project_dir, write_output
from preflight.cost.estimate import compare, estimate, usage
from preflight.cost.text import render_cost_text
from preflight.export.read import read_export
from preflight.export.state import from_deployment
from preflight.simulate.run import simulate
from preflight.stackfiles.project import read_program_config


def run(args: argparse.Namespace) -> int:
    project = project_dir(args.project_dir)
    config = read_program_config(project, args.stack)
    assumed = usage(project, config.stack, args.usage)
    base_state = read_export(args.base) if args.base else None
    head = estimate(
        project, from_deployment(simulate(args.stack, config=config)), config.region, assumed
    )
    diff = None
    if base_state is not None:
        diff = compare(project, estimate(project, base_state, None, assumed), head)
    if args.json:
        document = head.to_json(config.stack)
        if diff is not None:
            document.update(diff.to_json())
        write_output(args.json, json.dumps(document, indent=2) + "\n")
    if args.json != "-":
        base_name = str(args.base) if args.base else None
        sys.stdout.write(render_cost_text(head, diff, base_name))
    return EXIT_OK
