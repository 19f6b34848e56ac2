"""The Elastic Beanstalk rules on what an environment is: the model environment stays internal
(eb-model-environment-internal), capacity spans two AZs and two instances
(eb-multi-az-capacity), and the single-option rules (eb-imdsv2-required, eb-enhanced-health,
eb-managed-platform-updates, eb-deployment-policy-safe) with EB's default when an option is
unset. Mirrors policies/guardrails/beanstalk.py and eb_options.py (placement:
test_network.py; properties: test_env_properties.py; templates: test_templates.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.messages import FIX_PRIVATE, IS_NOT_KNOWN, PUBLIC_SUBNETS, SPLIT_ROUTES
from tests.policies.stacks import (
    BASE,
    ENV,
    PRIVATE_IDS,
    SPLIT_WORLD,
    TEMPLATE,
    UNKNOWN,
    eb_environment,
    eb_resource,
    setting,
    vpc,
)
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

API = urn(ENV, "api")
TRITON = urn(ENV, "triton")
ASG = "aws:autoscaling:asg"
ENV_TYPE = "aws:elasticbeanstalk:environment"
PUBLIC_MODEL = (
    f"{ENV} 'triton' (role=model): aws:ec2:vpc ELBScheme is 'public'; the model server must only "
    "be reachable inside the VPC: set ELBScheme to 'internal'"
)


def model(*more: dict[str, Any], elb_subnets: str = PRIVATE_IDS, **extra: str) -> Res:
    settings = [*vpc(PRIVATE_IDS, elb_subnets=elb_subnets, **extra), *more]
    return eb_environment(settings, "model", "triton")


def by_provider_default_tags(env: Res) -> Res:
    """The role tag set through the provider's default tags: only in tagsAll."""
    return Res(env.type, env.name, {**env.props, "tags": {}, "tagsAll": {"role": "model"}})


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param(model(ELBScheme="internal"), PASS, id="internal-in-private-subnets"),
        pytest.param(
            eb_environment(vpc(PRIVATE_IDS, ELBScheme="public")),
            PASS,
            id="the-web-role-may-have-a-public-load-balancer",
        ),
        pytest.param(
            model(ELBScheme="public"), fails(PUBLIC_MODEL, at=TRITON), id="public-load-balancer"
        ),
        pytest.param(
            by_provider_default_tags(model(ELBScheme="public")),
            fails(PUBLIC_MODEL, at=TRITON),
            id="a-role-from-provider-default-tags-counts",
        ),
        pytest.param(
            model(elb_subnets="subnet-pub", ELBScheme="internal"),
            fails(f"{ENV} 'triton': aws:ec2:vpc ELBSubnets {PUBLIC_SUBNETS}", at=TRITON),
            id="an-internal-load-balancer-in-a-public-subnet",
        ),
        pytest.param(
            model(elb_subnets="subnet-priva,subnet-split", ELBScheme="internal"),
            fails(
                f"{ENV} 'triton': aws:ec2:vpc ELBSubnets includes public subnets: "
                f"{SPLIT_ROUTES}. {FIX_PRIVATE}",
                at=TRITON,
            ),
            id="an-internal-load-balancer-in-a-subnet-routed-to-the-igw-in-two-halves",
        ),
        pytest.param(
            model(setting(ENV_TYPE, "EnvironmentType", "SingleInstance"), ELBScheme="internal"),
            fails(
                f"{ENV} 'triton' (role=model): aws:elasticbeanstalk:environment EnvironmentType "
                "is 'SingleInstance', which gives the instance an Elastic IP and a public "
                "endpoint; use 'LoadBalanced' with an internal load balancer",
                at=TRITON,
            ),
            id="a-single-instance-environment",
        ),
    ],
)
def test_the_model_environment_is_internal(env: Res, expected: Outcome) -> None:
    assert check("eb-model-environment-internal", *BASE, *SPLIT_WORLD, env) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param(
            eb_environment([*vpc(PRIVATE_IDS), setting(ASG, "MinSize", "2")]),
            PASS,
            id="two-azs-and-two-instances",
        ),
        pytest.param(
            eb_environment([*vpc("subnet-priva"), setting(ASG, "MinSize", "1")]),
            Outcome(
                [
                    (
                        f"{ENV} 'api': aws:autoscaling:asg MinSize is '1'; run at least 2 "
                        "instances so one AZ or instance can fail",
                        API,
                    ),
                    (
                        f"{ENV} 'api': aws:ec2:vpc Subnets span 1 availability zone(s) "
                        "(ap-northeast-2a); use subnets in at least 2 AZs",
                        API,
                    ),
                ]
            ),
            id="one-az-and-one-instance",
        ),
    ],
)
def test_capacity_spans_two_azs_and_two_instances(env: Res, expected: Outcome) -> None:
    assert check("eb-multi-az-capacity", *BASE, env) == expected


# -- single options: the good value, the bad one, an unknown one, and unset ------------------

SINGLE_OPTIONS = [
    (
        "eb-imdsv2-required",
        "aws:autoscaling:launchconfiguration",
        "DisableIMDSv1",
        "true",
        "false",
        "is 'false'; set it to 'true' so instance credentials need an IMDSv2 session token",
    ),
    (
        "eb-enhanced-health",
        "aws:elasticbeanstalk:healthreporting:system",
        "SystemType",
        "enhanced",
        "basic",
        "is 'basic'; set it to 'enhanced' for instance-level health and health-based rollouts",
    ),
    (
        "eb-managed-platform-updates",
        "aws:elasticbeanstalk:managedactions",
        "ManagedActionsEnabled",
        "true",
        "false",
        "is 'false'; set it to 'true' (with a PreferredStartTime) so security patches are applied",
    ),
    (
        "eb-deployment-policy-safe",
        "aws:elasticbeanstalk:command",
        "DeploymentPolicy",
        "Immutable",
        "AllAtOnce",
        "is 'AllAtOnce': a failed deploy takes every instance down at once; use 'Immutable' "
        "or 'RollingWithAdditionalBatch' (or 'Rolling')",
    ),
]


def one_option(namespace: str, name: str, value: str) -> Res:
    return eb_resource([setting(namespace, name, value)])


OPTION_CASES = [
    case
    for policy, namespace, name, good, bad, message in SINGLE_OPTIONS
    for case in (
        pytest.param(policy, one_option(namespace, name, good), PASS, id=f"{policy}-{good}"),
        pytest.param(
            policy,
            one_option(namespace, name, bad),
            fails(f"{ENV} 'api': {namespace} {name} {message}", at=API),
            id=f"{policy}-{bad}",
        ),
        pytest.param(
            policy,
            one_option(namespace, name, UNKNOWN),
            undecided(f"{ENV} 'api': {namespace} {name} {IS_NOT_KNOWN}"),
            id=f"{policy}-unknown",
        ),
    )
]
UNSET_CASES = [
    pytest.param(
        "eb-imdsv2-required",
        eb_resource([]),
        fails(
            f"{ENV} 'api': aws:autoscaling:launchconfiguration DisableIMDSv1 is not set (EB uses "
            "'false'); set it to 'true' so instance credentials need an IMDSv2 session token",
            at=API,
        ),
        id="eb-imdsv2-required-unset-on-an-environment",
    ),
    pytest.param(
        "eb-imdsv2-required",
        eb_resource([], "r", TEMPLATE),
        PASS,
        id="eb-imdsv2-required-unset-on-a-template",
    ),
    pytest.param(
        "eb-deployment-policy-safe",
        eb_resource([]),
        fails(
            f"{ENV} 'api': aws:elasticbeanstalk:command DeploymentPolicy is not set (EB uses "
            "'AllAtOnce'): a failed deploy takes every instance down at once; use 'Immutable' or "
            "'RollingWithAdditionalBatch' (or 'Rolling')",
            at=API,
        ),
        id="eb-deployment-policy-safe-unset-is-all-at-once",
    ),
]


@pytest.mark.parametrize(("policy", "resource", "expected"), OPTION_CASES + UNSET_CASES)
def test_single_option_rules(policy: str, resource: Res, expected: Outcome) -> None:
    assert check(policy, resource) == expected
