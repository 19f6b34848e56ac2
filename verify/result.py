"""One checked guarantee, and how its outcome depends on the stage's enforcement level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from verify.enforcement import Level

Status = Literal["PASS", "FAIL", "WARN", "SKIP"]


@dataclass(frozen=True)
class CheckResult:
    """One guarantee: a stable kebab-case id, what was found, and what to do if it fails.

    `policy` is the pack policy the check mirrors (None for checks the pack has no rule for,
    such as environment health); `level` is that policy's level in the stage, set by the
    runner from policies/config/<stage>.json.
    """

    check_id: str
    passed: bool
    detail: str
    fix: str = ""
    policy: str | None = None
    level: Level = "mandatory"

    @property
    def status(self) -> Status:
        if self.passed:
            return "PASS"
        if self.level == "advisory":
            return "WARN"
        if self.level == "disabled":
            return "SKIP"
        return "FAIL"

    @property
    def failed(self) -> bool:
        """Broken where it is enforced: the run exits 1."""
        return self.status == "FAIL"

    @property
    def line(self) -> str:
        """The one-line form tests and plain-text reports use: `FAIL  id: detail`."""
        return f"{self.status}  {self.check_id}: {self.detail}"


def not_checked(check_id: str, reason: str, policy: str | None) -> CheckResult:
    """A guarantee that could not be examined counts as broken: nothing shows it holds."""
    return CheckResult(
        check_id, False, f"not checked: {reason}", "fix the failure above first", policy
    )
