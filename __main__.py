"""webmodel: a VPC, PostgreSQL, and two Elastic Beanstalk environments per stack.

internet -> web ALB (public subnets) -> web instances (private) -> model internal ALB
(private) -> model GPU instances (private); web instances -> RDS (isolated subnets).
"""

import pulumi

from components.beanstalk import (
    Application,
    ApplicationArgs,
    Environment,
    EnvironmentArgs,
    WiredProperty,
)
from components.config import PROGRAM_PROPERTY_MAX_BYTES, load_stack_config
from components.database import Database, DatabaseArgs
from components.network import Network, NetworkArgs
from components.security import AppSecurityGroups, AppSecurityGroupsArgs

config = load_stack_config(pulumi.Config().get)
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
        **config.database.model_dump(),
    ),
)
app = Application(
    "app", ApplicationArgs(config.platform.solution_stack_regex, name_prefix=prefix)
)

model = Environment(
    "model",
    EnvironmentArgs(
        role="model",
        application_name=app.name,
        solution_stack_name=app.solution_stack_name,
        service_role_arn=app.service_role_arn,
        vpc_id=network.vpc_id,
        instance_subnet_ids=network.private_subnet_ids,
        load_balancer_subnet_ids=network.private_subnet_ids,
        load_balancer_scheme="internal",
        load_balancer_security_group_id=security.model_load_balancer_id,
        instance_security_group_id=security.model_instances_id,
        settings=config.model,
        platform=config.platform,
        name_prefix=prefix,
    ),
)
reserved = PROGRAM_PROPERTY_MAX_BYTES["web"]
web = Environment(
    "web",
    EnvironmentArgs(
        role="web",
        application_name=app.name,
        solution_stack_name=app.solution_stack_name,
        service_role_arn=app.service_role_arn,
        vpc_id=network.vpc_id,
        instance_subnet_ids=network.private_subnet_ids,
        load_balancer_subnet_ids=network.public_subnet_ids,
        load_balancer_scheme="public",
        load_balancer_security_group_id=security.web_load_balancer_id,
        instance_security_group_id=security.web_instances_id,
        settings=config.web,
        platform=config.platform,
        wired_properties={
            "MODEL_URL": WiredProperty(model.url, reserved["MODEL_URL"]),
            "DB_HOST": WiredProperty(database.address, reserved["DB_HOST"]),
            "DB_PORT": WiredProperty(database.port.apply(str), reserved["DB_PORT"]),
            "DB_NAME": WiredProperty(database.database_name, reserved["DB_NAME"]),
        },
        wired_secrets={"DB_CREDENTIALS": database.master_user_secret_arn},
        name_prefix=prefix,
    ),
)

pulumi.export("webUrl", web.url)
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
