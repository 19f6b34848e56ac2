"""Elastic Beanstalk: one `Application` and a reusable, role-agnostic `Environment`.

The web and model environments are the same class with different arguments (subnets, load
balancer scheme, sizing, properties); nothing here branches on the role except the `role` tag.
Every option setting comes from the EB "General options for all environments" reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.config import (
    ENV_KEY_PATTERN,
    ENV_PROPERTY_LIMIT_BYTES,
    SECRET_ARN_PATTERN,
    EnvironmentConfig,
    PlatformConfig,
    budget_problem,
)
from components.iam import policy_document, trust_policy

ENV_NAMESPACE = "aws:elasticbeanstalk:application:environment"
SECRETS_NAMESPACE = "aws:elasticbeanstalk:application:environmentsecrets"
PROCESS_NAMESPACE = "aws:elasticbeanstalk:environment:process:default"


# -- Application --------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationArgs:
    """Inputs of `Application`."""

    solution_stack_regex: str
    """The newest solution stack whose name matches is the platform of every environment."""
    description: str = "web (FastAPI) and model (Triton) environments"
    name_prefix: str = ""
    """Prefix of the EB application's auto-generated name (e.g. `webmodel-dev`)."""
    max_versions: int = 200
    """Application versions kept by EB's version lifecycle (the quota is 1,000 per region);
    older ones are deleted from EB, their source bundles kept in S3."""


class Application(pulumi.ComponentResource):
    """The EB application, its service role and the platform both environments run.

    Outputs: `name`, `service_role_arn` (enhanced health + managed updates),
    `solution_stack_name` (plain string, resolved at construction).
    """

    name: pulumi.Output[str]
    service_role_arn: pulumi.Output[str]
    solution_stack_name: str

    def __init__(
        self, name: str, args: ApplicationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webmodel:beanstalk:Application", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)

        self.solution_stack_name = aws.elasticbeanstalk.get_solution_stack(
            name_regex=args.solution_stack_regex, most_recent=True, opts=invoke
        ).name
        partition = aws.get_partition(opts=invoke).partition

        service_role = aws.iam.Role(
            f"{name}-service-role",
            description="Elastic Beanstalk service role: enhanced health and managed updates",
            assume_role_policy=trust_policy(
                "elasticbeanstalk.amazonaws.com",
                {"StringEquals": {"sts:ExternalId": "elasticbeanstalk"}},
            ),
            opts=child,
        )
        for label, policy in (
            ("enhanced-health", "service-role/AWSElasticBeanstalkEnhancedHealth"),
            ("managed-updates", "AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy"),
        ):
            aws.iam.RolePolicyAttachment(
                f"{name}-service-{label}",
                role=service_role.name,
                policy_arn=f"arn:{partition}:iam::aws:policy/{policy}",
                opts=child,
            )
        application = aws.elasticbeanstalk.Application(
            args.name_prefix or name,
            description=args.description,
            appversion_lifecycle=aws.elasticbeanstalk.ApplicationAppversionLifecycleArgs(
                service_role=service_role.arn,
                max_count=args.max_versions,
                delete_source_from_s3=False,
            ),
            opts=child,
        )

        self.name = application.name
        self.service_role_arn = service_role.arn
        self.register_outputs(
            {
                "name": self.name,
                "serviceRoleArn": self.service_role_arn,
                "solutionStackName": self.solution_stack_name,
            }
        )


# -- Environment --------------------------------------------------------------------------


@dataclass(frozen=True)
class WiredProperty:
    """An environment property the program computes (an Output), with its longest value.

    Its real value exists only after deploy, so the 4 KB budget counts `max_bytes` instead,
    and the value is checked against it once known.
    """

    value: pulumi.Input[str]
    max_bytes: int
    source: str = ""
    """The config key(s) its value derives from, named when it outgrows `max_bytes`."""


@dataclass(frozen=True)
class EnvironmentArgs:
    """Inputs of `Environment`: where it runs, what it is wired to, and its validated config."""

    role: Literal["web", "model"]
    """Tagged as `role` on the environment (policies key on it)."""
    application_name: pulumi.Input[str]
    solution_stack_name: pulumi.Input[str]
    service_role_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    instance_subnet_ids: pulumi.Input[Sequence[str]]
    """Private subnets for the instances (never public ones: no public IPs are assigned)."""
    load_balancer_subnet_ids: pulumi.Input[Sequence[str]]
    load_balancer_scheme: Literal["public", "internal"]
    load_balancer_security_group_id: pulumi.Input[str]
    instance_security_group_id: pulumi.Input[str]
    settings: EnvironmentConfig
    """Sizing, deployment, health check, TLS, env and secrets (`webmodel:<role>`)."""
    platform: PlatformConfig
    """Managed updates and log retention shared by both environments."""
    wired_properties: Mapping[str, WiredProperty] = field(default_factory=dict)
    """Plain properties the program computes (e.g. MODEL_URL)."""
    wired_secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Secrets whose ARNs the program computes (e.g. the RDS-managed credentials)."""
    name_prefix: str = ""
    """Prefix of the EB environment's auto-generated name (e.g. `webmodel-dev`)."""
    version_label: pulumi.Input[str] | None = None
    """The application version the environment runs (None: EB's sample application)."""
    certificate_arn: pulumi.Input[str] | None = None
    """A certificate the program issued (custom domain); used instead of settings'."""
    readable_s3_uri: pulumi.Input[str] | None = None
    """`s3://bucket/prefix` the instances may read (GetObject under it, ListBucket on it)."""
    source_bundles_arn: pulumi.Input[str] | None = None
    """S3 object ARN pattern of this environment's source bundles (EB's agent on the instance
    downloads the application version with the instance profile)."""
    secret_settings: bool = False
    """`settings` came from a secret config object: the values that may carry a secret (the
    certificate ARN, the secret ARNs, env values) are passed on marked secret."""

    def secret(self, value: str) -> pulumi.Input[str]:
        """`value`, marked secret when the settings are."""
        return pulumi.Output.secret(value) if self.secret_settings else value

    def __post_init__(self) -> None:
        problems: list[str] = []
        names = [*self.settings.env, *self.settings.secrets, *self.wired_properties]
        names += list(self.wired_secrets)
        for key in names:
            if not ENV_KEY_PATTERN.fullmatch(key):
                problems.append(f"property name {key!r} must match [A-Za-z_][A-Za-z0-9_]*")
        duplicates = sorted({key for key in names if names.count(key) > 1})
        if duplicates:
            problems.append(f"properties defined twice: {', '.join(duplicates)}")
        for key, arn in self.settings.secrets.items():
            if not SECRET_ARN_PATTERN.fullmatch(arn):
                problems.append(f"secret {key}: {arn!r} is not a Secrets Manager or SSM ARN")
        budget = budget_problem(
            f"{self.role} environment",
            self.settings.env,
            {key: prop.max_bytes for key, prop in self.wired_properties.items()},
            ENV_PROPERTY_LIMIT_BYTES,
        )
        if budget:
            problems.append(budget)
        if problems:
            raise ValueError(f"EnvironmentArgs ({self.role}): " + "; ".join(problems))


class Environment(pulumi.ComponentResource):
    """A load-balanced EB environment (ALB), its least-privilege instance profile, and for
    HTTPS the HTTP-to-HTTPS redirect on the load balancer.

    Outputs: `name`, `cname`, `endpoint_url` (load balancer DNS name), `url`
    (`https://` + CNAME with a certificate, else `http://` + CNAME), `instance_role_name`,
    `load_balancer_arn` (the ALB EB created).
    """

    name: pulumi.Output[str]
    cname: pulumi.Output[str]
    endpoint_url: pulumi.Output[str]
    url: pulumi.Output[str]
    instance_role_name: pulumi.Output[str]
    load_balancer_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webmodel:beanstalk:Environment", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        partition = aws.get_partition(opts=invoke).partition
        region = aws.get_region(opts=invoke).region
        account_id = aws.get_caller_identity(opts=invoke).account_id

        role = aws.iam.Role(
            f"{name}-instance-role",
            description=f"EC2 instances of the {args.role} environment",
            assume_role_policy=trust_policy("ec2.amazonaws.com"),
            opts=child,
        )
        secret_arns: list[pulumi.Input[str]] = [
            *map(args.secret, args.settings.secrets.values()),
            *args.wired_secrets.values(),
        ]
        aws.iam.RolePolicy(
            f"{name}-instance-policy",
            role=role.id,
            policy=pulumi.Output.all(
                pulumi.Output.from_input(args.readable_s3_uri),
                pulumi.Output.from_input(args.source_bundles_arn),
                *secret_arns,
            ).apply(
                lambda values: instance_policy(
                    partition,
                    region,
                    account_id,
                    [str(a) for a in values[2:]],
                    read_s3_uri=values[0],
                    source_bundles_arn=values[1],
                )
            ),
            opts=child,
        )
        profile = aws.iam.InstanceProfile(f"{name}-instance-profile", role=role.name, opts=child)

        environment = aws.elasticbeanstalk.Environment(
            f"{args.name_prefix}-{args.role}" if args.name_prefix else name,
            application=args.application_name,
            solution_stack_name=args.solution_stack_name,
            tier="WebServer",
            settings=environment_settings(args, profile.name),
            version=args.version_label,
            tags={"role": args.role},
            # `all_settings` echoes `settings` under another name, which no engine marks secret
            # by itself: without this a secret setting would be stored in plaintext there.
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    additional_secret_outputs=["all_settings"] if args.secret_settings else None
                ),
            ),
        )

        certificate = args.certificate_arn or args.settings.certificate_arn
        if certificate:
            # EB option settings can only forward listener traffic to processes; a redirect
            # needs a rule on the port-80 listener of the ALB that EB created.
            http_listener = aws.lb.get_listener_output(
                load_balancer_arn=environment.load_balancers.apply(lambda arns: arns[0]),
                port=80,
                opts=invoke,
            )
            aws.lb.ListenerRule(
                f"{name}-http-to-https",
                listener_arn=http_listener.arn,
                priority=1,
                conditions=[
                    aws.lb.ListenerRuleConditionArgs(
                        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/*"])
                    )
                ],
                actions=[
                    aws.lb.ListenerRuleActionArgs(
                        type="redirect",
                        redirect=aws.lb.ListenerRuleActionRedirectArgs(
                            protocol="HTTPS", port="443", status_code="HTTP_301"
                        ),
                    )
                ],
                opts=child,
            )

        scheme = "https" if certificate else "http"
        self.name = environment.name
        self.cname = environment.cname
        self.endpoint_url = environment.endpoint_url
        self.url = environment.cname.apply(lambda cname: f"{scheme}://{cname}")
        self.instance_role_name = role.name
        self.load_balancer_arn = environment.load_balancers.apply(lambda arns: arns[0])
        self.register_outputs(
            {
                "name": self.name,
                "cname": self.cname,
                "endpointUrl": self.endpoint_url,
                "url": self.url,
                "instanceRoleName": self.instance_role_name,
            }
        )


def _checked(key: str, prop: WiredProperty) -> pulumi.Output[str]:
    """The wired value, failing the deployment if it outgrows its budget reservation."""

    def within(value: str) -> str:
        size = len(value.encode())
        if size > prop.max_bytes:
            source = f"; it derives from {prop.source}, check that value" if prop.source else ""
            raise ValueError(
                f"environment property {key} is {size} bytes, more than the {prop.max_bytes} "
                f"reserved for it in the 4 KB budget (components/config.py){source}"
            )
        return value

    return pulumi.Output.from_input(prop.value).apply(within)


def environment_settings(
    args: EnvironmentArgs, instance_profile_name: pulumi.Input[str]
) -> list[aws.elasticbeanstalk.EnvironmentSettingArgs]:
    """Every option setting of the environment, in a stable order."""

    def join(ids: pulumi.Input[Sequence[str]]) -> pulumi.Output[str]:
        return pulumi.Output.from_input(ids).apply(lambda items: ",".join(items))

    config, platform = args.settings, args.platform
    grace = config.health_check_grace_seconds
    minutes, seconds = divmod(grace, 60)
    iso_grace = (
        "PT1H" if grace == 3600 else f"PT{minutes}M{seconds}S" if seconds else f"PT{minutes}M"
    )
    options: list[tuple[str, str, pulumi.Input[str]]] = [
        ("aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced"),
        ("aws:elasticbeanstalk:environment", "LoadBalancerType", "application"),
        ("aws:elasticbeanstalk:environment", "ServiceRole", args.service_role_arn),
        ("aws:ec2:vpc", "VPCId", args.vpc_id),
        ("aws:ec2:vpc", "Subnets", join(args.instance_subnet_ids)),
        ("aws:ec2:vpc", "ELBSubnets", join(args.load_balancer_subnet_ids)),
        ("aws:ec2:vpc", "ELBScheme", args.load_balancer_scheme),
        ("aws:ec2:vpc", "AssociatePublicIpAddress", "false"),
        ("aws:elbv2:loadbalancer", "SecurityGroups", args.load_balancer_security_group_id),
        ("aws:elbv2:loadbalancer", "ManagedSecurityGroup", args.load_balancer_security_group_id),
        ("aws:autoscaling:launchconfiguration", "IamInstanceProfile", instance_profile_name),
        ("aws:autoscaling:launchconfiguration", "SecurityGroups", args.instance_security_group_id),
        ("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true"),
        ("aws:autoscaling:launchconfiguration", "RootVolumeType", "gp3"),
        ("aws:ec2:instances", "InstanceTypes", ",".join(config.instance_types)),
        ("aws:autoscaling:asg", "MinSize", str(config.min_size)),
        ("aws:autoscaling:asg", "MaxSize", str(config.max_size)),
        ("aws:autoscaling:trigger", "MeasureName", config.scaling.measure_name),
        ("aws:autoscaling:trigger", "Statistic", config.scaling.statistic),
        ("aws:autoscaling:trigger", "Unit", config.scaling.unit),
        ("aws:autoscaling:trigger", "LowerThreshold", _number(config.scaling.lower_threshold)),
        ("aws:autoscaling:trigger", "UpperThreshold", _number(config.scaling.upper_threshold)),
        ("aws:elasticbeanstalk:command", "DeploymentPolicy", config.deployment_policy),
        ("aws:elasticbeanstalk:command", "BatchSizeType", "Percentage"),
        ("aws:elasticbeanstalk:command", "BatchSize", str(config.batch_size_percent)),
        ("aws:elasticbeanstalk:command", "Timeout", str(grace)),
        ("aws:autoscaling:updatepolicy:rollingupdate", "RollingUpdateEnabled", "true"),
        (
            "aws:autoscaling:updatepolicy:rollingupdate",
            "RollingUpdateType",
            config.config_update_type,
        ),
        ("aws:autoscaling:updatepolicy:rollingupdate", "Timeout", iso_grace),
        (PROCESS_NAMESPACE, "HealthCheckPath", config.health_check_path),
        (PROCESS_NAMESPACE, "MatcherHTTPCode", "200"),
        (PROCESS_NAMESPACE, "Port", "80"),
        (PROCESS_NAMESPACE, "Protocol", "HTTP"),
        ("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"),
        ("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true"),
        (
            "aws:elasticbeanstalk:managedactions",
            "PreferredStartTime",
            platform.managed_update_window,
        ),
        (
            "aws:elasticbeanstalk:managedactions",
            "ServiceRoleForManagedUpdates",
            args.service_role_arn,
        ),
        (
            "aws:elasticbeanstalk:managedactions:platformupdate",
            "UpdateLevel",
            platform.update_level,
        ),
        ("aws:elasticbeanstalk:managedactions:platformupdate", "InstanceRefreshEnabled", "true"),
        ("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true"),
        ("aws:elasticbeanstalk:cloudwatch:logs", "DeleteOnTerminate", "false"),
        (
            "aws:elasticbeanstalk:cloudwatch:logs",
            "RetentionInDays",
            str(platform.log_retention_days),
        ),
        ("aws:elasticbeanstalk:cloudwatch:logs:health", "HealthStreamingEnabled", "true"),
        ("aws:elasticbeanstalk:cloudwatch:logs:health", "DeleteOnTerminate", "false"),
        (
            "aws:elasticbeanstalk:cloudwatch:logs:health",
            "RetentionInDays",
            str(platform.log_retention_days),
        ),
    ]
    if config.root_volume_size_gb is not None:
        options.append(
            (
                "aws:autoscaling:launchconfiguration",
                "RootVolumeSize",
                str(config.root_volume_size_gb),
            )
        )
    if config.image_id is not None:
        options.append(("aws:autoscaling:launchconfiguration", "ImageId", config.image_id))
    certificate = args.certificate_arn or config.certificate_arn
    if certificate:
        options += [
            ("aws:elbv2:listener:443", "ListenerEnabled", "true"),
            ("aws:elbv2:listener:443", "Protocol", "HTTPS"),
            (
                "aws:elbv2:listener:443",
                "SSLCertificateArns",
                args.certificate_arn
                if args.certificate_arn is not None
                else args.secret(config.certificate_arn or ""),
            ),
            ("aws:elbv2:listener:443", "SSLPolicy", config.ssl_policy),
            ("aws:elbv2:listener:443", "DefaultProcess", "default"),
        ]
    options += [
        (ENV_NAMESPACE, key, args.secret(value)) for key, value in sorted(config.env.items())
    ]
    options += [
        (ENV_NAMESPACE, key, _checked(key, prop))
        for key, prop in sorted(args.wired_properties.items())
    ]
    options += [
        (SECRETS_NAMESPACE, key, args.secret(arn)) for key, arn in sorted(config.secrets.items())
    ]
    options += [(SECRETS_NAMESPACE, key, arn) for key, arn in sorted(args.wired_secrets.items())]
    return [
        aws.elasticbeanstalk.EnvironmentSettingArgs(namespace=namespace, name=option, value=value)
        for namespace, option, value in options
    ]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def instance_policy(
    partition: str,
    region: str,
    account_id: str,
    secret_arns: Sequence[str],
    read_s3_uri: str | None = None,
    source_bundles_arn: str | None = None,
) -> str:
    """Least privilege for an EB Docker instance: the parts of AWSElasticBeanstalkWebTier it
    uses, scoped to this account and region, ECR pulls, exactly the given secrets, and read
    access to exactly one S3 prefix when given (the model repository)."""
    eb_buckets = f"arn:{partition}:s3:::elasticbeanstalk-{region}-{account_id}"
    statements: list[dict[str, object]] = [
        {
            "Sid": "ApplicationVersionsAndLogBundles",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket", "s3:PutObject"],
            "Resource": [eb_buckets, f"{eb_buckets}/*"],
        },
        {
            "Sid": "StreamLogs",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:DescribeLogGroups",
            ],
            "Resource": (
                f"arn:{partition}:logs:{region}:{account_id}:log-group:/aws/elasticbeanstalk*"
            ),
        },
        {
            "Sid": "EnhancedHealth",
            "Effect": "Allow",
            "Action": "elasticbeanstalk:PutInstanceStatistics",
            "Resource": [
                f"arn:{partition}:elasticbeanstalk:{region}:{account_id}:application/*",
                f"arn:{partition}:elasticbeanstalk:{region}:{account_id}:environment/*",
            ],
        },
        {
            "Sid": "PullImagesToken",
            "Effect": "Allow",
            "Action": "ecr:GetAuthorizationToken",
            "Resource": "*",
        },
        {
            "Sid": "PullImages",
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            "Resource": f"arn:{partition}:ecr:{region}:{account_id}:repository/*",
        },
    ]
    if source_bundles_arn:
        statements.append(
            {
                "Sid": "ReadSourceBundles",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": source_bundles_arn,
            }
        )
    if read_s3_uri:
        statements += read_prefix_statements(partition, read_s3_uri)
    secrets = sorted({arn for arn in secret_arns if ":secretsmanager:" in arn})
    parameters = sorted({arn for arn in secret_arns if ":ssm:" in arn})
    if secrets:
        statements.append(
            {
                "Sid": "ReadOwnSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secrets,
            }
        )
    if parameters:
        statements.append(
            {
                "Sid": "ReadOwnParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters"],
                "Resource": parameters,
            }
        )
    if secrets or parameters:
        statements.append(
            {
                "Sid": "DecryptOwnSecrets",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": [
                            f"secretsmanager.{region}.amazonaws.com",
                            f"ssm.{region}.amazonaws.com",
                        ]
                    }
                },
            }
        )
    return policy_document(*statements)


def read_prefix_statements(partition: str, uri: str) -> list[dict[str, object]]:
    """s3:GetObject on `prefix/*` and s3:ListBucket limited to that prefix: nothing else."""
    if not uri.startswith("s3://"):
        raise ValueError(f"readable S3 location {uri!r} is not an s3://bucket/prefix URI")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    prefix = prefix.strip("/")
    objects = f"{prefix}/*" if prefix else "*"
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    return [
        {
            "Sid": "ReadModelRepository",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"{bucket_arn}/{objects}",
        },
        {
            "Sid": "ListModelRepository",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [prefix, objects] if prefix else ["*"]}},
        },
    ]
