"""`analyze` judges a saved state, so what it prints speaks of the state, not of a preview;
and it works from a working directory that no longer exists."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from preflight.export.write import to_export
from preflight.simulate.deployment import SECRET_SIG, SECRET_SIG_KEY
from preflight.simulate.run import simulate
from tests.preflight_support import ROOT

RDS = "aws:rds/instance:Instance"


@pytest.fixture(scope="module")
def encrypted_rds_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The prod export with the database's publiclyAccessible known only as ciphertext."""
    document: dict[str, Any] = json.loads(json.dumps(to_export(simulate("prod"), region="x")))
    for resource in document["deployment"]["resources"]:
        if resource["type"] == RDS:
            for side in ("inputs", "outputs"):
                resource[side]["publiclyAccessible"] = {
                    SECRET_SIG_KEY: SECRET_SIG,
                    "ciphertext": "v1:AAAA",
                }
    path = tmp_path_factory.mktemp("state") / "prod.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _analyze(state: Path, cwd: Path | None = None, *, remove_cwd: bool = False) -> Any:
    script = (
        "import os, sys\n"
        + ("os.rmdir(os.getcwd())\n" if remove_cwd else "")
        + "from preflight.cli import main\n"
        + f"raise SystemExit(main(['analyze', {str(state)!r}]))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
        check=False,
        timeout=120,
    )


def test_an_unreadable_value_is_reported_on_this_state(encrypted_rds_state: Path) -> None:
    run = _analyze(encrypted_rds_state)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if "rds-not-publicly-accessible" in line]
    assert lines
    assert "during preview:" not in run.stdout
    assert any(
        "can't run policy 'rds-not-publicly-accessible' from policy pack "
        "'webmodel-guardrails@v0.1.0' on this state:" in line
        for line in run.stdout.splitlines()
    ), run.stdout


def test_analyze_runs_from_a_deleted_working_directory(
    encrypted_rds_state: Path, tmp_path: Path
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    run = _analyze(encrypted_rds_state, gone, remove_cwd=True)
    assert "Traceback" not in run.stderr
    assert run.returncode == 0, run.stderr
    assert "PASSED" in run.stdout
