"""The GitHub workflows as the tests read them: their files under .github/workflows, each parsed
as YAML, every job of every workflow, the steps of a job that use an action, and the names both
workflows use (the Pulumi action, the stages). Used by tests/repo/test_workflows.py and
test_workflow_jobs.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
PULUMI_ACTION = "pulumi/actions@"
STAGES = ("dev", "prod")


def load(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(action)]


def all_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path.name, job_id, job)
        for path in WORKFLOW_FILES
        for job_id, job in load(path.name)["jobs"].items()
    ]
