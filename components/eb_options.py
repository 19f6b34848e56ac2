"""Every option setting of an Elastic Beanstalk environment, from its `EnvironmentArgs`.

Namespaces and option names are EB's "General options for all environments" reference; the
pack's eb_facts.py holds the defaults EB applies when an option is left out.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.environment_args import EnvironmentArgs, WiredProperty

ENV_NAMESPACE = "aws:elasticbeanstalk:application:environment"
SECRETS_NAMESPACE = "aws:elasticbeanstalk:application:environmentsecrets"
PROCESS_NAMESPACE = "aws:elasticbeanstalk:environment:process:default"
SQSD_NAMESPACE = "aws:elasticbeanstalk:sqsd"

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
        ("aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced"),
        ("aws:elasticbeanstalk:environment", "ServiceRole", args.service_role_arn),
        ("aws:ec2:vpc", "VPCId", args.vpc_id),
        ("aws:ec2:vpc", "Subnets", _join(args.instance_subnet_ids)),
        ("aws:ec2:vpc", "AssociatePublicIpAddress", "false"),
        *_load_balancer_options(args),
        ("aws:autoscaling:launchconfiguration", "IamInstanceProfile", instance_profile_name),
        ("aws:autoscaling:launchconfiguration", "SecurityGroups", args.instance_security_group_id),
        ("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true"),
        ("aws:autoscaling:launchconfiguration", "RootVolumeType", "gp3"),
        ("aws:ec2:instances", "InstanceTypes", ",".join(args.instance_types)),
        ("aws:autoscaling:asg", "MinSize", str(args.min_size)),
        ("aws:autoscaling:asg", "MaxSize", str(args.max_size)),
        *_trigger_options(args),
        *_deployment_options(args),
        *_worker_options(args),
        *_platform_options(args),
    ]
    if args.root_volume_size_gb is not None:
        options.append(
            ("aws:autoscaling:launchconfiguration", "RootVolumeSize", str(args.root_volume_size_gb))
        )
    if args.image_id is not None:
        options.append(("aws:autoscaling:launchconfiguration", "ImageId", args.image_id))
    options += [(ENV_NAMESPACE, key, args.secret(value)) for key, value in sorted(args.env.items())]
    options += [
        (ENV_NAMESPACE, key, _checked(key, prop))
        for key, prop in sorted(args.wired_properties.items())
    ]
    options += [
        (SECRETS_NAMESPACE, key, args.secret(arn)) for key, arn in sorted(args.secrets.items())
    ]
    options += [(SECRETS_NAMESPACE, key, arn) for key, arn in sorted(args.wired_secrets.items())]
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
        ("aws:elasticbeanstalk:environment", "LoadBalancerType", "application"),
        ("aws:ec2:vpc", "ELBSubnets", _join(lb.subnet_ids)),
        ("aws:ec2:vpc", "ELBScheme", lb.scheme),
        ("aws:elbv2:loadbalancer", "SecurityGroups", lb.security_group_id),
        ("aws:elbv2:loadbalancer", "ManagedSecurityGroup", lb.security_group_id),
        (PROCESS_NAMESPACE, "HealthCheckPath", lb.health_check_path),
        (PROCESS_NAMESPACE, "MatcherHTTPCode", "200"),
        (PROCESS_NAMESPACE, "Port", "80"),
        (PROCESS_NAMESPACE, "Protocol", "HTTP"),
    ]
    if lb.certificate_arn is not None:
        options += [
            ("aws:elbv2:listener:443", "ListenerEnabled", "true"),
            ("aws:elbv2:listener:443", "Protocol", "HTTPS"),
            ("aws:elbv2:listener:443", "SSLCertificateArns", lb.certificate_arn),
            ("aws:elbv2:listener:443", "SSLPolicy", lb.ssl_policy),
            ("aws:elbv2:listener:443", "DefaultProcess", "default"),
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
            ("aws:autoscaling:trigger", "MeasureName", "CPUUtilization"),
            ("aws:autoscaling:trigger", "Statistic", "Average"),
            ("aws:autoscaling:trigger", "Unit", "Percent"),
            ("aws:autoscaling:trigger", "LowerThreshold", "0"),
            ("aws:autoscaling:trigger", "UpperThreshold", "100"),
        ]
    return [
        ("aws:autoscaling:trigger", "MeasureName", scaling.measure_name),
        ("aws:autoscaling:trigger", "Statistic", scaling.statistic),
        ("aws:autoscaling:trigger", "Unit", scaling.unit),
        ("aws:autoscaling:trigger", "LowerThreshold", _number(scaling.lower_threshold)),
        ("aws:autoscaling:trigger", "UpperThreshold", _number(scaling.upper_threshold)),
    ]


def _deployment_options(args: EnvironmentArgs) -> list[Option]:
    grace = args.health_check_grace_seconds
    minutes, seconds = divmod(grace, 60)
    iso_grace = (
        "PT1H" if grace == 3600 else f"PT{minutes}M{seconds}S" if seconds else f"PT{minutes}M"
    )
    rolling = "aws:autoscaling:updatepolicy:rollingupdate"
    return [
        ("aws:elasticbeanstalk:command", "DeploymentPolicy", args.deployment_policy),
        ("aws:elasticbeanstalk:command", "BatchSizeType", "Percentage"),
        ("aws:elasticbeanstalk:command", "BatchSize", str(args.batch_size_percent)),
        ("aws:elasticbeanstalk:command", "Timeout", str(grace)),
        (rolling, "RollingUpdateEnabled", "true"),
        (rolling, "RollingUpdateType", args.config_update_type),
        (rolling, "Timeout", iso_grace),
    ]


def _worker_options(args: EnvironmentArgs) -> list[Option]:
    """sqsd of a Worker environment: its queue, the app's path and the timeouts."""
    worker = args.worker
    if worker is None:
        return []
    return [
        (SQSD_NAMESPACE, "WorkerQueueURL", worker.queue_url),
        (SQSD_NAMESPACE, "HttpPath", worker.http_path),
        (SQSD_NAMESPACE, "MimeType", "application/json"),
        (SQSD_NAMESPACE, "HttpConnections", str(worker.http_connections)),
        (SQSD_NAMESPACE, "ConnectTimeout", "5"),
        (SQSD_NAMESPACE, "InactivityTimeout", str(worker.inactivity_timeout_seconds)),
        (SQSD_NAMESPACE, "VisibilityTimeout", str(worker.visibility_timeout_seconds)),
        (SQSD_NAMESPACE, "ErrorVisibilityTimeout", str(worker.error_visibility_timeout_seconds)),
        (SQSD_NAMESPACE, "RetentionPeriod", str(worker.retention_period_seconds)),
    ]


def _platform_options(args: EnvironmentArgs) -> list[Option]:
    managed = "aws:elasticbeanstalk:managedactions"
    logs = "aws:elasticbeanstalk:cloudwatch:logs"
    retention = str(args.log_retention_days)
    return [
        ("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"),
        (managed, "ManagedActionsEnabled", "true"),
        (managed, "PreferredStartTime", args.managed_update_window),
        (managed, "ServiceRoleForManagedUpdates", args.service_role_arn),
        (f"{managed}:platformupdate", "UpdateLevel", args.update_level),
        (f"{managed}:platformupdate", "InstanceRefreshEnabled", "true"),
        (logs, "StreamLogs", "true"),
        (logs, "DeleteOnTerminate", "false"),
        (logs, "RetentionInDays", retention),
        (f"{logs}:health", "HealthStreamingEnabled", "true"),
        (f"{logs}:health", "DeleteOnTerminate", "false"),
        (f"{logs}:health", "RetentionInDays", retention),
    ]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
