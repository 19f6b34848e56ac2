"""Security-group rules: nothing is open to the world but HTTP and HTTPS.

Ingress comes in three forms, all checked: inline `ingress` on a SecurityGroup (or the
DefaultSecurityGroup), `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule`, and
`aws:ec2/securityGroupRule:SecurityGroupRule` with `type = ingress`. Egress to the world is
fine.
"""

from __future__ import annotations

from typing import Any, Final

from awsfacts.ec2 import is_world

from .common import CannotCheck, resource_policy, unreadable
from .resources import Resource
from .values import as_int, is_unreadable

SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP: Final = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"

ALLOWED_WORLD_PORTS: Final = frozenset({80, 443})
_TCP: Final = frozenset({"tcp", "6"})
_PORTED: Final = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP"}
"""Protocols whose fromPort/toPort are a port range."""
_ICMP: Final = {"icmp": "ICMP", "1": "ICMP", "icmpv6": "ICMPv6", "58": "ICMPv6"}
"""Protocols whose fromPort is the ICMP type and toPort the ICMP code (-1: all)."""


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


def _world(cidrs: Any) -> list[str]:
    values = cidrs if isinstance(cidrs, list) else [cidrs]
    return [c for c in values if is_world(c)]


def _unreadable(*values: Any) -> Any:
    """The first value (or list item) a rule cannot read, UNKNOWN or CIPHERTEXT; else None."""
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if is_unreadable(item):
                return item
    return None


def _judge(
    label: str, where: str, cidrs: list[Any], protocol: Any, low: Any, high: Any
) -> str | None:
    """A message when a world-open rule admits more than TCP 80 or 443, else None."""
    world = [w for group in cidrs for w in _world(group)]
    if not world:
        return None
    proto = str(protocol).lower() if protocol is not None else "-1"
    first, last = as_int(low), as_int(high)
    if proto in _TCP and first is not None and first == last and first in ALLOWED_WORLD_PORTS:
        return None
    what = describe_traffic(proto, first, last)
    return (
        f"{label}: {where} admits {what} from {', '.join(sorted(set(world)))}; only TCP 80 and "
        "443 may be open to the world. Restrict the source to a security group or a known "
        "CIDR (use SSM Session Manager instead of SSH)"
    )


_FIELDS: Final = {
    SECURITY_GROUP: (("cidrBlocks", "ipv6CidrBlocks"), "protocol"),
    DEFAULT_SECURITY_GROUP: (("cidrBlocks", "ipv6CidrBlocks"), "protocol"),
    INGRESS_RULE: (("cidrIpv4", "cidrIpv6"), "ipProtocol"),
    LEGACY_RULE: (("cidrBlocks", "ipv6CidrBlocks"), "protocol"),
}
"""Per form: the properties holding the source CIDRs, and the protocol's property."""


def _ingress(resource: Resource) -> list[tuple[str, Any]]:
    """(where, rule) for every ingress rule the resource carries, whatever its form."""
    props = resource.props
    if resource.type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        ingress = props.get("ingress")
        if is_unreadable(ingress):
            raise CannotCheck(
                f"{resource.label}: its ingress rules {unreadable(ingress, plural=True)}"
            )
        rules = ingress if isinstance(ingress, list) else []
        return [(f"ingress[{index}]", rule) for index, rule in enumerate(rules)]
    if resource.type == LEGACY_RULE:
        kind = props.get("type")
        if is_unreadable(kind):
            raise CannotCheck(f"{resource.label}: the rule type {unreadable(kind)}")
        return [("the ingress rule", props)] if kind == "ingress" else []
    return [("the rule", props)]


def _check(resource: Resource) -> list[str]:
    cidr_fields, protocol_field = _FIELDS[resource.type]
    messages: list[str] = []
    undecided: dict[str, list[str]] = {}  # why ('are not known yet ...') -> where
    for where, rule in _ingress(resource):
        if is_unreadable(rule) or not isinstance(rule, dict):
            undecided.setdefault(unreadable(rule, plural=True), []).append(where)
            continue
        cidrs = [rule.get(field) for field in cidr_fields]
        protocol, low, high = rule.get(protocol_field), rule.get("fromPort"), rule.get("toPort")
        hidden = _unreadable(*cidrs, protocol, low, high)
        if hidden is not None:
            undecided.setdefault(unreadable(hidden, plural=True), []).append(where)
            continue
        message = _judge(resource.label, where, cidrs, protocol, low, high)
        if message:
            messages.append(message)
    if undecided and not messages:
        raise CannotCheck(
            "; ".join(
                f"{resource.label}: the source or ports of {', '.join(wheres)} {why}"
                for why, wheres in sorted(undecided.items())
            )
        )
    return messages


POLICIES = [
    resource_policy(
        "sg-no-world-ingress",
        "No security group admits traffic from 0.0.0.0/0 or ::/0 except TCP 80 and 443.",
        tuple(_FIELDS),
        _check,
    ),
]
