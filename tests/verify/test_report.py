"""verify's report, plain and rich: every check with its fix, and the verdict line.
Mirrors verify/report.py."""

from __future__ import annotations

import io

from verify.report import render_plain, render_rich
from verify.result import CheckResult

RESULTS = [
    CheckResult("rds-encrypted", True, "DB instance 'db' storage is encrypted"),
    CheckResult("rds-not-public", False, "DB instance 'db' is publicly accessible", "fix it"),
]


def test_plain_report_lists_checks_fixes_and_verdict() -> None:
    assert render_plain("prod", "eu-west-1", RESULTS) == (
        "verify: stack prod in eu-west-1\n"
        "PASS  rds-encrypted: DB instance 'db' storage is encrypted\n"
        "FAIL  rds-not-public: DB instance 'db' is publicly accessible\n"
        "      fix: fix it\n"
        "stack prod: 1 of 2 checks passed; 1 guarantee(s) broken (exit 1)\n"
    )


def test_rich_report_renders_a_table_without_markup_mangling() -> None:
    out = io.StringIO()
    results = [*RESULTS, CheckResult("x", False, "value [secret] kept", "see [docs]")]
    render_rich("prod", "eu-west-1", results, out)
    text = out.getvalue()
    assert "rds-not-public" in text
    assert "FAIL" in text
    assert "PASS" in text
    assert "[secret]" in text
    assert "2 guarantee(s) broken (exit 1)" in text
