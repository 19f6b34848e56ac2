"""A sandbox copy of the project where the documented commands run, with the files they name.

The docs show commands against files a reader has made first (`base-prod.json`, the export of
the stack before a change, `usage.json`, ...). `Workspace.create` copies the project (program,
stack files, pack, apps) into a folder and makes each of those files the way the docs say it is
made, each run once: `make docs` writes its examples from here, and tests/repo runs every shown
command here. preflight runs in this process (the console script's own `main`), as it would
from the project's folder.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.preflight_support import Run, copy_project, preflight

USAGE_EXAMPLE = {"natDataGbPerMonth": 120, "bucketStoredGb": 40}
"""docs/costs.md's usage file (`usage.json`): keys of policies/pricing/usage.json to numbers."""

SHELL_VARIABLES = {"STACK": "prod", "RUNNER_TEMP": "runner-temp"}
"""What the workflow steps the docs quote find in their environment (RUNNER_TEMP relative to
the workspace)."""

PUBLIC_MODEL = "prod-public-model.json"
"""docs/policies.md's broken state: prod's export with the model's load balancer public."""

REPORT = ".preview-prod.md"
"""The report of the prod preview, kept apart from `preview-prod.md`, which commands rewrite."""

MADE_FILES = ("base-prod.json", "preview-prod.md", "plan-prod.json", "usage.json", PUBLIC_MODEL)
"""What `Workspace.create` makes besides the project (and RUNNER_TEMP's base checkout)."""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def create(cls, into: Path) -> Workspace:
        """The project copied into `into`, and every file the docs name made there."""
        workspace = cls(copy_project(into))
        prod = ("preview", "--stack", "prod")
        workspace.check(*prod, "--json", "base-prod.json", "--markdown", REPORT)
        shutil.copy2(into / REPORT, into / "preview-prod.md")
        workspace.check(*prod, "--base", "base-prod.json", "--plan-json", "plan-prod.json")
        (into / "usage.json").write_text(json.dumps(USAGE_EXAMPLE) + "\n", encoding="utf-8")
        workspace.write_public_model()
        runner_temp = into / SHELL_VARIABLES["RUNNER_TEMP"]
        (runner_temp / "base").mkdir(parents=True)
        copy_project(runner_temp / "base")  # the base commit's worktree, as in CI
        shutil.copy2(into / "base-prod.json", runner_temp / "base-commit-prod.json")
        return workspace

    def variables(self) -> dict[str, str]:
        """SHELL_VARIABLES, RUNNER_TEMP inside the workspace."""
        return {**SHELL_VARIABLES, "RUNNER_TEMP": str(self.root / SHELL_VARIABLES["RUNNER_TEMP"])}

    def preflight(self, *args: str) -> Run:
        """`.venv/bin/preflight ARGS` from the workspace, on the workspace's project."""
        project = [] if "--project-dir" in args else ["--project-dir", str(self.root)]
        return preflight(*project, *args, cwd=self.root)

    def module(self, module: str, *args: str) -> Run:
        """`.venv/bin/python -m MODULE ARGS` from the workspace: the module's `main`, here."""
        out, err = io.StringIO(), io.StringIO()
        main = importlib.import_module(module).main
        with contextlib.chdir(self.root), redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's usage errors
                code = exit_.code if isinstance(exit_.code, int) else 2
        return Run(code, out.getvalue(), err.getvalue())

    def check(self, *args: str, code: int = 0) -> Run:
        """`preflight(ARGS)`, which must exit with `code`."""
        run = self.preflight(*args)
        if run.code != code:
            raise RuntimeError(f"preflight {' '.join(args)} exited {run.code}: {run.stderr}")
        return run

    @contextmanager
    def edited(self, relative: str, edit: Callable[[str], str]) -> Iterator[Path]:
        """The workspace with one file edited, restored afterwards."""
        path = self.root / relative
        before = path.read_text(encoding="utf-8")
        after = edit(before)
        if after == before:
            raise ValueError(f"{relative}: the edit changed nothing")
        path.write_text(after, encoding="utf-8")
        try:
            yield path
        finally:
            path.write_text(before, encoding="utf-8")

    def plan_json(self, stack: str) -> dict[str, Any]:
        """The plan of the workspace as it is now against `base-<stack>.json`."""
        out = f"plan-{stack}-edited.json"
        self.check("preview", "--stack", stack, "--base", f"base-{stack}.json", "--plan-json", out)
        plan: dict[str, Any] = json.loads((self.root / out).read_text(encoding="utf-8"))
        return plan

    def write_public_model(self) -> None:
        export = json.loads((self.root / "base-prod.json").read_text(encoding="utf-8"))
        (model,) = [
            r
            for r in export["deployment"]["resources"]
            if r["urn"].endswith("elasticbeanstalk/environment:Environment::webmodel-prod-model")
        ]
        schemes = [s for side in ("inputs", "outputs") for s in model[side]["settings"]]
        schemes = [s for s in schemes if s["name"] == "ELBScheme"]
        if len(schemes) != 2:
            raise RuntimeError(f"the model environment has {len(schemes)} ELBScheme settings")
        for setting in schemes:
            setting["value"] = "public"
        text = json.dumps(export, indent=2) + "\n"
        (self.root / PUBLIC_MODEL).write_text(text, encoding="utf-8")
