"""The web tier's own domain (issue 12): its Route 53 alias points at the web environment's
load balancer. Read from Route 53's records, never from DNS lookups, so the check sees what
the stack deployed whatever resolvers cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verify.checks import EnvironmentResources, _existing
from verify.result import CheckResult

if TYPE_CHECKING:
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_route53 import Route53Client
    from mypy_boto3_route53.type_defs import HostedZoneTypeDef

CHECK_ID = "web-domain-alias"


def _name(value: str) -> str:
    return value.rstrip(".").lower().removeprefix("dualstack.")


def _public_zone(route53: Route53Client, domain: str) -> HostedZoneTypeDef | None:
    """The most specific public zone named by `domain` or one of its parents. Route 53 lists
    zones from a name onwards in its own order, so each candidate name is asked for itself."""
    labels = domain.split(".")
    for start in range(len(labels) - 1):
        name = ".".join(labels[start:])
        listed = route53.list_hosted_zones_by_name(DNSName=name, MaxItems="10")["HostedZones"]
        for zone in listed:
            if _name(zone["Name"]) == name and not zone.get("Config", {}).get("PrivateZone"):
                return zone
    return None


def alias_of(route53: Route53Client, zone_id: str, name: str) -> str | None:
    """The target of the alias A record `name` in the hosted zone `zone_id` (as Route 53
    compares names), or None when there is no such record."""
    name = _name(name)
    records = route53.list_resource_record_sets(
        HostedZoneId=zone_id, StartRecordName=name, StartRecordType="A", MaxItems="1"
    )["ResourceRecordSets"]
    return next(
        (
            _name(r["AliasTarget"]["DNSName"])
            for r in records
            if _name(r["Name"]) == name and r["Type"] == "A" and "AliasTarget" in r
        ),
        None,
    )


def check_domain_alias(
    route53: Route53Client | None,
    elbv2: ElasticLoadBalancingv2Client,
    domain: str,
    resources: EnvironmentResources | None,
) -> CheckResult:
    """An alias A record for `domain`, in its public hosted zone, targets the web LB."""
    domain = domain.rstrip(".").lower()
    fix = "run `pulumi up` (the stack creates the alias record with webmodel:web.domain)"
    if route53 is None or resources is None:
        why = "no Route 53 client" if route53 is None else "the web environment does not exist"
        return CheckResult(CHECK_ID, False, f"not checked: {why}", fix)
    zone = _public_zone(route53, domain)
    if zone is None:
        return CheckResult(CHECK_ID, False, f"no public Route 53 hosted zone holds {domain}", fix)
    alias = alias_of(route53, zone["Id"], domain)
    if alias is None:
        return CheckResult(
            CHECK_ID, False, f"{domain} has no alias A record in zone {_name(zone['Name'])}", fix
        )
    arns = [lb for lb in resources.load_balancers if lb.startswith("arn:")]
    found = _existing(lambda: elbv2.describe_load_balancers(LoadBalancerArns=arns)) if arns else []
    targets = {_name(lb["DNSName"]) for lb in found if "DNSName" in lb}
    if _name(alias) in targets:
        return CheckResult(CHECK_ID, True, f"{domain} is an alias of the web load balancer")
    where = ", ".join(sorted(targets)) or "no load balancer found"
    return CheckResult(
        CHECK_ID,
        False,
        f"{domain} is an alias of {_name(alias)}, not of the web load balancer ({where})",
        fix,
    )
