"""The Beanstalk components under the simulated AWS account: `Application` (the newest matching
platform, a scoped service role) and `Environment` (each role's settings, HTTPS, the instance
role's reach, a wired value outgrowing its reservation failing the deployment), and what
`EnvironmentArgs` refuses at construction: the 4 KB budget, a name twice or malformed, a
worker's queue timing."""

from __future__ import annotations

import dataclasses
import json

import pytest

from components.beanstalk import Application, ApplicationArgs
from components.beanstalk.args import EnvironmentArgs, WiredProperty, WorkerDaemon
from components.beanstalk.iam import instance_policy
from tests.components.beanstalk_support import SECRET, environment, environment_args
from tests.program_fixtures import LISTENER_TOKEN, run, settings_map

ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
PARAMETER = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/webmodel/dev/sentry-dsn"
CERTIFICATE = (
    "arn:aws:acm:ap-northeast-2:123456789012:certificate/4f1c2e3a-9b7d-4c6e-8a5f-0d2b3c4e5f60"
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
