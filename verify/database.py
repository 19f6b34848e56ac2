"""The live checks of the stack's RDS instance: private, encrypted, multi-AZ. How strict
each is in a stage comes from the pack policy it mirrors (see verify/enforcement.py); the
checks themselves only say what they found."""

from __future__ import annotations

from typing import TYPE_CHECKING

from verify.aws import AwsCallFailed
from verify.result import CheckResult

if TYPE_CHECKING:
    from mypy_boto3_rds import RDSClient
    from mypy_boto3_rds.type_defs import DBInstanceTypeDef

NOT_PUBLIC_POLICY = "rds-not-publicly-accessible"
ENCRYPTED_POLICY = "rds-storage-encrypted"
MULTI_AZ_POLICY = "rds-multi-az"

DATABASE_CHECKS: tuple[tuple[str, str], ...] = (
    ("rds-not-public", NOT_PUBLIC_POLICY),
    ("rds-encrypted", ENCRYPTED_POLICY),
    ("rds-multi-az", MULTI_AZ_POLICY),
)
"""(check id, pack policy) of every database check, in report order."""


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
            check_id,
            False,
            f"DB instance {identifier!r} not found",
            "run `pulumi refresh` then `pulumi up`; restore from the latest snapshot "
            "if it was deleted",
            policy,
        )
        for check_id, policy in DATABASE_CHECKS
    ]


def check_db_not_public(db: DBInstanceTypeDef) -> CheckResult:
    name = db["DBInstanceIdentifier"]
    if db.get("PubliclyAccessible"):
        return CheckResult(
            "rds-not-public",
            False,
            f"DB instance {name!r} is publicly accessible",
            "set publiclyAccessible=false (and a DB subnet group of private subnets), "
            "then `pulumi up`",
            NOT_PUBLIC_POLICY,
        )
    return CheckResult(
        "rds-not-public",
        True,
        f"DB instance {name!r} is not publicly accessible",
        policy=NOT_PUBLIC_POLICY,
    )


def check_db_encrypted(db: DBInstanceTypeDef) -> CheckResult:
    name = db["DBInstanceIdentifier"]
    if not db.get("StorageEncrypted"):
        return CheckResult(
            "rds-encrypted",
            False,
            f"DB instance {name!r} storage is not encrypted",
            "encryption cannot be turned on in place: snapshot, copy the snapshot with "
            "encryption, restore, and point the stack at the new instance",
            ENCRYPTED_POLICY,
        )
    return CheckResult(
        "rds-encrypted",
        True,
        f"DB instance {name!r} storage is encrypted",
        policy=ENCRYPTED_POLICY,
    )


def check_db_multi_az(db: DBInstanceTypeDef) -> CheckResult:
    """A broken guarantee wherever the stage's pack config makes `rds-multi-az` mandatory,
    a warning where it is advisory."""
    name = db["DBInstanceIdentifier"]
    if db.get("MultiAZ"):
        return CheckResult(
            "rds-multi-az", True, f"DB instance {name!r} is multi-AZ", policy=MULTI_AZ_POLICY
        )
    return CheckResult(
        "rds-multi-az",
        False,
        f"DB instance {name!r} is single-AZ",
        "set webmodel:database multiAz: true in Pulumi.<stage>.yaml and `pulumi up` "
        "(AWS converts it online)",
        MULTI_AZ_POLICY,
    )
