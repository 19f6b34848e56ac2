"""How much a finding counts: verify reads the pack's levels from policies/config/<stage>.json
as the CLI reconciles them (a stage file, `all` then each policy, the pack's declared levels
without a file), and a check's status follows its policy's level. Mirrors
verify/enforcement.py and runner.apply_level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from guardrails import POLICIES

from tests.verify.support import REPO
from verify.checks import check_runs_stack_version
from verify.enforcement import Enforcement, Level, declared_levels, load_enforcement
from verify.report import exit_code
from verify.result import CheckResult
from verify.runner import MIRRORED_POLICIES, apply_level

LEVELS: tuple[Level, ...] = ("advisory", "mandatory", "remediate", "disabled")


STAGE_FILES = sorted((REPO / "policies" / "config").glob("*.json"))


def test_every_policy_verify_mirrors_is_a_pack_policy() -> None:
    pack_names = {policy.name for policy in POLICIES}
    assert pack_names >= MIRRORED_POLICIES
    assert {
        "eb-instances-in-private-subnets",
        "eb-env-properties-size-limit",
        "eb-model-environment-internal",
        "rds-not-publicly-accessible",
        "rds-storage-encrypted",
        "rds-multi-az",
        "eb-runs-stack-version",
        "sqs-queue-encrypted",
        "sqs-queue-has-dlq",
        "eb-switch-points-at-stack-environment",
    } == MIRRORED_POLICIES


@pytest.mark.parametrize("path", STAGE_FILES, ids=lambda p: p.name)
def test_the_stage_file_sets_every_level(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """verify reads the same file as the pack: each level it uses is the file's, and a
    policy the file does not name keeps the level the pack declares."""
    monkeypatch.chdir(REPO)
    raw = json.loads(path.read_text(encoding="utf-8"))
    enforcement = load_enforcement(path.stem)
    assert enforcement.source == f"policies/config/{path.name}"
    for name in MIRRORED_POLICIES:
        given = raw.get(name)
        if isinstance(given, dict):
            given = given.get("enforcementLevel")
        expected = given or raw.get("all") or declared_levels()[name]
        assert enforcement.level(name) == expected, name
    assert enforcement.level(None) == "mandatory"


def test_a_stage_without_a_file_uses_the_packs_declared_levels(tmp_path: Path) -> None:
    enforcement = load_enforcement("qa", pack_dir=tmp_path)
    assert dict(enforcement.levels) == declared_levels()
    assert enforcement.levels["rds-multi-az"] == "mandatory"
    assert enforcement.source.startswith("the pack's declared levels (no ")


def test_all_then_each_policy_as_the_cli_reconciles(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "qa.json").write_text(
        json.dumps(
            {
                "all": "advisory",
                "rds-storage-encrypted": "mandatory",
                "rds-multi-az": {"enforcementLevel": "disabled"},
                "eb-env-properties-size-limit": {"someProperty": 1},
            }
        )
    )
    enforcement = load_enforcement("qa", pack_dir=tmp_path)
    assert enforcement.level("rds-storage-encrypted") == "mandatory"
    assert enforcement.level("rds-multi-az") == "disabled"
    assert enforcement.level("eb-env-properties-size-limit") == "advisory"
    assert enforcement.level("rds-not-publicly-accessible") == "advisory"


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("passed", [True, False])
def test_a_checks_status_follows_its_policys_level(level: Level, passed: bool) -> None:
    enforcement = Enforcement({"rds-multi-az": level}, "policies/config/x.json")
    result = apply_level(
        CheckResult("rds-multi-az", passed, "DB instance 'db' is single-AZ", "fix", "rds-multi-az"),
        enforcement,
    )
    expected = {
        "advisory": "WARN",
        "mandatory": "FAIL",
        "remediate": "FAIL",
        "disabled": "SKIP",
    }
    assert result.status == ("PASS" if passed else expected[level])
    assert result.failed == (result.status == "FAIL")
    assert exit_code([result]) == (1 if result.status == "FAIL" else 0)
    suffix = f" (rds-multi-az is {level} in policies/config/x.json)"
    assert result.detail.endswith(suffix) == (result.status in ("WARN", "SKIP"))


@pytest.mark.parametrize(("stage", "status"), [("dev", "WARN"), ("prod", "FAIL")])
def test_a_version_mismatch_counts_at_the_policys_stage_level(stage: str, status: str) -> None:
    result = check_runs_stack_version(
        "model",
        "env-model",
        {"VersionLabel": "model-old"},
        "model-new",
    )
    leveled = apply_level(result, load_enforcement(stage))
    assert leveled.status == status
