"""Security-group rules: nothing is open to the world but HTTP and HTTPS.

Ingress comes in three forms, all checked (`ingress`): inline `ingress` on a SecurityGroup (or
the DefaultSecurityGroup), `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule`, and
`aws:ec2/securityGroupRule:SecurityGroupRule` with `type = ingress`; a rule's sources are its
CIDRs and the entries of the managed prefix lists it names (`prefix_lists`). Elastic
Beanstalk's own group is judged from the environment's options (`eb_ssh`), since no resource
shows it. Egress to the world is fine. A stack rule, because prefix lists and configuration
templates are other resources.
"""

from __future__ import annotations

from typing import Any, Final

from awsfacts.ec2 import DEFAULT_SECURITY_GROUP, LEGACY_RULE, SECURITY_GROUP

from .common import CannotCheck, cannot_check, stack_policy, unreadable
from .eb_ssh import eb_ssh
from .ingress import FORMS, Sources, first_unreadable, sources, web_only
from .prefix_lists import PrefixLists, prefix_lists
from .resources import Resource
from .subnets import Network
from .templates import readable_settings
from .values import is_unreadable

_ONLY_WEB: Final = "only TCP 80 and 443 may be open to the world"
_FIX: Final = (
    "Restrict the source to a security group or a known CIDR (use SSM Session Manager instead "
    "of SSH)"
)
_FIX_LIST: Final = (
    "Remove the world entry from the prefix list, or name a security group or a known CIDR "
    "instead (use SSM Session Manager instead of SSH)"
)
_FIX_EB: Final = (
    "Set SSHSourceRestriction to 'tcp, 22, 22, <a bastion's security group ID or a known "
    "CIDR>', or remove EC2KeyName and use SSM Session Manager"
)

Finding = tuple[str, str | None]


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


def _judge(
    resource: Resource, where: str, rule: dict[str, Any], found: Sources
) -> tuple[str | None, list[str]]:
    """(the violation of one ingress rule or None, what about it cannot be known yet)."""
    form = FORMS[resource.type]
    allowed, what = web_only(rule.get(form.protocol), rule.get("fromPort"), rule.get("toPort"))
    if allowed:
        return None, []
    if found.world:
        fix = _FIX_LIST if found.lists.world else _FIX
        world = ", ".join(sorted(set(found.world)))
        return f"{resource.label}: {where} admits {what} from {world}; {_ONLY_WEB}. {fix}", []
    facts = [f"{resource.label}: {where}: {fact}" for fact in found.lists.undecided]
    facts += [
        f"{resource.label}: {where} admits {what} from prefix list {pid}, which is not in this "
        "stack, so whether it holds the world cannot be checked"
        for pid in found.lists.outside
    ]
    return None, facts


def _check(resource: Resource, lists: PrefixLists) -> tuple[list[str], list[str]]:
    """(violations, facts that cannot be known yet) of one resource's ingress rules."""
    messages: list[str] = []
    facts: list[str] = []
    hidden: dict[str, list[str]] = {}  # why ('are not known yet ...') -> where
    for where, rule in _ingress(resource):
        if is_unreadable(rule) or not isinstance(rule, dict):
            hidden.setdefault(unreadable(rule, plural=True), []).append(where)
            continue
        found = sources(resource, rule, lists)
        ports = (rule.get(FORMS[resource.type].protocol), rule.get("fromPort"), rule.get("toPort"))
        value = found.hidden if found.hidden is not None else first_unreadable(*ports)
        if value is not None:
            hidden.setdefault(unreadable(value, plural=True), []).append(where)
            continue
        message, undecided = _judge(resource, where, rule, found)
        messages.extend([message] if message else [])
        facts.extend(undecided)
    facts = [
        f"{resource.label}: the source or ports of {', '.join(wheres)} {why}"
        for why, wheres in sorted(hidden.items())
    ] + facts
    return messages, facts


def _eb_groups(network: Network, results: list[Finding]) -> None:
    """The SSH ingress Elastic Beanstalk opens on its own group, environment by environment."""
    for found in readable_settings(network, results, templates=False):
        try:
            ssh = eb_ssh(found)
        except CannotCheck as undecided:
            results.append(cannot_check(undecided.message))
            continue
        if ssh is None or not ssh.admits_world:
            continue
        allowed, what = web_only(ssh.protocol, ssh.low, ssh.high)
        if not allowed:
            results.append(
                (
                    f"{found.resource.label}: {ssh.options}, so Elastic Beanstalk admits {what} "
                    f"from {ssh.source} on the security group it creates for the instances; "
                    f"{_ONLY_WEB}. {_FIX_EB}",
                    found.resource.urn,
                )
            )


def _no_world_ingress(network: Network) -> list[Finding]:
    results: list[Finding] = []
    lists = prefix_lists(network)
    for resource in network.of_type(*FORMS):
        try:
            messages, facts = _check(resource, lists)
        except CannotCheck as undecided:
            results.append(cannot_check(undecided.message))
            continue
        results.extend((message, resource.urn) for message in messages)
        if facts and not messages:
            results.append(cannot_check("; ".join(facts)))
    _eb_groups(network, results)
    return results


POLICIES = [
    stack_policy(
        "sg-no-world-ingress",
        "No security group admits traffic from 0.0.0.0/0 or ::/0 except TCP 80 and 443.",
        _no_world_ingress,
    ),
]
