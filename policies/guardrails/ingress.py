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
from .stack_index import References, StackIndex
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


class GroupRules:
    """The stack's separate ingress rules (SecurityGroupIngressRule, and SecurityGroupRule of
    type ingress) by the security group they belong to, each judged once.

    Only rules that have something to say (world sources, a source not known yet, prefix lists
    undecided or outside the stack) are returned. Groups that share an ID (copies of a stack
    exported under several names) share the rules that name it: those are filtered once per
    ID, so each group costs what it reports plus its own dependencies, not every rule."""

    def __init__(self, index: StackIndex, lists: PrefixLists) -> None:
        self._index = index
        self.lists = lists
        rules = [
            r
            for r in index.of_type(INGRESS_RULE, LEGACY_RULE)
            if r.type != LEGACY_RULE or r.props.get("type") == "ingress"
        ]
        self._order = {r.urn: position for position, r in enumerate(rules)}
        self._refs = References(rules, "securityGroupId")
        self._sources: dict[str, Sources] = {}
        self._telling_by_id: dict[str, list[Resource]] = {}

    def sources(self, rule: Resource) -> Sources:
        if rule.urn not in self._sources:
            self._sources[rule.urn] = sources(rule, rule.props, self.lists)
        return self._sources[rule.urn]

    def _telling(self, rule: Resource) -> bool:
        found = self.sources(rule)
        listed = found.lists
        return bool(found.world or found.hidden is not None or listed.undecided or listed.outside)

    def of(self, group: Resource) -> list[Resource]:
        """The rules of `group` that have something to say, in stack order: those naming its
        ID, and those depending on it that `StackIndex.refers_to` places on it."""
        found: dict[str, Resource] = {}
        gid = group.props.get("id")
        if isinstance(gid, str):
            if gid not in self._telling_by_id:
                named = self._refs.by_value(gid)
                self._telling_by_id[gid] = [r for r in named if self._telling(r)]
            found.update((r.urn, r) for r in self._telling_by_id[gid])
        for rule in self._refs.depending_on(group.urn):
            if rule.urn in found or not self._telling(rule):
                continue
            if self._index.refers_to(rule, "securityGroupId", group):
                found[rule.urn] = rule
        return sorted(found.values(), key=lambda r: self._order[r.urn])


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
