"""Does a route table route to an internet gateway? Judged route by route.

AWS calls a subnet public when its route table has a route to an internet gateway, whatever
the destination (`0.0.0.0/1` and `128.0.0.0/1`, a `/8` or an IPv6 `/64` reach the internet as
surely as `0.0.0.0/0`), so every route to an internet gateway counts, whatever it names.

A table's routes come inline (`routes[]` on `aws:ec2/routeTable:RouteTable` /
`aws:ec2/defaultRouteTable:DefaultRouteTable`: `cidrBlock|ipv6CidrBlock|destinationPrefixListId`,
`gatewayId`) or as separate `aws:ec2/route:Route` resources (`routeTableId`,
`destinationCidrBlock|destinationIpv6CidrBlock|destinationPrefixListId`, `gatewayId`). The
gateway is an internet gateway when its ID starts with `igw-` or is the `id` of an
InternetGateway in the stack, or, while IDs are unknown during preview, when the property
depends on an InternetGateway (or its attachment). Routes to a NAT gateway, a VPN gateway, a
transit gateway, a peering connection or an egress-only internet gateway are private.

A VPC's original main table that no DefaultRouteTable manages is stood in for by
`main_table_stand_in`: only `Route` resources aimed at its ID can add routes to it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from awsfacts.ec2 import IGW_TYPES, ROUTE, ROUTE_TABLE, is_internet_gateway_id

from .resources import Resource
from .stack_index import References, StackIndex
from .values import UNKNOWN, is_unreadable

_STAND_IN_SUFFIX: Final = "#main-route-table"
INLINE_DESTINATIONS: Final = ("cidrBlock", "ipv6CidrBlock", "destinationPrefixListId")
"""Where an inline route (`routes[]`) names its destination."""
ROUTE_DESTINATIONS: Final = (
    "destinationCidrBlock",
    "destinationIpv6CidrBlock",
    "destinationPrefixListId",
)
"""Where an `aws:ec2/route:Route` names its destination."""


class Status(enum.Enum):
    """How public a subnet is, or a route's gateway: the verdicts `subnets` returns."""

    PUBLIC = "public"
    PRIVATE = "private"
    UNKNOWN = "unknown"
    """Cannot be decided yet (IDs unknown during preview, or an unreadable secret)."""
    UNMANAGED = "unmanaged"
    """Referenced by ID but not a resource of this stack, so its routes are not visible."""


@dataclass
class RouteFinding:
    """A route that makes a table public (`PUBLIC`) or may (`UNKNOWN`), in words."""

    kind: Status
    text: str


def main_table_stand_in(vpc: Resource) -> Resource:
    """The VPC's original main route table, when no resource of the stack manages it."""
    main_id = vpc.props.get("mainRouteTableId")
    return Resource(
        type=ROUTE_TABLE,
        name=f"main route table of {vpc.label}",
        urn=f"{vpc.urn}{_STAND_IN_SUFFIX}",
        props={"id": main_id if isinstance(main_id, str) else UNKNOWN},
    )


class Routes:
    """The routes of one stack, judged per table (each table once)."""

    def __init__(self, index: StackIndex) -> None:
        self._index = index
        self._routes = References(index.of_type(ROUTE), "routeTableId")
        self._findings: dict[str, list[RouteFinding]] = {}

    def findings(self, table: Resource) -> list[RouteFinding]:
        """Every route of `table` that makes it public or may (computed once per table)."""
        if table.urn not in self._findings:
            self._findings[table.urn] = self._compute_findings(table)
        return self._findings[table.urn]

    def _compute_findings(self, table: Resource) -> list[RouteFinding]:
        if table.urn.endswith(_STAND_IN_SUFFIX):
            # Only Route resources aimed at the main table's ID can add routes to it.
            findings: list[RouteFinding] = []
            table_id = table.props.get("id")
            vpc_urn = table.urn.removesuffix(_STAND_IN_SUFFIX)
            for route in self._routes.candidates([table_id], vpc_urn):
                value = route.props.get("routeTableId")
                by_id = isinstance(table_id, str) and value == table_id
                by_dependency = is_unreadable(value) and vpc_urn in route.deps_of("routeTableId")
                if not (by_id or by_dependency):
                    continue
                finding = self._judge_route_resource(route, f"{route.label} in the {table.name}")
                if finding:
                    findings.append(finding)
            return findings
        return self._table_findings(table)

    def _gateway_kind(self, gateway: Any, deps: Sequence[str]) -> Status:
        """PUBLIC if the route target is an internet gateway, PRIVATE if not, else UNKNOWN."""
        if gateway is None or gateway == "":
            return Status.PRIVATE
        if isinstance(gateway, str) and not is_unreadable(gateway):
            if is_internet_gateway_id(gateway):
                return Status.PUBLIC
            target = self._index.by_id(gateway)
            if target is not None and target.type in IGW_TYPES:
                return Status.PUBLIC
            return Status.PRIVATE
        dep_types = [self._index.by_urn[u].type for u in deps if u in self._index.by_urn]
        if any(t in IGW_TYPES for t in dep_types):
            return Status.PUBLIC
        if dep_types:
            return Status.PRIVATE
        return Status.UNKNOWN

    def _judge_route(
        self,
        destinations: tuple[Any, ...],
        gateway: Any,
        gateway_deps: Sequence[str],
        where: str,
    ) -> RouteFinding | None:
        """A route to an internet gateway makes its table public whatever its destination
        (`destinations`: IPv4 CIDR, IPv6 CIDR, prefix list ID, any of them None)."""
        gateway_kind = self._gateway_kind(gateway, gateway_deps)
        if gateway_kind is Status.PRIVATE:
            return None
        to = _destination(*destinations)
        if gateway_kind is Status.PUBLIC:
            return RouteFinding(
                Status.PUBLIC, f"{where} routes {to} to internet gateway {_gw(gateway)}"
            )
        return RouteFinding(
            Status.UNKNOWN, f"{where} routes {to} to a gateway whose ID is not known yet"
        )

    def _judge_route_resource(self, route: Resource, where: str) -> RouteFinding | None:
        """`_judge_route` for an `aws:ec2/route:Route` resource."""
        props = route.props
        return self._judge_route(
            tuple(props.get(key) for key in ROUTE_DESTINATIONS),
            props.get("gatewayId"),
            route.deps_of("gatewayId"),
            where,
        )

    def _table_findings(self, table: Resource) -> list[RouteFinding]:
        findings: list[RouteFinding] = []
        inline = table.props.get("routes")
        if is_unreadable(inline):
            findings.append(
                RouteFinding(Status.UNKNOWN, f"the routes of {table.label} are not known yet")
            )
        elif isinstance(inline, list):
            for index, route in enumerate(inline):
                if is_unreadable(route) or not isinstance(route, dict):
                    findings.append(
                        RouteFinding(
                            Status.UNKNOWN,
                            f"route {index} of {table.label} is not known yet",
                        )
                    )
                    continue
                finding = self._judge_route(
                    tuple(route.get(key) for key in INLINE_DESTINATIONS),
                    route.get("gatewayId"),
                    table.deps_of("routes"),
                    f"{table.label} (inline route {index})",
                )
                if finding:
                    findings.append(finding)
        table_ids = [table.props.get("id"), table.props.get("defaultRouteTableId")]
        for route in self._routes.candidates(table_ids, table.urn):
            targets = self._index.refers_to(route, "routeTableId", table)
            if targets is False:
                continue
            finding = self._judge_route_resource(route, f"{route.label} in {table.label}")
            if finding is None:
                continue
            if targets is None:
                finding = RouteFinding(
                    Status.UNKNOWN,
                    f"{route.label} may belong to {table.label} (routeTableId not known yet): "
                    f"{finding.text}",
                )
            findings.append(finding)
        return findings


def _destination(ipv4: Any, ipv6: Any, prefix_list: Any) -> str:
    """A route's destination in words: its CIDRs, or the prefix list it names."""
    if any(is_unreadable(d) for d in (ipv4, ipv6, prefix_list)):
        return "a destination not known yet"
    shown = [str(d) for d in (ipv4, ipv6) if isinstance(d, str) and d]
    if isinstance(prefix_list, str) and prefix_list:
        shown.append(f"prefix list {prefix_list}")
    return " and ".join(shown) or "a route without a destination"


def _gw(gateway: Any) -> str:
    if isinstance(gateway, str) and not is_unreadable(gateway):
        return gateway
    return "(by dependency)"
