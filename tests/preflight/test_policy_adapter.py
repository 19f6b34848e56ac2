"""preflight reaches pulumi-policy's private API only through preflight/policy_adapter.py,
which refuses a version it was not written for with one clear line."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import policy

from preflight.inputs.errors import InputError
from preflight.pack import servicer as policy_adapter

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = {
    "_PolicyAnalyzerServicer",
    "_NotApplicableError",
    "_get_enforcement_level",
    "_create_report_violation",
    "_get_policy_config",
}


def test_the_installed_version_is_one_the_adapter_was_written_for() -> None:
    assert policy_adapter.installed_version() == "1.21.0"
    policy_adapter.check()


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 3), st.integers(0, 40), st.integers(0, 9))
def test_any_other_series_is_refused_naming_the_version_and_the_fix(
    major: int, minor: int, patch: int
) -> None:
    version = f"{major}.{minor}.{patch}"
    if f"{major}.{minor}" in policy_adapter.WRITTEN_FOR:
        policy_adapter.check(version)
        return
    with pytest.raises(InputError) as caught:
        policy_adapter.check(version)
    message = str(caught.value)
    assert message.startswith(f"pulumi-policy {version} is installed; ")
    assert "requirements.txt" in message
    assert "\n" not in message


def test_a_missing_private_name_is_refused_by_name() -> None:
    fake = types.SimpleNamespace(
        _PolicyAnalyzerServicer=type("S", (), {"_get_enforcement_level": None}),
        _NotApplicableError=None,
    )
    with pytest.raises(InputError) as caught:
        policy_adapter.check("1.21.0", fake)
    assert str(caught.value).startswith(
        "pulumi-policy 1.21.0 lacks _NotApplicableError, _create_report_violation, "
        "_get_policy_config; "
    )


def test_the_real_module_has_every_name_the_adapter_uses() -> None:
    policy_adapter.check("1.21.0", policy)


def test_no_other_module_touches_pulumi_policy_internals() -> None:
    offenders = []
    for path in sorted([*ROOT.glob("preflight/*.py"), *ROOT.glob("policies/**/*.py")]):
        if path.name == "policy_adapter.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        if names & PRIVATE:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(names & PRIVATE)}")
    assert offenders == []
