"""`python -m verify --stack NAME [--outputs FILE] [--region R] [--slot NAME]
[--policy-pack-config FILE]` (also `make verify STACK=`).

Exit codes, as preflight: 0 every enforced guarantee holds (advisory ones may warn), 1 at
least one is broken, 2 bad input or an AWS call that failed (one line on stderr naming what
is wrong, no traceback)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from botocore.exceptions import BotoCoreError

from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import read_yaml
from verify.aws import AwsCallFailed, Clients, describe_failure
from verify.enforcement import load_enforcement
from verify.outputs import (
    REPO_ROOT,
    StackOutputs,
    load_outputs_automation,
    load_outputs_file,
)
from verify.report import exit_code, write_report
from verify.runner import stage_of, verify_stack

ClientFactory = Callable[[str], Clients]

_STAGE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
"""Pulumi's rule for a stack name (the part after any `org/project/`); checked before the
name becomes part of a path (Pulumi.<stage>.yaml, policies/config/<stage>.json)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(
            f"{message} (usage: python -m verify --stack NAME [--outputs FILE] [--region R] "
            "[--slot NAME] [--policy-pack-config FILE])"
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
    parser.add_argument(
        "--slot",
        metavar="NAME",
        help="check blue/green slot NAME of every role that has it (health, version, private "
        "subnets) and that each switch record points at the live slot, instead of the whole "
        "stack",
    )
    parser.add_argument(
        "--policy-pack-config",
        type=Path,
        help="the pack config the stack is deployed with: it decides which guarantees fail "
        "the run and which only warn (default: policies/config/<stage>.json)",
    )
    return parser


def aws_clients(region: str) -> Clients:
    """Real clients; credentials come from the usual chain (env, profile, OIDC role)."""
    import boto3

    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        raise InputError(
            "no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY (in CI: aws-actions/configure-aws-credentials)"
        )
    return Clients(
        elasticbeanstalk=session.client("elasticbeanstalk"),
        ec2=session.client("ec2"),
        elbv2=session.client("elbv2"),
        rds=session.client("rds"),
        route53=session.client("route53"),
        sqs=session.client("sqs"),
    )


def stack_config_region(stage: str, work_dir: Path = REPO_ROOT) -> str | None:
    """`aws:region` from Pulumi.<stage>.yaml: where `pulumi up` deployed the stack."""
    path = work_dir / f"Pulumi.{stage}.yaml"
    if not path.is_file():
        return None
    data = read_yaml(path)  # the same bounded reader preflight uses for the stack files
    config = data.get("config")
    if not isinstance(config, dict):
        return None
    region = config.get("aws:region")
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
        if not _STAGE_NAME.fullmatch(stage):
            raise InputError(
                f"stack name {stack!r}: the stack part after the last '/' must be 1 to 100 "
                "letters, digits, '-', '_' or '.' (Pulumi's stack-name rule)"
            )
        enforcement = load_enforcement(stage, args.policy_pack_config)
        outputs: StackOutputs = (
            load_outputs_file(args.outputs)
            if args.outputs is not None
            else load_outputs_automation(stack)
        )
        region = args.region or stack_config_region(stage) or default_region()
        if not region:
            raise InputError(
                f"no AWS region: pass --region or set aws:region in Pulumi.{stage}.yaml"
            )
        results = verify_stack(outputs, enforcement, make_clients(region), args.slot)
    except (InputError, AwsCallFailed) as problem:
        err.write(f"verify: error: {problem}\n")
        return 2
    except BotoCoreError as problem:
        # Setting up AWS (profile, config file, region, clients): every call itself is
        # guarded and raises AwsCallFailed instead.
        reason, _ = describe_failure(problem)
        err.write(
            f"verify: error: AWS configuration: {reason} (check AWS_PROFILE, "
            "AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)\n"
        )
        return 2
    write_report(stack, region, results, out)
    return exit_code(results)
