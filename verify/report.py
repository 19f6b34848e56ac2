"""The report: plain text for logs and pipes, a rich table on a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from verify.result import CheckResult

_STYLE = {"PASS": "green", "FAIL": "bold red", "WARN": "yellow", "SKIP": "dim"}


def exit_code(results: Sequence[CheckResult]) -> int:
    """1 when a guarantee is broken where it is enforced; warnings do not fail the run."""
    return 1 if any(r.failed for r in results) else 0


def summary(stack: str, results: Sequence[CheckResult]) -> str:
    passed = sum(r.status == "PASS" for r in results)
    failed = sum(r.status == "FAIL" for r in results)
    counts = f"{passed} of {len(results)} checks passed"
    for status, noun in (("WARN", "warning(s)"), ("SKIP", "skipped")):
        count = sum(r.status == status for r in results)
        if count:
            counts += f", {count} {noun}"
    verdict = "every guarantee holds" if not failed else f"{failed} guarantee(s) broken"
    return f"stack {stack}: {counts}; {verdict} (exit {exit_code(results)})"


def render_plain(stack: str, region: str, results: Sequence[CheckResult]) -> str:
    lines = [f"verify: stack {stack} in {region}"]
    for result in results:
        lines.append(result.line)
        if result.status in ("FAIL", "WARN") and result.fix:
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
        fix = r.fix if r.status in ("FAIL", "WARN") else ""
        table.add_row(Text(r.status, style=_STYLE[r.status]), r.check_id, Text(r.detail), Text(fix))
    console = Console(file=out)
    console.print(table)
    style = "green" if exit_code(results) == 0 else "bold red"
    console.print(Text(summary(stack, results), style=style))


def write_report(stack: str, region: str, results: Sequence[CheckResult], out: TextIO) -> None:
    if out.isatty():
        render_rich(stack, region, results, out)
    else:
        out.write(render_plain(stack, region, results))
