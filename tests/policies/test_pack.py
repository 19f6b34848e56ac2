"""The pack as a whole: every policy it lists is a resource or stack policy, and each is named
in the module of tests/policies/ for its rule family, so a new policy without a test fails
here. test_protocol.py does not count: it names every policy in its tables of levels."""

from __future__ import annotations

from pathlib import Path

import pytest
from guardrails import POLICIES
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

HERE = Path(__file__).parent
NOT_RULE_TESTS = {"test_protocol.py", Path(__file__).name}
RULE_TESTS = sorted(p for p in HERE.glob("test_*.py") if p.name not in NOT_RULE_TESTS)


def test_the_rule_families_are_found() -> None:
    assert len(RULE_TESTS) >= 8, RULE_TESTS


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_every_policy_has_a_test(policy: object) -> None:
    assert isinstance(policy, ResourceValidationPolicy | StackValidationPolicy)
    quoted = f'"{policy.name}"'
    assert any(quoted in path.read_text(encoding="utf-8") for path in RULE_TESTS), (
        f"no module of tests/policies/ names {quoted}"
    )
