"""What the CLI says about input it cannot use: flags that would do nothing, stages without a
pack config, stack names no stack can have, and every problem of a stack file at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import assert_one_line_error
from tests.preflight_support import ROOT, copy_project, preflight


def test_show_secrets_without_json_is_refused_rather_than_ignored() -> None:
    run = preflight("preview", "--stack", "dev", "--show-secrets")
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "preflight: error: --show-secrets writes secret values in plaintext into the --json "
        "export; give --json PATH too (it changes nothing else)\n"
    )


@pytest.fixture(scope="module")
def dev_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "dev.json"
    assert preflight("preview", "--stack", "dev", "--json", path).code == 0
    return path


def test_a_stage_without_pack_config_says_which_levels_apply(dev_export: Path) -> None:
    run = preflight("analyze", dev_export, "--stack", "staging")
    assert run.code == 1  # dev's stack judged by prod's levels: the prod-only rules fail it
    assert run.stderr == (
        "preflight: note: no policies/config/staging.json for stage 'staging': the pack's own "
        "levels apply (prod's, stricter than dev's); stages with a config: dev, prod\n"
    )
    assert "(config: policy defaults)" in run.stdout


@pytest.mark.parametrize(
    ("stage", "problem"),
    [
        ("s" * 255, "a stack name cannot exceed 100 characters (this one has 255)"),
        ("bad\udc80name", "invalid character '\\\\udc80' at position 3"),
        ("../../etc/passwd", "a stack reference is <stack>, <org>/<stack> or"),
    ],
    ids=["255-characters", "lone-surrogate", "path"],
)
def test_analyze_refuses_a_stage_no_stack_can_have(
    dev_export: Path, stage: str, problem: str
) -> None:
    run = preflight("analyze", dev_export, "--stack", stage)
    assert_one_line_error(run.code, run.stderr, "preflight: error: --stack ", problem)
    run.stderr.encode("utf-8")  # printable


def test_preview_refuses_a_stack_name_with_a_lone_surrogate() -> None:
    run = preflight("preview", "--stack", "dev\udc80")
    assert run.code == 2
    assert "invalid character '\\\\udc80' at position 3" in run.stderr
    assert "Traceback" not in run.stderr


def test_every_problem_of_a_stack_file_shows_at_once_one_a_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "Pulumi.dev.yaml").write_text(
        "config:\n"
        "  aws:region: ap-northeast-9x\n"
        "  webmodel:webb:\n    minSize: 2\n"
        "  webmodel:network:\n    cidrBlock:\n      secure: v1:AAAA\n"
        "  webmodel:web:\n    minSize: 0\n",
        encoding="utf-8",
    )
    run = preflight("--project-dir", project, "preview", "--stack", "dev")
    assert run.code == 2
    lines = run.stderr.splitlines()
    assert lines[0] == "preflight: error: Pulumi.dev.yaml: 4 problems:"
    assert lines[1].startswith("    aws:region: must be an AWS region code")
    assert lines[2].startswith("    webmodel:network.cidrBlock: cannot be secret (secure:)")
    assert sorted(lines[3:]) == sorted(
        [
            "    webmodel:web.minSize: Input should be greater than or equal to 1 (got 0)",
            "    webmodel:webb: unknown config key (did you mean 'webmodel:web'?); valid keys: "
            "webmodel:network, webmodel:database, webmodel:platform, webmodel:web, "
            "webmodel:model, webmodel:worker",
        ]
    )
    assert "v1:AAAA" not in run.stderr
    assert str(ROOT) not in run.stderr


def test_the_console_script_keeps_preflights_exit_codes(tmp_path: Path) -> None:
    """`make` turns every failure into exit 2; `.venv/bin/preflight` (installed by `make setup`)
    keeps 0 pass, 1 violation, 2 bad input, from any folder."""
    script = Path(sys.executable).with_name("preflight")
    assert script.is_file(), "make setup installs the project's scripts into the venv"
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    refused = subprocess.run(
        [script, "analyze", bad], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.startswith(f"preflight: error: {bad}: no 'deployment' key")


def test_without_its_dependencies_preflight_says_how_to_run_it() -> None:
    """Run by a Python without the project's packages (here: site-packages switched off)."""
    done = subprocess.run(
        [sys.executable, "-S", "-m", "preflight", "preview", "--stack", "dev"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("preflight: error: ")
    assert "is not installed for " in done.stderr
    assert done.stderr.endswith(
        "run `make setup` and then `.venv/bin/preflight` (or `.venv/bin/python -m preflight`)\n"
    )
