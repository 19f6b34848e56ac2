"""The GitHub workflows' guard rails, over every workflow and job: valid against the
GitHub-workflow schema check-jsonschema vendors (offline), zizmor's security audits (offline),
and what neither sees: the triggers, least privilege per job (zizmor flags only broad grants),
any `${{ }}` in a `run:` (zizmor flags only attacker-controlled contexts), the contexts a
job-level `if` may read, version comments on pins and one SHA per action, Python 3.11, the
console scripts, one update per stack at a time. What each job does, and in which order, is
pinned in test_workflow_jobs.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.repo.workflows import (
    PULUMI_ACTION,
    REPO,
    STAGES,
    WORKFLOW_FILES,
    WORKFLOWS,
    all_jobs,
    load,
    steps_using,
)

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
ZIZMOR = Path(sys.executable).parent / "zizmor"
ZIZMOR_CONFIG = REPO / ".github" / "zizmor.yml"


def triggers(workflow: dict[Any, Any]) -> Any:
    """`on:` is the boolean True under YAML 1.1, which PyYAML implements."""
    return workflow.get("on", workflow.get(True))


def test_both_workflows_exist() -> None:
    assert {p.name for p in WORKFLOW_FILES} >= {"pull-request.yml", "deploy.yml"}


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_matches_the_github_workflow_schema(path: Path) -> None:
    proc = _schema_check(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """The validation is real: a job without runs-on and a bad trigger fail it."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: {pull_request: 3}\njobs:\n  x:\n    steps: []\n", encoding="utf-8")
    assert _schema_check(broken).returncode == 1


def _schema_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_triggers() -> None:
    assert triggers(load("pull-request.yml")) == {
        "pull_request": {
            "branches": ["main"],
            "types": ["opened", "synchronize", "reopened", "labeled", "unlabeled"],
        }
    }
    assert triggers(load("deploy.yml")) == {"push": {"branches": ["main"]}}


def test_every_pin_carries_a_version_comment() -> None:
    """zizmor checks the SHA pin itself; the `# vX.Y.Z` it cannot check offline."""
    for path in WORKFLOW_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
            if match:
                ref, comment = match.groups()
                assert re.match(r"^\s+#\s+v\d+\.\d+\.\d+$", comment), (
                    f"{path.name}: {ref} needs a `# vX.Y.Z` comment"
                )


def _zizmor(target: Path, *, output: str = "plain") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(ZIZMOR),
            "--offline",
            "--color",
            "never",
            "--format",
            output,
            "--config",
            str(ZIZMOR_CONFIG),
            str(target),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    """zizmor (also in `make lint`) covers what hand-written checks here once did: actions
    pinned to a full SHA (`unpinned-uses`, every action under .github/zizmor.yml), checkout not
    persisting the token (`artipacked`), template injection, dangerous triggers."""
    run = _zizmor(WORKFLOWS)
    assert run.returncode == 0, run.stdout + run.stderr


def test_zizmor_flags_a_tag_pin_and_a_persisted_token(tmp_path: Path) -> None:
    """Findings are read from zizmor's JSON, with colour off: under `CI=true` zizmor colours
    even piped plain output, which once hid every finding from a regex over the text."""
    broken = tmp_path / "deploy.yml"
    text = (WORKFLOWS / "deploy.yml").read_text(encoding="utf-8")
    text = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", text)
    text = re.sub(r"\n(\s*)with:\n\s*persist-credentials: false\n(?!\1  )", "\n", text)
    broken.write_text(text, encoding="utf-8")
    run = _zizmor(broken, output="json")
    assert run.returncode != 0, run.stdout + run.stderr
    found = {finding["ident"] for finding in json.loads(run.stdout)}
    assert found == {"unpinned-uses", "artipacked"}, run.stderr


def test_the_same_action_is_pinned_to_the_same_sha_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for _, _, job in all_jobs():
        for step in job.get("steps", []):
            if "uses" in step:
                name, sha = step["uses"].split("@")
                pins.setdefault(name, set()).add(sha)
    assert {n: len(s) for n, s in pins.items() if len(s) > 1} == {}
    assert set(pins) == {
        "actions/checkout",
        "actions/setup-python",
        "aws-actions/configure-aws-credentials",
        "pulumi/actions",
        "marocchino/sticky-pull-request-comment",
        "actions/upload-artifact",
    }


def test_top_level_permissions_are_read_only() -> None:
    for path in WORKFLOW_FILES:
        assert load(path.name)["permissions"] == {"contents": "read"}, path.name


def test_job_permissions_are_least_privilege() -> None:
    """id-token only where OIDC is used, pull-requests: write only where a comment is made."""
    for name, job_id, job in all_jobs():
        granted = job.get("permissions", {})
        assert granted.get("contents", "read") == "read", (name, job_id)
        uses_oidc = bool(steps_using(job, "aws-actions/configure-aws-credentials@"))
        assert (granted.get("id-token") == "write") == uses_oidc, (name, job_id)
        comments = bool(steps_using(job, "marocchino/sticky-pull-request-comment@")) or any(
            s.get("with", {}).get("comment-on-pr") is True for s in steps_using(job, PULUMI_ACTION)
        )
        assert (granted.get("pull-requests") == "write") == comments, (name, job_id)
        assert set(granted) <= {"contents", "id-token", "pull-requests"}, (name, job_id)


def test_python_is_311_everywhere() -> None:
    for name, job_id, job in all_jobs():
        for step in steps_using(job, "actions/setup-python@"):
            assert step["with"]["python-version"] == "3.11", (name, job_id)


def test_the_tools_run_as_console_scripts_that_keep_their_exit_codes() -> None:
    """`make` reports any failure as its own exit 2 and a bare `python -m` needs the venv's
    interpreter: every step that runs preflight or verify calls the console script
    (docs/preflight.md, "Exit codes"); the plan gate, which has none, the venv's python."""
    lines = [
        line.strip()
        for _, _, job in all_jobs()
        for step in job.get("steps", [])
        for line in str(step.get("run", "")).splitlines()
    ]
    assert [
        line for line in lines if re.search(r"python -m (preflight|verify)\b(?!\.)", line)
    ] == []
    assert [line for line in lines if re.search(r"\bmake (preview|verify|bench)\b", line)] == []
    assert sum(line.startswith(".venv/bin/preflight ") for line in lines) == 2
    assert sum(line.startswith(".venv/bin/verify ") for line in lines) == 2
    gate = [line for line in lines if "preflight.gate" in line]
    assert gate == ['.venv/bin/python -m preflight.gate "${allow[@]}" "plan-$STACK.json"']


@pytest.mark.parametrize("stage", STAGES)
def test_deploys_never_race_on_a_stack(stage: str) -> None:
    concurrency = load("deploy.yml")["jobs"][f"up-{stage}"]["concurrency"]
    assert concurrency == {"group": f"pulumi-up-{stage}", "cancel-in-progress": False}


def test_concurrency_groups_are_per_stack() -> None:
    preview = load("pull-request.yml")["jobs"]["pulumi-preview"]["concurrency"]["group"]
    assert "${{ matrix.stack }}" in preview
    groups = [load("deploy.yml")["jobs"][f"up-{s}"]["concurrency"]["group"] for s in STAGES]
    assert len(set(groups)) == len(STAGES)


def test_shell_steps_take_expressions_through_env_not_inline() -> None:
    """`${{ }}` inside `run:` is script injection waiting to happen; pass values via env."""
    for name, job_id, job in all_jobs():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), (name, job_id, step.get("name"))


def test_job_level_if_uses_only_contexts_github_allows_there() -> None:
    """`jobs.<id>.if` may read github, needs, vars and inputs, not matrix, env or secrets:
    the schema accepts any string, GitHub rejects the run."""
    for name, job_id, job in all_jobs():
        condition = str(job.get("if", ""))
        for context in re.findall(r"(?<![\w.])([a-z_]+)\.[A-Za-z_]", condition):
            assert context in {"github", "needs", "vars", "inputs"}, (name, job_id, context)
