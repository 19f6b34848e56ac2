"""`python -m preflight preview|cost|analyze`: exit 0 pass, 1 mandatory violation, 2 bad input.

`preview --base STATE.json` also exits 1 when the plan replaces or deletes a protected
resource: the real CLI refuses that preview.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from preflight.commands.common import EXIT_BAD_INPUT
from preflight.inputs.errors import InputError


class Parser(argparse.ArgumentParser):
    """argparse with usage errors as one `preflight: error:` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"preflight: error: {message} (see `python -m preflight -h`)\n")


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m preflight",
        description="Offline preview and policy analysis for the webmodel Pulumi program.",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="the Pulumi project (default: the folder holding preflight/)",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    _add_preview(commands)
    _add_cost(commands)
    analyze = commands.add_parser(
        "analyze", help="evaluate the policy pack on a `pulumi stack export` file"
    )
    analyze.add_argument("state", type=Path, metavar="STATE.json")
    analyze.add_argument("--stack", help="stage whose policy config applies (default: from URNs)")
    return parser


def _add_stack(command: argparse.ArgumentParser) -> None:
    """--stack, as preview and cost take it."""
    command.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")


def _add_base(command: argparse.ArgumentParser, against: str) -> None:
    """--base, as preview and cost take it; `against` says what the command does with it."""
    command.add_argument(
        "--base",
        type=Path,
        metavar="STATE.json",
        help=f"`pulumi stack export` of the stack as it is now: {against}",
    )


def _add_preview(commands: Any) -> None:
    preview = commands.add_parser(
        "preview", help="run the program against a simulated AWS and evaluate the policy pack"
    )
    _add_stack(preview)
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
    _add_base(preview, "print the plan against it")
    preview.add_argument(
        "--plan-json",
        metavar="PATH",
        help="with --base: write the plan as `pulumi preview --json` does ('-': stdout)",
    )


def _add_cost(commands: Any) -> None:
    cost = commands.add_parser(
        "cost", help="the stack's monthly on-demand estimate, and what a change does to it"
    )
    _add_stack(cost)
    _add_base(cost, "the difference against it")
    cost.add_argument(
        "--usage",
        type=Path,
        metavar="FILE",
        help="usage assumptions (JSON) over the stage's own (policies/pricing/usage.json)",
    )
    cost.add_argument("--json", metavar="PATH", help="write the estimate as JSON ('-': stdout)")


OUR_PACKAGES = frozenset({"preflight", "components", "guardrails", "pricing", "awsfacts"})


def _run(args: argparse.Namespace) -> int:
    if args.command == "preview":
        from preflight.commands import preview

        return preview.run(args)
    if args.command == "cost":
        from preflight.commands import cost

        return cost.run(args)
    from preflight.commands import analyze

    return analyze.run(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except InputError as exc:
        sys.stderr.write(f"preflight: error: {exc}\n")
        return EXIT_BAD_INPUT
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] in OUR_PACKAGES:
            raise
        sys.stderr.write(
            f"preflight: error: {exc.name} is not installed for {sys.executable}; run "
            "`make setup` and then `.venv/bin/preflight` (or `.venv/bin/python -m preflight`)\n"
        )
        return EXIT_BAD_INPUT
    except Exception as exc:  # the program rejected its config, or failed: one line, no trace
        from preflight.simulate.run import ProgramError

        if isinstance(exc, ProgramError):
            first, *rest = str(exc).splitlines() or [""]
            where = f" with Pulumi.{args.stack}.yaml" if args.command != "analyze" else ""
            sys.stderr.write(f"preflight: error: the program failed{where}: {first}\n")
            for line in rest:
                sys.stderr.write(f"    {line}\n")
            return EXIT_BAD_INPUT
        raise
