"""The typed stack configuration: every `webmodel:*` key, validated once, at construction.

`__main__.py` hands `load_stack_config` a getter over the stack's raw config (strings, with
objects as JSON, exactly what the Pulumi language host provides); everything else in the
program takes these frozen models. An invalid value raises `ConfigError` whose message names
the full key (`webmodel:web.env.FOO`) and says what would be valid. Stage differences live in
`Pulumi.<stack>.yaml`, never in code: there is no notion of "prod" here.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from components.budget import (
    ENV_KEY_PATTERN,
    ENV_PROPERTY_LIMIT_BYTES,
    budget_problem,
    property_bytes,
)
from components.config_errors import allowed_keys, closest, describe

__all__ = ["ENV_KEY_PATTERN", "ENV_PROPERTY_LIMIT_BYTES", "budget_problem", "property_bytes"]

PROJECT = "webmodel"

Role = Literal["web", "model"]

# What the program itself adds to each environment's plain properties, with the longest value
# each can realistically take (their real values exist only after deploy), so the budget check
# at construction never passes a configuration that a real deploy would reject.
#   MODEL_URL: "http://" + EB CNAME, <= 40-char env name + 10-char hash + region + suffix.
#   DB_HOST: RDS address, <= 63-char identifier + ".c" + 11-char id + region + suffix.
PROGRAM_PROPERTY_MAX_BYTES: Mapping[Role, Mapping[str, int]] = {
    "web": {"MODEL_URL": 128, "DB_HOST": 128, "DB_PORT": 5, "DB_NAME": 63},
    "model": {},
}
# Secrets the program delivers through `environmentsecrets` (ARNs it creates itself).
PROGRAM_SECRET_NAMES: Mapping[Role, frozenset[str]] = {
    "web": frozenset({"DB_CREDENTIALS"}),
    "model": frozenset(),
}

SECRET_ARN_PATTERN = re.compile(
    r"arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+"
    r"|ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+)"
)
CERTIFICATE_ARN_PATTERN = re.compile(
    r"arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}"
    r"|iam::\d{12}:server-certificate/[A-Za-z0-9/_+=,.@-]+)"
)
INSTANCE_TYPE_PATTERN = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9]+")
AMI_PATTERN = re.compile(r"ami-([0-9a-f]{8}|[0-9a-f]{17})")
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)


class ConfigError(ValueError):
    """An invalid stack configuration; the message names every bad key and what is valid."""


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


def _check_retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        valid = ", ".join(map(str, LOG_RETENTION_DAYS))
        raise ValueError(f"must be one of the CloudWatch Logs retention periods: {valid}")
    return value


class NetworkConfig(_Section):
    """`webmodel:network`: the VPC and its three subnet tiers."""

    cidr_block: str = "10.20.0.0/16"
    """IPv4 CIDR of the VPC, a /16 to /20 private range."""
    availability_zones: StrictInt = Field(default=2, ge=2, le=4)
    """How many AZs to spread every tier over (ap-northeast-2 has four)."""
    subnet_prefix_length: StrictInt = Field(default=20, ge=18, le=27)
    """Prefix length of every subnet; the VPC must hold 3 tiers x 4 AZs of them."""
    nat_gateways: Literal["single", "per_az"] = "single"
    """`single`: one NAT gateway for all private subnets (cheap, one AZ's failure cuts egress);
    `per_az`: one per AZ, each private subnet routes through its own AZ's gateway."""
    flow_log_retention_days: LogRetentionDays = 30
    """Retention of the VPC flow-log group in CloudWatch Logs."""

    _retention = field_validator("flow_log_retention_days")(_check_retention)

    @field_validator("cidr_block")
    @classmethod
    def _private_range(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"must be an IPv4 CIDR block like 10.20.0.0/16 ({exc})") from None
        if not network.is_private or not 16 <= network.prefixlen <= 20:
            raise ValueError("must be a private (RFC 1918) IPv4 range from /16 to /20")
        return value

    @model_validator(mode="after")
    def _subnets_fit(self) -> NetworkConfig:
        vpc_prefix = ipaddress.IPv4Network(self.cidr_block).prefixlen
        if self.subnet_prefix_length - vpc_prefix < 4:
            raise ValueError(
                f"subnetPrefixLength {self.subnet_prefix_length} is too large a subnet for "
                f"{self.cidr_block}: 3 tiers x 4 AZs need at least /{vpc_prefix + 4}"
            )
        return self


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
    backup_retention_days: StrictInt = Field(default=1, ge=0, le=35)
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

    _retention = field_validator("log_retention_days")(_check_retention)

    @field_validator("solution_stack_regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from None
        return value


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
    if isinstance(value, int | float):
        return str(value)
    if value is None or not isinstance(value, str):
        raise ValueError("must be a string, number or boolean (an environment property value)")
    return value


EnvValue = Annotated[str, BeforeValidator(_env_value)]


class EnvironmentConfig(_Section):
    """`webmodel:web` / `webmodel:model`: one Elastic Beanstalk environment."""

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
    health_check_path: str = Field(default="/health", pattern=r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
    """Path the load balancer and enhanced health probe."""
    health_check_grace_seconds: StrictInt = Field(default=600, ge=300, le=3600)
    """How long a deploy or a config update waits for new instances to turn healthy."""
    root_volume_size_gb: StrictInt | None = Field(default=None, ge=10, le=16384)
    """gp3 root volume size; null keeps the platform default."""
    image_id: str | None = None
    """Golden AMI to launch instead of the platform AMI (built from the same platform)."""
    certificate_arn: str | None = None
    """ACM certificate: adds an HTTPS:443 listener and redirects HTTP to HTTPS."""
    ssl_policy: str = Field(
        default="ELBSecurityPolicy-TLS13-1-2-2021-06", pattern=r"^ELBSecurityPolicy-[A-Za-z0-9-]+$"
    )
    """ALB security policy of the HTTPS listener."""
    scaling: ScalingConfig = Field(default_factory=ScalingConfig)
    """The metric the environment scales on (`aws:autoscaling:trigger`)."""
    env: dict[str, EnvValue] = Field(default_factory=dict)
    """Plain environment properties (count toward EB's 4,096-byte limit)."""
    secrets: dict[str, str] = Field(default_factory=dict)
    """Environment variable name -> Secrets Manager or SSM Parameter Store ARN, injected by EB at
    boot (`aws:elasticbeanstalk:application:environmentsecrets`); outside the 4 KB limit."""

    @field_validator("instance_types")
    @classmethod
    def _instance_types(cls, value: list[str]) -> list[str]:
        for item in value:
            if not INSTANCE_TYPE_PATTERN.fullmatch(item):
                raise ValueError(
                    "every item must be an EC2 instance type like t3.small or g5.xlarge"
                )
        if len(set(value)) != len(value):
            raise ValueError("lists an instance type twice")
        return value

    @field_validator("image_id")
    @classmethod
    def _ami(cls, value: str | None) -> str | None:
        if value is not None and not AMI_PATTERN.fullmatch(value):
            raise ValueError("must be an AMI id like ami-0123456789abcdef0 (or null)")
        return value

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: str | None) -> str | None:
        if value is not None and not CERTIFICATE_ARN_PATTERN.fullmatch(value):
            raise ValueError(
                "must be an ACM certificate ARN "
                "(arn:aws:acm:<region>:<account>:certificate/<uuid>) or null"
            )
        return value

    @model_validator(mode="after")
    def _sizes(self) -> EnvironmentConfig:
        if self.max_size < self.min_size:
            raise ValueError(
                f"maxSize ({self.max_size}) must be at least minSize ({self.min_size})"
            )
        return self


MODEL_DEFAULTS: Mapping[str, Any] = {
    "instanceTypes": ["g5.xlarge"],
    "healthCheckPath": "/v2/health/ready",
    "healthCheckGraceSeconds": 1200,
    "rootVolumeSizeGb": 100,
    "scaling": {
        "measureName": "TargetResponseTime",
        "statistic": "Average",
        "unit": "Seconds",
        "lowerThreshold": 0.2,
        "upperThreshold": 1.0,
    },
}
"""Where the model environment's defaults differ from the web's (GPU, Triton, slow start).
Fields missing from `webmodel:model` take these first, then the EnvironmentConfig defaults."""

ROLE_DEFAULTS: Mapping[str, Mapping[str, Any]] = {"model": MODEL_DEFAULTS}


class StackConfig(BaseModel):
    """Every `webmodel:*` key of one stack."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    network: NetworkConfig = Field(default_factory=NetworkConfig)
    """VPC over N AZs with public, private (app) and isolated (data) subnets."""
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    """PostgreSQL RDS in the isolated subnets; the master password is generated and kept by
    RDS in Secrets Manager, never in config."""
    platform: PlatformConfig = Field(default_factory=PlatformConfig)
    """What both Elastic Beanstalk environments share."""
    web: EnvironmentConfig = Field(default_factory=EnvironmentConfig)
    """The web environment (FastAPI, public ALB, instances in private subnets)."""
    model: EnvironmentConfig = Field(
        default_factory=lambda: EnvironmentConfig.model_validate(MODEL_DEFAULTS)
    )
    """The model environment (Triton on GPU instances, internal ALB in private subnets,
    reachable only from the web instances). Same fields as webmodel:web; fields left out take
    the model's defaults below, not the web's."""

    _secret_sections: frozenset[str] = PrivateAttr(default_factory=frozenset)

    def environment(self, role: Role) -> EnvironmentConfig:
        return self.web if role == "web" else self.model

    def is_secret(self, key: str) -> bool:
        """Whether `webmodel:<key>` holds a secret: its SECRET_FIELDS go on as secrets."""
        return key in self._secret_sections


CONFIG_KEYS: tuple[str, ...] = tuple(StackConfig.model_fields)
"""The config keys the program reads, without the `webmodel:` namespace."""


# -- secrets: which values may be `secure:` -----------------------------------------------

SECRET_FIELDS: Mapping[str, frozenset[str]] = {
    "database": frozenset({"snapshotIdentifier", "masterUsername"}),
    "web": frozenset({"certificateArn", "secrets"}),
    "model": frozenset({"certificateArn", "secrets"}),
}
"""Per `webmodel:` key, the fields that may hold a `secure:` value. The program passes their
values on as secrets (`pulumi.Output.secret`), so every resource input, output and stack
output derived from them is encrypted in the checkpoint and shown as `[secret]`. Any other
field (CIDRs, counts, sizes, names, regexes) can never sensibly be secret and is refused;
`env` is refused with the advice to use `secrets` instead. docs/configuration.md lists it."""

ROLES: tuple[Role, ...] = ("web", "model")

AWS_REGION_PATTERN = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}")
"""An AWS region code: ap-northeast-2, us-gov-west-1, cn-north-1, eusc-de-east-1."""
AWS_REGION_MAX_LENGTH = 25


def region_problem(value: object) -> str | None:
    """Why `aws:region` is not a region code, or None. Checked before anything derives from
    it (ARNs, RDS and EB host names in the 4 KB budget), so the error names `aws:region`."""
    if not isinstance(value, str):
        return "must be a string, an AWS region code like ap-northeast-2"
    if len(value) > AWS_REGION_MAX_LENGTH or not AWS_REGION_PATTERN.fullmatch(value):
        shown = value if len(value) <= 40 else f"{value[:40]}... ({len(value):,} characters)"
        return f"must be an AWS region code like ap-northeast-2 (got {shown!r})"
    return None


def never_secret_problem(full_key: str) -> str:
    return (
        f"{full_key}: cannot be secret (secure:); it is not sensitive and the program and "
        "the policies need its plain value. Set it with `pulumi config set` (no --secret)"
    )


def _path_label(path: Sequence[str]) -> str:
    return "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in path)


def secure_value_problem(section: str, path: Sequence[str]) -> str | None:
    """Why a `secure:` value at `webmodel:<section><path>` is refused, or None when allowed.

    Only the stack file says which leaf of an object is secure (the CLI hands the program
    just "this key holds a secret"), so preflight applies this rule when it reads the file.
    """
    full_key = f"{PROJECT}:{section}{_path_label(path)}"
    if section not in CONFIG_KEYS:
        return None  # an unknown key: refused by name when the config is parsed
    if section in ROLES and path[:1] == ("env",):
        return (
            f"{full_key}: a secret must not be a plain environment property (anyone with "
            "elasticbeanstalk:Describe* can read those); put it in Secrets Manager or SSM "
            f"Parameter Store and list its ARN under {PROJECT}:{section}.secrets"
        )
    allowed = SECRET_FIELDS.get(section, frozenset())
    if not path:
        if not allowed:
            return never_secret_problem(full_key)
        fields = ", ".join(f"{full_key}.{name}" for name in sorted(allowed))
        return (
            f"{full_key}: the whole object cannot be one secret; make only the fields that may "
            f"be secret secure ({fields}), e.g. `pulumi config set --secret --path "
            f"'{full_key}.{sorted(allowed)[0]}' VALUE`"
        )
    if path[0] in allowed:
        return None
    return never_secret_problem(full_key)


def secret_stand_in(section: str, path: Sequence[str], digest: str, region: str) -> str:
    """A deterministic value of the right shape for a secret that is known only as ciphertext
    (preflight has no secrets provider), so the rest of the config can still be checked."""
    field = path[0] if path else ""
    if field == "certificateArn":
        uuid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        return f"arn:aws:acm:{region}:000000000000:certificate/{uuid}"
    if field == "secrets":
        return f"arn:aws:secretsmanager:{region}:000000000000:secret:preflight-{digest[:16]}"
    if field == "masterUsername":
        return f"u{digest[:15]}"
    return f"preflight-secret-{digest[:16]}"


# -- cross-field rules ----------------------------------------------------------------------


def _check_environment(role: Role, env: EnvironmentConfig, *, redact: bool) -> list[str]:
    """Cross-field rules for one environment: key names, collisions, the 4 KB budget."""
    base = f"{PROJECT}:{role}"
    problems: list[str] = []
    for section in ("env", "secrets"):
        names: Mapping[str, Any] = getattr(env, section)
        for key in names:
            if not ENV_KEY_PATTERN.fullmatch(key):
                problems.append(
                    f"{base}.{section}.{key}: invalid property name {key!r}; names must match "
                    "[A-Za-z_][A-Za-z0-9_]* (letters, digits, underscores; no leading digit)"
                )
    for key, arn in env.secrets.items():
        if not SECRET_ARN_PATTERN.fullmatch(arn):
            got = "" if redact else f" (got {json.dumps(arn)[:80]})"
            problems.append(
                f"{base}.secrets.{key}: must be a Secrets Manager secret ARN "
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>) or an SSM parameter "
                f"ARN (arn:aws:ssm:<region>:<account>:parameter/<name>){got}"
            )
    program_names = set(PROGRAM_PROPERTY_MAX_BYTES[role]) | set(PROGRAM_SECRET_NAMES[role])
    for section in ("env", "secrets"):
        for key in sorted(set(getattr(env, section)) & program_names):
            problems.append(
                f"{base}.{section}.{key}: {key} is set by the program itself; choose another name"
            )
    for key in sorted(set(env.env) & set(env.secrets)):
        problems.append(
            f"{base}.env.{key}: {key} is also in {base}.secrets; keep it in one of the two "
            "(secrets for anything sensitive)"
        )
    problem = budget_problem(f"{base}.env", env.env, PROGRAM_PROPERTY_MAX_BYTES[role])
    if problem:
        problems.append(problem)
    return problems


# -- loading ------------------------------------------------------------------------------


def _section_model(key: str) -> type[BaseModel]:
    model: type[BaseModel] = StackConfig.model_fields[key].annotation  # type: ignore[assignment]
    return model


def _unknown_key(key: str) -> str:
    valid = [f"{PROJECT}:{k}" for k in CONFIG_KEYS]
    suggestion = closest(key, CONFIG_KEYS).replace("'", f"'{PROJECT}:", 1)
    return f"{PROJECT}:{key}: unknown config key{suggestion}; valid keys: {', '.join(valid)}"


def parse_stack_config(
    raw: Mapping[str, Any], *, secret_sections: Collection[str] = ()
) -> StackConfig:
    """Validate already-parsed config objects (`{"web": {...}, ...}`, keys without namespace).

    A missing key takes its defaults (the same as the defaults declared in `Pulumi.yaml`).
    Errors about a key in `secret_sections` name the key and the rule, never the value.
    """
    problems: list[str] = []
    sections: dict[str, BaseModel] = {}
    for key in CONFIG_KEYS:
        value = raw.get(key)
        model = _section_model(key)
        redact = key in secret_sections
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            got = "" if redact else f" (got {json.dumps(value, default=str)[:80]})"
            problems.append(
                f"{PROJECT}:{key}: must be an object with keys "
                f"{', '.join(allowed_keys(model, ()))}{got}"
            )
            continue
        try:
            sections[key] = model.model_validate({**ROLE_DEFAULTS.get(key, {}), **value})
        except ValidationError as exc:
            problems.extend(describe(f"{PROJECT}:{key}", model, exc, redact=redact))
    problems.extend(_unknown_key(key) for key in sorted(set(raw) - set(CONFIG_KEYS)))
    for role in ROLES:
        env = sections.get(role)
        if isinstance(env, EnvironmentConfig):
            problems.extend(_check_environment(role, env, redact=role in secret_sections))
    if problems:
        raise ConfigError("invalid stack configuration:\n  " + "\n  ".join(problems))
    config = StackConfig.model_validate(sections)
    config._secret_sections = frozenset(secret_sections) & set(CONFIG_KEYS)
    return config


def load_stack_config(values: Mapping[str, Any], secret_keys: Collection[str] = ()) -> StackConfig:
    """Build the StackConfig from the whole flat config map the language host provides.

    `values` maps every full key (`webmodel:web`, `aws:region`) to its raw string (objects as
    JSON), as `pulumi.runtime` holds it; `secret_keys` are the keys the CLI marks secret (an
    object is secret as a whole when any of its leaves is `secure:`). Unknown `webmodel:`
    keys, a malformed `aws:region` and secrets where none may be are refused by key.
    """
    raw: dict[str, Any] = {}
    problems: list[str] = []
    secret_sections: set[str] = set()
    if "aws:region" in values:
        if "aws:region" in secret_keys:
            problems.append(never_secret_problem("aws:region"))
        else:
            region = region_problem(values["aws:region"])
            if region:
                problems.append(f"aws:region: {region}")
    prefix = f"{PROJECT}:"
    for full_key in sorted(k for k in values if k.startswith(prefix)):
        key = full_key.removeprefix(prefix)
        text = values[full_key]
        if text is None:
            continue
        secret = full_key in secret_keys
        if secret and key in CONFIG_KEYS and not SECRET_FIELDS.get(key):
            problems.append(never_secret_problem(full_key))
            continue
        if secret:
            secret_sections.add(key)
        try:
            raw[key] = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError:
            shown = "" if secret else f", got the string {text[:80]!r}"
            problems.append(f"{full_key}: must be an object{shown}")
    if problems:
        raise ConfigError("invalid stack configuration:\n  " + "\n  ".join(problems))
    return parse_stack_config(raw, secret_sections=secret_sections)
