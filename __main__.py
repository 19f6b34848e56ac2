"""webmodel: a VPC, PostgreSQL, and Elastic Beanstalk environments per stack.

internet -> web ALB (public subnets) -> web instances (private) -> model internal ALB
(private) -> model GPU instances (private); web instances -> RDS (isolated subnets); with
`webmodel:worker`, web instances -> SQS queue -> worker instances (private, no load balancer)
-> model internal ALB (batch inference).
Each environment runs its own application version (apps/<role>, bundled by content); Triton
loads its model repository from S3 (MODEL_REPOSITORY).
"""

from pathlib import Path
from typing import Any, Literal, overload

import pulumi
import pulumi.runtime.config

from components.artifacts import Artifacts, ArtifactsArgs
from components.beanstalk import (
    Application,
    ApplicationArgs,
    Environment,
    Grant,
    LoadBalancer,
    WiredProperty,
    WorkerDaemon,
)
from components.bundle import APP_SOURCES, MODEL_REPOSITORY_SOURCE, build_bundle
from components.config import ROLES, Role, load_stack_config
from components.config.args import environment_args, load_balancer
from components.database import Database, DatabaseArgs
from components.domain import Domain, DomainArgs
from components.network import Network, NetworkArgs
from components.queue import WorkQueue, WorkQueueArgs
from components.security import AppSecurityGroups, AppSecurityGroupsArgs

# The whole config map as the language host set it (pulumi.Config has no way to list keys),
# so unknown `webmodel:` keys are refused by name, with which keys the CLI marks secret.
raw_config = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
config = load_stack_config(
    raw_config, {key for key in raw_config if pulumi.runtime.is_config_secret(key)}
)


@overload
def secret_if(key: str, value: str) -> pulumi.Input[str]: ...
@overload
def secret_if(key: str, value: str | None) -> pulumi.Input[str] | None: ...
def secret_if(key: str, value: str | None) -> pulumi.Input[str] | None:
    """A secret field's value, marked secret when its `webmodel:<key>` is."""
    return pulumi.Output.secret(value) if value is not None and config.is_secret(key) else value


prefix = f"{pulumi.get_project()}-{pulumi.get_stack()}"
WORKER_HTTP_PATH = "/work"  # apps/worker/workerapp/main.py WORK_PATH

network = Network(
    "network",
    NetworkArgs(
        cidr_block=config.network.cidr_block,
        availability_zone_count=config.network.availability_zones,
        subnet_prefix_length=config.network.subnet_prefix_length,
        nat_gateways=config.network.nat_gateways,
        flow_log_retention_days=config.network.flow_log_retention_days,
    ),
)
security = AppSecurityGroups(
    "security",
    AppSecurityGroupsArgs(
        vpc_id=network.vpc_id,
        vpc_cidr_block=network.vpc_cidr_block,
        worker=config.worker is not None,
    ),
)
db = config.database
database = Database(
    "database",
    DatabaseArgs(
        vpc_id=network.vpc_id,
        subnet_ids=network.isolated_subnet_ids,
        client_security_group_ids=[security.web_instances_id],
        instance_class=db.instance_class,
        engine_version=db.engine_version,
        allocated_storage_gb=db.allocated_storage_gb,
        max_allocated_storage_gb=db.max_allocated_storage_gb,
        database_name=db.database_name,
        master_username=secret_if("database", db.master_username),
        multi_az=db.multi_az,
        deletion_protection=db.deletion_protection,
        backup_retention_days=db.backup_retention_days,
        skip_final_snapshot=db.skip_final_snapshot,
        protect=db.protect,
        snapshot_identifier=secret_if("database", db.snapshot_identifier),
    ),
)
app = Application(
    "app",
    ApplicationArgs(solution_stack_regex=config.platform.solution_stack_regex, name_prefix=prefix),
)

root = Path(__file__).resolve().parent
bundle_dir = root / ".bundles"  # git-ignored; the zips Pulumi uploads
model_repository_uri = config.model.model_repository
roles: list[Role] = [role for role in ROLES if config.environment(role) is not None]
artifacts = Artifacts(
    "artifacts",
    ArtifactsArgs(
        application_name=app.name,
        bundles=[
            build_bundle(root / APP_SOURCES[role], app=role, out_dir=bundle_dir)
            for role in sorted(roles)
        ],
        model_repository_dir=None if model_repository_uri else root / MODEL_REPOSITORY_SOURCE,
        model_repository_uri=model_repository_uri,
        name_prefix=prefix,
    ),
)
domain = (
    Domain("domain", DomainArgs(config.web.domain, config.web.hosted_zone))
    if config.web.domain and config.web.hosted_zone
    else None
)


def environment(
    role: Role,
    instance_security_group_id: pulumi.Input[str],
    *,
    wired: dict[str, tuple[pulumi.Input[str], str]] | None = None,
    **wiring: Any,
) -> Environment:
    """One EB environment of the application, from `webmodel:<role>`; instances always in the
    private subnets. `wired` maps each program-added property (declared with its budget in
    components/roles.py) to its value and the config key it derives from."""
    settings = config.environment(role)
    assert settings is not None, f"webmodel:{role} is not set"
    reserved = ROLES[role].program_properties
    return Environment(
        role,
        environment_args(
            role,
            settings,
            config.platform,
            secret_settings=config.is_secret(role),
            application_name=app.name,
            solution_stack_name=app.solution_stack_name,
            service_role_arn=app.service_role_arn,
            vpc_id=network.vpc_id,
            instance_subnet_ids=network.private_subnet_ids,
            instance_security_group_id=instance_security_group_id,
            wired_properties={
                key: WiredProperty(value, reserved[key], source)
                for key, (value, source) in (wired or {}).items()
            },
            version_label=artifacts.version_labels[role],
            source_bundles_arn=artifacts.bundle_arns[role],
            name_prefix=prefix,
            **wiring,
        ),
    )


def alb(
    role: Literal["web", "model"],
    scheme: Literal["public", "internal"],
    subnet_ids: pulumi.Input[list[str]],
    security_group_id: pulumi.Input[str],
    certificate_arn: pulumi.Input[str] | None = None,
) -> LoadBalancer:
    settings = config.web if role == "web" else config.model
    return load_balancer(
        settings,
        scheme=scheme,
        subnet_ids=subnet_ids,
        security_group_id=security_group_id,
        certificate_arn=certificate_arn,
        secret_settings=config.is_secret(role),
    )


model = environment(
    "model",
    security.model_instances_id,
    load_balancer=alb(
        "model", "internal", network.private_subnet_ids, security.model_load_balancer_id
    ),
    wired={
        "MODEL_REPOSITORY": (artifacts.model_repository_uri, "webmodel:model.modelRepository"),
        "AWS_DEFAULT_REGION": (artifacts.region, "aws:region"),
    },
    readable_s3_uri=artifacts.model_repository_uri,
)

queue: WorkQueue | None = None
worker: Environment | None = None
if config.worker is not None:
    settings = config.worker
    queue = WorkQueue(
        "work-queue",
        WorkQueueArgs(
            max_receive_count=settings.max_receive_count,
            visibility_timeout_seconds=settings.visibility_timeout_seconds,
            processing_timeout_seconds=settings.processing_timeout_seconds,
            message_retention_seconds=settings.message_retention_seconds,
            scale_out_backlog=settings.scale_out_backlog,
            scale_in_backlog=settings.scale_in_backlog,
            scale_out_step=settings.scale_out_step,
            cooldown_seconds=settings.health_check_grace_seconds,
            idempotency_table=True,
        ),
    )
    assert queue.idempotency_table_name is not None
    assert queue.idempotency_table_arn is not None
    assert security.worker_instances_id is not None
    worker = environment(
        "worker",
        security.worker_instances_id,
        worker=WorkerDaemon(
            queue_url=queue.queue_url,
            queue_arn=queue.queue_arn,
            http_path=WORKER_HTTP_PATH,
            http_connections=settings.http_connections,
            inactivity_timeout_seconds=settings.processing_timeout_seconds,
            visibility_timeout_seconds=settings.visibility_timeout_seconds,
            error_visibility_timeout_seconds=settings.retry_delay_seconds,
            retention_period_seconds=settings.message_retention_seconds,
        ),
        wired={
            "MODEL_URL": (model.url, "aws:region"),
            "WORKER_IDEMPOTENCY_TABLE": (queue.idempotency_table_name, ""),
            "WORKER_IDEMPOTENCY_LEASE_SECONDS": (
                str(settings.processing_timeout_seconds),
                "webmodel:worker.processingTimeoutSeconds",
            ),
            "AWS_DEFAULT_REGION": (artifacts.region, "aws:region"),
        },
        grants=(
            Grant(
                "RecordProcessedMessages",
                ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                queue.idempotency_table_arn,
            ),
        ),
    )
    queue.scale_on_backlog(worker.autoscaling_group_name)

web = environment(
    "web",
    security.web_instances_id,
    load_balancer=alb(
        "web",
        "public",
        network.public_subnet_ids,
        security.web_load_balancer_id,
        domain.certificate_arn if domain else None,
    ),
    wired={
        "MODEL_URL": (model.url, "aws:region"),
        "DB_HOST": (database.address, "aws:region"),
        "DB_PORT": (database.port.apply(str), ""),
        "DB_NAME": (database.database_name, "webmodel:database.databaseName"),
        **({"WORK_QUEUE_URL": (queue.queue_url, "aws:region")} if queue else {}),
    },
    wired_secrets={"DB_CREDENTIALS": database.master_user_secret_arn},
    grants=(Grant("SendToWorkQueue", ["sqs:SendMessage"], queue.queue_arn),) if queue else (),
)
if domain:
    assert web.load_balancer_arn is not None  # web is a WebServer tier
    domain.point_at(web.load_balancer_arn)

pulumi.export("webUrl", domain.url if domain else web.url)
if domain:
    pulumi.export("webDomain", config.web.domain)
pulumi.export("modelInternalUrl", model.url)
pulumi.export("webEnvironmentName", web.name)
pulumi.export("modelEnvironmentName", model.name)
pulumi.export("applicationName", app.name)
pulumi.export("dbEndpoint", database.endpoint)
pulumi.export("dbInstanceIdentifier", database.instance_identifier)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("isolatedSubnetIds", network.isolated_subnet_ids)
pulumi.export("webVersionLabel", artifacts.version_labels["web"])
pulumi.export("modelVersionLabel", artifacts.version_labels["model"])
pulumi.export("artifactsBucket", artifacts.artifacts_bucket)
pulumi.export("modelRepositoryUri", artifacts.model_repository_uri)
if worker is not None and queue is not None:
    pulumi.export("workerEnvironmentName", worker.name)
    pulumi.export("workerVersionLabel", artifacts.version_labels["worker"])
    pulumi.export("workQueueUrl", queue.queue_url)
    pulumi.export("deadLetterQueueUrl", queue.dlq_url)
