"""A healthy dev stack's AWS account as `botocore.stub.Stubber` answers, queued in the order
verify asks for them (two environments, their instances, subnets and routes, the model's
internal load balancer, the database), and the names it answers with, taken from the healthy
dev stack's outputs. Used by tests/verify/test_aws_errors.py, which raises each failure on top
of it, and by test_aws_errors_end_to_end.py for the names."""

from __future__ import annotations

from botocore.stub import Stubber

from tests.verify.support import DEV_OUTPUTS
from verify.aws import Clients

REGION = "eu-west-1"
APP = str(DEV_OUTPUTS["applicationName"])
WEB_ENV = str(DEV_OUTPUTS["webEnvironmentName"])
MODEL_ENV = str(DEV_OUTPUTS["modelEnvironmentName"])
DB_ID = str(DEV_OUTPUTS["dbInstanceIdentifier"])
ENV_NS = "aws:elasticbeanstalk:application:environment"
MODEL_LB = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/awseb-model/1"


def stub_healthy_account(clients: Clients) -> list[Stubber]:
    """Queue a healthy dev stack's answers in the order verify asks for them."""
    eb, ec2, elbv2, rds = (
        Stubber(clients.elasticbeanstalk),
        Stubber(clients.ec2),
        Stubber(clients.elbv2),
        Stubber(clients.rds),
    )
    nat_table = {
        "RouteTables": [
            {
                "RouteTableId": "rtb-private",
                "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}],
            }
        ]
    }
    environments = (
        (WEB_ENV, ["subnet-a1", "subnet-a2"], None),
        (MODEL_ENV, ["subnet-a1"], MODEL_LB),
    )
    for env, subnets, lb in environments:
        eb.add_response(
            "describe_environments",
            {"Environments": [{"EnvironmentName": env, "Status": "Ready", "Health": "Green"}]},
        )
        instances = [f"i-{env[-3:]}{n}" for n in range(len(subnets))]
        eb.add_response(
            "describe_environment_resources",
            {
                "EnvironmentResources": {
                    "Instances": [{"Id": i} for i in instances],
                    "LoadBalancers": [{"Name": lb}] if lb else [],
                }
            },
        )
        ec2.add_response(
            "describe_instances",
            {
                "Reservations": [
                    {"Instances": [{"InstanceId": i, "SubnetId": s}]}
                    for i, s in zip(instances, subnets, strict=True)
                ]
            },
        )
        ec2.add_response(
            "describe_subnets",
            {
                "Subnets": [
                    {"SubnetId": s, "VpcId": "vpc-1", "MapPublicIpOnLaunch": False}
                    for s in sorted(subnets)
                ]
            },
        )
        for _ in subnets:
            ec2.add_response("describe_route_tables", nat_table)
        eb.add_response(
            "describe_configuration_settings",
            {
                "ConfigurationSettings": [
                    {
                        "OptionSettings": [
                            {"Namespace": ENV_NS, "OptionName": "APP_ENV", "Value": "dev"}
                        ]
                    }
                ]
            },
        )
        if lb:
            elbv2.add_response(
                "describe_load_balancers",
                {
                    "LoadBalancers": [
                        {
                            "LoadBalancerArn": lb,
                            "LoadBalancerName": "awseb-model",
                            "Scheme": "internal",
                        }
                    ]
                },
            )
    rds.add_response(
        "describe_db_instances",
        {
            "DBInstances": [
                {
                    "DBInstanceIdentifier": DB_ID,
                    "PubliclyAccessible": False,
                    "StorageEncrypted": True,
                    "MultiAZ": True,
                }
            ]
        },
    )
    stubbers = [eb, ec2, elbv2, rds]
    for stubber in stubbers:
        stubber.activate()
    return stubbers
