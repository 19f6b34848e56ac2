"""Every command README.md and docs/ show is tested (tests/repo/doc_commands.py finds them).

preflight's commands and the plan gate's run in a workspace, a sandbox copy of the project
holding the files the docs name (scripts/doc_workspace.py), each distinct command line once:
exit 2 (bad input: a broken example) or an unknown flag fails, and output a console block shows
outside a generated block must be what the command prints now. verify's commands are parsed by
its own parser (they need an AWS account to run). A mention of a preflight command
(`preview --base`) may name only that command's flags. Everything else is pinned below as not
runnable here, with the reason: a command added to the docs fails until it is runnable or listed.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

import pytest

from preflight import cli
from preflight.inputs.errors import InputError
from scripts.doc_workspace import USAGE_EXAMPLE, Workspace
from tests.preflight_support import Run
from tests.repo.doc_commands import ROOT, Shown, all_shown
from verify.cli import build_parser as verify_parser

SHOWN = all_shown()
RUN = [s for s in SHOWN if (s.tool() or ("verify",))[0] != "verify"]
VERIFY = [s for s in SHOWN if (s.tool() or ("",))[0] == "verify"]
MENTIONS = [s for s in SHOWN if s.mention()]

PULUMI = "needs the Pulumi CLI, a logged-in backend and AWS credentials"
AWS = "needs an AWS account (the aws CLI and credentials)"
VERIFY_REASON = "reads a deployed stack's AWS account; its flags are parsed here (verify's parser)"
GIT = "changes the checkout; the workflow's own steps are checked in test_workflow_jobs.py"
SERVER = "starts the web and model servers; tests/apps/test_web.py and test_model.py run them"
DOCKER = "needs Docker (and a GPU for the model); tests/apps/test_shared.py builds the bundles"
TESTS = "runs tests of this suite (make test runs them all)"
GENERATOR = "rewrites a committed file from sources outside the repository (its test runs it)"
BENCH = (
    "times whole commands for minutes; its shapes and scaling are tested in "
    "tests/preflight/test_analyze_scaling.py and test_plan_scaling.py"
)
MAKE = (
    "make re-creates .venv when a requirements file is newer (pip: the network); test_docs.py "
    "checks the target exists, and the recipes of preview, test, docs and diagram"
)
REFERENCE = (
    "rewrites Pulumi.yaml and docs/configuration.md; make docs writes the same block and "
    "tests/components/test_config_hardening.py fails when either is stale"
)
NOT_RUNNABLE: dict[str, str] = {
    ".venv/bin/python -m preflight.bench --runs 5": BENCH,
    **dict.fromkeys(
        [
            "make bench",
            "make clean",
            "make diagram",
            "make docs",
            "make preview",
            "make preview STACK=prod",
            "make setup",
            "make test",
            "make verify",
            "make verify STACK=...",
            "make verify STACK=dev",
        ],
        MAKE,
    ),
    **dict.fromkeys(
        [
            "pulumi cancel",
            "pulumi config set --path 'webmodel:web.env.FEATURE_FLAGS' search,recommendations",
            "pulumi destroy",
            "pulumi login",
            "pulumi login 's3://acme-pulumi-state?region=ap-northeast-2'",
            "pulumi login file://~/.pulumi-state",
            "pulumi policy publish <org-name>",
            "pulumi preview",
            "pulumi preview --diff",
            "pulumi preview --json",
            "pulumi preview --policy-pack",
            "pulumi preview --policy-pack ...",
            "pulumi preview --policy-pack policies "
            "--policy-pack-config policies/config/<stage>.json",
            "pulumi preview --policy-pack policies --policy-pack-config policies/config/dev.json",
            "pulumi refresh",
            "pulumi stack export",
            "pulumi stack export --show-secrets",
            'pulumi stack export --stack "$PULUMI_ORG/webmodel/$STACK" --show-secrets --file '
            '"$RUNNER_TEMP/deployed-$STACK.json"',
            "pulumi stack export --stack prod --show-secrets --file prod.json",
            "pulumi stack history --json",
            "pulumi stack history --stack <stack>",
            "pulumi stack init organization/webmodel/prod --secrets-provider "
            "awskms://alias/webmodel-pulumi?region=ap-northeast-2",
            "pulumi stack output --stack prod --json --show-secrets > outputs.json",
            "pulumi stack output webSlots",
            "pulumi stack output webVersionLabel",
            "pulumi stack select organization/webmodel/dev",
            "pulumi up",
            "pulumi up --policy-pack policies --policy-pack-config policies/config/dev.json",
            "APP=$(pulumi stack output applicationName --stack prod)",
            "BUCKET=$(pulumi stack output artifactsBucket --stack prod)",
            "ENV=$(pulumi stack output webEnvironmentName --stack prod)",
        ],
        PULUMI,
    ),
    **dict.fromkeys(
        [
            "aws secretsmanager create-secret --name webmodel/prod/stripe-key "
            "--secret-string '...'",
            'aws elasticbeanstalk create-application-version --application-name "$APP" '
            '--version-label "$PREVIOUS-rollback" '
            '--source-bundle S3Bucket="$BUCKET",S3Key="bundles/$PREVIOUS.zip"',
            "aws elasticbeanstalk delete-application-version",
            "aws elasticbeanstalk describe-platform-version",
            'aws elasticbeanstalk update-environment --environment-name "$ENV" '
            '--version-label "$PREVIOUS-rollback"',
            "aws elasticbeanstalk update-environment --environment-name <env> "
            "--version-label <label>",
            "eb setenv",
            "sudo bash apps/model/ami/provision.sh",
        ],
        AWS,
    ),
    **dict.fromkeys(
        [
            '.venv/bin/verify --stack "$STACK" --outputs "$RUNNER_TEMP/outputs.json"',
            ".venv/bin/verify --stack dev",
            ".venv/bin/verify --stack prod --outputs outputs.json --region ap-northeast-2",
            ".venv/bin/verify --stack prod --slot green",
        ],
        VERIFY_REASON,
    ),
    **dict.fromkeys(
        [
            "git revert",
            "git revert <commit>",
            "git switch main",
            "git switch my-change",
            'git worktree add --detach "$RUNNER_TEMP/base" "$BASE_SHA"',
        ],
        GIT,
    ),
    **dict.fromkeys(
        [
            ".venv/bin/python apps/model/dev_server.py --port 8001 &",
            "cd apps/web && PYTHONPATH=../shared MODEL_URL=http://127.0.0.1:8001 "
            "../../.venv/bin/uvicorn --factory webapp.main:create_app --port 8000",
            "curl -s localhost:8000/predict -H 'content-type: application/json' "
            """-d '{"inputs": [[1, 2, 3, 4]]}'""",
        ],
        SERVER,
    ),
    **dict.fromkeys(
        [
            "cd apps/model/eb && MODEL_REPOSITORY=s3://bucket/prefix AWS_DEFAULT_REGION=... "
            "docker compose up",
            ".venv/bin/python -c 'from pathlib import Path; from components.bundle import "
            'build_bundle; print(build_bundle(Path("apps/web"), app="web", '
            'out_dir=Path(".bundles")).path)\'',
            "unzip -o -d /tmp/web-bundle .bundles/web-<sha12>.zip && "
            "docker build -t webapp /tmp/web-bundle",
        ],
        DOCKER,
    ),
    **dict.fromkeys(
        [
            ".venv/bin/pytest -q tests/apps/test_web.py tests/apps/test_model.py "
            "tests/apps/test_shared.py tests/components/test_bundles.py",
            ".venv/bin/pytest -q tests/apps/test_web.py tests/components/test_bundles.py",
            ".venv/bin/python apps/model/make_example_model.py --check",
        ],
        TESTS,
    ),
    **dict.fromkeys(
        [
            ".venv/bin/python -m scripts.refresh_prices",
            ".venv/bin/python -m scripts.refresh_prices --offline",
            ".venv/bin/python -m scripts.gen_forcenew ../terraform-provider-aws --version v6.x.y "
            "> preflight/plan/forcenew.json",
            ".venv/bin/python -m scripts.gen_forcenew TREE --version NOTE --provenance files.json "
            "> preflight/plan/forcenew.json",
            ".venv/bin/python -m scripts.gen_diffrules TREE --repository "
            "github.com/pulumi/terraform-provider-aws --ref patched-v5.14.0 --commit "
            "122a58103640826a4793ef37353289632b78452b > preflight/plan/diffrules.json",
        ],
        GENERATOR,
    ),
    ".venv/bin/python -m components.config.reference": REFERENCE,
}


def _key(shown: Shown, workspace: Workspace) -> tuple[str, ...]:
    module, spelling = shown.tool() or ("", 0)
    return (module, *shown.argv(workspace.variables())[spelling:])


@pytest.mark.parametrize("shown", RUN, ids=lambda s: f"{s.doc}:{s.line}")
def test_every_command_shown_runs_without_bad_input(
    shown: Shown, workspace: Workspace, run_once: Callable[[tuple[str, ...]], Run]
) -> None:
    run = run_once(_key(shown, workspace))
    assert "unrecognized arguments" not in run.stderr, f"{shown.where}: {run.stderr}"
    assert run.code != 2, f"{shown.where} exited 2 (bad input): {run.stderr}"
    if shown.output is not None and shown.block is None:
        assert run.stdout.rstrip("\n").splitlines() == list(shown.output), (
            f"{shown.where}: the output shown is not what it prints now"
        )


@pytest.mark.parametrize("shown", VERIFY, ids=lambda s: f"{s.doc}:{s.line}")
def test_every_verify_command_shown_is_accepted_by_its_parser(
    shown: Shown, workspace: Workspace
) -> None:
    try:
        verify_parser().parse_args(_key(shown, workspace)[1:])
    except InputError as exc:
        pytest.fail(f"{shown.where}: {exc}")


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


@pytest.mark.parametrize("shown", MENTIONS, ids=lambda s: f"{s.doc}:{s.line}")
def test_every_mention_names_flags_of_its_command(shown: Shown) -> None:
    parser = cli._parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    command = commands.choices[str(shown.mention())]
    named = {word for word in shown.words if word.startswith("--")}
    misplaced = named & _flags(parser) - _flags(command)
    assert not misplaced, f"{shown.where}: {sorted(misplaced)} go before the command"
    assert named <= _flags(command), f"{shown.where}: not flags of it: {named - _flags(command)}"


def test_commands_not_run_are_the_pinned_ones_each_with_its_reason() -> None:
    not_run = {s.text for s in SHOWN if not s.mention() and s not in RUN}
    assert sorted(not_run - set(NOT_RUNNABLE)) == [], "shown, neither run nor pinned here"
    assert sorted(set(NOT_RUNNABLE) - not_run) == [], "pinned here, no longer shown"


def test_the_scanner_sees_what_the_docs_show() -> None:
    """Guards the finder: run, parsed, mentioned and pinned commands are all found."""
    texts = {s.text: s for s in SHOWN}
    plan = texts[".venv/bin/preflight preview --stack prod --base base-prod.json"]
    assert plan.tool() == ("preflight", 1)
    assert texts[".venv/bin/python -m preflight.gate plan-prod.json"] in RUN
    assert texts[".venv/bin/verify --stack prod --slot green"] in VERIFY
    assert any(s.text == "preview --base" for s in MENTIONS)
    assert any(s.block == "pull-request-plan" and s.output for s in RUN)
    assert len(RUN) >= 15


def test_the_usage_file_is_the_one_docs_costs_md_shows() -> None:
    shown = (ROOT / "docs" / "costs.md").read_text(encoding="utf-8")
    assert f"```json\n{json.dumps(USAGE_EXAMPLE)}\n```" in shown


def test_a_broken_example_is_caught(workspace: Workspace) -> None:
    """The drift docs/pull-requests.md once had: `--project-dir` after the command."""
    run = workspace.preflight("preview", "--project-dir", "base", "--stack", "prod")
    assert run.code == 2
    assert "unrecognized arguments: --project-dir" in run.stderr
    mention = Shown("x.md", 1, "preview --project-dir base --stack prod")
    with pytest.raises(AssertionError, match="go before the command"):
        test_every_mention_names_flags_of_its_command(mention)
