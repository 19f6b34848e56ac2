"""Each component on its own, under the simulated AWS account: exact children and relations."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from components.beanstalk import Application, ApplicationArgs
from components.beanstalk.args import EnvironmentArgs, WiredProperty, WorkerDaemon
from components.beanstalk.environment import Environment
from components.beanstalk.iam import instance_policy
from components.config import LoadBalancedConfig, parse_stack_config
from components.config.args import environment_args as config_environment_args
from components.config.args import load_balancer
from components.database import Database, DatabaseArgs
from components.network import Network, NetworkArgs
from components.security import AppSecurityGroups, AppSecurityGroupsArgs
from tests.program_fixtures import LISTENER_TOKEN, Recording, run, settings_map

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webmodel/dev/session-Ab12Cd"
PARAMETER = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/webmodel/dev/sentry-dsn"
CERTIFICATE = (
    "arn:aws:acm:ap-northeast-2:123456789012:certificate/4f1c2e3a-9b7d-4c6e-8a5f-0d2b3c4e5f60"
)


# -- Network --------------------------------------------------------------------------------


def network(zones: int, nat: Any, cidr: str = "10.20.0.0/16") -> Recording:
    return run(
        lambda: {
            "net": Network(
                "network",
                NetworkArgs(
                    cidr_block=cidr,
                    availability_zone_count=zones,
                    subnet_prefix_length=20,
                    nat_gateways=nat,
                    flow_log_retention_days=30,
                ),
            ).vpc_id
        }
    ).aws


@pytest.mark.parametrize(("zones", "nat", "nat_count"), [(2, "single", 1), (3, "per_az", 3)])
def test_network_tiers_per_az_and_nat_mode(zones: int, nat: str, nat_count: int):
    aws = network(zones, nat)
    azs = [f"ap-northeast-2{letter}" for letter in "abcd"[:zones]]
    subnets = {r.name: r.inputs for r in aws.of_type(SUBNET)}
    assert len(subnets) == 3 * zones
    for tier, first_octet in (("public", 0), ("private", 64), ("isolated", 128)):
        for index, az in enumerate(azs):
            subnet = subnets[f"network-{tier}-{az}"]
            assert subnet["availabilityZone"] == az
            assert subnet["cidrBlock"] == f"10.20.{first_octet + 16 * index}.0/20"
            assert subnet["mapPublicIpOnLaunch"] is (tier == "public")
    assert len(aws.of_type("aws:ec2/natGateway:NatGateway")) == nat_count
    assert len(aws.of_type("aws:ec2/eip:Eip")) == nat_count
    nat_ids = {r.id: r for r in aws.of_type("aws:ec2/natGateway:NatGateway")}
    public_ids = {aws.one(SUBNET, f"network-public-{az}").id: az for az in azs}
    assert {public_ids[n.inputs["subnetId"]] for n in nat_ids.values()} == set(azs[:nat_count])

    routes = {r.name: r.inputs for r in aws.of_type(ROUTE)}
    assert (
        routes["network-public-internet"]["gatewayId"]
        == aws.one("aws:ec2/internetGateway:InternetGateway").id
    )
    for az in azs:
        nat_id = routes[f"network-private-{az}-nat"]["natGatewayId"]
        assert routes[f"network-private-{az}-nat"]["destinationCidrBlock"] == "0.0.0.0/0"
        nat_az = public_ids[nat_ids[nat_id].inputs["subnetId"]]
        assert nat_az == (az if nat == "per_az" else azs[0])
    # only the public table and the private tables have routes out; isolated has none
    assert len(routes) == 1 + zones
    isolated_rt = aws.one("aws:ec2/routeTable:RouteTable", "network-isolated-rt").id
    assert not [r for r in routes.values() if r["routeTableId"] == isolated_rt]


def test_network_associates_each_subnet_with_its_tier_table():
    aws = network(2, "single")
    tables = {r.id: r.name for r in aws.of_type("aws:ec2/routeTable:RouteTable")}
    subnets = {r.id: r.name for r in aws.of_type(SUBNET)}
    associations = {
        subnets[a.inputs["subnetId"]]: tables[a.inputs["routeTableId"]]
        for a in aws.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    }
    assert associations == {
        "network-public-ap-northeast-2a": "network-public-rt",
        "network-public-ap-northeast-2b": "network-public-rt",
        "network-private-ap-northeast-2a": "network-private-ap-northeast-2a-rt",
        "network-private-ap-northeast-2b": "network-private-ap-northeast-2b-rt",
        "network-isolated-ap-northeast-2a": "network-isolated-rt",
        "network-isolated-ap-northeast-2b": "network-isolated-rt",
    }


def test_network_guardrails_default_sg_flow_logs_and_s3_endpoint():
    aws = network(2, "single")
    vpc = aws.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["enableDnsHostnames"] is True
    default_sg = aws.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default_sg.inputs["vpcId"] == vpc.id
    assert default_sg.inputs.get("ingress", []) == []
    assert default_sg.inputs.get("egress", []) == []

    log_group = aws.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 30
    flow_log = aws.one("aws:ec2/flowLog:FlowLog")
    assert flow_log.inputs["vpcId"] == vpc.id
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["logDestination"] == log_group.state["arn"]
    role = aws.one("aws:iam/role:Role")
    assert flow_log.inputs["iamRoleArn"] == role.state["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    policy = json.loads(aws.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert policy["Statement"][0]["Resource"] == [
        log_group.state["arn"],
        log_group.state["arn"] + ":*",
    ]

    endpoint = aws.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.ap-northeast-2.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    tables = {r.id: r.name for r in aws.of_type("aws:ec2/routeTable:RouteTable")}
    assert sorted(tables[t] for t in endpoint.inputs["routeTableIds"]) == [
        "network-isolated-rt",
        "network-private-ap-northeast-2a-rt",
        "network-private-ap-northeast-2b-rt",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"availability_zone_count": 5}, "availability_zone_count must be 2 to 4"),
        ({"availability_zone_count": 1}, "an RDS subnet group spans at least two AZs"),
        ({"subnet_prefix_length": 19}, "use /20 to /28"),
        ({"subnet_prefix_length": 16}, "leaves no room"),
        ({"cidr_block": "8.8.0.0/16"}, "must be a private"),
        ({"cidr_block": "10.20.0.1/16"}, "is not an IPv4 CIDR block"),
        ({"flow_log_retention_days": 2}, "is not a CloudWatch Logs retention period"),
    ],
)
def test_network_args_reject_impossible_layouts(kwargs: dict[str, Any], message: str):
    with pytest.raises(ValueError, match=message):
        NetworkArgs(**{**NETWORK_ARGS, **kwargs})


NETWORK_ARGS: dict[str, Any] = {
    "cidr_block": "10.20.0.0/16",
    "availability_zone_count": 2,
    "subnet_prefix_length": 20,
    "nat_gateways": "single",
    "flow_log_retention_days": 30,
}


def test_network_args_report_every_problem_at_once():
    bad = {"availability_zone_count": 1, "subnet_prefix_length": 16, "flow_log_retention_days": 2}
    with pytest.raises(ValueError, match=r"^invalid NetworkArgs: availability_zone_count") as e:
        NetworkArgs(**{**NETWORK_ARGS, **bad})
    message = str(e.value)
    named = [
        message.find(f"; {key} ") for key in ("subnet_prefix_length", "flow_log_retention_days")
    ]
    assert 0 < named[0] < named[1]


def test_network_args_are_keyword_only():
    with pytest.raises(TypeError):
        NetworkArgs(*NETWORK_ARGS.values())  # type: ignore[call-arg]


def test_network_invariants_match_the_config_bounds():
    """The config layer parses and relabels; the component owns the invariants. Their bounds
    are pinned together so a stack config can never reach a NetworkArgs that refuses it."""
    from components.config.models import LOG_RETENTION_DAYS, NetworkConfig
    from components.network import FLOW_LOG_RETENTION_DAYS, MAX_AZS, MIN_AZS

    bounds = {
        type(m).__name__: m for m in NetworkConfig.model_fields["availability_zones"].metadata
    }
    assert (bounds["Ge"].ge, bounds["Le"].le) == (MIN_AZS, MAX_AZS)
    assert tuple(LOG_RETENTION_DAYS) == FLOW_LOG_RETENTION_DAYS


def test_network_tags_reach_every_tagged_child():
    aws = run(
        lambda: {
            "net": Network("network", NetworkArgs(**NETWORK_ARGS, tags={"team": "platform"})).vpc_id
        }
    ).aws
    tagged = [r for r in aws.resources if "tags" in r.inputs]
    assert len(tagged) >= 10
    assert all(r.inputs["tags"]["team"] == "platform" for r in tagged)


# -- Security groups --------------------------------------------------------------------------


def test_security_groups_admit_only_the_intended_peers():
    aws = run(
        lambda: {
            "sg": AppSecurityGroups(
                "security", AppSecurityGroupsArgs("vpc-1", "10.20.0.0/16")
            ).web_instances_id
        }
    ).aws
    groups = {r.id: r.name for r in aws.of_type("aws:ec2/securityGroup:SecurityGroup")}
    assert sorted(groups.values()) == [
        "security-model-instances",
        "security-model-lb",
        "security-web-instances",
        "security-web-lb",
    ]
    ingress = sorted(
        (
            groups[r.inputs["securityGroupId"]],
            r.inputs["fromPort"],
            r.inputs.get("cidrIpv4")
            or r.inputs.get("cidrIpv6")
            or groups[r.inputs["referencedSecurityGroupId"]],
        )
        for r in aws.of_type(INGRESS)
    )
    assert ingress == [
        ("security-model-lb", 80, "security-web-instances"),
        ("security-model-lb", 443, "security-web-instances"),
        ("security-web-lb", 80, "0.0.0.0/0"),
        ("security-web-lb", 80, "::/0"),
        ("security-web-lb", 443, "0.0.0.0/0"),
        ("security-web-lb", 443, "::/0"),
    ]
    for group in aws.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not group.inputs.get("ingress"), group.name


# -- Database -------------------------------------------------------------------------------


def database(**overrides: Any) -> Recording:
    fields: dict[str, Any] = {
        **parse_stack_config({}).database.model_dump(),
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-iso-a", "subnet-iso-b"],
        "client_security_group_ids": ["sg-web"],
        **overrides,
    }
    return run(lambda: {"endpoint": Database("database", DatabaseArgs(**fields)).endpoint}).aws


def test_database_is_private_encrypted_and_keeps_no_password():
    aws = database()
    subnet_group = aws.one("aws:rds/subnetGroup:SubnetGroup")
    assert subnet_group.inputs["subnetIds"] == ["subnet-iso-a", "subnet-iso-b"]
    instance = aws.one("aws:rds/instance:Instance")
    sg = aws.one("aws:ec2/securityGroup:SecurityGroup")
    expected = {
        "engine": "postgres",
        "storageEncrypted": True,
        "manageMasterUserPassword": True,
        "publiclyAccessible": False,
        "dbSubnetGroupName": subnet_group.id,
        "vpcSecurityGroupIds": [sg.id],
        "dbName": "webmodel",
        "username": "webmodel_admin",
        "multiAz": False,
        "skipFinalSnapshot": True,
    }
    assert {key: instance.inputs.get(key) for key in expected} == expected
    assert "password" not in instance.inputs
    assert "snapshotIdentifier" not in instance.inputs
    rules = aws.of_type(INGRESS)
    assert [(r.inputs["fromPort"], r.inputs["referencedSecurityGroupId"]) for r in rules] == [
        (5432, "sg-web")
    ]
    assert rules[0].inputs["securityGroupId"] == sg.id
    assert "cidrIpv4" not in rules[0].inputs


def test_database_production_settings_and_final_snapshot():
    aws = database(
        multi_az=True,
        deletion_protection=True,
        backup_retention_days=14,
        skip_final_snapshot=False,
        protect=True,
    )
    instance = aws.one("aws:rds/instance:Instance").inputs
    assert instance["multiAz"] is True
    assert instance["deletionProtection"] is True
    assert instance["backupRetentionPeriod"] == 14
    assert instance["skipFinalSnapshot"] is False
    assert instance["finalSnapshotIdentifier"] == "webmodel-dev-database-final"


def test_database_restores_from_a_snapshot():
    instance = database(snapshot_identifier="webmodel-seed-003").one("aws:rds/instance:Instance")
    assert instance.inputs["snapshotIdentifier"] == "webmodel-seed-003"
    assert "dbName" not in instance.inputs
    assert "username" not in instance.inputs
    assert instance.inputs["manageMasterUserPassword"] is True


def test_database_without_clients_is_refused():
    with pytest.raises(ValueError, match="client_security_group_ids is empty"):
        DatabaseArgs(
            vpc_id="vpc-1",
            subnet_ids=[],
            client_security_group_ids=[],
            **parse_stack_config({}).database.model_dump(),
        )


# -- Beanstalk ------------------------------------------------------------------------------


def test_application_uses_the_newest_matching_platform_and_a_scoped_service_role():
    result = run(
        lambda: {
            "stack": Application(
                "app",
                ApplicationArgs(
                    solution_stack_regex=r"^64bit Amazon Linux 2023 v[0-9.]+ running Docker$"
                ),
            ).solution_stack_name
        }
    )
    assert result.values["stack"] == "64bit Amazon Linux 2023 v4.5.2 running Docker"
    args = next(args for token, args in result.aws.calls if "getSolutionStack" in token)
    assert args == {
        "nameRegex": r"^64bit Amazon Linux 2023 v[0-9.]+ running Docker$",
        "mostRecent": True,
    }
    role = result.aws.one("aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "elasticbeanstalk.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": "elasticbeanstalk"}}
    assert sorted(
        a.inputs["policyArn"]
        for a in result.aws.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    ) == [
        "arn:aws:iam::aws:policy/AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy",
        "arn:aws:iam::aws:policy/service-role/AWSElasticBeanstalkEnhancedHealth",
    ]


def environment_args(role: Any = "web", **settings: Any) -> EnvironmentArgs:
    config = parse_stack_config({role: settings})
    extra: dict[str, Any] = {}
    if role == "web":
        extra = {
            "wired_properties": {
                "MODEL_URL": WiredProperty("http://model.internal.example", 128),
                "DB_HOST": WiredProperty("db.example", 128),
            },
            "wired_secrets": {"DB_CREDENTIALS": SECRET.replace("session", "rds-db")},
        }
    lb_settings = config.environment(role)
    assert isinstance(lb_settings, LoadBalancedConfig)
    return config_environment_args(
        role,
        lb_settings,
        config.platform,
        application_name="webmodel-dev",
        solution_stack_name="64bit Amazon Linux 2023 v4.5.2 running Docker",
        service_role_arn="arn:aws:iam::123456789012:role/eb-service",
        vpc_id="vpc-1",
        instance_subnet_ids=["subnet-priv-a", "subnet-priv-b"],
        instance_security_group_id=f"sg-{role}-instances",
        load_balancer=load_balancer(
            lb_settings,
            scheme="public" if role == "web" else "internal",
            subnet_ids=(
                ["subnet-pub-a", "subnet-pub-b"]
                if role == "web"
                else ["subnet-priv-a", "subnet-priv-b"]
            ),
            security_group_id=f"sg-{role}-lb",
        ),
        name_prefix="webmodel-dev",
        **extra,
    )


def environment(args: EnvironmentArgs) -> tuple[Recording, dict[str, Any]]:
    def build() -> dict[str, Any]:
        env = Environment(args.role, args)
        return {"url": env.url, "name": env.name, "cname": env.cname}

    result = run(build)
    return result.aws, result.values


def test_web_environment_settings():
    aws, values = environment(
        environment_args(
            "web",
            minSize=2,
            maxSize=6,
            deploymentPolicy="Immutable",
            configUpdateType="Immutable",
            env={"LOG_LEVEL": "info"},
            secrets={"SESSION_SECRET": SECRET, "SENTRY_DSN": PARAMETER},
        )
    )
    env = aws.one(ENVIRONMENT)
    assert env.name == "webmodel-dev-web"
    assert env.inputs["tags"] == {"role": "web"}
    assert env.inputs["tier"] == "WebServer"
    profile = aws.one("aws:iam/instanceProfile:InstanceProfile")
    settings = settings_map(env.inputs["settings"])
    expected = {
        ("aws:elasticbeanstalk:environment", "EnvironmentType"): "LoadBalanced",
        ("aws:elasticbeanstalk:environment", "LoadBalancerType"): "application",
        (
            "aws:elasticbeanstalk:environment",
            "ServiceRole",
        ): "arn:aws:iam::123456789012:role/eb-service",
        ("aws:ec2:vpc", "VPCId"): "vpc-1",
        ("aws:ec2:vpc", "Subnets"): "subnet-priv-a,subnet-priv-b",
        ("aws:ec2:vpc", "ELBSubnets"): "subnet-pub-a,subnet-pub-b",
        ("aws:ec2:vpc", "ELBScheme"): "public",
        ("aws:ec2:vpc", "AssociatePublicIpAddress"): "false",
        ("aws:elbv2:loadbalancer", "SecurityGroups"): "sg-web-lb",
        ("aws:elbv2:loadbalancer", "ManagedSecurityGroup"): "sg-web-lb",
        ("aws:autoscaling:launchconfiguration", "IamInstanceProfile"): profile.state["name"],
        ("aws:autoscaling:launchconfiguration", "SecurityGroups"): "sg-web-instances",
        ("aws:autoscaling:launchconfiguration", "DisableIMDSv1"): "true",
        ("aws:ec2:instances", "InstanceTypes"): "t3.small",
        ("aws:autoscaling:asg", "MinSize"): "2",
        ("aws:autoscaling:asg", "MaxSize"): "6",
        ("aws:autoscaling:trigger", "MeasureName"): "CPUUtilization",
        ("aws:autoscaling:trigger", "UpperThreshold"): "70",
        ("aws:elasticbeanstalk:command", "DeploymentPolicy"): "Immutable",
        ("aws:elasticbeanstalk:command", "Timeout"): "600",
        ("aws:autoscaling:updatepolicy:rollingupdate", "RollingUpdateEnabled"): "true",
        ("aws:autoscaling:updatepolicy:rollingupdate", "RollingUpdateType"): "Immutable",
        ("aws:autoscaling:updatepolicy:rollingupdate", "Timeout"): "PT10M",
        ("aws:elasticbeanstalk:environment:process:default", "HealthCheckPath"): "/health",
        ("aws:elasticbeanstalk:healthreporting:system", "SystemType"): "enhanced",
        ("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled"): "true",
        ("aws:elasticbeanstalk:managedactions", "PreferredStartTime"): "Sun:18:00",
        ("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel"): "minor",
        ("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs"): "true",
        ("aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays"): "30",
        ("aws:elasticbeanstalk:cloudwatch:logs:health", "HealthStreamingEnabled"): "true",
    }
    assert {key: settings.get(key) for key in expected} == expected
    environment_properties = {
        name: value
        for (namespace, name), value in settings.items()
        if namespace == "aws:elasticbeanstalk:application:environment"
    }
    assert environment_properties == {
        "LOG_LEVEL": "info",
        "MODEL_URL": "http://model.internal.example",
        "DB_HOST": "db.example",
    }
    secrets = {
        name: value
        for (namespace, name), value in settings.items()
        if namespace == "aws:elasticbeanstalk:application:environmentsecrets"
    }
    assert secrets == {
        "SESSION_SECRET": SECRET,
        "SENTRY_DSN": PARAMETER,
        "DB_CREDENTIALS": SECRET.replace("session", "rds-db"),
    }
    # no HTTPS without a certificate, and nothing that would give instances public IPs
    assert not [key for key in settings if key[0].startswith("aws:elbv2:listener")]
    assert not aws.of_type("aws:lb/listenerRule:ListenerRule")
    assert values["url"] == f"http://{values['cname']}"


def test_model_environment_is_internal_gpu_with_golden_ami():
    aws, _ = environment(
        environment_args("model", imageId="ami-0123456789abcdef0", rootVolumeSizeGb=200)
    )
    env = aws.one(ENVIRONMENT)
    assert env.inputs["tags"] == {"role": "model"}
    settings = settings_map(env.inputs["settings"])
    assert settings[("aws:ec2:vpc", "ELBScheme")] == "internal"
    assert settings[("aws:ec2:vpc", "ELBSubnets")] == "subnet-priv-a,subnet-priv-b"
    assert settings[("aws:ec2:instances", "InstanceTypes")] == "g5.xlarge"
    assert settings[("aws:autoscaling:launchconfiguration", "ImageId")] == "ami-0123456789abcdef0"
    assert settings[("aws:autoscaling:launchconfiguration", "RootVolumeSize")] == "200"
    assert settings[("aws:elasticbeanstalk:command", "Timeout")] == "1200"
    assert settings[("aws:autoscaling:updatepolicy:rollingupdate", "Timeout")] == "PT20M"
    assert settings[("aws:elasticbeanstalk:environment:process:default", "HealthCheckPath")] == (
        "/v2/health/ready"
    )
    assert settings[("aws:autoscaling:trigger", "MeasureName")] == "TargetResponseTime"


def test_certificate_adds_https_listener_and_http_redirect():
    aws, values = environment(environment_args("web", certificateArn=CERTIFICATE))
    env = aws.one(ENVIRONMENT)
    settings = settings_map(env.inputs["settings"])
    assert {k[1]: v for k, v in settings.items() if k[0] == "aws:elbv2:listener:443"} == {
        "ListenerEnabled": "true",
        "Protocol": "HTTPS",
        "SSLCertificateArns": CERTIFICATE,
        "SSLPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "DefaultProcess": "default",
    }
    lookup = next(args for token, args in aws.calls if token == LISTENER_TOKEN)
    assert lookup == {"loadBalancerArn": env.state["loadBalancers"][0], "port": 80}
    rule = aws.one("aws:lb/listenerRule:ListenerRule").inputs
    assert rule["listenerArn"].startswith(
        env.state["loadBalancers"][0].replace(":loadbalancer/", ":listener/")
    )
    assert rule["actions"] == [
        {
            "type": "redirect",
            "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
        }
    ]
    assert rule["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    assert values["url"] == f"https://{values['cname']}"


def test_instance_role_reads_only_the_secrets_it_is_given():
    aws, _ = environment(environment_args("web", secrets={"SESSION_SECRET": SECRET}))
    policy = json.loads(aws.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["ReadOwnSecrets"]["Resource"] == sorted(
        [SECRET, SECRET.replace("session", "rds-db")]
    )
    assert "ReadOwnParameters" not in statements
    for statement in policy["Statement"]:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert not any(a.endswith(":*") or a == "*" for a in actions), statement
        if statement["Resource"] == "*":
            assert actions == ["ecr:GetAuthorizationToken"] or "Condition" in statement
    model_aws, _ = environment(environment_args("model"))
    model_policy = json.loads(model_aws.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert not [s for s in model_policy["Statement"] if "secretsmanager" in json.dumps(s)]


def test_instance_policy_covers_parameters_and_kms_through_the_services_only():
    policy = json.loads(instance_policy("aws", "ap-northeast-2", "123456789012", [PARAMETER]))
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["ReadOwnParameters"]["Resource"] == [PARAMETER]
    assert statements["DecryptOwnSecrets"]["Condition"]["StringEquals"]["kms:ViaService"] == [
        "secretsmanager.ap-northeast-2.amazonaws.com",
        "ssm.ap-northeast-2.amazonaws.com",
    ]


def test_environment_budget_counts_wired_properties_at_construction():
    base = environment_args("model")
    with pytest.raises(ValueError, match="over Elastic Beanstalk's limit of 4,096 bytes") as caught:
        EnvironmentArgs(
            **{
                **base.__dict__,
                "env": {"BIG": "x" * 3700},
                "wired_properties": {"EXTRA_URL": WiredProperty("http://x", 400)},
            }
        )
    message = str(caught.value)
    assert "Biggest: BIG (3,704 B), EXTRA_URL (410 B)" in message
    assert "secrets" in message


def test_environment_args_reject_a_property_defined_twice_and_bad_names():
    base = environment_args("web")
    with pytest.raises(ValueError, match="properties defined twice: MODEL_URL"):
        EnvironmentArgs(**{**base.__dict__, "wired_secrets": {"MODEL_URL": SECRET}})
    with pytest.raises(ValueError, match="must match"):
        EnvironmentArgs(
            **{**base.__dict__, "wired_properties": {"model-url": WiredProperty("x", 10)}}
        )


def test_a_wired_value_longer_than_its_reservation_fails_the_deployment():
    args = environment_args("web")
    too_long = EnvironmentArgs(
        **{
            **args.__dict__,
            "wired_properties": {"MODEL_URL": WiredProperty("http://" + "m" * 200, 128)},
        }
    )
    with pytest.raises(Exception, match="MODEL_URL is 207 bytes, more than the 128 reserved"):
        environment(too_long)


def test_environment_args_apply_the_queue_timing_rule_to_a_worker():
    base = environment_args("model")
    daemon = WorkerDaemon(
        queue_url="https://sqs.ap-northeast-2.amazonaws.com/123456789012/jobs",
        queue_arn="arn:aws:sqs:ap-northeast-2:123456789012:jobs",
        http_path="/work",
        http_connections=10,
        inactivity_timeout_seconds=300,
        visibility_timeout_seconds=300,
        error_visibility_timeout_seconds=30,
        retention_period_seconds=345600,
    )
    worker = {**base.__dict__, "load_balancer": None, "scaling": None, "worker": daemon}
    with pytest.raises(ValueError, match=r"^EnvironmentArgs \(model\): ") as caught:
        EnvironmentArgs(**worker)
    assert str(caught.value) == (
        "EnvironmentArgs (model): worker.visibility_timeout_seconds=300 is not greater than "
        "worker.inactivity_timeout_seconds=300: a message would reappear on the queue while its "
        "job still runs and another instance would run it again; raise "
        "worker.visibility_timeout_seconds above 300 or lower worker.inactivity_timeout_seconds "
        "below 300"
    )
    with pytest.raises(ValueError, match=r"worker.inactivity_timeout_seconds=0: use 1 to 36000"):
        EnvironmentArgs(
            **{**worker, "worker": dataclasses.replace(daemon, inactivity_timeout_seconds=0)}
        )
    assert (
        EnvironmentArgs(
            **{**worker, "worker": dataclasses.replace(daemon, visibility_timeout_seconds=301)}
        ).tier
        == "Worker"
    )
