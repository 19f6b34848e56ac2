"""`aws:` keys and regions are checked against the installed AWS provider SDK and botocore's
endpoint data: a typo or a region AWS does not have is refused, naming the key."""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest

from components.config import ConfigError, load_stack_config
from components.config.aws_provider import provider_key_problems, provider_keys, regions
from components.config.secrets import region_problem
from tests.preflight_support import copy_project, preflight


def test_the_provider_keys_are_the_sdks_own() -> None:
    from pulumi_aws.config import vars as provider_config

    snake = {name for name in dir(provider_config._ExportableConfig) if not name.startswith("_")}
    camel = {
        key[0] + "".join(c if c.islower() or c.isdigit() else f"_{c.lower()}" for c in key[1:])
        for key in provider_keys()
    }
    assert camel == snake
    assert {
        "region",
        "profile",
        "defaultTags",
        "assumeRoles",
        "skipCredentialsValidation",
    } <= provider_keys()


def test_the_regions_are_botocores_of_every_partition() -> None:
    session = botocore.session.get_session()
    listed = {
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("ec2", partition_name=partition)
    }
    assert listed <= regions()
    assert {"ap-northeast-2", "us-gov-west-1", "cn-north-1"} <= regions()
    assert "ap-northeast-9" not in regions()


@pytest.mark.parametrize(
    ("region", "problem"),
    [
        ("ap-northeast-2", None),
        ("eusc-de-east-1", None),
        (
            "ap-northeast-9",
            f"must be a region AWS has; 'ap-northeast-9' is none of the {len(regions())} in "
            "botocore's endpoint data (did you mean 'ap-northeast-3'?)",
        ),
        ("ap-northeast", "must be an AWS region code like ap-northeast-2 (got 'ap-northeast')"),
    ],
)
def test_a_region_aws_does_not_have_is_refused(region: str, problem: str | None) -> None:
    assert region_problem(region) == problem


def test_an_unknown_aws_key_is_refused_naming_the_closest() -> None:
    assert provider_key_problems({"aws:profil": "x", "aws:region": "y", "webmodel:web": "{}"}) == [
        f"aws:profil: not a config key of the AWS provider (did you mean 'aws:profile'?); it "
        f"reads {len(provider_keys())} keys (pulumi-aws's configuration reference lists them)"
    ]
    with pytest.raises(ConfigError) as refused:
        load_stack_config({"aws:region": "ap-northeast-2", "aws:regoin": "ap-northeast-2"})
    assert refused.value.problems[0].startswith(
        "aws:regoin: not a config key of the AWS provider (did you mean 'aws:region'?)"
    )


def test_preflight_names_both_in_one_report(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: ap-northeast-9\n  aws:profil: dev\n", encoding="utf-8"
    )
    run = preflight("--project-dir", project, "preview", "--stack", "dev")
    assert run.code == 2
    assert run.stderr.splitlines() == [
        "preflight: error: Pulumi.dev.yaml: 2 problems:",
        f"    aws:region: must be a region AWS has; 'ap-northeast-9' is none of the "
        f"{len(regions())} in botocore's endpoint data (did you mean 'ap-northeast-3'?)",
        f"    aws:profil: not a config key of the AWS provider (did you mean 'aws:profile'?); "
        f"it reads {len(provider_keys())} keys (pulumi-aws's configuration reference lists them)",
    ]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (
            {"web": {"env": {"A": "x\x00y"}}},
            "webmodel:web.env.A: holds a NUL character, which no environment variable can hold "
            '(got "x\\u0000y")',
        ),
        (
            {"web": {"scaling": {"upperThreshold": float("nan")}}},
            "webmodel:web.scaling.upperThreshold: must be a finite number (a CloudWatch alarm "
            "threshold) (got NaN)",
        ),
        (
            {"model": {"env": {"A": float("inf")}}},
            "webmodel:model.env.A: must be a finite number (EB stores environment values as text) "
            "(got Infinity)",
        ),
    ],
    ids=["nul-in-env", "nan-threshold", "inf-in-env"],
)
def test_values_no_aws_field_can_hold_are_refused_naming_the_key(
    raw: dict[str, object], problem: str
) -> None:
    from components.config import parse_stack_config

    with pytest.raises(ConfigError) as refused:
        parse_stack_config(raw)
    assert refused.value.problems == [problem]
