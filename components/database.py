"""PostgreSQL on RDS in the isolated subnets, reachable only from the given client groups."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import Component
from components.rules import MAX_BACKUP_RETENTION_DAYS

POSTGRES_PORT = 5432


@dataclass(frozen=True)
class DatabaseArgs:
    """Inputs of `Database`. Secure by default: encrypted, private, password kept by RDS."""

    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Isolated (data-tier) subnets, at least two AZs (RDS requires it even single-AZ)."""
    client_security_group_ids: Sequence[pulumi.Input[str]]
    """The only groups admitted on 5432."""
    instance_class: str
    engine_version: str
    allocated_storage_gb: int
    max_allocated_storage_gb: int
    """0 disables storage autoscaling."""
    database_name: str
    master_username: pulumi.Input[str]
    """May be a secret (`pulumi.Output.secret`)."""
    multi_az: bool = False
    deletion_protection: bool = False
    backup_retention_days: int = 1
    skip_final_snapshot: bool = True
    protect: bool = False
    """Pulumi `protect` on the instance."""
    snapshot_identifier: pulumi.Input[str] | None = None
    """Restore from this snapshot; its database name and master user then come with it. May
    be a secret (`pulumi.Output.secret`)."""

    def __post_init__(self) -> None:
        if not self.client_security_group_ids:
            raise ValueError(
                "DatabaseArgs.client_security_group_ids is empty: nothing could reach the "
                "database; pass the web instances' security group"
            )
        if not 0 <= self.backup_retention_days <= MAX_BACKUP_RETENTION_DAYS:
            raise ValueError(
                f"DatabaseArgs.backup_retention_days must be 0 to {MAX_BACKUP_RETENTION_DAYS}, "
                f"got {self.backup_retention_days}"
            )


class Database(Component):
    """DB subnet group, security group (5432 from the clients only) and the RDS instance.

    Outputs: `address` (host name), `port`, `endpoint` (host:port), `instance_identifier`,
    `database_name`, `security_group_id`, `master_user_secret_arn` (the Secrets Manager
    secret RDS keeps the generated master credentials in).
    """

    type_token = "webmodel:database:Database"
    address: pulumi.Output[str]
    port: pulumi.Output[int]
    endpoint: pulumi.Output[str]
    instance_identifier: pulumi.Output[str]
    database_name: str
    security_group_id: pulumi.Output[str]
    master_user_secret_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, opts)
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name_prefix=f"{_rds_name(name)}-",
            description=f"Isolated subnets of {name}",
            subnet_ids=args.subnet_ids,
            opts=self.child_opts,
        )
        security_group = self._security_group(name, args)
        instance = self._instance(name, args, subnet_group, security_group)

        self.address = instance.address
        self.port = instance.port
        self.endpoint = instance.endpoint
        self.instance_identifier = instance.identifier
        self.database_name = args.database_name
        self.security_group_id = security_group.id
        self.master_user_secret_arn = instance.master_user_secrets.apply(
            lambda secrets: (secrets[0].secret_arn or "") if secrets else ""
        )
        self.register_outputs(
            {
                "address": self.address,
                "port": self.port,
                "endpoint": self.endpoint,
                "instanceIdentifier": self.instance_identifier,
                "securityGroupId": self.security_group_id,
                "masterUserSecretArn": self.master_user_secret_arn,
            }
        )

    def _security_group(self, name: str, args: DatabaseArgs) -> aws.ec2.SecurityGroup:
        """The database's group: 5432 from each client group, nothing else."""
        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            description="PostgreSQL: 5432 from the application instances only",
            tags={"Name": f"{name}-sg"},
            opts=self.child_opts,
        )
        for index, client in enumerate(args.client_security_group_ids):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-postgres-from-client-{index}",
                security_group_id=security_group.id,
                description="PostgreSQL from an application security group",
                ip_protocol="tcp",
                from_port=POSTGRES_PORT,
                to_port=POSTGRES_PORT,
                referenced_security_group_id=client,
                opts=self.child_opts,
            )
        return security_group

    def _instance(
        self,
        name: str,
        args: DatabaseArgs,
        subnet_group: aws.rds.SubnetGroup,
        security_group: aws.ec2.SecurityGroup,
    ) -> aws.rds.Instance:
        """The encrypted, private PostgreSQL instance, its password generated and kept by RDS."""
        restoring = args.snapshot_identifier is not None
        return aws.rds.Instance(
            f"{name}-postgres",
            engine="postgres",
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gb,
            max_allocated_storage=args.max_allocated_storage_gb or None,
            storage_type="gp3",
            storage_encrypted=True,
            db_name=None if restoring else args.database_name,
            username=None if restoring else args.master_username,
            manage_master_user_password=True,
            snapshot_identifier=args.snapshot_identifier,
            port=POSTGRES_PORT,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[security_group.id],
            publicly_accessible=False,
            multi_az=args.multi_az,
            deletion_protection=args.deletion_protection,
            backup_retention_period=args.backup_retention_days,
            copy_tags_to_snapshot=True,
            skip_final_snapshot=args.skip_final_snapshot,
            final_snapshot_identifier=(
                None
                if args.skip_final_snapshot
                else _rds_name(f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}-final")
            ),
            auto_minor_version_upgrade=True,
            enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
            apply_immediately=False,
            tags={"Name": f"{name}-postgres"},
            opts=self.child_opts_with(protect=args.protect),
        )


def _rds_name(name: str) -> str:
    """RDS identifiers: lowercase letters, digits and single hyphens, starting with a letter."""
    cleaned = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", name.lower())).strip("-")
    return cleaned if cleaned[:1].isalpha() else f"db-{cleaned}"
