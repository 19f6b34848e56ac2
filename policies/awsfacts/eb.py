"""Elastic Beanstalk facts the pack relies on, in one place.

Everything here is a fact about AWS, not a rule of ours: resource type tokens, option
namespaces, the environment-property limit and how it is counted, the key rules, and the
values EB uses for an option nobody sets. The module imports only the standard library, so
any tool can import it without pulumi-policy (the pack under `policies/` must stay publishable
on its own): the rules in `guardrails` and the price estimator in `pricing` read it alike.

From the EB developer guide ("Environment property limits"):
- keys can contain any alphanumeric characters and the symbols `_ . : / + \\ - @`;
- for compatibility with all platforms keys should match a shell identifier;
- the combined size of all environment properties cannot exceed 4,096 bytes when stored as
  strings with the format `key=value` (counted here as UTF-8 bytes, summed).
"""

from __future__ import annotations

import re
from typing import Final

EB_ENVIRONMENT: Final = "aws:elasticbeanstalk/environment:Environment"
EB_TEMPLATE: Final = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
EB_TYPES: Final = (EB_ENVIRONMENT, EB_TEMPLATE)

VPC_NS: Final = "aws:ec2:vpc"
LAUNCH_NS: Final = "aws:autoscaling:launchconfiguration"
ASG_NS: Final = "aws:autoscaling:asg"
ENV_NS: Final = "aws:elasticbeanstalk:environment"
INSTANCES_NS: Final = "aws:ec2:instances"
LOGS_NS: Final = "aws:elasticbeanstalk:cloudwatch:logs"
COMMAND_NS: Final = "aws:elasticbeanstalk:command"
HEALTH_NS: Final = "aws:elasticbeanstalk:healthreporting:system"
MANAGED_ACTIONS_NS: Final = "aws:elasticbeanstalk:managedactions"
ENV_PROPERTIES_NS: Final = "aws:elasticbeanstalk:application:environment"
"""Plain environment properties: these count toward the 4,096-byte limit."""
ENV_SECRETS_NS: Final = "aws:elasticbeanstalk:application:environmentsecrets"
"""Properties read from Secrets Manager or SSM by ARN: not counted toward the limit."""

LIMIT_BYTES: Final = 4096
"""The combined size of all environment properties as `key=value` strings."""

AWS_KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9_.:/+\\\-@]+")
"""Keys EB accepts: ASCII letters and digits plus `_ . : / + \\ - @`."""

PORTABLE_KEY_PATTERN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""Keys every platform can read as an environment variable."""


def entry_size(key: str, value: str) -> int:
    """Bytes `key=value` takes in EB's budget (UTF-8)."""
    return len(f"{key}={value}".encode())


_JUDGED: Final = {
    (LAUNCH_NS, "DisableIMDSv1"): "false",
    (COMMAND_NS, "DeploymentPolicy"): "AllAtOnce",
    (HEALTH_NS, "SystemType"): "basic",
    (MANAGED_ACTIONS_NS, "ManagedActionsEnabled"): "false",
    (ASG_NS, "MinSize"): "1",
    (VPC_NS, "ELBScheme"): "public",
}
_SIZING: Final = {
    (ASG_NS, "MaxSize"): "4",
    (ENV_NS, "EnvironmentType"): "LoadBalanced",
    (ENV_NS, "LoadBalancerType"): "classic",
}
DEFAULTS: Final = {**_JUDGED, **_SIZING}
"""What EB uses for an option set neither on the environment nor on its template: those the
rules judge, and those that size an environment (what the cost estimate reads)."""
