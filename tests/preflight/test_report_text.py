"""What a reader sees after a preview: the policy report before the outputs and the resource
summary (as `pulumi preview` orders them), the config key to edit under each violation the
program's config decides, the same facts in the terminal view, and a verdict that never says
PASSED for a plan the CLI would refuse."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from preflight.export.state import from_deployment
from preflight.pack.evaluate import evaluate, name_config_keys
from preflight.pack.load import load_pack
from preflight.render.terminal import show, show_plan
from preflight.simulate.run import simulate
from preflight.stackfiles.rules import project_rules
from tests.preflight_support import ROOT, copy_project, preflight


def test_policies_come_before_outputs_and_the_resource_summary() -> None:
    run = preflight("preview", "--stack", "dev")
    lines = run.stdout.splitlines()
    policies, outputs = lines.index("Outputs:") - 1, lines.index("Outputs:")
    assert [i for i, line in enumerate(lines) if line.startswith("Policies: ")] < [outputs]
    assert lines[policies] == ""
    assert lines.index("Resources:") > outputs
    assert lines[-1].startswith("PASSED: no mandatory policy violation, 8 advisory")


def test_each_violation_names_the_config_key_that_decides_it() -> None:
    run = preflight("preview", "--stack", "dev")
    assert (
        "        aws:rds/instance:Instance 'database-postgres': multiAz is false; set multiAz to "
        "true for automatic failover\n"
        "        to change it: webmodel:database.multiAz in Pulumi.dev.yaml\n"
    ) in run.stdout
    assert "        to change it: webmodel:web.minSize in Pulumi.dev.yaml\n" in run.stdout
    assert (
        "        to change it: webmodel:model.deploymentPolicy in Pulumi.dev.yaml\n" in run.stdout
    )


def test_a_foreign_stack_gets_no_config_keys(tmp_path: Path) -> None:
    export = tmp_path / "dev.json"
    assert preflight("preview", "--stack", "dev", "--json", export).code == 0
    foreign = tmp_path / "foreign.json"
    foreign.write_text(export.read_text().replace("::webmodel::", "::other::"), encoding="utf-8")
    run = preflight("analyze", foreign, "--stack", "dev")
    assert "multiAz is false" in run.stdout
    assert "to change it:" not in run.stdout


def _terminal(stack: str) -> str:
    deployment = simulate(stack)
    state = from_deployment(deployment)
    config = ROOT / "policies" / "config" / f"{stack}.json"
    report = evaluate(load_pack(ROOT / "policies"), state, stage=stack, config_file=config)
    name_config_keys(report, state, project_rules(ROOT).config_key)
    out = io.StringIO()
    show(deployment, report, console=Console(file=out, width=200, color_system=None))
    return out.getvalue()


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_terminal_view_shows_what_the_plain_text_shows(stack: str) -> None:
    shown = _terminal(stack)
    assert (
        f"Policies: webmodel-guardrails@v0.1.0 (config: {ROOT}/policies/config/{stack}.json)"
        in shown
    )
    assert ("    no violations" in shown) == (stack == "prod")
    total = {"dev": 85, "prod": 118}[stack]
    assert f"Resources: + {total} to create" in shown
    assert shown.index("Policies:") < shown.index("Outputs") < shown.index("Resources: +")


def test_the_plan_is_coloured_by_operation_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=200)
    show_plan(
        "    + aws:s3/bucket:Bucket: (create)\n    ~ aws:x:Y: (update)\n"
        "    - aws:x:Y: (delete)\n    +-aws:x:Y: (replace)\n  error: unable to replace\n"
        "PASSED: no mandatory policy violation\n",
        console,
    )
    lines = out.getvalue().splitlines()
    for line, code in zip(lines, ("32", "33", "31", "35", "1;31", "1;32"), strict=True):
        assert line.startswith(f"\x1b[{code}m"), (line, code)


def test_a_plan_the_cli_would_refuse_fails_in_its_last_line(tmp_path: Path) -> None:
    """prod's database is protected in the base and in the program; restoring it from a
    snapshot replaces it, which the CLI's step generator refuses."""
    base = tmp_path / "base.json"
    assert preflight("preview", "--stack", "prod", "--json", base).code == 0
    (tmp_path / "head").mkdir()
    project = copy_project(tmp_path / "head")
    stack = project / "Pulumi.prod.yaml"
    stack.write_text(
        stack.read_text().replace(
            "    protect: true\n", "    protect: true\n    snapshotIdentifier: nightly-1\n"
        ),
        encoding="utf-8",
    )
    run = preflight("--project-dir", project, "preview", "--stack", "prod", "--base", base)
    assert run.code == 1
    last = run.stdout.splitlines()[-1]
    assert last.startswith(
        "FAILED: the plan replaces or deletes 1 protected resource(s), which the Pulumi CLI "
        "refuses; 0 mandatory policy violation(s)"
    )


def test_outputs_show_what_a_preview_can_know_and_the_export_keeps_the_simulation(
    tmp_path: Path,
) -> None:
    """A new stack's preview cannot know what AWS computes (IDs, URLs, endpoints, and what
    derives from them); names the provider generates at Check are known. The export still
    carries the simulated values the pack judged."""
    export = tmp_path / "prod.json"
    markdown = tmp_path / "prod.md"
    run = preflight("preview", "--stack", "prod", "--json", export, "--markdown", markdown)
    assert "    vpcId: [unknown]\n" in run.stdout
    assert "    webUrl: [unknown]\n" in run.stdout
    assert '    applicationName: "webmodel-prod-c419bea"\n' in run.stdout
    assert "| `dbEndpoint` | `[unknown]` |" in markdown.read_text(encoding="utf-8")
    document = json.loads(export.read_text(encoding="utf-8"))
    [stack] = [r for r in document["deployment"]["resources"] if r["type"] == "pulumi:pulumi:Stack"]
    assert stack["outputs"]["vpcId"].startswith("vpc-")
