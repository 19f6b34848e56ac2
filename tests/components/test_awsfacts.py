"""The components read the AWS facts the policy pack judges with (policies/awsfacts/), the very
objects, not copies: EB's 4 KB limit and how it counts `key=value`, the portable key pattern,
the option namespaces, SQS's and sqsd's bounds."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import awsfacts.eb
import awsfacts.sqs
import pytest
from guardrails import envprops

from components import rules
from components.beanstalk.args import EnvironmentArgs
from components.beanstalk.options import environment_settings
from components.config import args, roles
from components.config.models import PlatformConfig
from components.config.roles import WebConfig, WorkerConfig

ROOT = Path(__file__).resolve().parents[2]
FACTS = [value for name, value in vars(awsfacts.eb).items() if name.endswith("_NS")]


def test_the_budget_is_the_packs():
    assert rules.ENV_PROPERTY_LIMIT_BYTES is awsfacts.eb.LIMIT_BYTES is envprops.LIMIT_BYTES
    assert rules.ENV_KEY_PATTERN is awsfacts.eb.PORTABLE_KEY_PATTERN
    assert rules.property_bytes is awsfacts.eb.entry_size
    assert rules.budget_problem("k", {"A": "x" * 4094}, {}) is None  # "A=" + 4,094 = 4,096
    assert rules.budget_problem("k", {"A": "x" * 4095}, {}) is not None


def test_worker_bounds_are_the_facts():
    fields = roles.WorkerConfig.model_fields
    bounds = {
        name: {type(m).__name__: m for m in fields[name].metadata}
        for name in ("processing_timeout_seconds", "max_receive_count")
    }
    assert bounds["processing_timeout_seconds"]["Le"].le is awsfacts.eb.MAX_INACTIVITY_SECONDS
    assert bounds["max_receive_count"]["Le"].le is awsfacts.sqs.MAX_RECEIVE_COUNT


SSM = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/s"
CERTIFICATE = "arn:aws:acm:ap-northeast-2:123456789012:certificate/" + "0" * 36
WHERE: dict[str, Any] = {
    "application_name": "app",
    "solution_stack_name": "64bit Amazon Linux 2023 v4.5.2 running Docker",
    "service_role_arn": "arn:aws:iam::123456789012:role/eb-service",
    "vpc_id": "vpc-1",
    "instance_subnet_ids": ["subnet-a"],
    "instance_security_group_id": "sg-1",
}


def web_server() -> EnvironmentArgs:
    web = WebConfig(certificate_arn=CERTIFICATE, env={"A": "b"}, secrets={"S": SSM})
    balancer = args.load_balancer(
        web, scheme="public", subnet_ids=["subnet-p"], security_group_id="sg-lb"
    )
    return args.environment_args("web", web, PlatformConfig(), load_balancer=balancer, **WHERE)


def worker() -> EnvironmentArgs:
    settings = WorkerConfig(env={"A": "b"}, secrets={"S": SSM})
    daemon = args.worker_daemon(settings, queue_url="https://sqs/q", queue_arn="arn:q")
    return args.environment_args("worker", settings, PlatformConfig(), worker=daemon, **WHERE)


def _settings(environment: EnvironmentArgs) -> list[Any]:
    """The option settings, built on an event loop of their own (their values are Outputs),
    which runs the Outputs' tasks to the end before it closes."""

    async def build() -> list[Any]:
        return environment_settings(environment, "profile")

    loop = asyncio.new_event_loop()
    try:
        settings = loop.run_until_complete(build())
        loop.run_until_complete(asyncio.gather(*asyncio.all_tasks(loop)))
        return settings
    finally:
        loop.close()


@pytest.mark.parametrize("environment", [web_server, worker])
def test_every_option_namespace_written_is_the_packs(environment):
    namespaces = [str(setting.namespace) for setting in _settings(environment())]
    assert {awsfacts.eb.ENV_PROPERTIES_NS, awsfacts.eb.ENV_SECRETS_NS} <= set(namespaces)
    assert all(any(ns is fact for fact in FACTS) for ns in namespaces), sorted(set(namespaces))


def test_the_facts_import_without_the_packs_folder_on_the_path():
    """Under a real `pulumi up` only the project folder is on sys.path: importing the
    components puts policies/ there, as verify does, without pulumi_policy."""
    probe = (
        "import sys; import components.rules; import awsfacts.eb; "
        "print(awsfacts.eb.__file__, 'pulumi_policy' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    where, policy_sdk = run.stdout.split()
    assert Path(where) == ROOT / "policies" / "awsfacts" / "eb.py"
    assert policy_sdk == "False"
