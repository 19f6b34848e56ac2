"""The real-CLI path through the Pulumi Automation API: `pulumi preview` of this project
with the policy pack and its stage config, exactly as CI runs it, and (opt-in, it costs
money and ~30 minutes) `up` + verify + `destroy` of a throwaway stack.

Needs the Pulumi CLI and AWS credentials; skipped with the reason otherwise. The project is
copied to a temporary folder and run against a local file backend there, so the test never
touches the repository's stack files or a shared backend."""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "integration-test-only"

pytestmark = pytest.mark.integration


def aws_credentials_available() -> bool:
    """Look for credentials without any network call: the chain minus the EC2 metadata
    and container providers (which would make HTTP requests)."""
    if os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        return True
    import botocore.session

    session = botocore.session.get_session()
    resolver = session.get_component("credential_provider")
    for provider in ("iam-role", "container-role"):
        resolver.remove(provider)
    try:
        return resolver.load_credentials() is not None
    except Exception:  # a broken profile is "no usable credentials" here
        return False


def skip_reason() -> str | None:
    if shutil.which("pulumi") is None:
        return "the Pulumi CLI is not on PATH (install it to run the real preview)"
    if not aws_credentials_available():
        return "no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
    return None


_REASON = skip_reason()
requires_cli_and_aws = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


def copy_project(dest: Path, stack: str, stage: str) -> Path:
    """The project without caches; the venv is linked, the stage's config reused."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"
    )
    project = dest / "project"
    shutil.copytree(REPO, project, ignore=ignore)
    (project / ".venv").symlink_to(REPO / ".venv", target_is_directory=True)
    if stack != stage:
        shutil.copy(project / f"Pulumi.{stage}.yaml", project / f"Pulumi.{stack}.yaml")
    return project


def workspace_options(backend: Path) -> auto.LocalWorkspaceOptions:
    backend.mkdir(parents=True, exist_ok=True)
    return auto.LocalWorkspaceOptions(
        env_vars={
            "PULUMI_BACKEND_URL": backend.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }
    )


@pytest.fixture
def preview_stack(tmp_path: Path) -> Iterator[tuple[auto.Stack, Path]]:
    project = copy_project(tmp_path, "dev", "dev")
    opts = workspace_options(tmp_path / "state")
    stack = auto.create_or_select_stack(
        stack_name="dev",
        work_dir=str(project),
        opts=opts,
    )
    yield stack, project
    stack.workspace.remove_stack("dev", force=True)


@requires_cli_and_aws
def test_real_preview_with_the_policy_pack(preview_stack: tuple[auto.Stack, Path]) -> None:
    """A mandatory violation makes `pulumi preview` fail (CommandError), so passing here
    means the pack ran and found none; the plan creates both EB environments and RDS."""
    stack, project = preview_stack
    output: list[str] = []
    result = stack.preview(
        policy_packs=[str(project / "policies")],
        policy_pack_configs=[str(project / "policies" / "config" / "dev.json")],
        on_output=output.append,
        color="never",
    )
    text = "\n".join(output)
    assert result.change_summary.get(auto.OpType.CREATE, 0) > 0, text
    assert "aws:elasticbeanstalk/environment:Environment" in text
    assert "aws:rds/instance:Instance" in text
    assert "Policies:" in text  # the CLI lists the packs it ran


@requires_cli_and_aws
@pytest.mark.skipif(
    os.environ.get("WEBMODEL_IT_UP") != "1",
    reason="set WEBMODEL_IT_UP=1 to create, verify and destroy a real throwaway stack",
)
def test_up_verify_destroy_a_throwaway_stack(tmp_path: Path) -> None:
    from verify.cli import aws_clients, main

    name = f"it-{uuid.uuid4().hex[:8]}-dev"
    project = copy_project(tmp_path, name, "dev")
    stack = auto.create_stack(
        stack_name=name,
        work_dir=str(project),
        opts=workspace_options(tmp_path / "state"),
    )
    pack = [str(project / "policies")]
    config = [str(project / "policies" / "config" / "dev.json")]
    try:
        stack.up(policy_packs=pack, policy_pack_configs=config, on_output=print)
        outputs = {k: v.value for k, v in stack.outputs().items()}
        outputs_file = tmp_path / "outputs.json"
        outputs_file.write_text(json.dumps(outputs), encoding="utf-8")
        out = io.StringIO()
        code = main(
            ["--stack", name, "--outputs", str(outputs_file), "--policy-pack-config", config[0]],
            make_clients=aws_clients,
            out=out,
        )
        assert code == 0, out.getvalue()
    finally:
        stack.destroy(on_output=print)
        stack.workspace.remove_stack(name, force=True)
