"""Security-group ingress in every form AWS allows, and where each rule admits traffic from.

Ingress comes inline (`ingress[]` on a SecurityGroup or the DefaultSecurityGroup), as
`aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule` or as
`aws:ec2/securityGroupRule:SecurityGroupRule` with `type = ingress`. A rule's sources are its
CIDRs and the managed prefix lists it names (`prefix_lists`); the world is `0.0.0.0/0` or `::/0`
in any spelling (`awsfacts.ec2.is_world`). Shared by `sg-no-world-ingress` and the worker tier's
rule, so both see the same sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from awsfacts.ec2 import (
    DEFAULT_SECURITY_GROUP,
    INGRESS_RULE,
    LEGACY_RULE,
    SECURITY_GROUP,
    is_world,
)

from .prefix_lists import Listed, PrefixLists
from .resources import Resource
from .values import as_int, is_unreadable

ALLOWED_WORLD_PORTS: Final = frozenset({80, 443})
_TCP: Final = frozenset({"tcp", "6"})
_PORTED: Final = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP"}
"""Protocols whose fromPort/toPort are a port range."""
_ICMP: Final = {"icmp": "ICMP", "1": "ICMP", "icmpv6": "ICMPv6", "58": "ICMPv6"}
"""Protocols whose fromPort is the ICMP type and toPort the ICMP code (-1: all)."""


@dataclass(frozen=True)
class Form:
    """Where one form of ingress keeps its sources and its protocol."""

    cidrs: tuple[str, str]
    prefix_lists: str
    protocol: str
    inline: bool
    """Rules inline in the group's `ingress` (whose dependencies are shared by all of them)."""


_INLINE: Final = Form(("cidrBlocks", "ipv6CidrBlocks"), "prefixListIds", "protocol", True)
FORMS: Final = {
    SECURITY_GROUP: _INLINE,
    DEFAULT_SECURITY_GROUP: _INLINE,
    INGRESS_RULE: Form(("cidrIpv4", "cidrIpv6"), "prefixListId", "ipProtocol", False),
    LEGACY_RULE: Form(("cidrBlocks", "ipv6CidrBlocks"), "prefixListIds", "protocol", False),
}
"""Per resource type: how its ingress rules name sources and protocol."""


@dataclass(frozen=True)
class Sources:
    """Where one ingress rule admits traffic from, as far as it can be known."""

    world: list[str]
    """The world sources: CIDRs, and world entries of the prefix lists it names."""
    hidden: Any
    """The first CIDR that cannot be read (UNKNOWN or CIPHERTEXT), or None."""
    lists: Listed
    """What its prefix lists hold (their world entries are in `world` too)."""


def first_unreadable(*values: Any) -> Any:
    """The first value (or list item) a rule cannot read, UNKNOWN or CIPHERTEXT; else None."""
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if is_unreadable(item):
                return item
    return None


def sources(owner: Resource, rule: dict[str, Any], lists: PrefixLists) -> Sources:
    """The sources of `rule`, one ingress rule of `owner` (its inline rule or itself)."""
    form = FORMS[owner.type]
    cidrs = [rule.get(key) for key in form.cidrs]
    world = [str(c) for value in cidrs for c in _items(value) if is_world(c)]
    dependency = "ingress" if form.inline else form.prefix_lists
    listed = lists.named(owner, rule.get(form.prefix_lists), dependency, exact=not form.inline)
    return Sources(world + listed.world, first_unreadable(*cidrs), listed)


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def describe_traffic(protocol: str, first: int | None, last: int | None) -> str:
    """What a rule admits, in the protocol's own terms: ports for TCP and UDP, type and code
    for ICMP and ICMPv6 (fromPort is the type, toPort the code, -1 means all), and all
    traffic of any other protocol (AWS ignores the ports there)."""
    if protocol in ("-1", "all"):
        return "all traffic"
    if protocol in _ICMP:
        name = _ICMP[protocol]
        if first is None or first == -1:
            return f"all {name} types and codes"
        if last is None or last == -1:
            return f"{name} type {first} (all codes)"
        return f"{name} type {first} code {last}"
    if protocol in _PORTED:
        name = _PORTED[protocol]
        if first is None or last is None or first == -1:
            return f"all {name} ports"
        ports = f"{first}" if first == last else f"{first}-{last}"
        return f"{name} port(s) {ports}"
    return f"all traffic of IP protocol {protocol}"


def web_only(protocol: Any, low: Any, high: Any) -> tuple[bool, str]:
    """(the rule admits only TCP 80 or only TCP 443, what it admits in words)."""
    proto = str(protocol).lower() if protocol is not None else "-1"
    first, last = as_int(low), as_int(high)
    allowed = proto in _TCP and first is not None and first == last
    return allowed and first in ALLOWED_WORLD_PORTS, describe_traffic(proto, first, last)
