"""`python -m verify --stack NAME [--outputs FILE] [--region R]` (also `make verify STACK=`).

Exit codes, as preflight: 0 every guarantee holds, 1 at least one is broken, 2 bad input
(one line on stderr naming what is wrong, no traceback)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import yaml
from botocore.exceptions import BotoCoreError, NoCredentialsError, NoRegionError

from verify.checks import Clients
from verify.outputs import (
    REPO_ROOT,
    BadInput,
    StackOutputs,
    load_outputs_automation,
    load_outputs_file,
)
from verify.report import exit_code, write_report
from verify.runner import stage_of, verify_stack

ClientFactory = Callable[[str], Clients]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise BadInput(
            f"{message} (usage: python -m verify --stack NAME [--outputs FILE] [--region R])"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m verify",
        description="Check a deployed stack's live AWS resources against the policy guarantees.",
    )
    parser.add_argument("--stack", required=True, help="stack name, e.g. dev or acme/prod")
    parser.add_argument(
        "--outputs",
        type=Path,
        help="a `pulumi stack output --json --show-secrets` file (default: Automation API)",
    )
    parser.add_argument(
        "--region", help="AWS region (default: aws:region of Pulumi.<stage>.yaml, then AWS env)"
    )
    return parser


def aws_clients(region: str) -> Clients:
    """Real clients; credentials come from the usual chain (env, profile, OIDC role)."""
    import boto3

    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        raise BadInput(
            "no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY (in CI: aws-actions/configure-aws-credentials)"
        )
    return Clients(
        elasticbeanstalk=session.client("elasticbeanstalk"),
        ec2=session.client("ec2"),
        elbv2=session.client("elbv2"),
        rds=session.client("rds"),
    )


def stack_config_region(stage: str, work_dir: Path = REPO_ROOT) -> str | None:
    """`aws:region` from Pulumi.<stage>.yaml: where `pulumi up` deployed the stack."""
    path = work_dir / f"Pulumi.{stage}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    config = data.get("config") if isinstance(data, dict) else None
    region = config.get("aws:region") if isinstance(config, dict) else None
    return region if isinstance(region, str) and region else None


def default_region() -> str | None:
    import boto3

    return boto3.Session().region_name


def main(
    argv: Sequence[str] | None = None,
    *,
    make_clients: ClientFactory = aws_clients,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        stack: str = args.stack
        stage = stage_of(stack)
        if not stage:
            raise BadInput(f"stack name {stack!r} has no stage after its last '/'")
        outputs: StackOutputs = (
            load_outputs_file(args.outputs)
            if args.outputs is not None
            else load_outputs_automation(stack)
        )
        region = args.region or stack_config_region(stage) or default_region()
        if not region:
            raise BadInput(f"no AWS region: pass --region or set aws:region in Pulumi.{stage}.yaml")
        results = verify_stack(outputs, stage, make_clients(region))
    except BadInput as problem:
        err.write(f"verify: error: {problem}\n")
        return 2
    except (NoCredentialsError, NoRegionError) as problem:
        err.write(f"verify: error: {problem}; configure AWS credentials and region\n")
        return 2
    except BotoCoreError as problem:
        err.write(f"verify: error: cannot reach AWS: {problem}\n")
        return 2
    write_report(stack, region, results, out)
    return exit_code(results)
