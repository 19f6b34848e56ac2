"""Every option setting of an Elastic Beanstalk environment, from its `EnvironmentArgs`.

Option names are EB's "General options for all environments" reference; the namespaces are the
policy pack's own facts (`awsfacts.eb`, which also holds the defaults EB applies when an option
is left out), so the settings written here are named as the rules that judge them name them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
from awsfacts.eb import (
    ALB_NS,
    ASG_NS,
    COMMAND_NS,
    DEFAULT_PROCESS_NS,
    ENV_NS,
    ENV_PROPERTIES_NS,
    ENV_SECRETS_NS,
    HEALTH_LOGS_NS,
    HEALTH_NS,
    HTTPS_LISTENER_NS,
    INSTANCES_NS,
    LAUNCH_NS,
    LOGS_NS,
    MANAGED_ACTIONS_NS,
    PLATFORM_UPDATE_NS,
    ROLLING_UPDATE_NS,
    SQSD_NS,
    TRIGGER_NS,
    VPC_NS,
)

from components.beanstalk.args import EnvironmentArgs, WiredProperty

Option = tuple[str, str, pulumi.Input[str]]


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
    options: list[Option] = [
        (ENV_NS, "EnvironmentType", "LoadBalanced"),
        (ENV_NS, "ServiceRole", args.service_role_arn),
        (VPC_NS, "VPCId", args.vpc_id),
        (VPC_NS, "Subnets", _join(args.instance_subnet_ids)),
        (VPC_NS, "AssociatePublicIpAddress", "false"),
        *_load_balancer_options(args),
        (LAUNCH_NS, "IamInstanceProfile", instance_profile_name),
        (LAUNCH_NS, "SecurityGroups", args.instance_security_group_id),
        (LAUNCH_NS, "DisableIMDSv1", "true"),
        (LAUNCH_NS, "RootVolumeType", "gp3"),
        (INSTANCES_NS, "InstanceTypes", ",".join(args.instance_types)),
        (ASG_NS, "MinSize", str(args.min_size)),
        (ASG_NS, "MaxSize", str(args.max_size)),
        *_trigger_options(args),
        *_deployment_options(args),
        *_worker_options(args),
        *_platform_options(args),
    ]
    if args.root_volume_size_gb is not None:
        options.append((LAUNCH_NS, "RootVolumeSize", str(args.root_volume_size_gb)))
    if args.image_id is not None:
        options.append((LAUNCH_NS, "ImageId", args.image_id))
    options += [
        (ENV_PROPERTIES_NS, key, args.secret(value)) for key, value in sorted(args.env.items())
    ]
    options += [
        (ENV_PROPERTIES_NS, key, _checked(key, prop))
        for key, prop in sorted(args.wired_properties.items())
    ]
    options += [
        (ENV_SECRETS_NS, key, args.secret(arn)) for key, arn in sorted(args.secrets.items())
    ]
    options += [(ENV_SECRETS_NS, key, arn) for key, arn in sorted(args.wired_secrets.items())]
    return [
        aws.elasticbeanstalk.EnvironmentSettingArgs(namespace=namespace, name=option, value=value)
        for namespace, option, value in options
    ]


def _join(ids: pulumi.Input[Sequence[str]]) -> pulumi.Output[str]:
    return pulumi.Output.from_input(ids).apply(lambda items: ",".join(items))


def _load_balancer_options(args: EnvironmentArgs) -> list[Option]:
    """The ALB of a WebServer environment: subnets, scheme, security group, health check,
    and HTTPS on 443 with a certificate. None for a worker."""
    lb = args.load_balancer
    if lb is None:
        return []
    options: list[Option] = [
        (ENV_NS, "LoadBalancerType", "application"),
        (VPC_NS, "ELBSubnets", _join(lb.subnet_ids)),
        (VPC_NS, "ELBScheme", lb.scheme),
        (ALB_NS, "SecurityGroups", lb.security_group_id),
        (ALB_NS, "ManagedSecurityGroup", lb.security_group_id),
        (DEFAULT_PROCESS_NS, "HealthCheckPath", lb.health_check_path),
        (DEFAULT_PROCESS_NS, "MatcherHTTPCode", "200"),
        (DEFAULT_PROCESS_NS, "Port", "80"),
        (DEFAULT_PROCESS_NS, "Protocol", "HTTP"),
    ]
    if lb.certificate_arn is not None:
        options += [
            (HTTPS_LISTENER_NS, "ListenerEnabled", "true"),
            (HTTPS_LISTENER_NS, "Protocol", "HTTPS"),
            (HTTPS_LISTENER_NS, "SSLCertificateArns", lb.certificate_arn),
            (HTTPS_LISTENER_NS, "SSLPolicy", lb.ssl_policy),
            (HTTPS_LISTENER_NS, "DefaultProcess", "default"),
        ]
    return options


def _trigger_options(args: EnvironmentArgs) -> list[Option]:
    """EB's own scaling alarms. A worker scales on its queue's backlog instead (WorkQueue's
    alarms); EB still creates its default NetworkOut alarms for any Auto Scaling group, so a
    worker's trigger is pinned to CPU bounds no instance can cross (below 0 %, above 100 %):
    it never fights the backlog policies."""
    scaling = args.scaling
    if scaling is None:
        return [
            (TRIGGER_NS, "MeasureName", "CPUUtilization"),
            (TRIGGER_NS, "Statistic", "Average"),
            (TRIGGER_NS, "Unit", "Percent"),
            (TRIGGER_NS, "LowerThreshold", "0"),
            (TRIGGER_NS, "UpperThreshold", "100"),
        ]
    return [
        (TRIGGER_NS, "MeasureName", scaling.measure_name),
        (TRIGGER_NS, "Statistic", scaling.statistic),
        (TRIGGER_NS, "Unit", scaling.unit),
        (TRIGGER_NS, "LowerThreshold", _number(scaling.lower_threshold)),
        (TRIGGER_NS, "UpperThreshold", _number(scaling.upper_threshold)),
    ]


def _deployment_options(args: EnvironmentArgs) -> list[Option]:
    grace = args.health_check_grace_seconds
    minutes, seconds = divmod(grace, 60)
    iso_grace = (
        "PT1H" if grace == 3600 else f"PT{minutes}M{seconds}S" if seconds else f"PT{minutes}M"
    )
    return [
        (COMMAND_NS, "DeploymentPolicy", args.deployment_policy),
        (COMMAND_NS, "BatchSizeType", "Percentage"),
        (COMMAND_NS, "BatchSize", str(args.batch_size_percent)),
        (COMMAND_NS, "Timeout", str(grace)),
        (ROLLING_UPDATE_NS, "RollingUpdateEnabled", "true"),
        (ROLLING_UPDATE_NS, "RollingUpdateType", args.config_update_type),
        (ROLLING_UPDATE_NS, "Timeout", iso_grace),
    ]


def _worker_options(args: EnvironmentArgs) -> list[Option]:
    """sqsd of a Worker environment: its queue, the app's path and the timeouts."""
    worker = args.worker
    if worker is None:
        return []
    return [
        (SQSD_NS, "WorkerQueueURL", worker.queue_url),
        (SQSD_NS, "HttpPath", worker.http_path),
        (SQSD_NS, "MimeType", "application/json"),
        (SQSD_NS, "HttpConnections", str(worker.http_connections)),
        (SQSD_NS, "ConnectTimeout", "5"),
        (SQSD_NS, "InactivityTimeout", str(worker.inactivity_timeout_seconds)),
        (SQSD_NS, "VisibilityTimeout", str(worker.visibility_timeout_seconds)),
        (SQSD_NS, "ErrorVisibilityTimeout", str(worker.error_visibility_timeout_seconds)),
        (SQSD_NS, "RetentionPeriod", str(worker.retention_period_seconds)),
    ]


def _platform_options(args: EnvironmentArgs) -> list[Option]:
    retention = str(args.log_retention_days)
    return [
        (HEALTH_NS, "SystemType", "enhanced"),
        (MANAGED_ACTIONS_NS, "ManagedActionsEnabled", "true"),
        (MANAGED_ACTIONS_NS, "PreferredStartTime", args.managed_update_window),
        (MANAGED_ACTIONS_NS, "ServiceRoleForManagedUpdates", args.service_role_arn),
        (PLATFORM_UPDATE_NS, "UpdateLevel", args.update_level),
        (PLATFORM_UPDATE_NS, "InstanceRefreshEnabled", "true"),
        (LOGS_NS, "StreamLogs", "true"),
        (LOGS_NS, "DeleteOnTerminate", "false"),
        (LOGS_NS, "RetentionInDays", retention),
        (HEALTH_LOGS_NS, "HealthStreamingEnabled", "true"),
        (HEALTH_LOGS_NS, "DeleteOnTerminate", "false"),
        (HEALTH_LOGS_NS, "RetentionInDays", retention),
    ]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
