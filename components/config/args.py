"""The validated stack config mapped onto the components' Args, field by field.

Components take flat, typed Args and never the config models; this is the one place that
knows both, so `__main__.py` (and the tests) build an environment's Args from `webmodel:<role>`
the same way. Everything the config does not hold (where it runs, what it is wired to) comes
in as keyword arguments, unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

import pulumi

from components.beanstalk.args import EnvironmentArgs, LoadBalancer, ScalingTrigger
from components.config.models import EnvironmentConfig, LoadBalancedConfig, PlatformConfig


def environment_args(
    role: str,
    settings: EnvironmentConfig,
    platform: PlatformConfig,
    *,
    secret_settings: bool = False,
    **wiring: Any,
) -> EnvironmentArgs:
    """`EnvironmentArgs` of `webmodel:<role>`: capacity, deployments, platform, properties."""
    return EnvironmentArgs(
        role=role,
        instance_types=settings.instance_types,
        min_size=settings.min_size,
        max_size=settings.max_size,
        root_volume_size_gb=settings.root_volume_size_gb,
        image_id=settings.image_id,
        scaling=scaling_trigger(settings),
        deployment_policy=settings.deployment_policy,
        batch_size_percent=settings.batch_size_percent,
        config_update_type=settings.config_update_type,
        health_check_grace_seconds=settings.health_check_grace_seconds,
        managed_update_window=platform.managed_update_window,
        update_level=platform.update_level,
        log_retention_days=platform.log_retention_days,
        env=settings.env,
        secrets=settings.secrets,
        secret_settings=secret_settings,
        **wiring,
    )


def scaling_trigger(settings: EnvironmentConfig) -> ScalingTrigger | None:
    """EB's scaling alarms of a load-balanced role; None for a worker (it scales on its queue)."""
    if not isinstance(settings, LoadBalancedConfig):
        return None
    scaling = settings.scaling
    return ScalingTrigger(
        measure_name=scaling.measure_name,
        statistic=scaling.statistic,
        unit=scaling.unit,
        lower_threshold=scaling.lower_threshold,
        upper_threshold=scaling.upper_threshold,
    )


def load_balancer(
    settings: LoadBalancedConfig,
    *,
    scheme: Literal["public", "internal"],
    subnet_ids: pulumi.Input[list[str]],
    security_group_id: pulumi.Input[str],
    certificate_arn: pulumi.Input[str] | None = None,
    secret_settings: bool = False,
) -> LoadBalancer:
    """The ALB of a load-balanced role; a program-issued `certificate_arn` (custom domain)
    takes the place of the configured one, which goes on marked secret when the key is."""
    if certificate_arn is None and settings.certificate_arn is not None:
        certificate_arn = (
            pulumi.Output.secret(settings.certificate_arn)
            if secret_settings
            else settings.certificate_arn
        )
    return LoadBalancer(
        subnet_ids=subnet_ids,
        scheme=scheme,
        security_group_id=security_group_id,
        health_check_path=settings.health_check_path,
        certificate_arn=certificate_arn,
        ssl_policy=settings.ssl_policy,
    )
