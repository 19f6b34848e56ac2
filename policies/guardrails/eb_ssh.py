"""The SSH ingress Elastic Beanstalk opens itself, on the security group it creates for an
environment's instances: no security-group resource of the stack shows it, only the options.

Decided from AWS's documentation (`awsfacts.eb`):
- `SSHSourceRestriction` (`protocol, fromPort, toPort, source`) is the rule EB puts on its
  group; it is judged whenever it is set.
- `EC2KeyName` set without `SSHSourceRestriction`: EB's default group admits SSH (TCP 22) from
  `0.0.0.0/0` ("allows all incoming traffic from the internet ... on the standard ports for
  HTTP (80) and SSH(22)").
- `DisableDefaultEC2SecurityGroup` true: EB attaches no group of its own to the instances
  ("a default security group will not be associated with the EC2 instances"), so neither
  option opens anything; the instances' own `SecurityGroups` are judged as any group is.
An environment is judged on the settings it runs with (its own over its configuration
template's); a template opens nothing by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsfacts.eb import (
    DEFAULT_SSH_RESTRICTION,
    LAUNCH_NS,
    NO_DEFAULT_GROUP,
    SSH_KEY,
    SSH_RESTRICTION,
    parse_ssh_restriction,
)
from awsfacts.ec2 import is_world

from .common import CannotCheck, unreadable
from .templates import Effective
from .values import as_bool, is_unreadable, show


@dataclass(frozen=True)
class EbSsh:
    """The ingress rule EB puts on its own group, and the options that make it."""

    options: str
    """E.g. "aws:autoscaling:launchconfiguration EC2KeyName is 'ops' and SSHSourceRestriction
    is not set"."""
    protocol: str
    low: int | None
    high: int | None
    source: str

    @property
    def admits_world(self) -> bool:
        return is_world(self.source)


def eb_ssh(found: Effective) -> EbSsh | None:
    """The SSH rule EB opens for the environment `found` (settings readable), or None; raises
    CannotCheck when an option it depends on cannot be known (yet)."""
    label = found.resource.label
    settings = found.settings
    key = settings.get(LAUNCH_NS, SSH_KEY)
    restriction = settings.get(LAUNCH_NS, SSH_RESTRICTION)
    if restriction is None or restriction == "":
        rule = _default_rule(found, key)
    elif is_unreadable(restriction):
        raise CannotCheck(
            f"{label}: {LAUNCH_NS} {SSH_RESTRICTION}{found.origin(LAUNCH_NS, SSH_RESTRICTION)} "
            f"{unreadable(restriction)}"
        )
    else:
        rule = _restriction_rule(found, str(restriction))
    if rule is None or not rule.admits_world:
        return rule
    disabled = settings.get(LAUNCH_NS, NO_DEFAULT_GROUP)
    if as_bool(disabled) is True:
        return None
    if is_unreadable(disabled):
        raise CannotCheck(
            f"{label}: {rule.options}, and {LAUNCH_NS} {NO_DEFAULT_GROUP}"
            f"{found.origin(LAUNCH_NS, NO_DEFAULT_GROUP)} {unreadable(disabled)}"
        )
    return rule


def _default_rule(found: Effective, key: object) -> EbSsh | None:
    """EB's rule when SSHSourceRestriction is not set: SSH from anywhere with a key pair."""
    label = found.resource.label
    if key is None or key == "":
        if found.unseen:
            raise CannotCheck(
                f"{label}: {LAUNCH_NS} {SSH_KEY} is not set on the environment and {found.unseen}"
            )
        return None
    where = found.origin(LAUNCH_NS, SSH_KEY)
    if is_unreadable(key):
        raise CannotCheck(f"{label}: {LAUNCH_NS} {SSH_KEY}{where} {unreadable(key)}")
    if found.unseen:
        raise CannotCheck(
            f"{label}: {LAUNCH_NS} {SSH_KEY} is {show(key)}{where}, {SSH_RESTRICTION} is not set "
            f"on the environment and {found.unseen}"
        )
    parsed = parse_ssh_restriction(DEFAULT_SSH_RESTRICTION)
    assert parsed is not None
    return EbSsh(
        f"{LAUNCH_NS} {SSH_KEY} is {show(key)}{where} and {SSH_RESTRICTION} is not set", *parsed
    )


def _restriction_rule(found: Effective, restriction: str) -> EbSsh:
    where = found.origin(LAUNCH_NS, SSH_RESTRICTION)
    parsed = parse_ssh_restriction(restriction)
    options = f"{LAUNCH_NS} {SSH_RESTRICTION} is {show(restriction)}{where}"
    if parsed is None:
        raise CannotCheck(
            f"{found.resource.label}: {options}, not in EB's form 'protocol, fromPort, toPort, "
            "source', so what it opens cannot be judged"
        )
    return EbSsh(options, *parsed)
