"""`make bench`: preflight's cost as ratios measured on this machine, each the median of paired
runs (`timing`), so that other jobs sharing the machine move both sides of a ratio alike.

- preview: `preflight preview --stack prod` over a process that merely imports every module
  that preview ends up importing (both start a fresh interpreter, so start-up is on both sides
  and the ratio is honest; goal: at most 3x);
- preview --base: the same preview planned against its own export, and against a deployed
  stack's export (`deployed`: other IDs, auto-names, `__defaults`, ciphertext), over the same
  import floor (goal: at most 1.5x);
- cost: `preflight cost --stack prod` over `preflight preview --stack prod`, run side by side
  (goal: at most 1.2x); and what the cost line adds to a preview: the cost line's own work,
  timed inside a preview process (`probe`), over the rest of that preview (goal: at most 10%);
  beside it, the share of the preview-mode run that shows outputs as `pulumi preview` does;
- analyze: on generated states of 2,000 and 8,000 resources in four shapes (copies of the prod
  preview's export with fresh IDs, copies sharing AWS IDs, one VPC with thousands of subnets,
  one security group with thousands of rules), reading and evaluating in a fresh process per
  shape (start-up excluded; `analyze`); per shape the growth must stay linear (t(8k)/t(2k) <= 5,
  where 4 is linear).

Times are CPU seconds: of whole processes for the commands (their wall time on an idle
machine; `timing` says why), of the measuring process for analyze. Every command of a ratio
runs once per round, `--runs` rounds after a warm-up round; each ratio is the median of the
rounds' ratios, each time the median of its runs. Every judged figure is printed with "meets
goal" or "MISSES GOAL"; the exit status is 1 when any goal is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.bench import analyze
from preflight.bench.timing import Samples, rounds, run_command
from preflight.stackfiles.project import PROJECT_ROOT

_IMPORT_ONLY = """
import importlib, json, sys
for name in json.load(open(sys.argv[1])):
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""

PREVIEW_GOAL = 3.0
"""`preview` over the import floor."""
PLAN_GOAL = 1.5
"""`preview --base` over the import floor (issues 11 and 17): the plan adds little."""
COST_GOAL = 1.2
"""`cost` over `preview`, side by side (issue 18)."""
COST_LINE_GOAL = 0.10
"""What the cost line adds to a preview (issue 18)."""
LINEAR_GOAL = 5.0
"""t(8k) / t(2k): 4 is linear; 5 leaves room for noise, quadratic gives ~16."""


@dataclass
class Table:
    """The figures of one bench run; judged ones say whether they meet their goal."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)
    missed: int = 0
    judged_count: int = 0

    def note(self, name: str, value: str, note: str = "") -> None:
        self.rows.append((name, value, note))

    def judge(self, name: str, value: str, goal: str, ok: bool) -> None:
        self.missed += not ok
        self.judged_count += 1
        self.rows.append((name, value, f"{'meets goal' if ok else 'MISSES GOAL'} ({goal})"))

    def ratio(self, name: str, ratio: float, goal: float, why: str = "") -> None:
        self.judge(name, f"{ratio:.2f}x", f"<= {goal:g}x{why}", ratio <= goal)

    def print(self, runs: int) -> None:
        width = max(len(r[0]) for r in self.rows)
        print(f"preflight bench (median of {runs} paired runs each, {sys.platform})")
        for name, value, note in self.rows:
            print(f"  {name.ljust(width)}  {value:>8}  {note}".rstrip())
        missed, judged = self.missed, self.judged_count
        print(f"{missed} of {judged} goals missed" if missed else "every goal met")


def _deployed_export() -> dict[str, Any]:
    from preflight.bench.deployed import real_export
    from preflight.simulate.run import simulate
    from preflight.stackfiles.project import read_program_config

    config = read_program_config(PROJECT_ROOT, "prod")
    return real_export(simulate("prod", config=config), config.region)


def _command(name: str, argv: list[str]) -> Callable[[], dict[str, float]]:
    def measure() -> dict[str, float]:
        run = run_command(argv, PROJECT_ROOT)
        return {name: run.cpu, f"{name} (wall)": run.wall}

    return measure


def _probe(argv: list[str], report: Path) -> Callable[[], dict[str, float]]:
    """A preview run through `probe`: its time and the shares timed inside it."""

    def measure() -> dict[str, float]:
        run = run_command(argv, PROJECT_ROOT)
        inside = json.loads(report.read_text(encoding="utf-8"))
        return {
            "probe": run.cpu,
            "cost line": inside["cost"],
            "preview without the cost line": run.cpu - inside["cost"],
            "preview-mode run": inside["previewed"],
        }

    return measure


def _command_rounds(work: Path, runs: int) -> Samples:
    """Every command once per round: the import floor, preview, the two plans, cost, and the
    preview that times its parts from inside."""
    python = sys.executable
    report, export = work / "probe.json", work / "prod.json"
    probe = [python, "-m", "preflight.bench.probe", str(report), "preview", "--stack", "prod"]
    run_command([*probe, "--json", str(export)], PROJECT_ROOT)  # records the modules too
    modules = work / "modules.json"
    modules.write_text(json.dumps(json.loads(report.read_text())["modules"]), encoding="utf-8")
    deployed = work / "deployed.json"
    deployed.write_text(json.dumps(_deployed_export()), encoding="utf-8")
    preflight = [python, "-m", "preflight"]
    plan = ["--plan-json", str(work / "plan.json")]
    commands = {
        "import": [python, "-c", _IMPORT_ONLY, str(modules)],
        "preview": [*preflight, "preview", "--stack", "prod"],
        "base": [*preflight, "preview", "--stack", "prod", "--base", str(export), *plan],
        "deployed": [*preflight, "preview", "--stack", "prod", "--base", str(deployed), *plan],
        "cost": [*preflight, "cost", "--stack", "prod"],
    }
    measures = {name: _command(name, argv) for name, argv in commands.items()}
    measures["probe"] = _probe(probe, report)
    return rounds(runs, measures)


def _seconds(table: Table, found: Samples, label: str, name: str) -> None:
    wall = found.median(f"{name} (wall)")
    table.note(label, f"{found.median(name):.2f} s", f"CPU (wall {wall:.2f} s)")


def _previews(table: Table, work: Path, runs: int) -> None:
    """preview and preview --base against the import floor; cost against preview."""
    found = _command_rounds(work, runs)
    _seconds(table, found, "preview prod", "preview")
    _seconds(table, found, "import its modules only", "import")
    table.ratio("preview / import", found.ratio("preview", "import"), PREVIEW_GOAL)
    floor = "; the imports are the floor"
    for label, name in (("its own export", "base"), ("a deployed stack's export", "deployed")):
        _seconds(table, found, f"preview prod --base ({label})", name)
        table.ratio("preview --base / import", found.ratio(name, "import"), PLAN_GOAL, floor)
    _seconds(table, found, "cost prod", "cost")
    table.ratio("cost / preview", found.ratio("cost", "preview"), COST_GOAL, ", side by side")
    table.note("cost line, timed inside preview", f"{found.median('cost line'):.3f} s", "CPU")
    share = found.ratio("cost line", "preview without the cost line")
    goal = f"<= {COST_LINE_GOAL:.0%} of the rest of preview"
    table.judge("cost line / rest of preview", f"{share:.1%}", goal, share <= COST_LINE_GOAL)
    previewed = found.ratio("preview-mode run", "probe")
    table.note("preview-mode run / preview", f"{previewed:.1%}", "outputs as pulumi preview")


def _analyzes(table: Table, export: Path, work: Path, runs: int) -> None:
    """Per state shape, analyze at 2k and 8k resources in turn: the growth must stay linear."""
    small, large = (analyze.label(size) for size in analyze.SHAPE_SIZES)
    for name in analyze.SHAPES:
        found = analyze.measure_shape(export, name, runs, work)
        table.note(f"analyze {small}: {name}", f"{found.median(small):.2f} s", "CPU")
        table.note(f"analyze {large}: {name}", f"{found.median(large):.2f} s", "CPU")
        table.ratio("  t(8k) / t(2k)", found.ratio(large, small), LINEAR_GOAL, "; 4x is linear")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preflight.bench")
    parser.add_argument(
        "--runs", type=int, default=5, help="rounds of paired runs (each figure: their median)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    table = Table()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _previews(table, work, args.runs)
        _analyzes(table, work / "prod.json", work, args.runs)
    table.print(args.runs)
    return 1 if table.missed else 0
