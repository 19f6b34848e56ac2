"""The report: plain text for logs and pipes, a rich table on a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from verify.checks import CheckResult


def exit_code(results: Sequence[CheckResult]) -> int:
    return 0 if all(r.passed for r in results) else 1


def summary(stack: str, results: Sequence[CheckResult]) -> str:
    failed = sum(not r.passed for r in results)
    verdict = "every guarantee holds" if not failed else f"{failed} guarantee(s) broken"
    return (
        f"stack {stack}: {len(results) - failed} of {len(results)} checks passed; "
        f"{verdict} (exit {exit_code(results)})"
    )


def render_plain(stack: str, region: str, results: Sequence[CheckResult]) -> str:
    lines = [f"verify: stack {stack} in {region}"]
    for result in results:
        lines.append(result.line)
        if not result.passed and result.fix:
            lines.append(f"      fix: {result.fix}")
    lines.append(summary(stack, results))
    return "\n".join(lines) + "\n"


def render_rich(stack: str, region: str, results: Sequence[CheckResult], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(f"verify: stack {stack} in {region}"), title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("finding")
    table.add_column("what to do")
    for r in results:
        status = "[green]PASS[/]" if r.passed else "[bold red]FAIL[/]"
        table.add_row(status, r.check_id, Text(r.detail), Text("" if r.passed else r.fix))
    console = Console(file=out)
    console.print(table)
    style = "green" if exit_code(results) == 0 else "bold red"
    console.print(Text(summary(stack, results), style=style))


def write_report(stack: str, region: str, results: Sequence[CheckResult], out: TextIO) -> None:
    if out.isatty():
        render_rich(stack, region, results, out)
    else:
        out.write(render_plain(stack, region, results))
