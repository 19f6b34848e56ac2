"""`python -m preflight preview|analyze`: exit 0 pass, 1 mandatory violation, 2 bad input.

`preview --base STATE.json` also exits 1 when the plan replaces or deletes a protected
resource: the real CLI refuses that preview.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from preflight.inputs.errors import InputError

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"preflight: error: {message} (see `python -m preflight -h`)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m preflight",
        description="Offline preview and policy analysis for the webmodel Pulumi program.",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="the Pulumi project (default: the folder holding preflight/)",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    preview = commands.add_parser(
        "preview", help="run the program against a simulated AWS and evaluate the policy pack"
    )
    preview.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    preview.add_argument(
        "--json",
        metavar="PATH",
        help="write the simulated deployment in `pulumi stack export` format ('-': stdout)",
    )
    preview.add_argument(
        "--markdown", metavar="PATH", help="write the report as GitHub Markdown (PR comment)"
    )
    preview.add_argument(
        "--show-secrets",
        action="store_true",
        help="write secret values as plaintext in --json (like `stack export --show-secrets`)",
    )
    preview.add_argument(
        "--base",
        type=Path,
        metavar="STATE.json",
        help="`pulumi stack export` of the stack as it is now: print the plan against it",
    )
    preview.add_argument(
        "--plan-json",
        metavar="PATH",
        help="with --base: write the plan as `pulumi preview --json` does ('-': stdout)",
    )
    analyze = commands.add_parser(
        "analyze", help="evaluate the policy pack on a `pulumi stack export` file"
    )
    analyze.add_argument("state", type=Path, metavar="STATE.json")
    analyze.add_argument("--stack", help="stage whose policy config applies (default: from URNs)")
    return parser


def _project_dir(arg: Path | None) -> Path:
    from preflight.simulate.run import PROJECT_ROOT

    return (arg or PROJECT_ROOT).resolve()


def _pack_config(project_dir: Path, stage: str) -> Path | None:
    """policies/config/<stage>.json, relative to the project when run from it (stable output)."""
    path = project_dir / "policies" / "config" / f"{stage.split('/')[-1]}.json"
    if not path.is_file():
        return None
    try:
        return path.relative_to(Path.cwd())
    except (ValueError, OSError):  # elsewhere, or the working directory was deleted
        return path


def _write(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be written: {exc.strerror}") from None


def _preview(args: argparse.Namespace) -> int:
    from preflight.export.state import dumps, from_deployment, to_export
    from preflight.pack.evaluate import evaluate
    from preflight.pack.load import load_pack
    from preflight.render import text as render
    from preflight.simulate.run import simulate
    from preflight.stackfiles.project import load_stack_config

    if args.plan_json and not args.base:
        raise InputError("--plan-json needs --base STATE.json (the plan is against that state)")
    if args.plan_json == "-" and args.json == "-":
        raise InputError("--json - and --plan-json - both want stdout; give one of them a path")
    project_dir = _project_dir(args.project_dir)
    config = load_stack_config(project_dir, args.stack)
    base = _read_base(args.base) if args.base else None
    deployment = simulate(args.stack, config=config)
    plan = None
    if base is not None:
        from preflight.plan.steps import compute

        plan = compute(deployment, base, region=config.region, base_name=str(args.base))
        plan.config = {
            key: "[secret]" if key in config.secret_keys else value
            for key, value in config.as_runtime_config().items()
        }
    pack = load_pack(project_dir / "policies")
    result = evaluate(
        pack,
        from_deployment(deployment),
        stage=args.stack,
        config_file=_pack_config(project_dir, args.stack),
    )
    if args.json:
        document = to_export(deployment, region=config.region, show_secrets=args.show_secrets)
        _write(args.json, dumps(document))
    if plan is not None and args.plan_json:
        from preflight.plan.render_text import to_json

        _write(args.plan_json, to_json(plan))
    if args.markdown:
        _write(args.markdown, render.render_markdown(deployment, result, plan))
    if "-" not in (args.json, args.plan_json):  # stdout carries the JSON then; keep it parseable
        if plan is not None:
            from preflight.plan.render_text import render_text

            sys.stdout.write(render_text(plan) + "\n")
            sys.stdout.write(render.render_policy_text(result))
        elif sys.stdout.isatty() and "NO_COLOR" not in os.environ:
            from preflight.render.terminal import show

            show(deployment, result)
        else:
            sys.stdout.write(render.render_preview_text(deployment, result))
    if plan is not None:
        for error in plan.errors():
            sys.stderr.write(f"preflight: error: {error.splitlines()[0]} as it is protected\n")
        if plan.refused:
            return EXIT_VIOLATION
    return EXIT_OK if result.passed else EXIT_VIOLATION


def _read_base(path: Path) -> dict[str, Any]:
    """The base export, validated by the state reader; the raw document for the plan."""
    from preflight.export.state import read_export

    read_export(path)  # names what is wrong with a malformed or non-export file
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _analyze(args: argparse.Namespace) -> int:
    from preflight.export.state import read_export
    from preflight.pack.evaluate import evaluate
    from preflight.pack.load import load_pack
    from preflight.render.text import render_analyze_text

    project_dir = _project_dir(args.project_dir)
    state = read_export(args.state)
    stage = args.stack or state.stack
    if not stage:
        raise InputError(
            f"{args.state}: no resources with a URN to take the stack from; pass --stack"
        )
    pack = load_pack(project_dir / "policies")
    result = evaluate(
        pack,
        state,
        stage=stage,
        config_file=_pack_config(project_dir, stage),
        during="on this state",
    )
    sys.stdout.write(render_analyze_text(len(state.resources), result, str(args.state)))
    return EXIT_OK if result.passed else EXIT_VIOLATION


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "preview":
            return _preview(args)
        return _analyze(args)
    except InputError as exc:
        sys.stderr.write(f"preflight: error: {exc}\n")
        return EXIT_BAD_INPUT
    except Exception as exc:  # the program rejected its config, or failed: one line, no trace
        from preflight.simulate.run import ProgramError

        if isinstance(exc, ProgramError):
            first, *rest = str(exc).splitlines() or [""]
            where = f" with Pulumi.{args.stack}.yaml" if args.command == "preview" else ""
            sys.stderr.write(f"preflight: error: the program failed{where}: {first}\n")
            for line in rest:
                sys.stderr.write(f"    {line}\n")
            return EXIT_BAD_INPUT
        raise
