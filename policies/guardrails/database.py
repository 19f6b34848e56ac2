"""RDS rules: private, encrypted, in private subnets; multi-AZ, protected and backed up in prod."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from .common import ADVISORY, CannotCheck, cannot_check, resource_policy, stack_policy
from .resources import Resource
from .subnets import Network
from .values import as_bool, as_int, is_unreadable, show

DB_INSTANCE: Final = "aws:rds/instance:Instance"
DB_CLUSTER: Final = "aws:rds/cluster:Cluster"
DB_CLUSTER_INSTANCE: Final = "aws:rds/clusterInstance:ClusterInstance"
DB_SUBNET_GROUP: Final = "aws:rds/subnetGroup:SubnetGroup"
MIN_BACKUP_DAYS: Final = 7


def _is_replica(resource: Resource) -> bool:
    return bool(resource.props.get("replicateSourceDb"))


def _flag_rule(
    prop: str, want: bool, fix: str, *, default: bool, skip_replicas: bool = False
) -> Callable[[Resource], list[str]]:
    def check(resource: Resource) -> list[str]:
        if skip_replicas and _is_replica(resource):
            return []
        value = resource.props.get(prop)
        if is_unreadable(value):
            raise CannotCheck(f"{resource.label}: {prop} is not known yet")
        effective = as_bool(value) if value is not None else default
        if effective is want:
            return []
        shown = show(value) if value is not None else f"not set (AWS uses {show(default)})"
        return [f"{resource.label}: {prop} is {shown}; {fix}"]

    return check


def _backup_retention(resource: Resource) -> list[str]:
    if _is_replica(resource):
        return []
    value = resource.props.get("backupRetentionPeriod")
    if is_unreadable(value):
        raise CannotCheck(f"{resource.label}: backupRetentionPeriod is not known yet")
    days = as_int(value) if value is not None else 1
    if days is not None and days >= MIN_BACKUP_DAYS:
        return []
    shown = show(value) if value is not None else "not set (AWS uses 1)"
    return [
        f"{resource.label}: backupRetentionPeriod is {shown} day(s); keep at least "
        f"{MIN_BACKUP_DAYS} days of automated backups for point-in-time recovery"
    ]


def _subnet_group_private(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    groups = _Groups(network.of_type(DB_SUBNET_GROUP))
    for db in network.of_type(DB_INSTANCE, DB_CLUSTER):
        if _is_replica(db) and db.type == DB_INSTANCE:
            continue
        name = db.props.get("dbSubnetGroupName")
        if name is None or name == "":
            results.append(
                (
                    f"{db.label}: dbSubnetGroupName is not set, so RDS uses the default VPC's "
                    "default subnet group, whose subnets are public; create a DB subnet group "
                    "of private subnets and set dbSubnetGroupName",
                    db.urn,
                )
            )
            continue
        group = groups.find(db, name)
        if group is None:
            results.append(
                cannot_check(
                    f"{db.label}: DB subnet group {show(name)} is not in this stack, so its "
                    "subnets cannot be checked"
                )
            )
            continue
        found = network.subnets(group.props.get("subnetIds"), group.deps_of("subnetIds"))
        if found.unresolved:
            results.append(cannot_check(f"{group.label}: {found.unresolved}"))
            continue
        public = found.public
        if public:
            described = "; ".join(f"{v.subnet}: {v.reason}" for v in public)
            if found.from_dependencies:
                results.append(
                    cannot_check(f"{group.label} may include public subnets: {described}")
                )
            else:
                results.append(
                    (
                        f"{group.label} (used by {db.label}) includes public subnets: "
                        f"{described}. Use only private (isolated) subnets for the database.",
                        group.urn,
                    )
                )
        for verdict in found.undecided:
            results.append(cannot_check(f"{group.label}: {verdict.subnet}: {verdict.reason}"))
    return results


class _Groups:
    """DB subnet groups indexed by name, ID and URN, so each database finds its group in O(1)."""

    def __init__(self, groups: list[Resource]) -> None:
        self._order = {group.urn: index for index, group in enumerate(groups)}
        self._by_urn = {group.urn: group for group in groups}
        self._by_name: dict[str, Resource] = {}
        for group in groups:
            for key in (group.props.get("name"), group.props.get("id")):
                if isinstance(key, str):
                    self._by_name.setdefault(key, group)

    def find(self, db: Resource, name: Any) -> Resource | None:
        """The first group named `name` (by name or ID), else the first `dbSubnetGroupName`
        depends on."""
        if isinstance(name, str) and not is_unreadable(name) and name in self._by_name:
            return self._by_name[name]
        found = [self._by_urn[u] for u in db.deps_of("dbSubnetGroupName") if u in self._by_urn]
        return min(found, key=lambda g: self._order[g.urn]) if found else None


_PUBLIC_TYPES: Final = (DB_INSTANCE, DB_CLUSTER_INSTANCE)
_STORAGE_TYPES: Final = (DB_INSTANCE, DB_CLUSTER)

POLICIES = [
    resource_policy(
        "rds-not-publicly-accessible",
        "RDS databases are not publicly accessible.",
        _PUBLIC_TYPES,
        _flag_rule(
            "publiclyAccessible",
            False,
            "set it to false; reach the database from the app's security group only",
            default=False,
        ),
    ),
    stack_policy(
        "rds-subnet-group-private",
        "RDS databases live in a DB subnet group of private subnets.",
        _subnet_group_private,
    ),
    resource_policy(
        "rds-storage-encrypted",
        "RDS storage is encrypted at rest.",
        _STORAGE_TYPES,
        _flag_rule(
            "storageEncrypted",
            True,
            "set storageEncrypted to true (this replaces an existing instance: restore from "
            "an encrypted snapshot copy)",
            default=False,
            skip_replicas=True,
        ),
    ),
    resource_policy(
        "rds-multi-az",
        "RDS instances run multi-AZ (a standby in a second AZ).",
        (DB_INSTANCE,),
        _flag_rule("multiAz", True, "set multiAz to true for automatic failover", default=False),
    ),
    resource_policy(
        "rds-deletion-protection",
        "RDS databases have deletion protection.",
        _STORAGE_TYPES,
        _flag_rule(
            "deletionProtection",
            True,
            "set deletionProtection to true so the database cannot be deleted by accident",
            default=False,
        ),
    ),
    resource_policy(
        "rds-backup-retention",
        f"RDS keeps automated backups for at least {MIN_BACKUP_DAYS} days.",
        _STORAGE_TYPES,
        _backup_retention,
    ),
    resource_policy(
        "rds-final-snapshot",
        "Deleting an RDS database leaves a final snapshot.",
        _STORAGE_TYPES,
        _flag_rule(
            "skipFinalSnapshot",
            False,
            "set skipFinalSnapshot to false (with a finalSnapshotIdentifier)",
            default=False,
            skip_replicas=True,
        ),
        ADVISORY,
    ),
]
