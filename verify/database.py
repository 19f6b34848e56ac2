"""The live checks of the stack's RDS instance: private, encrypted, multi-AZ. How strict
each is in a stage comes from the pack policy it mirrors (see verify/enforcement.py); the
checks themselves only say what they found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from verify.aws import AwsCallFailed
from verify.result import CheckResult

if TYPE_CHECKING:
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_rds.type_defs import DBInstanceTypeDef

NOT_PUBLIC_POLICY = "rds-not-publicly-accessible"
ENCRYPTED_POLICY = "rds-storage-encrypted"
MULTI_AZ_POLICY = "rds-multi-az"


@dataclass(frozen=True)
class DatabaseCheck:
    """One guarantee about the instance: a field of `describe_db_instances` that must be
    `wanted`, what the report says when it is and when it is not, and the fix."""

    check_id: str
    policy: str
    """The pack policy it mirrors: how strict it is in a stage (see verify/enforcement.py)."""
    field: Literal["PubliclyAccessible", "StorageEncrypted", "MultiAZ"]
    wanted: bool
    holds: str
    broken: str
    fix: str


DATABASE_CHECKS: tuple[DatabaseCheck, ...] = (
    DatabaseCheck(
        "rds-not-public",
        NOT_PUBLIC_POLICY,
        "PubliclyAccessible",
        wanted=False,
        holds="is not publicly accessible",
        broken="is publicly accessible",
        fix="set publiclyAccessible=false (and a DB subnet group of private subnets), "
        "then `pulumi up`",
    ),
    DatabaseCheck(
        "rds-encrypted",
        ENCRYPTED_POLICY,
        "StorageEncrypted",
        wanted=True,
        holds="storage is encrypted",
        broken="storage is not encrypted",
        fix="encryption cannot be turned on in place: snapshot, copy the snapshot with "
        "encryption, restore, and point the stack at the new instance",
    ),
    DatabaseCheck(
        "rds-multi-az",
        MULTI_AZ_POLICY,
        "MultiAZ",
        wanted=True,
        holds="is multi-AZ",
        broken="is single-AZ",
        fix="set webmodel:database multiAz: true in Pulumi.<stage>.yaml and `pulumi up` "
        "(AWS converts it online)",
    ),
)
"""Every database check, in report order."""


def find_db_instance(rds: RDSClient, identifier: str) -> DBInstanceTypeDef | None:
    """The instance, or None when AWS says it does not exist (a finding, not a failure)."""
    try:
        found = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
    except AwsCallFailed as failure:
        if failure.code == "DBInstanceNotFound":
            return None
        raise
    return found[0] if found else None


def check_db_missing(identifier: str) -> list[CheckResult]:
    return [
        CheckResult(
            check.check_id,
            False,
            f"DB instance {identifier!r} not found",
            "run `pulumi refresh` then `pulumi up`; restore from the latest snapshot "
            "if it was deleted",
            check.policy,
        )
        for check in DATABASE_CHECKS
    ]


def check_db(db: DBInstanceTypeDef) -> list[CheckResult]:
    """Every database check of the instance, in report order."""
    return [_check(db, check) for check in DATABASE_CHECKS]


def _check(db: DBInstanceTypeDef, check: DatabaseCheck) -> CheckResult:
    name = db["DBInstanceIdentifier"]
    if bool(db.get(check.field)) == check.wanted:
        return CheckResult(
            check.check_id, True, f"DB instance {name!r} {check.holds}", policy=check.policy
        )
    return CheckResult(
        check.check_id, False, f"DB instance {name!r} {check.broken}", check.fix, check.policy
    )
