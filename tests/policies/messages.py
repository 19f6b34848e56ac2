"""The wording the rule families share: how a rule says it cannot read a value, why BASE's
public subnet is public, and the 4 KB budget's violation."""

from __future__ import annotations

IS_NOT_KNOWN = "is not known yet (unknown during preview) or is encrypted in the state"
ARE_NOT_KNOWN = "are not known yet (unknown during preview) or are encrypted in the state"
"""How a rule says it cannot read a value (unknown during a preview; a ciphertext-only
secret reaches the pack as unknown on a saved state)."""
ENCRYPTED = "are encrypted in the state (export the stack with --show-secrets to check it)"
IS_ENCRYPTED = "is encrypted in the state (export the stack with --show-secrets to check it)"
"""How a rule says a value is ciphertext in a stack export made without --show-secrets."""

PUBLIC_ROUTE = (
    "subnet-pub ('pub-a'): aws:ec2/routeTable:RouteTable 'pub-rt' (inline route 0) routes "
    "0.0.0.0/0 to internet gateway igw-01"
)
"""Why stacks.BASE's public subnet is public."""
SPLIT_ROUTES = (
    "subnet-split ('split-a'): aws:ec2/routeTable:RouteTable 'split-rt' (inline route 0) routes "
    "0.0.0.0/1 to internet gateway igw-01; aws:ec2/routeTable:RouteTable 'split-rt' (inline "
    "route 1) routes 128.0.0.0/1 to internet gateway igw-01"
)
"""Why stacks.SPLIT_WORLD's subnet is public."""
FIX_PRIVATE = (
    "Put the instances in private subnets (a default route to a NAT gateway, not an internet "
    "gateway, and mapPublicIpOnLaunch false)."
)
PUBLIC_SUBNETS = f"includes public subnets: {PUBLIC_ROUTE}. {FIX_PRIVATE}"
"""An EB option naming stacks.BASE's public subnet (Subnets, ELBSubnets)."""


def over_limit(label: str, total: str, biggest: str, merged: str = "") -> str:
    """eb-env-properties-size-limit's violation: `total` bytes (as shown, e.g. '4,200' or
    'at least 4,098'), `merged` the note on properties counted with a template's."""
    return (
        f"{label}: environment properties (aws:elasticbeanstalk:application:environment) take "
        f"{total} bytes as key=value strings{merged}, over Elastic Beanstalk's limit of 4,096 "
        f"bytes; biggest: {biggest}. Move large or sensitive values to Secrets Manager or SSM "
        "Parameter Store and reference them through "
        "aws:elasticbeanstalk:application:environmentsecrets (the stack config's `secrets:`), "
        "which does not count toward the limit."
    )
