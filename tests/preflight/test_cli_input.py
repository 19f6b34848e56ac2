"""What the CLI says about input it cannot use: flags that would do nothing, stages without a
pack config, stack names no stack can have, and every problem of a stack file at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.preflight_support import preflight


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
    assert run.code == 2
    assert run.stderr.startswith("preflight: error: --stack ")
    assert problem in run.stderr
    assert run.stderr.count("\n") == 1
    run.stderr.encode("utf-8")  # printable


def test_preview_refuses_a_stack_name_with_a_lone_surrogate() -> None:
    run = preflight("preview", "--stack", "dev\udc80")
    assert run.code == 2
    assert "invalid character '\\\\udc80' at position 3" in run.stderr
    assert "Traceback" not in run.stderr
