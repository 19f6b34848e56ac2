"""SQS and worker-tier rules: queues are encrypted and dead-letter their poison messages, and an
Elastic Beanstalk worker environment is reachable only through its queue: no load balancer, no
ingress from the world on its instances' groups (CIDRs and prefix lists, `ingress`), and no SSH
that Elastic Beanstalk opens itself on the group it creates (`eb_ssh`).

A queue's dead-letter queue is named by its `redrivePolicy` (a JSON string:
`{"deadLetterTargetArn": ..., "maxReceiveCount": ...}`), set on the queue or through a separate
`aws:sqs/redrivePolicy:RedrivePolicy`. During preview the DLQ's ARN is not known yet, so the whole
JSON string is unknown; the engine still records which resources it was built from
(`propertyDependencies`), and a queue in that list is the DLQ. A queue that is some other queue's
DLQ is exempt from having one itself: it is recognised by its ARN in another redrive policy or,
when ARNs are not known yet, by that dependency.
"""

from __future__ import annotations

import json
from typing import Any, Final

from awsfacts.ec2 import SECURITY_GROUP

from .common import EB_ENVIRONMENT, CannotCheck, cannot_check, resource_policy, stack_policy
from .eb_ssh import eb_ssh
from .ingress import GroupRules, Sources, sources, web_only
from .prefix_lists import prefix_lists
from .resources import Resource
from .settings import ENV_NS, LAUNCH_NS, VPC_NS, OptionSettings
from .subnets import Network, split_ids
from .templates import Effective, effective_settings
from .values import as_bool, is_unreadable, show

QUEUE: Final = "aws:sqs/queue:Queue"
REDRIVE_POLICY: Final = "aws:sqs/redrivePolicy:RedrivePolicy"

_QUEUE_NOT_NETWORK: Final = "a worker receives its work from its queue, not the network"
_NO_DLQ_FIX: Final = (
    "a message that always fails is received again and again until it expires; create a "
    'dead-letter queue and set redrivePolicy to {"deadLetterTargetArn": <its ARN>, '
    '"maxReceiveCount": <receives>}'
)


# -- sqs-queue-encrypted -----------------------------------------------------------------------


def _encrypted(queue: Resource) -> list[str]:
    kms = queue.props.get("kmsMasterKeyId")
    if is_unreadable(kms) or (isinstance(kms, str) and kms):
        return []  # an unknown key ID is a key still being created: SSE-KMS either way
    sse = queue.props.get("sqsManagedSseEnabled")
    if as_bool(sse) is True:
        return []
    if is_unreadable(sse):
        raise CannotCheck(f"{queue.label}: sqsManagedSseEnabled is not known yet")
    return [
        f"{queue.label}: sqsManagedSseEnabled is {show(sse)} and kmsMasterKeyId is not set, so "
        "messages are not encrypted at rest by this configuration; set sqsManagedSseEnabled to "
        "true (SSE-SQS) or kmsMasterKeyId to a KMS key (SSE-KMS)"
    ]


# -- sqs-queue-has-dlq -------------------------------------------------------------------------


class _Redrive:
    """What one redrive policy says: its DLQ's ARN, or the queues it depends on."""

    def __init__(self, owner: Resource, prop: str, network: Network) -> None:
        self.value: Any = owner.props.get(prop)
        self.dependency_queues = {q.urn for q in network.deps_of_type(owner, prop, QUEUE)}
        self.target: Any = None
        self.problem: str | None = None
        if is_unreadable(self.value) or self.value is None or self.value == "":
            return
        parsed = self.value
        if isinstance(parsed, str):
            try:
                parsed = json.loads(parsed)
            except ValueError:
                self.problem = f"redrivePolicy is not JSON: {show(self.value)}"
                return
        target = parsed.get("deadLetterTargetArn") if isinstance(parsed, dict) else None
        if is_unreadable(target) or (isinstance(target, str) and target):
            self.target = target
        else:
            self.problem = f"redrivePolicy {show(self.value)} has no deadLetterTargetArn"

    @property
    def unset(self) -> bool:
        return self.value is None or self.value == ""

    @property
    def unknown(self) -> bool:
        return is_unreadable(self.value) or is_unreadable(self.target)


class _RedriveIndex:
    """Every redrive policy of the stack (each queue's own and the RedrivePolicy resources'),
    read once and indexed by the DLQ ARN it names, the queues it depends on and the queue it
    is attached to, so judging a queue is a few lookups instead of a scan of every policy."""

    def __init__(self, network: Network, queues: list[Resource]) -> None:
        self.own = [_Redrive(q, "redrivePolicy", network) for q in queues]
        self.attached = [
            (r, _Redrive(r, "redrivePolicy", network)) for r in network.of_type(REDRIVE_POLICY)
        ]
        self._targets: set[str] = set()
        self._depended: set[str] = set()
        self._depended_unknown: set[str] = set()
        for policy in [*self.own, *(policy for _, policy in self.attached)]:
            if isinstance(policy.target, str):
                self._targets.add(policy.target)
            self._depended.update(policy.dependency_queues)
            if policy.unknown:
                self._depended_unknown.update(policy.dependency_queues)
        self._by_url: dict[str, list[int]] = {}
        self._by_dependency: dict[str, list[int]] = {}
        for position, (resource, _) in enumerate(self.attached):
            target = resource.props.get("queueUrl")
            if isinstance(target, str):
                self._by_url.setdefault(target, []).append(position)
            for urn in resource.deps_of("queueUrl"):
                self._by_dependency.setdefault(urn, []).append(position)

    def is_dead_letter_queue(self, queue: Resource) -> bool:
        """Does any policy send its dead letters to `queue`? One does when its target is the
        queue's ARN, or when it depends on the queue and is unknown itself or the queue's ARN
        is (during preview)."""
        arn = queue.props.get("arn")
        if isinstance(arn, str):
            return arn in self._targets or queue.urn in self._depended_unknown
        return queue.urn in self._depended

    def policies_for(self, index: int, queue: Resource) -> list[_Redrive]:
        """The queue's own redrive policy and those of RedrivePolicy resources attached to it
        (by its URL or ID, or by dependency), in stack order."""
        positions = set(self._by_dependency.get(queue.urn, ()))
        for value in (queue.props.get("url"), queue.props.get("id")):
            if isinstance(value, str):
                positions.update(self._by_url.get(value, ()))
        return [self.own[index]] + [self.attached[p][1] for p in sorted(positions)]


def _has_dlq(network: Network) -> list[tuple[str, str | None]]:
    queues = network.of_type(QUEUE)
    if not queues:
        return []
    redrives = _RedriveIndex(network, queues)
    results: list[tuple[str, str | None]] = []
    for index, queue in enumerate(queues):
        if redrives.is_dead_letter_queue(queue):
            continue  # it is a dead-letter queue itself
        policies = [p for p in redrives.policies_for(index, queue) if not p.unset]
        if any(p.target is not None and not is_unreadable(p.target) for p in policies):
            continue
        if any(p.unknown and p.dependency_queues for p in policies):
            continue  # built from a queue of this stack: that queue is the DLQ
        if any(p.unknown for p in policies):
            results.append(
                cannot_check(
                    f"{queue.label}: its redrivePolicy is not known yet and refers to no queue "
                    "of this stack"
                )
            )
            continue
        problems = [p.problem for p in policies if p.problem]
        why = "; ".join(problems) if problems else "redrivePolicy is not set"
        results.append((f"{queue.label}: {why}; {_NO_DLQ_FIX}", queue.urn))
    return results


# -- eb-worker-no-load-balancer ----------------------------------------------------------------

_LB_NAMESPACES: Final = ("aws:elb:", "aws:elbv2:")
_LB_VPC_OPTIONS: Final = ("ELBScheme", "ELBSubnets")


def _load_balancer_options(settings: OptionSettings) -> list[str]:
    found: list[str] = []
    for item in settings.items:
        namespace, name = item.namespace, item.name
        if not isinstance(namespace, str) or not isinstance(name, str):
            continue
        lowered = namespace.lower()
        if (
            lowered.startswith(_LB_NAMESPACES)
            or (lowered == ENV_NS and name == "LoadBalancerType")
            or (lowered == VPC_NS and name in _LB_VPC_OPTIONS)
        ):
            option = f"{namespace} {name}"
            if option not in found:
                found.append(option)
    return found


def _group_ingress(group: Resource, rules: GroupRules) -> list[tuple[str, Sources]]:
    """(where, its sources) for every ingress rule of a security group, inline or attached,
    that has something to say (the others admit no world source and hide nothing)."""
    found: list[tuple[str, Sources]] = []
    inline = group.props.get("ingress")
    if is_unreadable(inline):
        raise CannotCheck(f"{group.label}: its ingress rules are not known yet")
    for index, rule in enumerate(inline if isinstance(inline, list) else []):
        if isinstance(rule, dict):
            found.append((f"{group.label} ingress[{index}]", sources(group, rule, rules.lists)))
    found.extend((rule.label, rules.sources(rule)) for rule in rules.of(group))
    return found


def _instance_groups(env: Resource, settings: OptionSettings, network: Network) -> list[Resource]:
    ids = split_ids(settings.get(LAUNCH_NS, "SecurityGroups"))
    groups = network.deps_of_type(env, "settings", SECURITY_GROUP)
    for gid in ids or []:
        group = network.by_id(gid, SECURITY_GROUP)
        if group is not None and group not in groups:
            groups.append(group)
    return groups


def _worker_isolated(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    rules = GroupRules(network, prefix_lists(network))
    for found in effective_settings(network):
        env = found.resource
        if env.type != EB_ENVIRONMENT:
            continue
        tier = env.props.get("tier")
        if is_unreadable(tier):
            results.append(cannot_check(f"{env.label}: its tier is not known yet"))
            continue
        if not isinstance(tier, str) or tier.lower() != "worker":
            continue
        if not found.readable:
            results.append(cannot_check(f"{env.label}: its option settings are unreadable"))
            continue
        options = _load_balancer_options(found.settings)
        if options:
            results.append(
                (
                    f"{env.label} (tier Worker) sets load balancer options: "
                    f"{', '.join(options)}; a worker receives its work from its queue and "
                    "needs no load balancer: remove them",
                    env.urn,
                )
            )
        for check in (_public_ingress, _eb_ssh):
            try:
                results.extend(check(found, network, rules))
            except CannotCheck as undecided:
                results.append(cannot_check(undecided.message))
    return results


def _public_ingress(
    found: Effective, network: Network, rules: GroupRules
) -> list[tuple[str, str | None]]:
    env = found.resource
    results: list[tuple[str, str | None]] = []
    ids = found.settings.get(LAUNCH_NS, "SecurityGroups")
    groups = _instance_groups(env, found.settings, network)
    if is_unreadable(ids) and not groups:
        raise CannotCheck(f"{env.label}: its instances' security groups are not known yet")
    for group in groups:
        for where, judged in _group_ingress(group, rules):
            if judged.world:
                results.append(
                    (
                        f"{env.label} (tier Worker): {where} admits traffic from "
                        f"{', '.join(sorted(set(judged.world)))}; {_QUEUE_NOT_NETWORK}: remove "
                        "the rule (use SSM Session Manager for access)",
                        env.urn,
                    )
                )
                continue
            if judged.hidden is not None:
                results.append(cannot_check(f"{env.label}: the source of {where} is not known yet"))
            results.extend(
                cannot_check(f"{env.label}: {where}: {fact}") for fact in judged.lists.undecided
            )
            results.extend(
                cannot_check(
                    f"{env.label}: {where} names prefix list {pid}, which is not in this stack, "
                    "so whether it holds the world cannot be checked"
                )
                for pid in judged.lists.outside
            )
    return results


def _eb_ssh(found: Effective, network: Network, rules: GroupRules) -> list[tuple[str, str | None]]:
    """The SSH ingress EB opens on the group it creates for the worker's instances."""
    ssh = eb_ssh(found)
    if ssh is None or not ssh.admits_world:
        return []
    return [
        (
            f"{found.resource.label} (tier Worker): {ssh.options}, so Elastic Beanstalk admits "
            f"{web_only(ssh.protocol, ssh.low, ssh.high)[1]} from {ssh.source} on the security "
            f"group it creates for the instances; {_QUEUE_NOT_NETWORK}: remove EC2KeyName and "
            "SSHSourceRestriction (use SSM Session Manager for access)",
            found.resource.urn,
        )
    ]


POLICIES = [
    resource_policy(
        "sqs-queue-encrypted",
        "SQS queues are encrypted at rest (SSE-SQS or SSE-KMS).",
        (QUEUE,),
        _encrypted,
    ),
    stack_policy(
        "sqs-queue-has-dlq",
        "Every SQS queue has a dead-letter queue, unless it is one.",
        _has_dlq,
    ),
    stack_policy(
        "eb-worker-no-load-balancer",
        "Elastic Beanstalk worker environments have no load balancer and no public ingress.",
        _worker_isolated,
    ),
]
