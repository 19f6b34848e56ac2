"""Is a subnet public? Decided from the stack's own resources, in every form AWS allows.

A subnet is **public** if `mapPublicIpOnLaunch` is true or the route table it uses has a
route for `0.0.0.0/0` or `::/0` whose target is an internet gateway. Private = not public;
a default route to a NAT gateway, a VPN gateway or a transit gateway is fine.

Forms understood:
- routes inline on `aws:ec2/routeTable:RouteTable` / `aws:ec2/defaultRouteTable:DefaultRouteTable`
  (`routes[].cidrBlock|ipv6CidrBlock`, `routes[].gatewayId`) or as separate `aws:ec2/route:Route`
  resources (`routeTableId`, `destinationCidrBlock|destinationIpv6CidrBlock`, `gatewayId`);
- the internet gateway named by ID (an `igw-` prefix, or the `id` of an
  `aws:ec2/internetGateway:InternetGateway` in the stack) or, while IDs are unknown during
  preview, by the property's `propertyDependencies` on an InternetGateway (or its attachment);
- the subnet's table chosen by `aws:ec2/routeTableAssociation:RouteTableAssociation`
  (`subnetId`, `routeTableId`); a subnet with no explicit association uses its VPC's **main**
  route table: the one named by an `aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation`
  for the VPC, else the VPC's original main table (`mainRouteTableId`/`defaultRouteTableId`),
  including routes a `DefaultRouteTable` or `Route` resources put on it. A VPC's original main
  table only has the local route, so a subnet that nothing routes to the internet is private.

Resources are related by ID first and by `propertyDependencies` (URNs) when an ID is not
known yet. What cannot be decided comes back as `Status.UNKNOWN` with the reason, never as
a silent "private".
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .resources import Resource
from .values import UNKNOWN, as_bool, is_unreadable

SUBNET: Final = "aws:ec2/subnet:Subnet"
VPC: Final = "aws:ec2/vpc:Vpc"
ROUTE_TABLE: Final = "aws:ec2/routeTable:RouteTable"
DEFAULT_ROUTE_TABLE: Final = "aws:ec2/defaultRouteTable:DefaultRouteTable"
ROUTE: Final = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION: Final = "aws:ec2/routeTableAssociation:RouteTableAssociation"
MAIN_ROUTE_TABLE_ASSOCIATION: Final = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
INTERNET_GATEWAY: Final = "aws:ec2/internetGateway:InternetGateway"
INTERNET_GATEWAY_ATTACHMENT: Final = "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment"

_TABLE_TYPES: Final = (ROUTE_TABLE, DEFAULT_ROUTE_TABLE)
_IGW_TYPES: Final = (INTERNET_GATEWAY, INTERNET_GATEWAY_ATTACHMENT)


class Status(enum.Enum):
    PUBLIC = "public"
    PRIVATE = "private"
    UNKNOWN = "unknown"
    """Cannot be decided yet (IDs unknown during preview, or an unreadable secret)."""
    UNMANAGED = "unmanaged"
    """Referenced by ID but not a resource of this stack, so its routes are not visible."""


@dataclass(frozen=True)
class Verdict:
    """Whether one subnet is public, with the evidence in words a reviewer can follow."""

    subnet: str
    """How messages name the subnet: its ID and/or resource name."""
    status: Status
    reason: str
    urn: str | None = None
    availability_zone: str | None = None


@dataclass(frozen=True)
class SubnetSet:
    """The subnets a property refers to (e.g. EB `Subnets`, an RDS subnet group's `subnetIds`)."""

    verdicts: tuple[Verdict, ...]
    from_dependencies: bool = False
    """True when the IDs were unknown and the set was taken from `propertyDependencies`: a
    superset (the property's other references are included too)."""
    unresolved: str | None = None
    """Why the set could not be determined at all (None when it was)."""

    @property
    def public(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status is Status.PUBLIC]

    @property
    def undecided(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status in (Status.UNKNOWN, Status.UNMANAGED)]


def is_world(cidr: Any) -> bool:
    """`0.0.0.0/0` or `::/0` in any spelling AWS accepts (e.g. `0:0:0:0:0:0:0:0/0`)."""
    if not isinstance(cidr, str) or "/" not in cidr:
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def split_ids(value: Any) -> list[str] | None:
    """IDs from a list or a comma-separated string (EB's `Subnets`); None if unknown."""
    if is_unreadable(value):
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        if any(is_unreadable(v) for v in value):
            return None
        return [str(v) for v in value if v is not None]
    return []


@dataclass
class _RouteFinding:
    kind: Status
    text: str


@dataclass
class Network:
    """All VPC routing facts of one stack, indexed for subnet classification."""

    resources: Sequence[Resource]
    by_urn: dict[str, Resource] = field(init=False)
    _by_id: dict[str, Resource] = field(init=False)
    _by_type: dict[str, list[Resource]] = field(init=False)
    _associations: _References = field(init=False)
    _routes: _References = field(init=False)
    _main_associations: _References = field(init=False)
    _vpc_by_main_table: dict[str, Resource] = field(init=False)
    _default_tables: _References = field(init=False)
    _memo: dict[tuple[str, str], Any] = field(init=False)

    def __post_init__(self) -> None:
        self.by_urn = {r.urn: r for r in self.resources}
        self._by_type = {}
        for r in self.resources:
            self._by_type.setdefault(r.type, []).append(r)
        # Which association names a subnet, which route sits in a table: indexed once, so
        # classifying every subnet of a large stack stays linear.
        self._associations = _References(self.of_type(ROUTE_TABLE_ASSOCIATION), "subnetId")
        self._routes = _References(self.of_type(ROUTE), "routeTableId")
        self._main_associations = _References(self.of_type(MAIN_ROUTE_TABLE_ASSOCIATION), "vpcId")
        self._default_tables = _References(self.of_type(DEFAULT_ROUTE_TABLE), "defaultRouteTableId")
        self._vpc_by_main_table = {}
        for vpc in self.of_type(VPC):
            for key in ("mainRouteTableId", "defaultRouteTableId"):
                table_id = vpc.props.get(key)
                if isinstance(table_id, str) and not is_unreadable(table_id):
                    self._vpc_by_main_table.setdefault(table_id, vpc)
        # Results that depend only on one resource (or one ID) are computed once: stacks whose
        # resources share IDs (copies of one stack) would otherwise redo them per reference.
        self._memo = {}
        self._by_id = {}
        for r in self.resources:
            rid = r.props.get("id")
            if isinstance(rid, str) and rid:
                self._by_id.setdefault(rid, r)
            if r.type == DEFAULT_ROUTE_TABLE:
                drt = r.props.get("defaultRouteTableId")
                if isinstance(drt, str) and drt:
                    self._by_id.setdefault(drt, r)

    # --- lookups -----------------------------------------------------------------------

    def of_type(self, *types: str) -> list[Resource]:
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        return [r for r in self.resources if r.type in types]

    def by_id(self, rid: Any, *types: str) -> Resource | None:
        if not isinstance(rid, str):
            return None
        found = self._by_id.get(rid)
        if found is not None and (not types or found.type in types):
            return found
        return None

    def deps_of_type(self, owner: Resource, prop: str, *types: str) -> list[Resource]:
        found = [self.by_urn.get(u) for u in owner.deps_of(prop)]
        return [r for r in found if r is not None and r.type in types]

    def refers_to(self, owner: Resource, prop: str, target: Resource) -> bool | None:
        """Does `owner.prop` reference `target`? By ID, else by dependency; None if unknowable."""
        value = owner.props.get(prop)
        target_id = target.props.get("id")
        if isinstance(value, str) and not is_unreadable(value):
            if isinstance(target_id, str) and value == target_id:
                return True
            if target.type == DEFAULT_ROUTE_TABLE and value == target.props.get(
                "defaultRouteTableId"
            ):
                return True
            if target.urn in owner.deps_of(prop):
                # A known ID while the target's own ID is unknown: same resource by dependency.
                return not isinstance(target_id, str)
            return False
        if value is None:
            return False
        if target.urn in owner.deps_of(prop):
            return True
        if owner.deps_of(prop):
            return False
        return None

    # --- gateways and routes ---------------------------------------------------------------

    def _gateway_kind(self, gateway: Any, deps: Sequence[str]) -> Status:
        """PUBLIC if the route target is an internet gateway, PRIVATE if not, else UNKNOWN."""
        if gateway is None or gateway == "":
            return Status.PRIVATE
        if isinstance(gateway, str) and not is_unreadable(gateway):
            if gateway.startswith("igw-"):
                return Status.PUBLIC
            target = self.by_id(gateway)
            if target is not None and target.type in _IGW_TYPES:
                return Status.PUBLIC
            return Status.PRIVATE
        dep_types = [self.by_urn[u].type for u in deps if u in self.by_urn]
        if any(t in _IGW_TYPES for t in dep_types):
            return Status.PUBLIC
        if dep_types:
            return Status.PRIVATE
        return Status.UNKNOWN

    def _judge_route(
        self,
        ipv4: Any,
        ipv6: Any,
        gateway: Any,
        gateway_deps: Sequence[str],
        where: str,
    ) -> _RouteFinding | None:
        gateway_kind = self._gateway_kind(gateway, gateway_deps)
        if gateway_kind is Status.PRIVATE:
            return None
        destinations = [d for d in (ipv4, ipv6) if d is not None]
        if any(is_world(d) for d in destinations):
            world = next(d for d in destinations if is_world(d))
            if gateway_kind is Status.PUBLIC:
                return _RouteFinding(
                    Status.PUBLIC, f"{where} routes {world} to internet gateway {_gw(gateway)}"
                )
            return _RouteFinding(
                Status.UNKNOWN, f"{where} routes {world} to a gateway whose ID is not known yet"
            )
        if any(is_unreadable(d) for d in destinations) and gateway_kind is Status.PUBLIC:
            return _RouteFinding(
                Status.UNKNOWN,
                f"{where} routes a destination not known yet to internet gateway {_gw(gateway)}",
            )
        return None

    def _judge_route_resource(self, route: Resource, where: str) -> _RouteFinding | None:
        """`_judge_route` for an `aws:ec2/route:Route` resource."""
        return self._judge_route(
            route.props.get("destinationCidrBlock"),
            route.props.get("destinationIpv6CidrBlock"),
            route.props.get("gatewayId"),
            route.deps_of("gatewayId"),
            where,
        )

    def _table_findings(self, table: Resource) -> list[_RouteFinding]:
        findings: list[_RouteFinding] = []
        inline = table.props.get("routes")
        if is_unreadable(inline):
            findings.append(
                _RouteFinding(Status.UNKNOWN, f"the routes of {table.label} are not known yet")
            )
        elif isinstance(inline, list):
            for index, route in enumerate(inline):
                if is_unreadable(route) or not isinstance(route, dict):
                    findings.append(
                        _RouteFinding(
                            Status.UNKNOWN,
                            f"route {index} of {table.label} is not known yet",
                        )
                    )
                    continue
                finding = self._judge_route(
                    route.get("cidrBlock"),
                    route.get("ipv6CidrBlock"),
                    route.get("gatewayId"),
                    table.deps_of("routes"),
                    f"{table.label} (inline route {index})",
                )
                if finding:
                    findings.append(finding)
        table_ids = [table.props.get("id"), table.props.get("defaultRouteTableId")]
        for route in self._routes.candidates(table_ids, table.urn):
            targets = self.refers_to(route, "routeTableId", table)
            if targets is False:
                continue
            finding = self._judge_route_resource(route, f"{route.label} in {table.label}")
            if finding is None:
                continue
            if targets is None:
                finding = _RouteFinding(
                    Status.UNKNOWN,
                    f"{route.label} may belong to {table.label} (routeTableId not known yet): "
                    f"{finding.text}",
                )
            findings.append(finding)
        return findings

    # --- which table a subnet uses -----------------------------------------------------

    def _tables_for(self, subnet: Resource) -> tuple[list[Resource], list[str]]:
        """Route tables the subnet may use, and reasons the choice is uncertain."""
        uncertain: list[str] = []
        tables: list[Resource] = []
        explicit = False
        sid = subnet.props.get("id")
        by_id: list[Resource] = []
        if isinstance(sid, str) and not is_unreadable(sid):
            # Associations naming the subnet's ID all refer to it: resolved once per ID.
            key = ("associated-by-id", sid)
            if key not in self._memo:
                self._memo[key] = self._resolve_all(self._associations.by_value(sid))
            by_id_tables, by_id_why = self._memo[key]
            by_id = self._associations.by_value(sid)
            explicit = bool(by_id)
            tables.extend(by_id_tables)
            uncertain.extend(by_id_why)
        named = {a.urn for a in by_id}
        for assoc in self._associations.candidates([], subnet.urn):
            if assoc.urn in named:
                continue
            hit = self.refers_to(assoc, "subnetId", subnet)
            if hit is False:
                continue
            if hit is None:
                uncertain.append(f"{assoc.label} has a subnetId not known yet")
                continue
            explicit = True
            resolved, why = self._resolve_table(assoc, "routeTableId")
            tables.extend(resolved)
            if why:
                uncertain.append(why)
        if explicit:
            return tables, uncertain
        main, why = self._main_tables(subnet)
        if why:
            uncertain.append(why)
        return tables + main, uncertain

    def _resolve_all(self, associations: Sequence[Resource]) -> tuple[list[Resource], list[str]]:
        """The distinct tables and reasons of `associations`' `routeTableId`s."""
        tables: dict[str, Resource] = {}
        reasons: list[str] = []
        for assoc in associations:
            resolved, why = self._resolve_table(assoc, "routeTableId")
            tables.update((t.urn, t) for t in resolved)
            if why:
                reasons.append(why)
        return list(tables.values()), _distinct(reasons)

    def _resolve_table(self, owner: Resource, prop: str) -> tuple[list[Resource], str | None]:
        value = owner.props.get(prop)
        if isinstance(value, str) and not is_unreadable(value):
            table = self.by_id(value, *_TABLE_TYPES)
            if table is not None:
                return [table], None
            main_of = self._vpc_by_main_table.get(value)
            if main_of is not None:
                return self._original_main_tables(main_of), None
            return [], f"route table {value} of {owner.label} is not in this stack"
        deps = self.deps_of_type(owner, prop, *_TABLE_TYPES)
        if deps:
            return deps, None
        vpc_deps = self.deps_of_type(owner, prop, VPC)
        if vpc_deps:
            # routeTableId = vpc.mainRouteTableId / defaultRouteTableId
            return [t for v in vpc_deps for t in self._original_main_tables(v)], None
        return [], f"the route table of {owner.label} is not known yet"

    def _vpc_of(self, subnet: Resource) -> Resource | None:
        vpc_id = subnet.props.get("vpcId")
        found = self.by_id(vpc_id, VPC)
        if found is not None:
            return found
        deps = self.deps_of_type(subnet, "vpcId", VPC)
        return deps[0] if len(deps) == 1 else None

    def _main_tables(self, subnet: Resource) -> tuple[list[Resource], str | None]:
        vpc = self._vpc_of(subnet)
        if vpc is None:
            return [], (
                f"{subnet.label} has no route table association in this stack and its VPC "
                f"{_show_id(subnet.props.get('vpcId'))} is not in this stack, so its main "
                "route table is not visible"
            )
        vpc_ids = [vpc.props.get("id")]
        for assoc in self._main_associations.candidates(vpc_ids, vpc.urn):
            hit = self.refers_to(assoc, "vpcId", vpc)
            if hit is False:
                continue
            if hit is None:
                return [], f"{assoc.label} has a vpcId not known yet"
            tables, why = self._resolve_table(assoc, "routeTableId")
            return tables, why
        return self._original_main_tables(vpc), None

    def _original_main_tables(self, vpc: Resource) -> list[Resource]:
        """The VPC's original main table as managed by this stack (a DefaultRouteTable), or a
        stand-in that only carries the `Route` resources aimed at its ID."""
        key = ("original-main", vpc.urn)
        if key not in self._memo:
            self._memo[key] = self._find_original_main_tables(vpc)
        tables: list[Resource] = self._memo[key]
        return tables

    def _find_original_main_tables(self, vpc: Resource) -> list[Resource]:
        tables: list[Resource] = []
        main_ids = [vpc.props.get("defaultRouteTableId"), vpc.props.get("mainRouteTableId")]
        for drt in self._default_tables.candidates(main_ids, vpc.urn):
            drt_id = drt.props.get("defaultRouteTableId")
            if isinstance(drt_id, str) and not is_unreadable(drt_id):
                if drt_id in (
                    vpc.props.get("defaultRouteTableId"),
                    vpc.props.get("mainRouteTableId"),
                ):
                    tables.append(drt)
            elif vpc.urn in drt.deps_of("defaultRouteTableId"):
                tables.append(drt)
        if tables:
            return tables
        main_id = vpc.props.get("mainRouteTableId")
        stand_in = Resource(
            type=ROUTE_TABLE,
            name=f"main route table of {vpc.label}",
            urn=f"{vpc.urn}#main-route-table",
            props={"id": main_id if isinstance(main_id, str) else UNKNOWN},
        )
        return [stand_in]

    # --- the verdict --------------------------------------------------------------------

    def classify(self, subnet: Resource) -> Verdict:
        """Public, private or undecidable, with the reason (computed once per subnet)."""
        key = ("classify", subnet.urn)
        if key not in self._memo:
            self._memo[key] = self._classify(subnet)
        verdict: Verdict = self._memo[key]
        return verdict

    def _classify(self, subnet: Resource) -> Verdict:
        public: list[str] = []
        unknown: list[str] = []
        map_public = subnet.props.get("mapPublicIpOnLaunch")
        if as_bool(map_public) is True:
            public.append("mapPublicIpOnLaunch is true")
        elif is_unreadable(map_public):
            unknown.append("mapPublicIpOnLaunch is not known yet")
        tables, uncertain = self._tables_for(subnet)
        unknown.extend(uncertain)
        seen: set[str] = set()
        for table in tables:
            if table.urn in seen:
                continue
            seen.add(table.urn)
            for finding in self._findings_with_stand_in(table):
                (public if finding.kind is Status.PUBLIC else unknown).append(finding.text)
        public, unknown = _distinct(public), _distinct(unknown)
        label = subnet_label(subnet)
        az = subnet.props.get("availabilityZone")
        az_text = az if isinstance(az, str) and not is_unreadable(az) else None
        if public:
            return Verdict(label, Status.PUBLIC, "; ".join(public), subnet.urn, az_text)
        if unknown:
            return Verdict(label, Status.UNKNOWN, "; ".join(unknown), subnet.urn, az_text)
        return Verdict(
            label, Status.PRIVATE, "no route to an internet gateway", subnet.urn, az_text
        )

    def _findings_with_stand_in(self, table: Resource) -> list[_RouteFinding]:
        key = ("findings", table.urn)
        if key not in self._memo:
            self._memo[key] = self._compute_findings(table)
        findings: list[_RouteFinding] = self._memo[key]
        return findings

    def _compute_findings(self, table: Resource) -> list[_RouteFinding]:
        if table.urn.endswith("#main-route-table"):
            # Only Route resources aimed at the main table's ID can add routes to it.
            findings: list[_RouteFinding] = []
            table_id = table.props.get("id")
            vpc_urn = table.urn.removesuffix("#main-route-table")
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

    def subnets(self, value: Any, deps: Iterable[str]) -> SubnetSet:
        """Classify the subnets a property names: IDs when known, else its dependencies."""
        ids = split_ids(value)
        if ids is not None:
            verdicts: list[Verdict] = []
            for sid in ids:
                subnet = self.by_id(sid, SUBNET)
                if subnet is None:
                    verdicts.append(
                        Verdict(sid, Status.UNMANAGED, f"subnet {sid} is not in this stack")
                    )
                else:
                    verdicts.append(self.classify(subnet))
            return SubnetSet(tuple(verdicts))
        candidates = [self.by_urn[u] for u in deps if u in self.by_urn]
        subnets = [r for r in candidates if r.type == SUBNET]
        if not subnets:
            return SubnetSet((), True, "the subnet IDs are not known yet and depend on no subnet")
        return SubnetSet(tuple(self.classify(s) for s in subnets), True)


class _References:
    """Resources whose `prop` refers to another resource, indexed by the ID they name and by
    the URNs that property depends on; those that name nothing knowable are always candidates.

    `candidates` returns, in stack order, every resource for which `Network.refers_to` can be
    anything but False, so callers keep their exact semantics at a fraction of the cost.
    """

    def __init__(self, resources: Sequence[Resource], prop: str) -> None:
        self._order = {r.urn: index for index, r in enumerate(resources)}
        self._by_value: dict[str, list[Resource]] = {}
        self._by_dependency: dict[str, list[Resource]] = {}
        self._unknown: list[Resource] = []
        for r in resources:
            value = r.props.get(prop)
            deps = r.deps_of(prop)
            if isinstance(value, str) and not is_unreadable(value):
                self._by_value.setdefault(value, []).append(r)
            elif value is not None and not deps:
                self._unknown.append(r)
            for urn in deps:
                self._by_dependency.setdefault(urn, []).append(r)

    def by_value(self, rid: str) -> list[Resource]:
        """The resources whose property names exactly `rid`, in stack order."""
        return self._by_value.get(rid, [])

    def candidates(self, ids: Iterable[Any], urn: str) -> list[Resource]:
        found: dict[str, Resource] = {}
        for rid in ids:
            if isinstance(rid, str):
                found.update((r.urn, r) for r in self._by_value.get(rid, ()))
        found.update((r.urn, r) for r in self._by_dependency.get(urn, ()))
        found.update((r.urn, r) for r in self._unknown)
        return sorted(found.values(), key=lambda r: self._order[r.urn])


def _distinct(texts: list[str]) -> list[str]:
    """`texts` without repeats, first occurrence kept (copies of a stack say the same thing)."""
    return list(dict.fromkeys(texts))


def subnet_label(subnet: Resource) -> str:
    sid = subnet.props.get("id")
    if isinstance(sid, str) and not is_unreadable(sid):
        return f"{sid} ('{subnet.name}')"
    return f"'{subnet.name}'"


def _gw(gateway: Any) -> str:
    if isinstance(gateway, str) and not is_unreadable(gateway):
        return gateway
    return "(by dependency)"


def _show_id(value: Any) -> str:
    if isinstance(value, str) and not is_unreadable(value):
        return value
    return "(not known yet)"
