"""webmodel: a VPC, PostgreSQL, and Elastic Beanstalk environments per stack.

internet -> web ALB (public subnets) -> web instances (private) -> model internal ALB
(private) -> model GPU instances (private); web instances -> RDS (isolated subnets); with
`webmodel:worker`, web instances -> SQS queue -> worker instances (private, no load balancer)
-> model internal ALB (batch inference).
Each environment runs its own application version (apps/<role>, bundled by content); Triton
loads its model repository from S3 (MODEL_REPOSITORY). The config becomes each component's
Args in components/config/args.py; what is wired to what is here.
"""

from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime.config

from components.artifacts import Artifacts
from components.beanstalk import Application, Environment, Grant, Slots
from components.config import Role, args, load_stack_config
from components.config.slots import live_slot
from components.database import Database
from components.domain import Domain, PrivateName
from components.network import Network
from components.queue import WorkQueue
from components.security import AppSecurityGroups

# The whole config map as the language host set it (pulumi.Config has no way to list keys),
# so unknown `webmodel:` keys are refused by name, with which keys the CLI marks secret.
raw_config = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
prefix = f"{pulumi.get_project()}-{pulumi.get_stack()}"
config = load_stack_config(
    raw_config,
    {key for key in raw_config if pulumi.runtime.is_config_secret(key)},
    name_prefix=prefix,
)

network = Network("network", args.network(config))
security = AppSecurityGroups(
    "security", args.security_groups(config, network.vpc_id, network.vpc_cidr_block)
)
database = Database(
    "database",
    args.database(
        config, network.vpc_id, network.isolated_subnet_ids, clients=[security.web_instances_id]
    ),
)
app = Application(
    "app",
    args.application(config, name_prefix=prefix),
)
artifacts = Artifacts(
    "artifacts",
    args.artifacts(config, app.name, name_prefix=prefix, root=Path(__file__).resolve().parent),
)
domain_args = args.domain(config)
domain = Domain("domain", domain_args) if domain_args else None
model_name_args = args.model_name(config, network.vpc_id)
model_name = PrivateName("model-name", model_name_args) if model_name_args else None
every_environment = args.AppWiring(
    application_name=app.name,
    solution_stack_name=app.solution_stack_name,
    service_role_arn=app.service_role_arn,
    vpc_id=network.vpc_id,
    instance_subnet_ids=network.private_subnet_ids,
    version_labels=artifacts.version_labels,
    bundle_arns=artifacts.bundle_arns,
    name_prefix=prefix,
    versions=artifacts.versions,
    platform=app.platform,
)


def environments(role: Role, instance_security_group_id: pulumi.Input[str], **wiring: Any) -> Slots:
    """The EB environment of `webmodel:<role>` (one per blue/green slot), instances in the
    private subnets."""
    built = args.environments(config, role, every_environment, instance_security_group_id, **wiring)
    return Slots(
        {slot: Environment(name, env_args) for slot, (name, env_args) in built.items()},
        live_slot(config.environment(role)),
    )


model_lb = args.alb(
    config, "model", "internal", network.private_subnet_ids, security.model_load_balancer_id
)
model = environments(
    "model",
    security.model_instances_id,
    load_balancer=model_lb,
    wired={
        "MODEL_REPOSITORY": (artifacts.model_repository_uri, "webmodel:model.modelRepository"),
        "AWS_DEFAULT_REGION": (artifacts.region, "aws:region"),
    },
    readable_s3_uri=artifacts.model_repository_uri,
)

# With model slots, web and worker call the model by its stable private name: a flip of the
# model's live slot changes that name's record and nothing of web or worker.
model_url = (model_name.url, "") if model_name else (model.live.url, "aws:region")

queue: WorkQueue | None = None
worker: Environment | None = None
if config.worker is not None:
    queue = WorkQueue("work-queue", args.work_queue(config.worker))
    assert queue.idempotency_table_name is not None
    assert queue.idempotency_table_arn is not None
    assert security.worker_instances_id is not None
    worker = environments(
        "worker",
        security.worker_instances_id,
        worker=args.worker_daemon(
            config.worker, queue_url=queue.queue_url, queue_arn=queue.queue_arn
        ),
        wired={
            "MODEL_URL": model_url,
            "WORKER_IDEMPOTENCY_TABLE": (queue.idempotency_table_name, ""),
            **args.idempotency_lease(config.worker),
            "AWS_DEFAULT_REGION": (artifacts.region, "aws:region"),
        },
        grants=(
            Grant(
                "RecordProcessedMessages",
                ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                queue.idempotency_table_arn,
            ),
        ),
    ).live
    queue.scale_on_backlog(worker.autoscaling_group_name)

web = environments(
    "web",
    security.web_instances_id,
    load_balancer=args.alb(
        config,
        "web",
        "public",
        network.public_subnet_ids,
        security.web_load_balancer_id,
        domain.certificate_arn if domain else None,
    ),
    wired={
        "MODEL_URL": model_url,
        "DB_HOST": (database.address, "aws:region"),
        "DB_PORT": (database.port.apply(str), ""),
        "DB_NAME": (database.database_name, "webmodel:database.databaseName"),
        **({"WORK_QUEUE_URL": (queue.queue_url, "aws:region")} if queue else {}),
    },
    wired_secrets={"DB_CREDENTIALS": database.master_user_secret_arn},
    grants=(Grant("SendToWorkQueue", ["sqs:SendMessage"], queue.queue_arn),) if queue else (),
)
# The switches: each name's alias record points at the live slot's load balancer.
if domain:
    assert web.live.load_balancer_arn is not None  # web is a WebServer tier
    domain.point_at(web.live.load_balancer_arn)
if model_name:
    assert model.live.load_balancer_arn is not None
    model_name.point_at(model.live.load_balancer_arn)

pulumi.export("webUrl", domain.url if domain else web.live.url)
if domain:
    pulumi.export("webDomain", config.web.domain)
pulumi.export("modelInternalUrl", model_name.url if model_name else model.live.url)
pulumi.export("webEnvironmentName", web.live.name)
pulumi.export("modelEnvironmentName", model.live.name)
pulumi.export("applicationName", app.name)
pulumi.export("dbEndpoint", database.endpoint)
pulumi.export("dbInstanceIdentifier", database.instance_identifier)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("isolatedSubnetIds", network.isolated_subnet_ids)
pulumi.export(
    "webVersionLabel", web.live.version_label if web.slotted else artifacts.version_labels["web"]
)
pulumi.export(
    "modelVersionLabel",
    model.live.version_label if model.slotted else artifacts.version_labels["model"],
)
if web.slotted and domain:
    pulumi.export("webSlots", web.export(config.web.domain or "", domain.zone_id))
if model.slotted and model_name:
    pulumi.export("modelSlots", model.export(args.MODEL_HOST, model_name.zone_id))
pulumi.export("artifactsBucket", artifacts.artifacts_bucket)
pulumi.export("modelRepositoryUri", artifacts.model_repository_uri)
if worker is not None and queue is not None:
    pulumi.export("workerEnvironmentName", worker.name)
    pulumi.export("workerVersionLabel", artifacts.version_labels["worker"])
    pulumi.export("workQueueUrl", queue.queue_url)
    pulumi.export("deadLetterQueueUrl", queue.dlq_url)
