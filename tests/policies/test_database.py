"""The RDS rules: each property rule (public access, encryption, multi-AZ, deletion
protection, backup retention, final snapshot) passing and violating with its exact message,
unset and unknown values; rds-subnet-group-private on subnet groups of private, public and
unknown subnets, and on a database without one. Mirrors policies/guardrails/database.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.messages import PUBLIC_ROUTE, SPLIT_ROUTES
from tests.policies.stacks import BASE, GOOD_DB, PRIV_A, PRIV_B, RDS, SPLIT_WORLD, UNKNOWN
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

DB = f"{RDS} 'db'"

PROPERTY_RULES: list[tuple[str, dict[str, Any], str]] = [
    (
        "rds-not-publicly-accessible",
        {"publiclyAccessible": True},
        f"{DB}: publiclyAccessible is true; set it to false; reach the database from the "
        "app's security group only",
    ),
    (
        "rds-storage-encrypted",
        {"storageEncrypted": False},
        f"{DB}: storageEncrypted is false; set storageEncrypted to true (this replaces an "
        "existing instance: restore from an encrypted snapshot copy)",
    ),
    (
        "rds-multi-az",
        {"multiAz": False},
        f"{DB}: multiAz is false; set multiAz to true for automatic failover",
    ),
    (
        "rds-deletion-protection",
        {"deletionProtection": False},
        f"{DB}: deletionProtection is false; set deletionProtection to true so the database "
        "cannot be deleted by accident",
    ),
    (
        "rds-backup-retention",
        {"backupRetentionPeriod": 1},
        f"{DB}: backupRetentionPeriod is 1 day(s); keep at least 7 days of automated "
        "backups for point-in-time recovery",
    ),
    (
        "rds-final-snapshot",
        {"skipFinalSnapshot": True},
        f"{DB}: skipFinalSnapshot is true; set skipFinalSnapshot to false (with a "
        "finalSnapshotIdentifier)",
    ),
]

CASES = [
    case
    for policy, change, message in PROPERTY_RULES
    for case in (
        pytest.param(policy, GOOD_DB, PASS, id=f"{policy}-good"),
        pytest.param(policy, {**GOOD_DB, **change}, fails(message), id=f"{policy}-bad"),
    )
] + [
    pytest.param(
        "rds-storage-encrypted",
        {k: v for k, v in GOOD_DB.items() if k != "storageEncrypted"},
        fails(
            f"{DB}: storageEncrypted is not set (AWS uses false); set storageEncrypted to true "
            "(this replaces an existing instance: restore from an encrypted snapshot copy)"
        ),
        id="unset-storage-encryption-uses-the-aws-default",
    ),
    pytest.param(
        "rds-not-publicly-accessible",
        {**GOOD_DB, "publiclyAccessible": UNKNOWN},
        undecided(f"{DB}: publiclyAccessible is not known yet"),
        id="unknown-public-accessibility-is-advisory",
    ),
]


@pytest.mark.parametrize(("policy", "props", "expected"), CASES)
def test_rds_property_rules(policy: str, props: dict[str, Any], expected: Outcome) -> None:
    assert check(policy, Res(RDS, "db", props)) == expected


def db_stack(*subnet_ids: str, deps: list[Res] | None = None) -> list[Res]:
    ids: Any = list(subnet_ids) if subnet_ids else UNKNOWN
    group = Res(
        "aws:rds/subnetGroup:SubnetGroup",
        "db-group",
        {"name": "db-private", "subnetIds": ids},
        deps={"subnetIds": deps or []},
    )
    return [*BASE, *SPLIT_WORLD, group, Res(RDS, "db", GOOD_DB)]


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param(db_stack("subnet-priva", "subnet-privb"), PASS, id="private-subnets"),
        pytest.param(
            db_stack(deps=[PRIV_A, PRIV_B]),
            PASS,
            id="unknown-ids-depending-on-private-subnets",
        ),
        pytest.param(
            db_stack("subnet-priva", "subnet-pub"),
            fails(
                "aws:rds/subnetGroup:SubnetGroup 'db-group' (used by aws:rds/instance:Instance "
                f"'db') includes public subnets: {PUBLIC_ROUTE}. Use only private (isolated) "
                "subnets for the database.",
                at=urn("aws:rds/subnetGroup:SubnetGroup", "db-group"),
            ),
            id="a-public-subnet",
        ),
        pytest.param(
            db_stack("subnet-priva", "subnet-split"),
            fails(
                "aws:rds/subnetGroup:SubnetGroup 'db-group' (used by aws:rds/instance:Instance "
                f"'db') includes public subnets: {SPLIT_ROUTES}. Use only private (isolated) "
                "subnets for the database.",
                at=urn("aws:rds/subnetGroup:SubnetGroup", "db-group"),
            ),
            id="a-subnet-routed-to-the-igw-in-two-halves",
        ),
        pytest.param(
            [*BASE, Res(RDS, "db", {k: v for k, v in GOOD_DB.items() if k != "dbSubnetGroupName"})],
            fails(
                f"{DB}: dbSubnetGroupName is not set, so RDS uses the default VPC's default "
                "subnet group, whose subnets are public; create a DB subnet group of private "
                "subnets and set dbSubnetGroupName",
                at=urn(RDS, "db"),
            ),
            id="no-subnet-group-uses-the-default-vpc",
        ),
    ],
)
def test_the_db_subnet_group_is_private(stack: list[Res], expected: Outcome) -> None:
    assert check("rds-subnet-group-private", *stack) == expected
