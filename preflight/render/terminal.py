"""The terminal view of a preview: the same facts as the plain text, laid out with rich."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from preflight.pack.evaluate import Report
from preflight.render.policy import verdict, violation_body, violation_heading
from preflight.render.text import create_total
from preflight.render.tree import counts_by_type, display_type, output_rows
from preflight.simulate.deployment import Deployment, SimResource


def show(
    deployment: Deployment, report: Report, cost_line: str = "", console: Console | None = None
) -> None:
    console = console or Console()
    console.print(
        f"[bold]Previewing update ({escape(deployment.stack)})[/] with the simulated engine: "
        "no cloud calls\n"
    )
    nodes: dict[str, Tree] = {}
    root = Tree("[bold]resources[/]")

    def label(resource: SimResource) -> str:
        lock = " [yellow]\\[protect][/]" if resource.protect else ""
        style = "cyan" if resource.custom else "bold magenta"
        shown = f"{display_type(resource.type)}[/] {escape(resource.name)}"
        return f"[green]+[/] [{style}]{shown}{lock}"

    for resource in deployment.resources:  # dependency order: parents come first
        parent = nodes.get(resource.parent or "", root)
        nodes[resource.urn] = parent.add(label(resource))
    console.print(root)

    console.print()
    _policies(console, report)
    outputs = Table(title="Outputs", show_edge=False)
    outputs.add_column("Output")
    outputs.add_column("Value", overflow="fold")
    for key, value in output_rows(deployment):
        outputs.add_row(key, value)
    console.print(outputs)

    counts = Table(title=f"Resources: + {create_total(deployment)} to create", show_edge=False)
    counts.add_column("Type")
    counts.add_column("Count", justify="right")
    for type_token, count in counts_by_type(deployment):
        counts.add_row(display_type(type_token), str(count))
    console.print(counts)
    if cost_line:
        console.print(f"\n{escape(cost_line)}", highlight=False)
    color = "green" if report.passed else "red"
    console.print(f"\n[bold {color}]{escape(verdict(report))}[/]", highlight=False)


def _policies(console: Console, report: Report) -> None:
    """The policy report, as `policy_lines` writes it, coloured by level."""
    source = report.config_file or "policy defaults"
    console.print(
        f"[bold]Policies[/]: {escape(report.pack)}@v{report.pack_version} "
        f"(config: {escape(source)})",
        highlight=False,
    )
    if not report.violations:
        console.print("    [green]no violations[/]")
    for v in report.violations:
        color = "red" if v.level == "mandatory" else "yellow"
        console.print(f"    [{color}]{escape(violation_heading(v))}[/]", highlight=False)
        for line in violation_body(v, report.stage):
            console.print(f"        {line}", highlight=False, markup=False)
    console.print()


_PLAN_COLOURS = (("+-", "magenta"), ("+ ", "green"), ("~ ", "yellow"), ("- ", "red"))


def show_plan(text: str, console: Console | None = None) -> None:
    """The plan and policy text of `preview --base`, coloured as the CLI colours a diff: each
    line by its operation's mark (create, update, delete, replace), errors and the verdict."""
    console = console or Console()
    for line in text.rstrip("\n").split("\n"):
        body = line.lstrip()
        style = next((colour for mark, colour in _PLAN_COLOURS if body.startswith(mark)), "")
        if body.startswith(("error:", "FAILED", "STATEFUL")):
            style = "bold red"
        elif body.startswith("PASSED"):
            style = "bold green"
        console.print(line, style=style or None, highlight=False, markup=False)
