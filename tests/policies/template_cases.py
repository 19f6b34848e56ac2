"""The setting-based rules as a generated class, for the template tests: a model environment
every rule passes (GOOD), and per rule and option the violating value with its exact message and
whether the rule also judges a template's own values (CASES); an environment launched from a
configuration template, each with the option settings given; the 4 KB budget's rule, which reads
the same merged settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.policies.messages import PUBLIC_SUBNETS
from tests.policies.stacks import ENV, PRIVATE_IDS, TEMPLATE, setting
from tests.policies.support import Res, urn

FROM_TEMPLATE = " (set by its configuration template 'base')"
API = urn(ENV, "api")
BASE_URN = urn(TEMPLATE, "base")

GOOD: dict[tuple[str, str], str] = {
    ("aws:ec2:vpc", "VPCId"): "vpc-01",
    ("aws:ec2:vpc", "Subnets"): PRIVATE_IDS,
    ("aws:ec2:vpc", "ELBSubnets"): PRIVATE_IDS,
    ("aws:ec2:vpc", "ELBScheme"): "internal",
    ("aws:ec2:vpc", "AssociatePublicIpAddress"): "false",
    ("aws:elasticbeanstalk:environment", "EnvironmentType"): "LoadBalanced",
    ("aws:autoscaling:asg", "MinSize"): "2",
    ("aws:autoscaling:launchconfiguration", "DisableIMDSv1"): "true",
    ("aws:elasticbeanstalk:command", "DeploymentPolicy"): "Immutable",
    ("aws:elasticbeanstalk:healthreporting:system", "SystemType"): "enhanced",
    ("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled"): "true",
    ("aws:autoscaling:launchconfiguration", "SSHSourceRestriction"): "tcp, 22, 22, sg-bastion",
}
"""A model environment every rule passes; each case replaces one option."""


@dataclass(frozen=True)
class Case:
    policy: str
    namespace: str
    name: str
    bad: str
    message: str
    """The violation, with {label} (the resource) and {where} (the origin note)."""
    judges_templates: bool
    """Whether the rule also judges a template's own values (the placement and single-option
    rules do; the model and capacity rules judge only environments)."""

    @property
    def good(self) -> str:
        return GOOD[(self.namespace, self.name)]

    @property
    def id(self) -> str:
        return f"{self.policy}:{self.name}"


CASES = [
    Case(
        "eb-imdsv2-required",
        "aws:autoscaling:launchconfiguration",
        "DisableIMDSv1",
        "false",
        "{label}: aws:autoscaling:launchconfiguration DisableIMDSv1 is 'false'{where}; set it "
        "to 'true' so instance credentials need an IMDSv2 session token",
        True,
    ),
    Case(
        "eb-deployment-policy-safe",
        "aws:elasticbeanstalk:command",
        "DeploymentPolicy",
        "AllAtOnce",
        "{label}: aws:elasticbeanstalk:command DeploymentPolicy is 'AllAtOnce'{where}: a failed "
        "deploy takes every instance down at once; use 'Immutable' or "
        "'RollingWithAdditionalBatch' (or 'Rolling')",
        True,
    ),
    Case(
        "eb-enhanced-health",
        "aws:elasticbeanstalk:healthreporting:system",
        "SystemType",
        "basic",
        "{label}: aws:elasticbeanstalk:healthreporting:system SystemType is 'basic'{where}; set "
        "it to 'enhanced' for instance-level health and health-based rollouts",
        True,
    ),
    Case(
        "eb-managed-platform-updates",
        "aws:elasticbeanstalk:managedactions",
        "ManagedActionsEnabled",
        "false",
        "{label}: aws:elasticbeanstalk:managedactions ManagedActionsEnabled is 'false'{where}; "
        "set it to 'true' (with a PreferredStartTime) so security patches are applied",
        True,
    ),
    Case(
        "eb-instances-in-private-subnets",
        "aws:ec2:vpc",
        "Subnets",
        "subnet-pub",
        "{label}: aws:ec2:vpc Subnets{where} " + PUBLIC_SUBNETS,
        True,
    ),
    Case(
        "eb-instances-in-private-subnets",
        "aws:ec2:vpc",
        "AssociatePublicIpAddress",
        "true",
        "{label}: aws:ec2:vpc AssociatePublicIpAddress is 'true'{where}; instances in private "
        "subnets need no public IP: remove it or set 'false'",
        True,
    ),
    Case(
        "eb-model-environment-internal",
        "aws:ec2:vpc",
        "ELBScheme",
        "public",
        "{label} (role=model): aws:ec2:vpc ELBScheme is 'public'{where}; the model server must "
        "only be reachable inside the VPC: set ELBScheme to 'internal'",
        False,
    ),
    Case(
        "eb-model-environment-internal",
        "aws:ec2:vpc",
        "ELBSubnets",
        "subnet-pub",
        "{label}: aws:ec2:vpc ELBSubnets{where} " + PUBLIC_SUBNETS,
        False,
    ),
    Case(
        "eb-model-environment-internal",
        "aws:elasticbeanstalk:environment",
        "EnvironmentType",
        "SingleInstance",
        "{label} (role=model): aws:elasticbeanstalk:environment EnvironmentType is "
        "'SingleInstance'{where}, which gives the instance an Elastic IP and a public endpoint; "
        "use 'LoadBalanced' with an internal load balancer",
        False,
    ),
    Case(
        "sg-no-world-ingress",
        "aws:autoscaling:launchconfiguration",
        "SSHSourceRestriction",
        "tcp, 22, 22, 0.0.0.0/0",
        "{label}: aws:autoscaling:launchconfiguration SSHSourceRestriction is 'tcp, 22, 22, "
        "0.0.0.0/0'{where}, so Elastic Beanstalk admits TCP port(s) 22 from 0.0.0.0/0 on the "
        "security group it creates for the instances; only TCP 80 and 443 may be open to the "
        "world. Set SSHSourceRestriction to 'tcp, 22, 22, <a bastion's security group ID or a "
        "known CIDR>', or remove EC2KeyName and use SSM Session Manager",
        False,
    ),
    Case(
        "eb-multi-az-capacity",
        "aws:autoscaling:asg",
        "MinSize",
        "1",
        "{label}: aws:autoscaling:asg MinSize is '1'{where}; run at least 2 instances so one AZ "
        "or instance can fail",
        False,
    ),
    Case(
        "eb-multi-az-capacity",
        "aws:ec2:vpc",
        "Subnets",
        "subnet-priva",
        "{label}: aws:ec2:vpc Subnets{where} span 1 availability zone(s) (ap-northeast-2a); use "
        "subnets in at least 2 AZs",
        False,
    ),
]


def options(values: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    return [setting(ns, name, value) for (ns, name), value in values.items()]


def launched_from_template(
    env_settings: list[dict[str, Any]], template_settings: list[dict[str, Any]]
) -> tuple[Res, Res]:
    template = Res(
        TEMPLATE, "base", {"name": "base", "application": "app", "settings": template_settings}
    )
    environment = Res(
        ENV,
        "api",
        {
            "application": "app",
            "templateName": "base",
            "settings": env_settings,
            "tags": {"role": "model"},
        },
    )
    return template, environment


SIZE = "eb-env-properties-size-limit"
