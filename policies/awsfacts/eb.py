"""Elastic Beanstalk facts the pack and the program rely on, in one place.

Everything here is a fact about AWS, not a rule of ours: resource type tokens, option
namespaces, the environment-property limit and how it is counted, the key rules, and the
values EB uses for an option nobody sets. The module imports only the standard library, so
any tool can import it without pulumi-policy (the pack under `policies/` must stay publishable
on its own): the pack's rules judge these options, the program's components write them, the
price estimator in `pricing` reads them.

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
COMMAND_NS: Final = "aws:elasticbeanstalk:command"
HEALTH_NS: Final = "aws:elasticbeanstalk:healthreporting:system"
MANAGED_ACTIONS_NS: Final = "aws:elasticbeanstalk:managedactions"
ENV_PROPERTIES_NS: Final = "aws:elasticbeanstalk:application:environment"
"""Plain environment properties: these count toward the 4,096-byte limit."""
ENV_SECRETS_NS: Final = "aws:elasticbeanstalk:application:environmentsecrets"
"""Properties read from Secrets Manager or SSM by ARN: not counted toward the limit."""
INSTANCES_NS: Final = "aws:ec2:instances"
TRIGGER_NS: Final = "aws:autoscaling:trigger"
ROLLING_UPDATE_NS: Final = "aws:autoscaling:updatepolicy:rollingupdate"
PLATFORM_UPDATE_NS: Final = f"{MANAGED_ACTIONS_NS}:platformupdate"
LOGS_NS: Final = "aws:elasticbeanstalk:cloudwatch:logs"
HEALTH_LOGS_NS: Final = f"{LOGS_NS}:health"
DEFAULT_PROCESS_NS: Final = "aws:elasticbeanstalk:environment:process:default"
ALB_NS: Final = "aws:elbv2:loadbalancer"
HTTPS_LISTENER_NS: Final = "aws:elbv2:listener:443"
SQSD_NS: Final = "aws:elasticbeanstalk:sqsd"
"""A worker environment's daemon: the queue it reads and how it posts to the app."""
MAX_INACTIVITY_SECONDS: Final = 36000
"""The largest InactivityTimeout sqsd accepts (10 hours)."""

SSH_KEY: Final = "EC2KeyName"
SSH_RESTRICTION: Final = "SSHSourceRestriction"
NO_DEFAULT_GROUP: Final = "DisableDefaultEC2SecurityGroup"
"""Options of `aws:autoscaling:launchconfiguration` that decide the SSH ingress EB puts on the
security group it creates for the instances (no security-group resource of a stack shows it)."""
DEFAULT_SSH_RESTRICTION: Final = "tcp, 22, 22, 0.0.0.0/0"
"""What EB opens when an environment has a key pair (`EC2KeyName`) and no
`SSHSourceRestriction`: SSH from anywhere. EB Developer Guide, "Managing EC2 security
groups": "The default EC2 security group that Elastic Beanstalk creates allows all incoming
traffic from the internet or load balancers on the standard ports for HTTP (80) and SSH(22)";
SSHSourceRestriction is "Used to lock down SSH access to an environment" (General options,
`aws:autoscaling:launchconfiguration`)."""


def parse_ssh_restriction(value: str) -> tuple[str, int | None, int | None, str] | None:
    """`SSHSourceRestriction` as (protocol, fromPort, toPort, source), the form EB documents
    (`protocol, fromPort, toPort, source_restriction`, e.g. `tcp, 22, 22, 54.240.196.185/32`;
    the source a CIDR, a security group, or `account-id/security-group-id`); None if it is not
    in that form."""
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 4 or not parts[0] or not parts[3]:
        return None
    ports = [int(part) if re.fullmatch(r"-?\d+", part) else None for part in parts[1:3]]
    if None in ports:
        return None
    return parts[0].lower(), ports[0], ports[1], parts[3]


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
