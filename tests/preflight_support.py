"""Running preflight's CLI (in process, or as a subprocess where the process matters) and
editing stack exports for tests."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from preflight import cli

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = (
    "__main__.py",
    "Pulumi.yaml",
    "Pulumi.dev.yaml",
    "Pulumi.prod.yaml",
    "pyproject.toml",
)
PROJECT_DIRS = ("components", "policies", "apps")  # apps: bundled by the program


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def preflight(*args: str | Path, cwd: Path = ROOT) -> Run:
    """`python -m preflight ARGS` in this process (the CLI's `main`, stdout and stderr captured,
    run from `cwd`): the same code path without a new interpreter's start-up per call.
    `preflight_process` runs it as a real subprocess where the process itself matters."""
    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(arg) for arg in args])
            except SystemExit as exit_:  # argparse's usage errors
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        os.chdir(before)
        # A preview leaves cyclic garbage behind (the program's event loop, outputs, the
        # pack's servicer); collect it here, at a shallow stack. Collected later, deep inside
        # another test's recursion (the hostile-state parsers), a finalizer can run out of
        # stack and raise an unraisable RecursionError.
        gc.collect()
    return Run(code, out.getvalue(), err.getvalue())


def preflight_process(*args: str | Path, cwd: Path = ROOT) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "preflight", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)},
        check=False,
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def copy_project(into: Path) -> Path:
    """A copy of the project (program, config, pack) that a test may edit."""
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, into / name)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
    return into


def resources(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document["deployment"]["resources"]
    return found


def of_type(document: dict[str, Any], type_token: str) -> Iterator[dict[str, Any]]:
    return (r for r in resources(document) if r["type"] == type_token)


def edit_settings(
    resource: dict[str, Any], edit: Callable[[list[dict[str, str]]], list[dict[str, str]]]
) -> None:
    """Apply `edit` to an EB resource's settings in both inputs and outputs."""
    for side in ("inputs", "outputs"):
        if "settings" in resource.get(side, {}):
            resource[side]["settings"] = edit(list(resource[side]["settings"]))


def set_setting(
    namespace: str, name: str, value: str
) -> Callable[[list[dict[str, str]]], list[dict[str, str]]]:
    def edit(settings: list[dict[str, str]]) -> list[dict[str, str]]:
        kept = [s for s in settings if (s["namespace"], s["name"]) != (namespace, name)]
        return [*kept, {"namespace": namespace, "name": name, "value": value}]

    return edit


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path
