"""The architecture drawing (Mermaid): tiers and their subnets per AZ, traffic left to right.

Everything in it is read from the deployment, for any stack: each Elastic Beanstalk
environment's load balancer (public or internal) and instances, drawn in the tier of the
subnets its option settings name; who may call a load balancer or a database, from the
security-group rules (a group admitting an environment's instance group); a work queue between
the environment that holds its URL and the worker whose daemon reads it. Edges are drawn in
the order traffic meets them, walking from the internet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from preflight.simulate.deployment import Deployment, SimResource

EB_ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
SQSD_QUEUE = ("aws:elasticbeanstalk:sqsd", "WorkerQueueURL")
LAUNCH_GROUPS = ("aws:autoscaling:launchconfiguration", "SecurityGroups")
TIERS = ("public", "private", "isolated")
STYLES = {
    "create": "fill:#d4f7d4,stroke:#2a2",
    "update": "fill:#fff3c4,stroke:#b80",
    "replace": "fill:#ffd0d0,stroke:#c00",
    "delete": "fill:#ffd0d0,stroke:#c00,stroke-dasharray:4",
}


class _Ids:
    """Short, stable Mermaid ids (n1, n2, ...) handed out in first-use order."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def __call__(self, key: str) -> str:
        if key not in self._ids:
            self._ids[key] = f"n{len(self._ids) + 1}"
        return self._ids[key]


@dataclass
class _Node:
    id: str
    shape: str
    tier: str | None
    """The subgraph it is drawn in; None outside every tier (a regional service)."""
    urns: tuple[str, ...] = ()
    """Resources whose change the plan highlights on this node."""
    edges: list[str] = field(default_factory=list)
    """Nodes it sends traffic to, in drawing order."""
    admitted: set[str] = field(default_factory=set)
    """Security groups whose members may call it (a load balancer or a database)."""
    groups: set[str] = field(default_factory=set)
    """An environment's instance security groups."""


def _role(env: SimResource) -> str:
    return str((env.inputs.get("tags") or {}).get("role", env.name))


def _settings(env: SimResource) -> dict[tuple[str, str], str]:
    return {
        (str(s.get("namespace")), str(s.get("name"))): str(s.get("value"))
        for s in env.inputs.get("settings") or []
        if isinstance(s, dict)
    }


def _ids(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class _Graph:
    """The deployment read as nodes (load balancers, instances, databases, a queue) and edges."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.nodes: dict[str, _Node] = {}
        self.internet: list[str] = []
        self.subnet_tier = {
            str(s.outputs.get("id")): str((s.inputs.get("tags") or {}).get("tier", "other"))
            for s in deployment.of_type("aws:ec2/subnet:Subnet")
        }
        self.admits = _admitted_groups(deployment)
        self.load_balancers: dict[str, str] = {}
        """Load balancer ARN -> its node (listener rules mark the balancer they belong to)."""
        envs = sorted(deployment.of_type(EB_ENVIRONMENT), key=_role)
        self.names, self.idle = _slot_names(envs), _idle(deployment, envs)
        for env in envs:
            self._environment(env)
        self._databases()
        self._link_callers()
        self._queues(envs)
        idle = {node.id for node in self.nodes.values() if node.urns and node.urns[0] in self.idle}
        for node in [*self.nodes.values()]:  # a live slot's edges first: traffic goes there
            node.edges.sort(key=lambda target: target in idle)
        self.internet.sort(key=lambda target: target in idle)

    def tier_of(self, subnet_ids: Iterable[str]) -> str:
        tiers = sorted({self.subnet_tier.get(s, "other") for s in subnet_ids})
        return tiers[0] if tiers else "other"

    def admitted(self, groups: Iterable[Any]) -> set[str]:
        return set().union(*(self.admits.get(str(g), set()) for g in groups))

    def _environment(self, env: SimResource) -> None:
        role, settings = self.names[env.urn], _settings(env)
        state = " (idle)" if env.urn in self.idle else " (live)" if " " in role else ""
        instances = _Node(
            f"{role.replace(' ', '')}i",
            f'["{role} instances{state}"]',
            self.tier_of(_ids(settings.get(("aws:ec2:vpc", "Subnets")))),
            (env.urn,),
            groups=set(
                _ids(settings.get(("aws:autoscaling:launchconfiguration", "SecurityGroups")))
            ),
        )
        if env.inputs.get("tier") != "Worker":
            internal = settings.get(("aws:ec2:vpc", "ELBScheme")) == "internal"
            balancer = _Node(
                f"{role.replace(' ', '')}lb",
                f'["{role} load balancer{" (internal)" if internal else ""}{state}"]',
                self.tier_of(_ids(settings.get(("aws:ec2:vpc", "ELBSubnets")))),
                (env.urn,),
                [instances.id],
                self.admitted(_ids(settings.get(("aws:elbv2:loadbalancer", "SecurityGroups")))),
            )
            self.nodes[balancer.id] = balancer
            if not internal:
                self.internet.append(balancer.id)
            for arn in env.outputs.get("loadBalancers") or []:
                self.load_balancers[str(arn)] = balancer.id
        self.nodes[instances.id] = instances

    def _databases(self) -> None:
        subnet_groups = {
            str(g.outputs.get("name")): g
            for g in self.deployment.of_type("aws:rds/subnetGroup:SubnetGroup")
        }
        for index, db in enumerate(self.deployment.of_type("aws:rds/instance:Instance")):
            group = subnet_groups.get(str(db.inputs.get("dbSubnetGroupName")))
            subnets = (group.inputs.get("subnetIds") or []) if group else []
            node = _Node(
                "db" if index == 0 else f"db{index + 1}",
                f'[("database {db.name}")]',
                self.tier_of(map(str, subnets)),
                (db.urn,),
                admitted=self.admitted(db.inputs.get("vpcSecurityGroupIds") or []),
            )
            self.nodes[node.id] = node

    def _link_callers(self) -> None:
        """Instances -> each load balancer, then each database, whose groups admit them."""
        callees = [n for n in self.nodes.values() if n.admitted and n.id.endswith("lb")]
        callees += [n for n in self.nodes.values() if n.admitted and not n.id.endswith("lb")]
        for callee in callees:
            for caller in self.nodes.values():
                if caller.groups & callee.admitted:
                    caller.edges.append(callee.id)

    def _queues(self, envs: list[SimResource]) -> None:
        """A queue a worker's daemon reads, fed by the environments holding its URL."""
        readers: dict[str, list[str]] = defaultdict(list)
        for env in envs:
            url = _settings(env).get(SQSD_QUEUE)
            if url:
                readers[url].append(f"{self.names[env.urn].replace(' ', '')}i")
        for queue in self.deployment.of_type("aws:sqs/queue:Queue"):
            url = str(queue.outputs.get("url"))
            if url not in readers:
                continue
            dead_letter = " + dead-letter queue" if queue.inputs.get("redrivePolicy") else ""
            node = _Node("queue", f'[["work queue (SQS){dead_letter}"]]', None, (queue.urn,))
            node.edges = readers[url]
            self.nodes[node.id] = node
            for env in envs:
                settings = _settings(env)
                if SQSD_QUEUE not in settings and url in settings.values():
                    self.nodes[f"{self.names[env.urn].replace(' ', '')}i"].edges.append(node.id)

    def edges(self) -> list[tuple[str, str]]:
        """Every edge once, depth first from the internet: the order traffic meets them."""
        drawn: list[tuple[str, str]] = []
        seen: set[str] = set()

        def walk(source: str, targets: list[str]) -> None:
            for target in targets:
                drawn.append((source, target))
                if target not in seen:
                    seen.add(target)
                    walk(target, self.nodes[target].edges)

        walk("internet", self.internet)
        return drawn


def _slot_names(envs: list[SimResource]) -> dict[str, str]:
    """Each environment's name in the drawing: its role, and where a role has several (blue/green
    slots) the role and what tells its environment apart (`model blue`, `model green`)."""
    by_role: dict[str, list[SimResource]] = defaultdict(list)
    for env in envs:
        by_role[_role(env)].append(env)
    names: dict[str, str] = {}
    for role, group in by_role.items():
        parts = [env.name.split("-") for env in group]
        shared = 0
        while (
            len(group) > 1
            and all(len(p) > shared + 1 for p in parts)
            and (len({p[shared] for p in parts}) == 1)
        ):
            shared += 1
        for env, words in zip(group, parts, strict=True):
            slot = "-".join(words[shared:]) if len(group) > 1 else ""
            names[env.urn] = f"{role} {slot}" if slot else role
    return names


def _idle(deployment: Deployment, envs: list[SimResource]) -> set[str]:
    """Environments of a role with several that no switch record points at (not live)."""
    from preflight.pack.modules import pack_module

    dns = pack_module("awsfacts.dns")
    plain = [
        dns.PlainResource(r.type, r.urn, {**r.inputs, **r.outputs}, r.property_dependencies)
        for r in deployment.resources
        if r.type in (dns.ROUTE53_RECORD, EB_ENVIRONMENT)
    ]
    live = {target.environment for target in dns.switches(plain).values()}
    roles = [_role(env) for env in envs]
    return {env.urn for env in envs if roles.count(_role(env)) > 1 and env.urn not in live}


def _admitted_groups(deployment: Deployment) -> dict[str, set[str]]:
    """Security group ID -> the groups its ingress rules admit, in each of AWS's forms."""
    admits: dict[str, set[str]] = defaultdict(set)
    for rule in deployment.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        if rule.inputs.get("referencedSecurityGroupId"):
            source = str(rule.inputs["referencedSecurityGroupId"])
            admits[str(rule.inputs.get("securityGroupId"))].add(source)
    for rule in deployment.of_type("aws:ec2/securityGroupRule:SecurityGroupRule"):
        if rule.inputs.get("type") == "ingress" and rule.inputs.get("sourceSecurityGroupId"):
            source = str(rule.inputs["sourceSecurityGroupId"])
            admits[str(rule.inputs.get("securityGroupId"))].add(source)
    for group in deployment.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for ingress in group.inputs.get("ingress") or []:
            if isinstance(ingress, dict):
                sources = map(str, ingress.get("securityGroups") or [])
                admits[str(group.outputs.get("id"))].update(sources)
    return admits


def _subgraphs(graph: _Graph, changed: dict[str, str], marks: list[tuple[str, str]]) -> list[str]:
    ids = _Ids()
    subnets: dict[str, list[SimResource]] = defaultdict(list)
    for subnet in sorted(
        graph.deployment.of_type("aws:ec2/subnet:Subnet"),
        key=lambda r: str(r.inputs.get("availabilityZone", "")),
    ):
        subnets[str((subnet.inputs.get("tags") or {}).get("tier", "other"))].append(subnet)
    reached = [target for _, target in graph.edges()]
    members: dict[str | None, list[_Node]] = defaultdict(list)
    for node_id in dict.fromkeys([*reached, *graph.nodes]):  # unreachable nodes last
        members[graph.nodes[node_id].tier].append(graph.nodes[node_id])

    def draw(node: _Node, indent: str) -> str:
        marks.extend((node.id, changed[urn]) for urn in node.urns if urn in changed)
        return f"{indent}{node.id}{node.shape}"

    lines = [draw(node, "    ") for node in members.get(None, [])]
    named = {tier for tier in members if tier is not None} | set(subnets)
    for tier in (*TIERS, *sorted(named - set(TIERS))):
        if tier not in named:
            continue
        lines.append(f'    subgraph tier_{tier}["{tier} tier"]')
        lines += [draw(node, "        ") for node in members.get(tier, [])]
        for subnet in subnets.get(tier, []):
            node_id = ids(subnet.urn)
            az = subnet.inputs.get("availabilityZone", "?")
            lines.append(f'        {node_id}["{az}<br>{subnet.inputs.get("cidrBlock", "")}"]')
            if subnet.urn in changed:
                marks.append((node_id, changed[subnet.urn]))
        lines.append("    end")
    return lines


def architecture(deployment: Deployment, changed: dict[str, str] | None = None) -> str:
    """Tiers and their subnets per AZ, traffic flowing left to right; resources the plan
    creates, updates, replaces or deletes highlighted by operation."""
    changed = changed or {}
    graph = _Graph(deployment)
    marks: list[tuple[str, str]] = []
    lines = ["flowchart LR", '    internet(("internet"))', *_subgraphs(graph, changed, marks)]
    idle = {node.id for node in graph.nodes.values() if node.urns and node.urns[0] in graph.idle}
    lines += [
        f"    {source} {'-.->' if target in idle else '-->'} {target}"
        for source, target in graph.edges()
    ]
    for urn, op in changed.items():  # a load balancer's listener rules
        balancer = _listener_balancer(deployment, urn)
        if op != "same" and balancer is not None and balancer in graph.load_balancers:
            marks.append((graph.load_balancers[balancer], op))
    lines += [f"    style {node} {STYLES[op]},stroke-width:3px" for node, op in sorted(set(marks))]
    return "\n".join(lines)


def _listener_balancer(deployment: Deployment, urn: str) -> str | None:
    """The load balancer ARN of a listener rule (its listener's ARN without the listener ID)."""
    rule = deployment.by_urn.get(urn)
    if rule is None or rule.type != "aws:lb/listenerRule:ListenerRule":
        return None
    listener = str(rule.inputs.get("listenerArn", ""))
    return listener.replace(":listener/", ":loadbalancer/").rsplit("/", 1)[0]
