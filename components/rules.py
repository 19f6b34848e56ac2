"""One home for every input rule the stack config and the components' Args both apply.

Pure functions, no Pulumi: each returns why a value is refused, or None. The config models
(components/config/) call them while they validate a stack file, the Args classes when they
are constructed, so a rule is written once. The two callers word a problem for different
readers: the config says what would be valid (pydantic, or the caller, puts the `webmodel:`
key in front), an Args class names its argument. A rule given `arg` words the problem the
Args' way, naming `arg`; without it, the config's way. AWS's own facts (the 4,096-byte
limit and how EB counts it, SQS's bounds) come from the policy pack's `awsfacts`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Literal

from awsfacts.eb import LIMIT_BYTES, PORTABLE_KEY_PATTERN, entry_size

# -- names and ARNs -----------------------------------------------------------------------

SECRET_ARN_PATTERN = re.compile(
    r"arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+"
    r"|ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+)"
)
CERTIFICATE_ARN_PATTERN = re.compile(
    r"arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}"
    r"|iam::\d{12}:server-certificate/[A-Za-z0-9/_+=,.@-]+)"
)
INSTANCE_TYPE_PATTERN = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9]+")
AMI_PATTERN = re.compile(r"ami-([0-9a-f]{8}|[0-9a-f]{17})")
DOMAIN_PATTERN = r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
MODEL_REPOSITORY_PATTERN = r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.*'()/-]+)?$"


def secret_arn_problem(arn: str, *, redact: bool, arg: str | None = None) -> str | None:
    """Why `arn` is not a Secrets Manager secret or SSM parameter ARN; the value is shown
    only when not `redact`."""
    if SECRET_ARN_PATTERN.fullmatch(arn):
        return None
    if arg is not None:
        shown = "" if redact else f"{arn!r} "
        return f"{arg}: {shown}is not a Secrets Manager or SSM ARN"
    got = "" if redact else f" (got {json.dumps(arn)[:80]})"
    return (
        "must be a Secrets Manager secret ARN "
        "(arn:aws:secretsmanager:<region>:<account>:secret:<name>) or an SSM parameter "
        f"ARN (arn:aws:ssm:<region>:<account>:parameter/<name>){got}"
    )


def domain_problem(domain: str, hosted_zone: str, arg: str | None = None) -> str | None:
    """Why `domain` is not a name inside the Route 53 zone `hosted_zone`."""
    zone = hosted_zone.rstrip(".")
    if domain == zone or domain.endswith(f".{zone}"):
        return None
    if arg is not None:
        return f"{arg}: {domain!r} is not inside the hosted zone {hosted_zone!r}"
    return f"{domain!r} is not inside hostedZone {hosted_zone!r}"


# -- the network ----------------------------------------------------------------------------

TIERS: tuple[Literal["public", "private", "isolated"], ...] = ("public", "private", "isolated")
MIN_AZS, MAX_AZS = 2, 4
"""At least two AZs: an RDS DB subnet group must span two, and one AZ's failure must not take
the stack down. At most four: the subnet slots reserved per tier."""
VPC_PREFIXES = (16, 20)
"""The VPC's prefix lengths: large enough for every slot, small enough to be a real VPC."""
MAX_SUBNET_PREFIX = 28
"""AWS's smallest subnet, /28."""
_SLOT_BITS = (len(TIERS) * MAX_AZS - 1).bit_length()
"""Prefix bits the slots need: 3 tiers x 4 AZs = 12 slots take 4 bits."""


def vpc_cidr_problem(cidr: str, arg: str | None = None) -> str | None:
    """Why `cidr` is not a private (RFC 1918) IPv4 range from /16 to /20."""
    try:
        network = ipaddress.IPv4Network(cidr, strict=True)
    except ValueError as exc:
        if arg is not None:
            return f"{arg} {cidr!r} is not an IPv4 CIDR block ({exc})"
        return f"must be an IPv4 CIDR block like 10.20.0.0/16 ({exc})"
    low, high = VPC_PREFIXES
    if network.is_private and low <= network.prefixlen <= high:
        return None
    if arg is not None:
        return f"{arg} {cidr} must be a private (RFC 1918) range from /{low} to /{high}"
    return f"must be a private (RFC 1918) IPv4 range from /{low} to /{high}"


def subnet_layout_problem(cidr: str, prefix_length: int, arg: str | None = None) -> str | None:
    """Why subnets of `/prefix_length` cannot give every tier a slot per AZ in the VPC `cidr`,
    or are smaller than AWS allows. None for a `cidr` that is no CIDR block at all: that is
    `vpc_cidr_problem`'s to report."""
    try:
        vpc_prefix = ipaddress.IPv4Network(cidr, strict=True).prefixlen
    except ValueError:
        return None
    slots = 2 ** max(prefix_length - vpc_prefix, 0)
    if slots >= len(TIERS) * MAX_AZS and prefix_length <= MAX_SUBNET_PREFIX:
        return None
    smallest = vpc_prefix + _SLOT_BITS
    if arg is not None:
        return (
            f"{arg} /{prefix_length} leaves no room for {len(TIERS)} tiers x {MAX_AZS} AZs "
            f"in {cidr}; use /{smallest} to /{MAX_SUBNET_PREFIX}"
        )
    return (
        f"subnetPrefixLength {prefix_length} is too large a subnet for {cidr}: "
        f"{len(TIERS)} tiers x {MAX_AZS} AZs need at least /{smallest}"
    )


LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
"""The retention periods CloudWatch Logs accepts."""


def retention_problem(days: int, arg: str | None = None) -> str | None:
    """Why `days` is not a CloudWatch Logs retention period."""
    if days in LOG_RETENTION_DAYS:
        return None
    valid = ", ".join(map(str, LOG_RETENTION_DAYS))
    if arg is not None:
        return f"{arg} {days} is not a CloudWatch Logs retention period ({valid})"
    return f"must be one of the CloudWatch Logs retention periods: {valid}"


# -- the database ---------------------------------------------------------------------------

MAX_BACKUP_RETENTION_DAYS = 35
"""RDS keeps automated backups for 0 (none) to 35 days."""

# -- Elastic Beanstalk environments ---------------------------------------------------------


def capacity_problem(
    min_size: int, max_size: int, args: tuple[str, str] | None = None
) -> str | None:
    """Why an Auto Scaling group cannot keep `min_size` to `max_size` instances."""
    if 1 <= min_size <= max_size:
        return None
    if args is not None:
        low, high = args
        return f"{low} {min_size} / {high} {max_size}: need 1 <= min <= max"
    return f"maxSize ({max_size}) must be at least minSize ({min_size})"


ENVIRONMENT_NAME_MAX = 40
"""EB environment names: 4 to 40 letters, digits and hyphens, not starting or ending with one."""
AUTONAME_SUFFIX = 8
"""Pulumi names an environment `<logical name>-<7 random characters>` (pulumi-aws auto-names
`aws:elasticbeanstalk/environment:Environment` within EB's 40 and refuses a longer name)."""
SLOT_NAME_PATTERN = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?")
"""A blue/green slot name: what EB accepts inside an environment name."""
MAX_SLOTS = 2
"""Blue/green: the slot that takes traffic and the one being released."""


def slot_name_problem(slot: str) -> str | None:
    """Why `slot` cannot be part of an Elastic Beanstalk environment's name."""
    if SLOT_NAME_PATTERN.fullmatch(slot):
        return None
    return (
        f"slot name {slot!r} must be letters, digits and hyphens, not starting or ending with a "
        "hyphen (it becomes part of the Elastic Beanstalk environment's name)"
    )


def environment_name(name_prefix: str, role: str, slot: str | None) -> str:
    """The logical name of a role's Elastic Beanstalk environment (`<prefix>-<role>`), with
    `-<slot>` for one blue/green slot of it."""
    name = f"{name_prefix}-{role}" if name_prefix else role
    return f"{name}-{slot}" if slot else name


def environment_name_problem(logical_name: str) -> str | None:
    """Why EB would refuse the auto-generated name of an environment named `logical_name`."""
    longest = ENVIRONMENT_NAME_MAX - AUTONAME_SUFFIX
    if len(logical_name) <= longest:
        return None
    return (
        f"the Elastic Beanstalk environment {logical_name!r} ({len(logical_name)} characters) "
        f"plus Pulumi's {AUTONAME_SUFFIX}-character suffix is longer than EB's "
        f"{ENVIRONMENT_NAME_MAX}; keep it to {longest}"
    )


ENV_PROPERTY_LIMIT_BYTES = LIMIT_BYTES
"""EB: "the combined size of all environment properties cannot exceed 4,096 bytes when stored
as strings with the format key=value" (the pack's fact)."""
ENV_KEY_PATTERN = PORTABLE_KEY_PATTERN
"""Property names every platform reads as an environment variable (the pack's fact)."""
property_bytes = entry_size
"""Size EB counts for one property: the UTF-8 bytes of `key=value` (the pack's count)."""


def property_name_problem(name: str, arg: str | None = None) -> str | None:
    """Why `name` is not a portable environment property name."""
    if ENV_KEY_PATTERN.fullmatch(name):
        return None
    if arg is not None:
        return f"{arg} {name!r} must match {ENV_KEY_PATTERN.pattern}"
    return (
        f"invalid property name {name!r}; names must match {ENV_KEY_PATTERN.pattern} "
        "(letters, digits, underscores; no leading digit)"
    )


def budget_problem(
    full_key: str,
    plain: Mapping[str, str],
    reserved: Mapping[str, int],
    limit: int = ENV_PROPERTY_LIMIT_BYTES,
) -> str | None:
    """Why these properties would not fit EB's limit, or None when they fit.

    `plain` are the properties with known values; `reserved` are program-added ones, given as
    the longest value each can take. The message names property keys and sizes, never values.
    """
    sizes = {key: property_bytes(key, value) for key, value in plain.items()}
    sizes.update({key: property_bytes(key, "") + length for key, length in reserved.items()})
    total = sum(sizes.values())
    if total <= limit:
        return None
    biggest = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:5]
    listing = ", ".join(f"{key} ({size:,} B)" for key, size in biggest)
    program = (
        f", including {sum(len(k) + 1 + v for k, v in reserved.items()):,} B reserved for "
        f"{', '.join(sorted(reserved))} that the program adds"
        if reserved
        else ""
    )
    return (
        f"{full_key}: environment properties take {total:,} bytes as key=value strings, over "
        f"Elastic Beanstalk's limit of {limit:,} bytes{program}. Biggest: {listing}. Move large "
        f"or sensitive values to {full_key.rsplit('.', 1)[0]}.secrets (Secrets Manager or SSM "
        "Parameter Store ARNs, injected at boot and not counted toward the limit)."
    )


# -- the worker's queue ---------------------------------------------------------------------


def visibility_problem(
    visibility_seconds: int, processing_seconds: int, visibility_key: str, processing_key: str
) -> str | None:
    """Why the queue's visibility timeout does not outlast the worker's processing timeout."""
    if processing_seconds < 1 or visibility_seconds > processing_seconds:
        return None
    return (
        f"{visibility_key}={visibility_seconds} is not greater than "
        f"{processing_key}={processing_seconds}: a message would reappear on the queue while "
        "its job still runs and another instance would run it again; raise "
        f"{visibility_key} above {processing_seconds} or lower {processing_key} below "
        f"{visibility_seconds}"
    )
