"""The pull-request comment stays readable for any plan: past 60,000 characters it keeps the
summary, every replacement and deletion and every policy violation, and links the artifact
that holds the full plan."""

from __future__ import annotations

from typing import Any

import pytest

from preflight.bench.deployed import resource, with_extra
from preflight.pack.evaluate import Report, evaluate
from preflight.pack.load import load_pack
from preflight.plan.base import index_base
from preflight.plan.compute import compute
from preflight.plan.render_text import summary_lines
from preflight.plan.steps import Plan
from preflight.render.architecture import architecture
from preflight.render.markdown import COMMENT_LIMIT, render_markdown
from preflight.simulate.deployment import Deployment
from preflight.stackfiles.program_config import ProgramConfig
from tests.preflight_support import ROOT


@pytest.fixture(scope="module")
def long_plan(prod_config: ProgramConfig, deployed: dict[str, Any]) -> tuple[Plan, Deployment]:
    """150 deletions and one update."""
    base = with_extra(deployed, 150)
    vpc = resource(base, "aws:ec2/vpc:Vpc", "network-vpc")
    vpc["inputs"]["tags"]["Name"] = vpc["outputs"]["tags"]["Name"] = "old-vpc"
    return compute(prod_config, index_base(base, "deployed-prod.json"))


@pytest.fixture(scope="module")
def report(prod: Deployment) -> Report:
    from preflight.export.state import from_deployment

    pack = load_pack(ROOT / "policies")
    return evaluate(pack, from_deployment(prod), stage="prod", config_file=None)


def test_a_long_plan_keeps_summary_every_deletion_and_links_the_artifact(
    long_plan: tuple[Plan, Deployment], report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, deployment = long_plan
    full = render_markdown(deployment, report, plan)
    assert "```mermaid" in full
    limit = len(full) - 1  # one character too long
    monkeypatch.setattr("preflight.render.markdown.COMMENT_LIMIT", limit)
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/webmodel")
    monkeypatch.setenv("GITHUB_RUN_ID", "4242")
    text = render_markdown(deployment, report, plan)
    assert len(text) <= limit
    assert "\nBase: `deployed-prod.json`.\n" in text
    assert (
        "the full plan (text, JSON and this report) is the `preflight-plan-prod` artifact of "
        "[this workflow run](https://github.com/acme/webmodel/actions/runs/4242)."
    ) in text
    assert "\n".join(summary_lines(plan)) in text
    deletes = [s for s in plan.steps if s.op == "delete"]
    assert len(deletes) == 150
    assert all(f"| {s.name} |" in text for s in deletes)
    assert "| `~` update | `aws:ec2:Vpc` | network-vpc |" not in text  # updates: in the artifact
    assert "### Policy report" in text
    assert "```mermaid" not in text  # the drawing is left out of a long comment


def test_a_plan_too_long_even_so_says_how_many_more_the_artifact_lists(
    prod_config: ProgramConfig, deployed: dict[str, Any], report: Report
) -> None:
    plan, deployment = compute(prod_config, index_base(with_extra(deployed, 1_500), "b.json"))
    text = render_markdown(deployment, report, plan)
    assert len(text) <= COMMENT_LIMIT
    shown = sum(f"| {s.name} |" in text for s in plan.steps if s.op == "delete")
    assert 0 < shown < 1_500
    assert f"… and {1_500 - shown} more replacements and deletions." in text
    assert "the `preflight-plan-prod` artifact of this workflow run" in text


def test_a_short_plan_is_the_whole_comment(
    prod_config: ProgramConfig, deployed: dict[str, Any], report: Report
) -> None:
    plan, deployment = compute(prod_config, index_base(with_extra(deployed, 3), "b.json"))
    text = render_markdown(deployment, report, plan)
    assert "```mermaid" in text
    assert "preflight-plan-prod" not in text


def test_architecture_shows_tiers_per_az_traffic_order_and_changes(prod: Deployment) -> None:
    subnet = prod.of_type("aws:ec2/subnet:Subnet")[0]
    db = prod.of_type("aws:rds/instance:Instance")[0]
    lines = architecture(prod, {subnet.urn: "replace", db.urn: "replace"}).splitlines()
    assert lines[0] == "flowchart LR"
    tiers = [line.strip() for line in lines if line.strip().startswith("subgraph")]
    assert tiers == [
        'subgraph tier_public["public tier"]',
        'subgraph tier_private["private tier"]',
        'subgraph tier_isolated["isolated tier"]',
    ]
    assert [line.strip() for line in lines if "-->" in line] == [
        "internet --> weblb",
        "weblb --> webi",
        "webi --> modellb",
        "modellb --> modeli",
        "webi --> db",
        "webi --> queue",
        "queue --> workeri",
        "workeri --> modellb",
    ]
    styles = [line.strip() for line in lines if line.strip().startswith("style")]
    assert styles == [
        "style db fill:#ffd0d0,stroke:#c00,stroke-width:3px",
        "style n7 fill:#ffd0d0,stroke:#c00,stroke-width:3px",
    ]
