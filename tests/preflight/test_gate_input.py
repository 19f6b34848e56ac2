"""`python -m preflight.gate` fails closed: a file it cannot read step by step is exit 2 with one
line naming the file and the field, never a pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.gate import main as gate

RDS = "urn:pulumi:prod::webmodel::webmodel:database:Database$aws:rds/instance:Instance::db"

REFUSED = {
    "": "not a plan JSON (Expecting value: line 1 column 1 (char 0))",
    "[]": "not a plan JSON (expected a JSON object)",
    "{}": "not a plan JSON (no 'steps' and no 'changeSummary': expected "
    "`preview --base ... --plan-json` or `pulumi preview --json` output)",
    '{"version": 3, "deployment": {}}': "not a plan JSON (no 'steps' and no 'changeSummary'",
    '{"steps": 1}': "not a plan JSON ('steps' is not a list)",
    '{"steps": [1]}': "not a plan JSON (steps[0] is not an object)",
    '{"steps": [{"op": "replace"}]}': "not a plan JSON (steps[0].urn is not a string)",
    '{"steps": [{"urn": "u"}]}': "not a plan JSON (steps[0].op is not a string)",
    '{"steps": [{"op": "delete", "urn": "u", "oldState": 3}]}': (
        "not a plan JSON (steps[0].oldState is not an object)"
    ),
    '{"steps": [{"op": "replace", "urn": "u", "replaceReasons": "dbName"}]}': (
        "not a plan JSON (steps[0].replaceReasons is not a list of strings)"
    ),
}
"""A file's text -> the refusal after `preflight: error: <file>: `."""


@pytest.mark.parametrize("text", list(REFUSED))
def test_what_is_not_a_plan_is_exit_2_naming_the_field(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(text, encoding="utf-8")
    assert gate([str(plan)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"preflight: error: {plan}: {REFUSED[text]}")
    assert err.count("\n") == 1


def test_an_unreadable_file_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.json"
    assert gate([str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"preflight: error: {missing}: cannot be read: No such file or directory\n"
    )
    binary = tmp_path / "plan.json"
    binary.write_bytes(b"\xff{}")
    assert gate([str(binary)]) == 2
    assert capsys.readouterr().err == f"preflight: error: {binary}: not UTF-8 text\n"


def test_an_empty_change_summary_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pulumi preview --json` omits empty fields: a digest may hold only its summary."""
    plan = tmp_path / "plan.json"
    plan.write_text('{"changeSummary": {"same": 3}}', encoding="utf-8")
    assert gate([str(plan)]) == 0
    assert capsys.readouterr().out == "no stateful resource is replaced or deleted\n"


def test_a_replace_without_reasons_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(f'{{"steps": [{{"op": "replace", "urn": "{RDS}"}}]}}', encoding="utf-8")
    assert gate([str(plan)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"replace of a stateful resource: {RDS} (no reason given)"
    )
    plan.write_text(f'{{"steps": [{{"op": "delete", "urn": "{RDS}"}}]}}', encoding="utf-8")
    assert gate([str(plan), "--allow-stateful"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"delete of a stateful resource: {RDS} (removed from the program)"
    )
