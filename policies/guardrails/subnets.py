"""Is a subnet public? Decided from the stack's own resources, in every form AWS allows.

A subnet is **public** if `mapPublicIpOnLaunch` is true or the route table it uses has a
route to an internet gateway, whatever the destination (AWS's definition: `0.0.0.0/1` plus
`128.0.0.0/1`, or any narrower route, reaches the internet too). Private = not public; routes
to a NAT gateway, a VPN gateway, a transit gateway, a peering connection or an egress-only
internet gateway are fine.

Forms understood:
- routes inline on `aws:ec2/routeTable:RouteTable` / `aws:ec2/defaultRouteTable:DefaultRouteTable`
  (`routes[].gatewayId`) or as separate `aws:ec2/route:Route` resources (`routeTableId`,
  `gatewayId`), whatever destination they name (`routes.py`);
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
known yet (`stack_index`); routes are judged in `routes`. What cannot be decided comes back as
`Status.UNKNOWN` with the reason, never as a silent "private".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsfacts.ec2 import (
    DEFAULT_ROUTE_TABLE,
    MAIN_ROUTE_TABLE_ASSOCIATION,
    ROUTE_TABLE_ASSOCIATION,
    SUBNET,
    TABLE_TYPES,
    VPC,
)

from .resources import Resource
from .routes import Routes, Status, main_table_stand_in
from .stack_index import References, StackIndex
from .values import as_bool, is_unreadable


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
class Network(StackIndex):
    """All VPC routing facts of one stack, indexed for subnet classification."""

    _associations: References = field(init=False)
    _main_associations: References = field(init=False)
    _vpc_by_main_table: dict[str, Resource] = field(init=False)
    _default_tables: References = field(init=False)
    _route_findings: Routes = field(init=False)
    _memo: dict[tuple[str, str], Any] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        # Which association names a subnet, which route sits in a table: indexed once, so
        # classifying every subnet of a large stack stays linear.
        self._associations = References(self.of_type(ROUTE_TABLE_ASSOCIATION), "subnetId")
        self._route_findings = Routes(self)
        self._main_associations = References(self.of_type(MAIN_ROUTE_TABLE_ASSOCIATION), "vpcId")
        self._default_tables = References(self.of_type(DEFAULT_ROUTE_TABLE), "defaultRouteTableId")
        self._vpc_by_main_table = {}
        for vpc in self.of_type(VPC):
            for key in ("mainRouteTableId", "defaultRouteTableId"):
                table_id = vpc.props.get(key)
                if isinstance(table_id, str) and not is_unreadable(table_id):
                    self._vpc_by_main_table.setdefault(table_id, vpc)
        # Results that depend only on one resource (or one ID) are computed once: stacks whose
        # resources share IDs (copies of one stack) would otherwise redo them per reference.
        self._memo = {}

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
            table = self.by_id(value, *TABLE_TYPES)
            if table is not None:
                return [table], None
            main_of = self._vpc_by_main_table.get(value)
            if main_of is not None:
                return self._original_main_tables(main_of), None
            return [], f"route table {value} of {owner.label} is not in this stack"
        deps = self.deps_of_type(owner, prop, *TABLE_TYPES)
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
        return [main_table_stand_in(vpc)]

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
            for finding in self._route_findings.findings(table):
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


def _distinct(texts: list[str]) -> list[str]:
    """`texts` without repeats, first occurrence kept (copies of a stack say the same thing)."""
    return list(dict.fromkeys(texts))


def subnet_label(subnet: Resource) -> str:
    sid = subnet.props.get("id")
    if isinstance(sid, str) and not is_unreadable(sid):
        return f"{sid} ('{subnet.name}')"
    return f"'{subnet.name}'"


def _show_id(value: Any) -> str:
    if isinstance(value, str) and not is_unreadable(value):
        return value
    return "(not known yet)"
