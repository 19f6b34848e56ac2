"""webmodel: a VPC, PostgreSQL, and two Elastic Beanstalk environments per stack.

internet -> web ALB (public subnets) -> web instances (private) -> model internal ALB
(private) -> model GPU instances (private); web instances -> RDS (isolated subnets).
Each environment runs its own application version (apps/web, apps/model/eb bundled by content);
Triton loads its model repository from S3 (MODEL_REPOSITORY).
"""

from pathlib import Path
from typing import Any, Literal

import pulumi
import pulumi.runtime.config

from components.artifacts import Artifacts, ArtifactsArgs
from components.beanstalk import (
    Application,
    ApplicationArgs,
    Environment,
    EnvironmentArgs,
    WiredProperty,
)
from components.bundle import APP_SOURCES, MODEL_REPOSITORY_SOURCE, build_bundle
from components.config import PROGRAM_PROPERTY_MAX_BYTES, load_stack_config
from components.database import Database, DatabaseArgs
from components.domain import Domain, DomainArgs
from components.network import Network, NetworkArgs
from components.security import AppSecurityGroups, AppSecurityGroupsArgs

# The whole config map as the language host set it (pulumi.Config has no way to list keys),
# so unknown `webmodel:` keys are refused by name, with which keys the CLI marks secret.
raw_config = {**pulumi.runtime.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
config = load_stack_config(
    raw_config, {key for key in raw_config if pulumi.runtime.is_config_secret(key)}
)


def secret_if(key: str, value: str | None) -> pulumi.Input[str] | None:
    """A field listed in SECRET_FIELDS, marked secret when its `webmodel:<key>` is."""
    return pulumi.Output.secret(value) if value is not None and config.is_secret(key) else value


prefix = f"{pulumi.get_project()}-{pulumi.get_stack()}"

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
    AppSecurityGroupsArgs(vpc_id=network.vpc_id, vpc_cidr_block=network.vpc_cidr_block),
)
database = Database(
    "database",
    DatabaseArgs(
        vpc_id=network.vpc_id,
        subnet_ids=network.isolated_subnet_ids,
        client_security_group_ids=[security.web_instances_id],
        **{
            **config.database.model_dump(),
            "master_username": secret_if("database", config.database.master_username),
            "snapshot_identifier": secret_if("database", config.database.snapshot_identifier),
        },
    ),
)
app = Application("app", ApplicationArgs(config.platform.solution_stack_regex, name_prefix=prefix))

root = Path(__file__).resolve().parent
bundle_dir = root / ".bundles"  # git-ignored; the zips Pulumi uploads
model_repository_uri = config.model.model_repository
artifacts = Artifacts(
    "artifacts",
    ArtifactsArgs(
        application_name=app.name,
        bundles=[
            build_bundle(root / source, app=role, out_dir=bundle_dir)
            for role, source in sorted(APP_SOURCES.items())
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
    role: Literal["web", "model"],
    scheme: Literal["public", "internal"],
    load_balancer_subnet_ids: pulumi.Output[list[str]],
    load_balancer_security_group_id: pulumi.Output[str],
    instance_security_group_id: pulumi.Output[str],
    **wiring: Any,
) -> Environment:
    """One EB environment of the application; instances always in the private subnets."""
    return Environment(
        role,
        EnvironmentArgs(
            role=role,
            application_name=app.name,
            solution_stack_name=app.solution_stack_name,
            service_role_arn=app.service_role_arn,
            vpc_id=network.vpc_id,
            instance_subnet_ids=network.private_subnet_ids,
            load_balancer_subnet_ids=load_balancer_subnet_ids,
            load_balancer_scheme=scheme,
            load_balancer_security_group_id=load_balancer_security_group_id,
            instance_security_group_id=instance_security_group_id,
            settings=config.environment(role),
            platform=config.platform,
            name_prefix=prefix,
            version_label=artifacts.version_labels[role],
            source_bundles_arn=artifacts.bundle_arns[role],
            secret_settings=config.is_secret(role),
            **wiring,
        ),
    )


model = environment(
    "model",
    "internal",
    network.private_subnet_ids,
    security.model_load_balancer_id,
    security.model_instances_id,
    wired_properties={
        "MODEL_REPOSITORY": WiredProperty(
            artifacts.model_repository_uri,
            PROGRAM_PROPERTY_MAX_BYTES["model"]["MODEL_REPOSITORY"],
        ),
        "AWS_DEFAULT_REGION": WiredProperty(
            artifacts.region, PROGRAM_PROPERTY_MAX_BYTES["model"]["AWS_DEFAULT_REGION"]
        ),
    },
    readable_s3_uri=artifacts.model_repository_uri,
)
reserved = PROGRAM_PROPERTY_MAX_BYTES["web"]
web = environment(
    "web",
    "public",
    network.public_subnet_ids,
    security.web_load_balancer_id,
    security.web_instances_id,
    wired_properties={
        "MODEL_URL": WiredProperty(model.url, reserved["MODEL_URL"], "aws:region"),
        "DB_HOST": WiredProperty(database.address, reserved["DB_HOST"], "aws:region"),
        "DB_PORT": WiredProperty(database.port.apply(str), reserved["DB_PORT"]),
        "DB_NAME": WiredProperty(
            database.database_name, reserved["DB_NAME"], "webmodel:database.databaseName"
        ),
    },
    wired_secrets={"DB_CREDENTIALS": database.master_user_secret_arn},
    certificate_arn=domain.certificate_arn if domain else None,
)
if domain:
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
