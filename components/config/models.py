"""The typed stack configuration models: the shared sections and what every environment has,
validated at construction. Frozen pydantic models with camelCase aliases as in the YAML; unknown
fields are rejected; each rule a field shares with an Args class is components/rules.py's. The
environment roles and the whole StackConfig are in roles.py; loading in loading.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.rules import (
    AMI_PATTERN,
    CERTIFICATE_ARN_PATTERN,
    INSTANCE_TYPE_PATTERN,
    LOG_RETENTION_DAYS,
    MAX_AZS,
    MAX_BACKUP_RETENTION_DAYS,
    MIN_AZS,
    capacity_problem,
    retention_problem,
    subnet_layout_problem,
    vpc_cidr_problem,
)

__all__ = [
    "LOG_RETENTION_DAYS",
    "PROJECT",
    "DatabaseConfig",
    "EnvValue",
    "EnvironmentConfig",
    "LoadBalancedConfig",
    "LogRetentionDays",
    "NetworkConfig",
    "PlatformConfig",
    "ScalingConfig",
]

PROJECT = "webmodel"
"""The project's name: the namespace of every config key (`webmodel:web`)."""


class _Section(BaseModel):
    """Config objects: camelCase keys as in the YAML, unknown keys rejected, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        strict=True,
        use_attribute_docstrings=True,
    )


LogRetentionDays = Annotated[
    StrictInt,
    Field(
        description="CloudWatch Logs retention: one of " + ", ".join(map(str, LOG_RETENTION_DAYS))
    ),
]


V = TypeVar("V")
M = TypeVar("M", bound=BaseModel)


def _refuse(problem: str | None) -> None:
    """Raise a rule's problem (components/rules.py) the way pydantic reports it, under the key."""
    if problem is not None:
        raise ValueError(problem)


def _obeys(rule: Callable[[V], str | None]) -> Callable[[V], V]:
    """A field check (for `field_validator`): the field's value, refused with `rule`'s problem."""

    def check(value: V) -> V:
        _refuse(rule(value))
        return value

    return check


def _fields_obey(rule: Callable[..., str | None], *fields: str) -> Any:
    """A model validator: the model, refused with `rule`'s problem of the named fields' values
    (a rule between fields, as components/rules.py states it)."""

    def check(model: M) -> M:
        _refuse(rule(*(getattr(model, name) for name in fields)))
        return model

    return model_validator(mode="after")(check)


def check_regex(value: str | None) -> str | None:
    """A regular expression Python (and the provider's lookup) can compile."""
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from None
    return value


def check_instance_types(value: list[str] | None) -> list[str] | None:
    """EC2 instance types, each once."""
    if value is None:
        return value
    for item in value:
        if not INSTANCE_TYPE_PATTERN.fullmatch(item):
            raise ValueError("every item must be an EC2 instance type like t3.small or g5.xlarge")
    if len(set(value)) != len(value):
        raise ValueError("lists an instance type twice")
    return value


def check_ami(value: str | None) -> str | None:
    """An AMI id, or null."""
    if value is not None and not AMI_PATTERN.fullmatch(value):
        raise ValueError("must be an AMI id like ami-0123456789abcdef0 (or null)")
    return value


class NetworkConfig(_Section):
    """`webmodel:network`: the VPC and its three subnet tiers."""

    cidr_block: str = "10.20.0.0/16"
    """IPv4 CIDR of the VPC, a /16 to /20 private range."""
    availability_zones: StrictInt = Field(default=2, ge=MIN_AZS, le=MAX_AZS)
    """How many AZs to spread every tier over (ap-northeast-2 has four)."""
    subnet_prefix_length: StrictInt = Field(default=20, ge=18, le=27)
    """Prefix length of every subnet; the VPC must hold 3 tiers x 4 AZs of them."""
    nat_gateways: Literal["single", "per_az"] = "single"
    """`single`: one NAT gateway for all private subnets (cheap, one AZ's failure cuts egress);
    `per_az`: one per AZ, each private subnet routes through its own AZ's gateway."""
    flow_log_retention_days: LogRetentionDays = 30
    """Retention of the VPC flow-log group in CloudWatch Logs."""

    _retention = field_validator("flow_log_retention_days")(_obeys(retention_problem))
    _private_range = field_validator("cidr_block")(_obeys(vpc_cidr_problem))
    _subnets_fit = _fields_obey(subnet_layout_problem, "cidr_block", "subnet_prefix_length")


class DatabaseConfig(_Section):
    """`webmodel:database`: the PostgreSQL RDS instance in the isolated subnets."""

    instance_class: str = Field(default="db.t4g.medium", pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    """RDS instance class, e.g. db.t4g.medium."""
    engine_version: str = Field(default="16", pattern=r"^\d+(\.\d+)?$")
    """PostgreSQL major (`16`) or major.minor (`16.4`) version."""
    allocated_storage_gb: StrictInt = Field(default=20, ge=20, le=65536)
    """Initial gp3 storage in GiB."""
    max_allocated_storage_gb: StrictInt = Field(default=100, ge=0, le=65536)
    """Storage autoscaling ceiling in GiB; 0 disables autoscaling."""
    database_name: str = Field(default="webmodel", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
    """Name of the database created in the instance."""
    master_username: str = Field(default="webmodel_admin", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
    """Master user; its password is generated and kept by RDS in Secrets Manager."""
    multi_az: StrictBool = False
    """Synchronous standby in a second AZ."""
    deletion_protection: StrictBool = False
    """RDS refuses to delete the instance while true."""
    backup_retention_days: StrictInt = Field(default=1, ge=0, le=MAX_BACKUP_RETENTION_DAYS)
    """Automated backup retention, 0 to 35 days."""
    skip_final_snapshot: StrictBool = True
    """false: take a final snapshot when the instance is deleted."""
    protect: StrictBool = False
    """Pulumi `protect`: `pulumi destroy` and replacements fail until unprotected."""
    snapshot_identifier: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9:-]{0,254}$")
    """Restore the instance from this DB snapshot id or ARN instead of creating it empty."""

    @field_validator("snapshot_identifier")
    @classmethod
    def _snapshot(cls, value: str | None) -> str | None:
        if value is not None and (value.endswith("-") or "--" in value):
            raise ValueError("a snapshot identifier cannot end with a hyphen or contain two")
        return value

    @model_validator(mode="after")
    def _storage_ceiling(self) -> DatabaseConfig:
        ceiling = self.max_allocated_storage_gb
        if ceiling and ceiling < self.allocated_storage_gb:
            raise ValueError(
                f"maxAllocatedStorageGb ({ceiling}) must be 0 (no autoscaling) or at least "
                f"allocatedStorageGb ({self.allocated_storage_gb})"
            )
        return self


class PlatformConfig(_Section):
    """`webmodel:platform`: what both Elastic Beanstalk environments share."""

    solution_stack_regex: str = r"^64bit Amazon Linux 2023 v[0-9.]+ running Docker$"
    """Regex for `get_solution_stack(most_recent=True)`: the newest matching platform wins."""
    managed_update_window: str = Field(
        default="Sun:18:00", pattern=r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):[0-5]\d$"
    )
    """Weekly managed-platform-update start, `Day:HH:MM` UTC (Sun:18:00 = Mon 03:00 KST)."""
    update_level: Literal["minor", "patch"] = "minor"
    """Which platform updates are applied automatically in the window."""
    log_retention_days: LogRetentionDays = 30
    """Retention of the streamed instance and health logs."""

    _retention = field_validator("log_retention_days")(_obeys(retention_problem))
    _compiles = field_validator("solution_stack_regex")(check_regex)


class ScalingConfig(_Section):
    """`aws:autoscaling:trigger`: the metric each environment scales on."""

    measure_name: Literal[
        "CPUUtilization",
        "NetworkIn",
        "NetworkOut",
        "DiskWriteOps",
        "DiskReadBytes",
        "DiskReadOps",
        "DiskWriteBytes",
        "Latency",
        "RequestCount",
        "HealthyHostCount",
        "UnhealthyHostCount",
        "TargetResponseTime",
    ] = "CPUUtilization"
    """CloudWatch metric for the scaling alarms."""
    statistic: Literal["Minimum", "Maximum", "Sum", "Average"] = "Average"
    """How the metric is aggregated over the period."""
    unit: Literal[
        "Seconds",
        "Percent",
        "Bytes",
        "Bits",
        "Count",
        "Bytes/Second",
        "Bits/Second",
        "Count/Second",
        "None",
    ] = "Percent"
    """Unit of the thresholds."""
    lower_threshold: StrictInt | float = Field(default=30, ge=0, le=20_000_000)
    """Scale in below this value."""
    upper_threshold: StrictInt | float = Field(default=70, ge=0, le=20_000_000)
    """Scale out above this value."""

    @field_validator("lower_threshold", "upper_threshold", mode="before")
    @classmethod
    def _finite(cls, value: object) -> object:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number (a CloudWatch alarm threshold)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> ScalingConfig:
        if self.lower_threshold >= self.upper_threshold:
            raise ValueError(
                f"lowerThreshold ({self.lower_threshold}) must be below "
                f"upperThreshold ({self.upper_threshold})"
            )
        return self


def _env_value(value: object) -> object:
    """YAML scalars become the strings EB stores; anything else is left for `str` to reject."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number (EB stores environment values as text)")
    if isinstance(value, int | float):
        return str(value)
    if value is None or not isinstance(value, str):
        raise ValueError("must be a string, number or boolean (an environment property value)")
    if "\x00" in value:
        raise ValueError("holds a NUL character, which no environment variable can hold")
    return value


EnvValue = Annotated[str, BeforeValidator(_env_value)]


class EnvironmentConfig(_Section):
    """What every Elastic Beanstalk environment has, whatever its tier: instances, capacity,
    deployments, and its own environment properties and secrets."""

    instance_types: list[str] = Field(
        default_factory=lambda: ["t3.small"], min_length=1, max_length=10
    )
    """EC2 instance types, most preferred first (`aws:ec2:instances` InstanceTypes)."""
    min_size: StrictInt = Field(default=1, ge=1, le=10000)
    """Fewest instances the Auto Scaling group keeps (1-10000)."""
    max_size: StrictInt = Field(default=2, ge=1, le=10000)
    """Most instances it scales out to; at least minSize."""
    deployment_policy: Literal[
        "AllAtOnce", "Rolling", "RollingWithAdditionalBatch", "Immutable"
    ] = "AllAtOnce"
    """How application versions are deployed (`aws:elasticbeanstalk:command`)."""
    batch_size_percent: StrictInt = Field(default=100, ge=1, le=100)
    """Share of instances per batch for rolling deployments."""
    config_update_type: Literal["Health", "Time", "Immutable"] = "Health"
    """How configuration changes that replace instances roll out
    (`aws:autoscaling:updatepolicy:rollingupdate` RollingUpdateType)."""
    health_check_grace_seconds: StrictInt = Field(default=600, ge=300, le=3600)
    """How long a deploy or a config update waits for new instances to turn healthy."""
    root_volume_size_gb: StrictInt | None = Field(default=None, ge=10, le=16384)
    """gp3 root volume size; null keeps the platform default."""
    image_id: str | None = None
    """Golden AMI to launch instead of the platform AMI (built from the same platform)."""
    env: dict[str, EnvValue] = Field(default_factory=dict)
    """Plain environment properties (count toward EB's 4,096-byte limit)."""
    secrets: dict[str, str] = Field(default_factory=dict)
    """Environment variable name -> Secrets Manager or SSM Parameter Store ARN, injected by EB at
    boot (`aws:elasticbeanstalk:application:environmentsecrets`); outside the 4 KB limit."""

    _instance_types = field_validator("instance_types")(check_instance_types)
    _ami = field_validator("image_id")(check_ami)
    _sizes = _fields_obey(capacity_problem, "min_size", "max_size")


class LoadBalancedConfig(EnvironmentConfig):
    """A `WebServer` tier environment behind an Application Load Balancer."""

    health_check_path: str = Field(default="/health", pattern=r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
    """Path the load balancer and enhanced health probe."""
    certificate_arn: str | None = None
    """ACM certificate: adds an HTTPS:443 listener and redirects HTTP to HTTPS."""
    ssl_policy: str = Field(
        default="ELBSecurityPolicy-TLS13-1-2-2021-06", pattern=r"^ELBSecurityPolicy-[A-Za-z0-9-]+$"
    )
    """ALB security policy of the HTTPS listener."""
    scaling: ScalingConfig = Field(default_factory=ScalingConfig)
    """The metric the environment scales on (`aws:autoscaling:trigger`)."""

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        if value is not None and not CERTIFICATE_ARN_PATTERN.fullmatch(value):
            raise ValueError(
                "must be an ACM certificate ARN "
                "(arn:aws:acm:<region>:<account>:certificate/<uuid>) or null"
            )
        return value
