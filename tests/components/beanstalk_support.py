"""What the Beanstalk environment tests share: `EnvironmentArgs` for a role as the program
builds them from a stack config (`environment_args`, with the web tier's wired properties and
secret), and an `Environment` built from them under the simulated AWS (`environment`). Used by
tests/components/test_beanstalk.py, test_slots.py and test_config_hardening.py."""

from __future__ import annotations

from typing import Any

from components.beanstalk.args import EnvironmentArgs, WiredProperty
from components.beanstalk.environment import Environment
from components.config import LoadBalancedConfig, parse_stack_config
from components.config.args import environment_args as config_environment_args
from components.config.args import load_balancer
from tests.program_fixtures import Recording, run

SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webmodel/dev/session-Ab12Cd"


def environment_args(role: Any = "web", **settings: Any) -> EnvironmentArgs:
    config = parse_stack_config({role: settings})
    extra: dict[str, Any] = {}
    if role == "web":
        extra = {
            "wired_properties": {
                "MODEL_URL": WiredProperty("http://model.internal.example", 128),
                "DB_HOST": WiredProperty("db.example", 128),
            },
            "wired_secrets": {"DB_CREDENTIALS": SECRET.replace("session", "rds-db")},
        }
    lb_settings = config.environment(role)
    assert isinstance(lb_settings, LoadBalancedConfig)
    return config_environment_args(
        role,
        lb_settings,
        config.platform,
        application_name="webmodel-dev",
        solution_stack_name="64bit Amazon Linux 2023 v4.5.2 running Docker",
        service_role_arn="arn:aws:iam::123456789012:role/eb-service",
        vpc_id="vpc-1",
        instance_subnet_ids=["subnet-priv-a", "subnet-priv-b"],
        instance_security_group_id=f"sg-{role}-instances",
        load_balancer=load_balancer(
            lb_settings,
            scheme="public" if role == "web" else "internal",
            subnet_ids=(
                ["subnet-pub-a", "subnet-pub-b"]
                if role == "web"
                else ["subnet-priv-a", "subnet-priv-b"]
            ),
            security_group_id=f"sg-{role}-lb",
        ),
        name_prefix="webmodel-dev",
        **extra,
    )


def environment(args: EnvironmentArgs) -> tuple[Recording, dict[str, Any]]:
    def build() -> dict[str, Any]:
        env = Environment(args.role, args)
        return {"url": env.url, "name": env.name, "cname": env.cname}

    result = run(build)
    return result.aws, result.values
