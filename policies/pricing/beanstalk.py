"""Elastic Beanstalk environments: what an environment launches, priced from its options.

EB itself is free; an environment is billed for what it creates: its instances (the first of
`aws:ec2:instances` InstanceTypes is what EB launches, else the legacy launch configuration
InstanceType), from `aws:autoscaling:asg` MinSize to MaxSize (one for a single-instance
environment), their root volumes, the load balancer of a load-balanced web-server tier (not a
worker tier's, and none when it is shared), the public IPv4 addresses of an internet-facing load
balancer (one for each of its subnets, i.e. zones), of a single instance (its Elastic IP) and of
instances given public addresses, the two CloudWatch alarms of the Auto Scaling trigger, and the
logs it streams to CloudWatch Logs.

Options are read as EB applies them: the environment's own, else its configuration template's
(found by name within the application, else by the `templateName` dependency), else EB's
default (`awsfacts.eb.DEFAULTS`). An option a template outside the stack may set is unknown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from awsfacts.eb import (
    ASG_NS,
    DEFAULTS,
    EB_TEMPLATE,
    ENV_NS,
    INSTANCES_NS,
    LAUNCH_NS,
    LOGS_NS,
    VPC_NS,
)

from .model import (
    Context,
    Gap,
    Line,
    Range,
    Record,
    Stack,
    Unreadable,
    count,
    flag,
    guarded,
    items_of,
    text,
    unreadable,
)
from .parts import load_balancer_lines, volume_line

Options = dict[tuple[str, str], Any]


def _parse(record: Record) -> tuple[Options, Unreadable | None]:
    """{(namespace lower-cased, name): value} of a `settings` list (the last entry wins; options
    scoped to a named resource are not environment-wide), and why some cannot be read."""
    raw = record.props.get("settings")
    if raw is None:
        return {}, None
    if not isinstance(raw, list):
        return {}, unreadable("its settings list", raw, "a list")
    options: Options = {}
    problem = None
    for entry in raw:
        namespace = entry.get("namespace") if isinstance(entry, dict) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        if not (isinstance(namespace, str) and isinstance(name, str)):
            problem = Unreadable("some option settings are not known yet", unknown=True)
        elif not entry.get("resource"):
            options[(namespace.lower(), name)] = entry.get("value")
    return options, problem


def _templates_by_name(stack: Stack) -> dict[str, list[Record]]:
    """The stack's configuration templates by their (known) name, in stack order."""
    named: dict[str, list[Record]] = {}
    for template in stack.of_type(EB_TEMPLATE):
        name = template.props.get("name")
        if isinstance(name, str):
            named.setdefault(name, []).append(template)
    return named


def _template_of(env: Record, stack: Stack) -> tuple[Record | None, str | None]:
    """The configuration template the environment launches from, or why it cannot be seen."""
    name = env.props.get("templateName")
    if name is None or name == "":
        return None, None
    by_dependency = stack.deps_of_type(env, "templateName", EB_TEMPLATE)
    if isinstance(name, str):
        application = env.props.get("application")
        named = stack.memo("templates-by-name", lambda: _templates_by_name(stack))
        for template in named.get(name, ()):
            theirs = template.props.get("application")
            same_app = not isinstance(application, str) or not isinstance(theirs, str)
            if template.props.get("name") == name and (same_app or application == theirs):
                return template, None
    if len(by_dependency) == 1:
        return by_dependency[0], None
    if isinstance(name, str):
        return None, f"its configuration template {name!r} is not in this stack"
    return None, "the name of its configuration template is not known yet"


class EbOptions:
    """The options an environment runs with: its own, over its template's, over EB's defaults."""

    def __init__(self, env: Record, stack: Stack) -> None:
        self.own, self.own_problem = _parse(env)
        template, unseen = _template_of(env, stack)
        self.template: Options = {}
        self.unseen = Unreadable(unseen, unknown=True) if unseen else None
        if template is not None:
            self.template, problem = _parse(template)
            if problem:
                why = f"in its configuration template {problem.why}"
                self.unseen = Unreadable(why, unknown=problem.unknown)

    def get(self, namespace: str, name: str) -> Any:
        """The value set on the environment or its template; None when neither sets it."""
        key = (namespace.lower(), name)
        if key in self.own:
            return self.own[key]
        if self.own_problem:
            why = f"{namespace} {name}: {self.own_problem.why}"
            raise Unreadable(why, unknown=self.own_problem.unknown)
        if key in self.template:
            return self.template[key]
        if self.unseen:
            why = f"{namespace} {name} is not set on the environment, and {self.unseen.why}"
            raise Unreadable(why, unknown=self.unseen.unknown)
        return None

    def value(self, namespace: str, name: str) -> Any:
        """As `get`, with EB's own default for an option nobody sets."""
        found = self.get(namespace, name)
        return DEFAULTS.get((namespace, name)) if found is None else found


def _single(options: EbOptions) -> bool:
    """A single-instance environment (no load balancer, no Auto Scaling trigger)."""
    kind = text(options.value(ENV_NS, "EnvironmentType"), f"{ENV_NS} EnvironmentType")
    return kind == "SingleInstance"


def _running(options: EbOptions) -> Range:
    """How many instances run: MinSize..MaxSize, or one for a single-instance environment."""
    if _single(options):
        return Range.of(1)
    low = count(options.value(ASG_NS, "MinSize"), f"{ASG_NS} MinSize") or 0
    high = count(options.value(ASG_NS, "MaxSize"), f"{ASG_NS} MaxSize") or 0
    if low > high:
        raise Unreadable(f"{ASG_NS} MinSize {low} is above MaxSize {high}", unknown=False)
    return Range(Decimal(low), Decimal(high))


def _instances(options: EbOptions, ctx: Context) -> list[Line]:
    running = _running(options)
    listed = items_of(options.get(INSTANCES_NS, "InstanceTypes"), f"{INSTANCES_NS} InstanceTypes")
    if listed:
        kind, where = listed[0], "the first of InstanceTypes"
    else:
        kind = text(options.get(LAUNCH_NS, "InstanceType"), f"{LAUNCH_NS} InstanceType") or ""
        where = "launch configuration InstanceType"
    if not kind:
        return [
            Gap(
                "instances",
                f"no instance type is set ({INSTANCES_NS} InstanceTypes), so "
                "EB picks its default, which depends on the account",
            )
        ]
    spot = flag(options.get(INSTANCES_NS, "EnableSpot"), f"{INSTANCES_NS} EnableSpot")
    what = f"{kind} instances, Linux on-demand ({_span(running)}; {where})"
    if spot:
        what += "; EnableSpot: priced on-demand, an upper bound"
    return [ctx.pricer.hourly(what, "ec2.instanceHour", running, kind, "instance type")]


def _span(running: Range) -> str:
    low, high = int(running.min), int(running.max)
    return f"{low} running" if low == high else f"{low} to {high} running"


def _root_volumes(options: EbOptions, ctx: Context) -> list[Line]:
    running = _running(options)
    kind = text(options.get(LAUNCH_NS, "RootVolumeType"), f"{LAUNCH_NS} RootVolumeType")
    size = count(options.get(LAUNCH_NS, "RootVolumeSize"), f"{LAUNCH_NS} RootVolumeSize")
    return [volume_line(ctx.pricer, "root volumes", kind, size, running)]


def _load_balancer(env: Record, options: EbOptions, ctx: Context) -> list[Line]:
    tier = text(env.props.get("tier"), "tier") or "WebServer"
    shared = flag(options.get(ENV_NS, "LoadBalancerIsShared"), f"{ENV_NS} LoadBalancerIsShared")
    if _single(options) or tier.lower() == "worker" or shared:
        return []
    kind = text(options.value(ENV_NS, "LoadBalancerType"), f"{ENV_NS} LoadBalancerType")
    kind = (kind or DEFAULTS[(ENV_NS, "LoadBalancerType")]).lower()
    scheme = text(options.value(VPC_NS, "ELBScheme"), f"{VPC_NS} ELBScheme") or "public"
    zones = None
    if scheme.lower() != "internal":
        subnets = items_of(options.get(VPC_NS, "ELBSubnets"), f"{VPC_NS} ELBSubnets")
        if subnets is None:
            why = f"{VPC_NS} ELBSubnets is not set: the zones the load balancer spans are unknown"
            return [*load_balancer_lines(ctx.pricer, kind, None), Gap("public IPv4", why)]
        zones = len(subnets)
    return load_balancer_lines(ctx.pricer, kind, zones)


def _addresses(options: EbOptions, ctx: Context) -> list[Line]:
    """Public IPv4 of the instances: a single instance's Elastic IP, or one per instance
    launched with AssociatePublicIpAddress."""
    if _single(options):
        what = "Elastic IP of the single instance"
        return [ctx.pricer.hourly(what, "publicIpv4.hour", Range.of(1))]
    public = flag(options.get(VPC_NS, "AssociatePublicIpAddress"), "AssociatePublicIpAddress")
    if not public:
        return []
    what = "public IPv4 address of each instance (AssociatePublicIpAddress)"
    return [ctx.pricer.hourly(what, "publicIpv4.hour", _running(options))]


def _monitoring(options: EbOptions, ctx: Context) -> list[Line]:
    lines: list[Line] = []
    if not _single(options):
        what = "CloudWatch alarms of its Auto Scaling trigger (EB creates a high and a low one)"
        lines.append(ctx.pricer.line(what, "cloudwatch.alarmMonth", Range.of(2)))
    if flag(options.get(LOGS_NS, "StreamLogs"), f"{LOGS_NS} StreamLogs"):
        what = "instance logs streamed to CloudWatch Logs"
        lines.append(ctx.pricer.per_usage(what, "logs.ingestGb", "instanceLogGbPerMonth"))
    return lines


def environment(env: Record, ctx: Context) -> list[Line]:
    """The price lines of one Elastic Beanstalk environment."""
    options = EbOptions(env, ctx.stack)
    return [
        *guarded("instances", lambda: _instances(options, ctx)),
        *guarded("root volumes", lambda: _root_volumes(options, ctx)),
        *guarded("load balancer", lambda: _load_balancer(env, options, ctx)),
        *guarded("public IPv4", lambda: _addresses(options, ctx)),
        *guarded("monitoring", lambda: _monitoring(options, ctx)),
    ]
