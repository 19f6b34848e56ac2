"""`python -m preflight cost` as users run it: the JSON shape, the totals adding up, the change
against a base moving by exactly hours x price, bad input in one line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pricing import HOURS_PER_MONTH
from pricing.table import TABLE

from tests.cli_support import assert_one_line_error
from tests.policies.cost_support import price
from tests.preflight_support import copy_project, preflight, write_json

PRICES = json.loads(TABLE.read_text(encoding="utf-8"))


def _cost(*args: str | Path) -> dict[str, Any]:
    run = preflight("cost", *args, "--json", "-")
    assert (run.code, run.stderr) == (0, "")
    document: dict[str, Any] = json.loads(run.stdout)
    return document


@pytest.fixture(scope="module")
def prod() -> dict[str, Any]:
    return _cost("--stack", "prod")


def _cents(amount: float) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"))


def test_the_json_is_the_issues_shape_and_adds_up(prod: dict[str, Any]) -> None:
    assert list(prod) == [
        "stack", "region", "currency", "prices", "monthlyUsd", "byRole", "resources", "unpriced",
    ]  # fmt: skip
    assert (prod["stack"], prod["region"], prod["currency"]) == ("prod", "ap-northeast-2", "USD")
    assert prod["prices"] == {"date": PRICES["date"], "source": PRICES["source"]}
    for bound in ("min", "max"):
        resources = sum(_cents(r["monthlyUsd"][bound]) for r in prod["resources"])
        roles = sum(_cents(amount[bound]) for amount in prod["byRole"].values())
        total = _cents(prod["monthlyUsd"][bound])
        assert abs(resources - total) <= Decimal("0.01") * len(prod["resources"])
        assert abs(roles - total) <= Decimal("0.01") * len(prod["byRole"])
    assert set(prod["byRole"]) == {"model", "network", "shared", "web", "worker"}  # RDS: unpriced
    for unpriced in prod["unpriced"]:
        assert set(unpriced) == {"urn", "type", "why"}
        assert unpriced["urn"].startswith("urn:pulumi:prod::webmodel::")


def test_autoscaling_makes_a_range_and_the_first_instance_type_is_priced(
    prod: dict[str, Any],
) -> None:
    [web] = [r for r in prod["resources"] if r["urn"].endswith("::webmodel-prod-web")]
    [instances] = [i for i in web["items"] if "instances" in i["what"]]
    assert instances["what"].startswith("m7i.large instances")  # prod lists m7i, then m6i
    assert instances["quantity"] == {"min": 2 * HOURS_PER_MONTH, "max": 8 * HOURS_PER_MONTH}
    rate = Decimal(str(instances["usdPerUnit"]))
    assert _cents(instances["monthlyUsd"]["max"]) == (8 * HOURS_PER_MONTH * rate).quantize(
        Decimal("0.01")
    )


def _base_export(tmp_path: Path, edit: tuple[str, str]) -> Path:
    """prod's export from a copy of the project whose stack file says `edit[0]` as `edit[1]`."""
    project = copy_project(tmp_path / "base")
    stack = project / "Pulumi.prod.yaml"
    text = stack.read_text(encoding="utf-8")
    assert edit[0] in text
    stack.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    base = tmp_path / "base-prod.json"
    assert (
        preflight("--project-dir", project, "preview", "--stack", "prod", "--json", base).code == 0
    )
    return base


def test_against_a_base_the_change_is_hours_times_the_price_difference(
    tmp_path: Path, prod: dict[str, Any]
) -> None:
    """The base ran the model tier on g5.2xlarge, the head runs g5.xlarge (2 to 6 instances)."""
    (tmp_path / "base").mkdir()
    base = _base_export(
        tmp_path, ("instanceTypes: [g5.xlarge, g5.2xlarge]", "instanceTypes: [g5.2xlarge]")
    )
    document = _cost("--stack", "prod", "--base", base)
    step = price("ec2.instanceHour", "g5.xlarge") - price("ec2.instanceHour", "g5.2xlarge")
    assert document["deltaMonthlyUsd"] == {
        "min": float((2 * HOURS_PER_MONTH * step).quantize(Decimal("0.01"))),
        "max": float((6 * HOURS_PER_MONTH * step).quantize(Decimal("0.01"))),
    }
    [delta] = document["deltas"]
    assert delta["urn"].endswith("::webmodel-prod-model")
    assert document["base"]["monthlyUsd"]["max"] > prod["monthlyUsd"]["max"]


def test_the_text_names_the_total_roles_and_what_is_not_priced() -> None:
    run = preflight("cost", "--stack", "dev")
    assert run.code == 0
    first, prices, blank, roles = run.stdout.splitlines()[:4]
    assert first.startswith("Cost of stack dev: monthly on-demand estimate is $")
    assert first.endswith(
        "in ap-northeast-2 (730 hours, AWS prices of 2025-11-04, the 'dev' usage assumptions)."
    )
    assert prices == f"Prices: {PRICES['source']}, of {PRICES['date']}."
    assert (blank, roles) == ("", "By role:")
    assert "Not priced (" in run.stdout
    assert "        aws:rds:Instance database-postgres: storage\n" in run.stdout


@pytest.mark.parametrize(
    ("usage_json", "problem"),
    [
        ({"natDataGbPerMont": 10}, "natDataGbPerMont"),
        ({"natDataGbPerMonth": -1}, "natDataGbPerMonth"),
        ([1, 2], "JSON object"),
    ],
)
def test_a_bad_usage_file_is_one_line_naming_the_key(
    tmp_path: Path, usage_json: object, problem: str
) -> None:
    usage = write_json(tmp_path / "usage.json", usage_json)
    run = preflight("cost", "--stack", "dev", "--usage", usage)
    assert_one_line_error(run.code, run.stderr, f"preflight: error: {usage}: ", problem)
    assert run.stderr.count(str(usage)) == 1  # named once, not by preflight and the pack


def test_a_usage_file_overrides_the_stage_assumption(tmp_path: Path) -> None:
    usage = write_json(tmp_path / "usage.json", {"natDataGbPerMonth": 1010})
    base, more = _cost("--stack", "dev"), _cost("--stack", "dev", "--usage", usage)
    extra = (1000 * price("natGateway.gb")).quantize(Decimal("0.01"))
    assert _cents(more["monthlyUsd"]["max"]) - _cents(base["monthlyUsd"]["max"]) == extra


def test_a_base_that_is_not_an_export_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    run = preflight("cost", "--stack", "dev", "--base", bad)
    assert run.code == 2
    assert "no 'deployment' key" in run.stderr
