"""Price lines more than one resource type has: EBS volumes and load balancers."""

from __future__ import annotations

from .model import Gap, Line, Pricer, Range
from .table import HOURS_PER_MONTH


def volume_line(
    pricer: Pricer, what: str, kind: str | None, size: int | None, count: Range
) -> Line:
    """`count` EBS volumes of `kind` and `size` GB, a month."""
    missing = pricer.unpriced(what, "ebs.gbMonth")
    if missing:
        return missing
    if kind is None:
        return Gap(
            what,
            "the volume type is not set, so the image's default applies, which "
            "the estimate does not assume",
        )
    if size is None:
        return Gap(
            what,
            "the volume size is not set, so the image's default applies, which "
            "the estimate does not know",
        )
    shown = f"{what}: {kind}, {size} GB each"
    return pricer.line(shown, "ebs.gbMonth", count.times(size), kind, "volume type")


def load_balancer_lines(pricer: Pricer, kind: str, public_zones: int | None) -> list[Line]:
    """A load balancer of `kind` (application, network, gateway, classic): its hours, its
    capacity units from usage, and, when internet-facing, its public IPv4 addresses (one a
    zone, times usage publicLoadBalancerAddressesPerZone)."""
    lines = [
        pricer.hourly(f"{kind} load balancer", "elb.hour", Range.of(1), kind, "load balancer type"),
        pricer.per_usage(
            f"{kind} load balancer capacity units",
            "elb.capacityUnitHour",
            "loadBalancerCapacityUnits",
            HOURS_PER_MONTH,
            kind,
        ),
    ]
    if public_zones:
        per_zone = pricer.usage["publicLoadBalancerAddressesPerZone"]
        what = (
            f"public IPv4 addresses of its internet-facing load balancer ({public_zones} zones "
            f"x usage publicLoadBalancerAddressesPerZone = {per_zone:f})"
        )
        lines.append(pricer.hourly(what, "publicIpv4.hour", Range.of(public_zones * per_zone)))
    return lines
