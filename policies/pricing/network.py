"""Price rules for networking and compute outside Elastic Beanstalk.

NAT gateways (hours, and their share of the stack's NAT data), public IPv4 (Elastic IPs),
interface VPC endpoints (hours per subnet, data; gateway endpoints are free), VPC flow logs
(vended-log delivery), stand-alone load balancers, EC2 instances and EBS volumes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .model import Context, Gap, Line, Range, Record, count, flag, guarded, items_of, text
from .parts import load_balancer_lines, volume_line

NAT_GATEWAY: Final = "aws:ec2/natGateway:NatGateway"
FLOW_LOG: Final = "aws:ec2/flowLog:FlowLog"
LOG_GROUP: Final = "aws:cloudwatch/logGroup:LogGroup"
FLOW_LOG_RATES: Final = {"cloud-watch-logs": "logs.vendedGb", "s3": "logs.vendedToS3Gb"}


def nat_gateway(record: Record, ctx: Context) -> list[Line]:
    gateways = ctx.stack.memo("nat-gateways", lambda: len(ctx.stack.of_type(NAT_GATEWAY)))
    share = Decimal(1) / Decimal(gateways)
    what = f"data processed (an even share of the stack's, over {gateways} NAT gateway(s))"
    return [
        ctx.pricer.hourly("NAT gateway", "natGateway.hour", Range.of(1)),
        ctx.pricer.per_usage(what, "natGateway.gb", "natDataGbPerMonth", share),
    ]


def elastic_ip(record: Record, ctx: Context) -> list[Line]:
    def lines() -> list[Line]:
        pool = text(record.props.get("publicIpv4Pool"), "publicIpv4Pool")
        if pool and pool != "amazon":
            return []  # an address from your own pool (BYOIP) is not charged by the hour
        what = "public IPv4 address (Elastic IP)"
        return [ctx.pricer.hourly(what, "publicIpv4.hour", Range.of(1))]

    return guarded("public IPv4", lines)


def vpc_endpoint(record: Record, ctx: Context) -> list[Line]:
    def lines() -> list[Line]:
        kind = text(record.props.get("vpcEndpointType"), "vpcEndpointType") or "Gateway"
        if kind == "Gateway":
            return []  # S3 and DynamoDB gateway endpoints are free
        if kind != "Interface":
            return [Gap(f"{kind} endpoint", "this endpoint type is not priced by the estimator")]
        subnets = items_of(record.props.get("subnetIds"), "subnetIds") or []
        zones = max(len(subnets), 1)
        return [
            ctx.pricer.hourly(
                f"{kind} endpoint, {zones} zone(s)", "vpcEndpoint.hour", Range.of(zones)
            ),
            ctx.pricer.per_usage("data processed", "vpcEndpoint.gb", "endpointDataGbPerMonth"),
        ]

    return guarded("VPC endpoint", lines)


def flow_log(record: Record, ctx: Context) -> list[Line]:
    def lines() -> list[Line]:
        target = text(record.props.get("logDestinationType"), "logDestinationType")
        rate = FLOW_LOG_RATES.get(target or "cloud-watch-logs")
        what = f"flow-log records delivered to {target or 'cloud-watch-logs'}"
        if rate is None:
            return [Gap(what, "this delivery is not priced by the estimator")]
        return [ctx.pricer.per_usage(what, rate, "flowLogGbPerMonth")]

    return guarded("flow log", lines)


def _flow_log_destinations(ctx: Context) -> set[str]:
    """URNs of the log groups a flow log writes to (by dependency, or by ARN: a destination
    that starts with the group's ARN). The ARNs are indexed once, by length, so each flow log
    looks up its destination's prefixes instead of testing every log group."""
    arns = {group.urn: group.props.get("arn") for group in ctx.stack.of_type(LOG_GROUP)}
    by_arn: dict[str, set[str]] = {}
    for urn, arn in arns.items():
        if isinstance(arn, str):
            by_arn.setdefault(arn, set()).add(urn)
    lengths = sorted({len(arn) for arn in by_arn})
    found: set[str] = set()
    for flow in ctx.stack.of_type(FLOW_LOG):
        target = flow.props.get("logDestination")
        found.update(r.urn for r in ctx.stack.deps_of_type(flow, "logDestination", LOG_GROUP))
        if isinstance(target, str):
            for length in lengths:
                if length > len(target):
                    break
                found.update(by_arn.get(target[:length], ()))
    return found


def log_group(record: Record, ctx: Context) -> list[Line]:
    """Ingestion from usage; a flow log's group is paid for as the flow log's delivery."""
    destinations = ctx.stack.memo("flow-log-destinations", lambda: _flow_log_destinations(ctx))
    if record.urn in destinations:
        return []

    def lines() -> list[Line]:
        kind = text(record.props.get("logGroupClass"), "logGroupClass") or "STANDARD"
        rate = "logs.iaIngestGb" if kind == "INFREQUENT_ACCESS" else "logs.ingestGb"
        return [ctx.pricer.per_usage(f"{kind.lower()} log ingestion", rate, "logGroupGbPerMonth")]

    return guarded("log ingestion", lines)


def load_balancer(record: Record, ctx: Context) -> list[Line]:
    def lines() -> list[Line]:
        classic = record.type.startswith("aws:elb/")
        kind = "classic" if classic else text(record.props.get("loadBalancerType"), "type")
        internal = flag(record.props.get("internal"), "internal")
        if internal:
            return load_balancer_lines(ctx.pricer, kind or "application", None)
        zones = items_of(record.props.get("subnets"), "subnets")
        mappings = record.props.get("subnetMappings")
        if not zones and isinstance(mappings, list):
            zones = [str(mapping) for mapping in mappings]
        if not zones and classic:
            zones = items_of(record.props.get("availabilityZones"), "availabilityZones")
        return load_balancer_lines(ctx.pricer, kind or "application", len(zones or ()) or None)

    return guarded("load balancer", lines)


def instance(record: Record, ctx: Context) -> list[Line]:
    def hours() -> list[Line]:
        kind = text(record.props.get("instanceType"), "instanceType")
        if kind is None:
            return [Gap("instance", "instanceType is not set (a launch template may set it)")]
        what = f"{kind} instance, Linux on-demand"
        return [ctx.pricer.hourly(what, "ec2.instanceHour", Range.of(1), kind, "instance type")]

    def root() -> list[Line]:
        device = record.props.get("rootBlockDevice")
        device = device if isinstance(device, dict) else {}
        kind = text(device.get("volumeType"), "rootBlockDevice.volumeType")
        size = count(device.get("volumeSize"), "rootBlockDevice.volumeSize")
        return [volume_line(ctx.pricer, "root volume", kind, size, Range.of(1))]

    def address() -> list[Line]:
        if not flag(record.props.get("associatePublicIpAddress"), "associatePublicIpAddress"):
            return []
        return [ctx.pricer.hourly("public IPv4 address", "publicIpv4.hour", Range.of(1))]

    return [
        *guarded("instance", hours),
        *guarded("root volume", root),
        *guarded("public IPv4", address),
    ]


def volume(record: Record, ctx: Context) -> list[Line]:
    def lines() -> list[Line]:
        kind = text(record.props.get("type"), "type")
        size = count(record.props.get("size"), "size")
        return [volume_line(ctx.pricer, "EBS volume", kind, size, Range.of(1))]

    return guarded("EBS volume", lines)
