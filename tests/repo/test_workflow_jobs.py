"""What each job of the GitHub workflows does, and in which order: the pull request's tests,
then preflight's offline preview per stack (planned against the deployed stack where it can be
read, else the base commit; the full plan an artifact the comment links; the plan gate, with
the label only prod's stateful changes need), then the real preview with the policy pack and
its stage config; the deploy's `up` for dev, then for prod behind the protected environment,
each with the pack, its stage config and verify after it. The guard rails over every
workflow are pinned in test_workflows.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.repo.workflows import PULUMI_ACTION, REPO, STAGES, load, steps_using


def test_pull_request_jobs_run_in_order() -> None:
    jobs = load("pull-request.yml")["jobs"]
    assert "needs" not in jobs["test"]
    assert jobs["preflight"]["needs"] == "test"
    assert jobs["pulumi-preview"]["needs"] == "preflight"
    assert any(s.get("run") == "make test" for s in jobs["test"]["steps"])


def test_offline_preview_runs_for_both_stacks_and_is_commented() -> None:
    job = load("pull-request.yml")["jobs"]["preflight"]
    assert job["strategy"]["matrix"]["stack"] == list(STAGES)
    assert job["strategy"]["fail-fast"] is False
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert (
        '.venv/bin/preflight preview --stack "$STACK" "${base[@]}" --markdown "preview-$STACK.md"'
    ) in runs
    (comment,) = steps_using(job, "marocchino/sticky-pull-request-comment@")
    assert comment["with"] == {
        "header": "preflight-${{ matrix.stack }}",
        "path": "preview-${{ matrix.stack }}.md",
    }
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    assert job["steps"][-1]["if"] == "steps.preview.outputs.exit-code != '0'"


def test_plan_is_against_a_worktree_of_the_base_commit() -> None:
    job = load("pull-request.yml")["jobs"]["preflight"]
    (checkout,) = steps_using(job, "actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    steps = {s.get("name"): s for s in job["steps"]}
    export = steps["Export the stack at the base commit"]
    assert 'git worktree add --detach "$RUNNER_TEMP/base" "$BASE_SHA"' in export["run"]
    assert '.venv/bin/preflight --project-dir "$RUNNER_TEMP/base" preview' in export["run"]
    assert '--json "$RUNNER_TEMP/base-commit-$STACK.json"' in export["run"]
    assert export["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    plan = steps["Plan against the base with the policy pack"]
    assert '--base "$state" --plan-json "plan-$STACK.json"' in plan["run"]
    names = [s.get("name") for s in job["steps"]]
    assert names.index("Export the stack at the base commit") < names.index(
        "Plan against the base with the policy pack"
    )


SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"


def test_plan_is_against_the_deployed_stack_where_it_can_be_read() -> None:
    """With AWS configured and a pull request from this repository, the preview role and the
    backend's credentials export the deployed stack; the plan prefers that export and falls
    back to the base commit's, in this order."""
    job = load("pull-request.yml")["jobs"]["preflight"]
    steps = {s.get("name"): s for s in job["steps"]}
    credentials = steps["Credentials for the deployed stack"]
    export = steps["Export the deployed stack"]
    for step in (credentials, export):
        assert step["if"] == f"vars.AWS_ROLE_ARN != '' && {SAME_REPOSITORY}"
    assert credentials["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert (
        'pulumi stack export --stack "$PULUMI_ORG/webmodel/$STACK" --show-secrets'
        in (export["run"])
    )
    assert '--file "$RUNNER_TEMP/deployed-$STACK.json"' in export["run"]
    assert "PulumiCommand.install" in export["run"]  # the CLI of the SDK's pinned version
    assert set(export["env"]) == {
        "STACK",
        "PULUMI_ORG",
        "PULUMI_BACKEND_URL",
        "PULUMI_ACCESS_TOKEN",
        "PULUMI_CONFIG_PASSPHRASE",
    }
    plan = steps["Plan against the base with the policy pack"]["run"]
    assert (
        'for state in "$RUNNER_TEMP/deployed-$STACK.json" "$RUNNER_TEMP/base-commit-$STACK.json"'
        in plan
    )
    names = [s.get("name") for s in job["steps"]]
    assert names.index("Export the deployed stack") < names.index(
        "Plan against the base with the policy pack"
    )


def test_the_full_plan_is_an_artifact_the_comment_links() -> None:
    """preflight's Markdown links `preflight-plan-<stack>` when a comment would pass 60,000
    characters (preflight/render/markdown.py): the workflow uploads it under that name."""
    job = load("pull-request.yml")["jobs"]["preflight"]
    (upload,) = steps_using(job, "actions/upload-artifact@")
    assert upload["with"]["name"] == "preflight-plan-${{ matrix.stack }}"
    assert upload["with"]["path"].splitlines() == [
        "plan-${{ matrix.stack }}.txt",
        "plan-${{ matrix.stack }}.json",
        "preview-${{ matrix.stack }}.md",
    ]
    assert upload["if"].startswith("always()")
    plan = next(s for s in job["steps"] if s.get("id") == "preview")["run"]
    assert '--markdown "preview-$STACK.md" > "plan-$STACK.txt"' in plan


def test_the_plan_gate_runs_on_both_stacks_and_only_prod_data_needs_the_label() -> None:
    """Every stack's plan goes through the gate (its blue/green guards hold everywhere, and no
    label accepts a broken one); `--allow-stateful` for dev always, for prod with the label."""
    job = load("pull-request.yml")["jobs"]["preflight"]
    (gate,) = [s for s in job["steps"] if "preflight.gate" in s.get("run", "")]
    assert gate["if"] == "hashFiles(format('plan-{0}.json', matrix.stack)) != ''"
    assert gate["env"] == {
        "STACK": "${{ matrix.stack }}",
        "ALLOWED": (
            "${{ contains(github.event.pull_request.labels.*.name, 'allow-stateful-replace') }}"
        ),
    }
    lines = [line.strip() for line in gate["run"].splitlines()]
    assert lines == [
        "allow=()",
        'if [ "$STACK" != "prod" ]; then',
        "allow=(--allow-stateful)",
        'elif [ "$ALLOWED" = "true" ]; then',
        'echo "::warning::allow-stateful-replace label present: stateful changes accepted"',
        "allow=(--allow-stateful)",
        "fi",
        '.venv/bin/python -m preflight.gate "${allow[@]}" "plan-$STACK.json"',  # its exit code
    ]
    assert "|| true" not in gate["run"]


@pytest.mark.parametrize(
    ("stack", "labelled", "flags"),
    [
        ("dev", "false", ["--allow-stateful"]),
        ("prod", "false", []),
        ("prod", "true", ["--allow-stateful"]),
    ],
)
def test_the_gate_step_passes_the_flag_bash_would(
    tmp_path: Path, stack: str, labelled: str, flags: list[str]
) -> None:
    """The step's script run by bash with the gate replaced by an echo of its arguments."""
    job = load("pull-request.yml")["jobs"]["preflight"]
    (gate,) = [s for s in job["steps"] if "preflight.gate" in s.get("run", "")]
    script = gate["run"].replace(".venv/bin/python -m preflight.gate", "printf '%s\\n'")
    run = subprocess.run(
        ["bash", "-e", "-c", script],
        env={"STACK": stack, "ALLOWED": labelled, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    shown = [line for line in run.stdout.splitlines() if not line.startswith("::warning::")]
    assert shown == [*flags, f"plan-{stack}.json"]


def test_real_preview_only_with_an_oidc_role_and_with_the_pack_per_stage() -> None:
    job = load("pull-request.yml")["jobs"]["pulumi-preview"]
    assert job["if"].startswith("vars.AWS_ROLE_ARN != ''")
    assert job["strategy"]["matrix"]["stack"] == list(STAGES)
    (aws,) = steps_using(job, "aws-actions/configure-aws-credentials@")
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    assert "aws-access-key-id" not in aws["with"]
    (pulumi,) = steps_using(job, PULUMI_ACTION)
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["stack-name"].endswith("/webmodel/${{ matrix.stack }}")
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == "policies/config/${{ matrix.stack }}.json"
    assert pulumi["with"]["comment-on-pr"] is True
    steps = job["steps"]
    assert steps.index(aws) < steps.index(pulumi)


def test_deploy_runs_dev_then_prod_behind_the_protected_environment() -> None:
    jobs = load("deploy.yml")["jobs"]
    assert jobs["up-dev"]["needs"] == "test"
    assert jobs["up-prod"]["needs"] == "up-dev"
    assert jobs["up-prod"]["environment"] == "production"
    assert jobs["up-dev"]["environment"] != "production"
    assert jobs["up-dev"]["if"] == "vars.AWS_ROLE_ARN != ''"


@pytest.mark.parametrize("stage", STAGES)
def test_each_deploy_runs_up_with_the_pack_and_its_stage_config(stage: str) -> None:
    job = load("deploy.yml")["jobs"][f"up-{stage}"]
    assert job["env"]["STACK"].endswith(f"/webmodel/{stage}")
    (pulumi,) = steps_using(job, PULUMI_ACTION)
    assert pulumi["with"]["command"] == "up"
    assert pulumi["with"]["stack-name"] == "${{ env.STACK }}"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == f"policies/config/{stage}.json"
    (aws,) = steps_using(job, "aws-actions/configure-aws-credentials@")
    steps = job["steps"]
    assert steps.index(aws) < steps.index(pulumi)
    verify = steps[-1]["run"]
    assert '.venv/bin/verify --stack "$STACK" --outputs' in verify


def test_stage_configs_the_workflows_name_exist_when_the_pack_ships_them() -> None:
    """The workflows point at policies/config/<stage>.json; DESIGN.md requires both files."""
    configs = REPO / "policies" / "config"
    if not any(configs.glob("*.json")):
        pytest.skip("policies/config/*.json are not in this tree yet")
    for stage in STAGES:
        assert (configs / f"{stage}.json").is_file(), stage
