"""Usage assumptions: one documented home, stage values over defaults, strict files."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pricing import KEYS, UsageError, read_usage_file, usage_for

from tests.policies.cost_support import ROOT


def test_a_stage_takes_its_own_values_over_the_defaults() -> None:
    dev, prod, other = usage_for("dev"), usage_for("prod"), usage_for("qa")
    assert dev["natDataGbPerMonth"] == KEYS["natDataGbPerMonth"].stages["dev"]
    assert prod["natDataGbPerMonth"] == KEYS["natDataGbPerMonth"].stages["prod"]
    assert other["natDataGbPerMonth"] == KEYS["natDataGbPerMonth"].default
    assert usage_for(None).values == other.values


def test_a_usage_file_overrides_keys(tmp_path: Path) -> None:
    path = tmp_path / "usage.json"
    path.write_text('{"natDataGbPerMonth": 12.5, "bucketStoredGb": 0}')
    usage = usage_for("prod", read_usage_file(path))
    assert usage["natDataGbPerMonth"] == Decimal("12.5")
    assert usage["bucketStoredGb"] == 0
    assert usage.given == {"natDataGbPerMonth", "bucketStoredGb"}
    assert usage["flowLogGbPerMonth"] == KEYS["flowLogGbPerMonth"].stages["prod"]


BAD_FILES = {
    '{"natGbPerMonth": 5}': "unknown usage key 'natGbPerMonth'; did you mean 'natDataGbPerMonth'?",
    '{"bucketGb": 5}': "unknown usage key 'bucketGb'; did you mean 'bucketStoredGb'?",
    '{"web": 1}': "unknown usage key 'web'; the keys: natDataGbPerMonth, ",
    '{"flowLogGbPerMonth": -1}': "flowLogGbPerMonth: expected a non-negative number of GB",
    '{"flowLogGbPerMonth": "5"}': 'expected a non-negative number of GB, got "5"',
    '{"flowLogGbPerMonth": true}': "flowLogGbPerMonth: expected a non-negative number",
    '{"flowLogGbPerMonth": NaN}': "not JSON (NaN is not a number",
    "[1, 2]": "expected a JSON object of usage key to number",
    "{": "not JSON",
}
"""A usage file's text -> what the refusal says (after the file's name)."""


@pytest.mark.parametrize("text", list(BAD_FILES))
def test_a_bad_usage_file_is_refused_naming_the_key(tmp_path: Path, text: str) -> None:
    path = tmp_path / "usage.json"
    path.write_text(text)
    with pytest.raises(UsageError) as refused:
        read_usage_file(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert BAD_FILES[text] in str(refused.value)


def test_overrides_given_directly_are_checked_too() -> None:
    with pytest.raises(UsageError, match="did you mean 'queueRequestsPerMonth'"):
        usage_for("dev", {"queueRequests": 10})
    with pytest.raises(UsageError, match="cannot be read"):
        read_usage_file(ROOT / "no-such-usage.json")


def test_every_usage_key_is_documented_in_docs_costs() -> None:
    text = (ROOT / "docs" / "costs.md").read_text(encoding="utf-8")
    assert [key for key in KEYS if f"`{key}`" not in text] == []


def test_the_estimator_imports_without_pulumi_policy() -> None:
    """The pack's pricing package is standard library only (plus the pack's own AWS facts)."""
    code = (
        "import sys; sys.modules['pulumi_policy'] = None; sys.modules['pulumi'] = None; "
        "sys.path.insert(0, 'policies'); import pricing; "
        "print(pricing.load_table().date)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stdout.strip()) == (0, "2025-11-04"), run.stderr


def test_the_docs_table_states_every_keys_values() -> None:
    text = (ROOT / "docs" / "costs.md").read_text(encoding="utf-8")
    rows = {
        cells[0].strip("`"): [int(cell) for cell in cells[3:6]]
        for line in text.splitlines()
        if line.startswith("| `")
        for cells in [[cell.strip() for cell in line.strip("|").split("|")]]
        if cells[0].strip("`") in KEYS
    }
    assert rows == {
        key: [
            spec.default,
            spec.stages.get("dev", spec.default),
            spec.stages.get("prod", spec.default),
        ]
        for key, spec in KEYS.items()
    }
