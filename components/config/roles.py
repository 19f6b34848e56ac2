"""Every Elastic Beanstalk environment role in one place, and the StackConfig that holds them.

A role is one `webmodel:<role>` key: its config model (what a user may set), the defaults where
it differs from the shared ones, its tier, whether a stack may leave it out, and what the
program itself adds to its environment properties and secrets. Adding a role is one `RoleSpec`
in `ROLES`, one field of `StackConfig`, and one call in `__main__.py` (docs/program.md,
"Adding an environment"); nothing maps an unknown role onto another role's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from awsfacts.eb import MAX_INACTIVITY_SECONDS
from awsfacts.sqs import (
    MAX_RECEIVE_COUNT,
    MAX_RETENTION_SECONDS,
    MAX_VISIBILITY_SECONDS,
    MIN_RETENTION_SECONDS,
)
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictInt

from components.config.models import (
    DatabaseConfig,
    EnvironmentConfig,
    NetworkConfig,
    PlatformConfig,
)
from components.config.slots import SlottedConfig
from components.rules import DOMAIN_PATTERN, MODEL_REPOSITORY_PATTERN

Role = Literal["web", "model", "worker"]


class WebConfig(SlottedConfig):
    """`webmodel:web`: the FastAPI tier behind a public ALB, instances in private subnets."""

    domain: str | None = Field(default=None, pattern=DOMAIN_PATTERN)
    """The public hostname (e.g. app.example.com); the program issues an ACM certificate
    validated through DNS in `hostedZone` and points an alias record at the ALB."""
    hosted_zone: str | None = Field(default=None, pattern=DOMAIN_PATTERN)
    """The public Route 53 hosted zone (name) that holds `domain`."""


class ModelConfig(SlottedConfig):
    """`webmodel:model`: Triton on GPU instances behind an internal ALB in private subnets,
    reachable only from the web (and worker) instances."""

    model_repository: str | None = Field(default=None, pattern=MODEL_REPOSITORY_PATTERN)
    """An existing s3://bucket/prefix Triton loads instead of the repo's example model."""


class WorkerConfig(EnvironmentConfig):
    """`webmodel:worker`: a `Worker` tier environment fed by an SQS queue (no load balancer).
    EB's daemon (sqsd) on each instance POSTs every message to the app; the queue's depth, not
    CPU, scales the instances."""

    processing_timeout_seconds: StrictInt = Field(default=300, ge=1, le=MAX_INACTIVITY_SECONDS)
    """How long the app may take over one message before sqsd gives up on it
    (`aws:elasticbeanstalk:sqsd` InactivityTimeout)."""
    visibility_timeout_seconds: StrictInt = Field(default=360, ge=0, le=MAX_VISIBILITY_SECONDS)
    """How long a received message stays hidden from other instances (the queue's and sqsd's
    VisibilityTimeout); must be greater than processingTimeoutSeconds (checked with the other
    cross-field rules in components/config/checks.py)."""
    retry_delay_seconds: StrictInt = Field(default=30, ge=0, le=MAX_VISIBILITY_SECONDS)
    """How long a failed message waits before it is received again
    (`aws:elasticbeanstalk:sqsd` ErrorVisibilityTimeout)."""
    max_receive_count: StrictInt = Field(default=5, ge=1, le=MAX_RECEIVE_COUNT)
    """Receives before SQS moves a message to the dead-letter queue."""
    message_retention_seconds: StrictInt = Field(
        default=345600, ge=MIN_RETENTION_SECONDS, le=MAX_RETENTION_SECONDS
    )
    """How long an unprocessed message waits on the queue (60 s to 14 days)."""
    http_connections: StrictInt = Field(default=10, ge=1, le=100)
    """Messages sqsd hands each instance at once (`aws:elasticbeanstalk:sqsd` HttpConnections)."""
    scale_out_backlog: StrictInt = Field(default=10, ge=1)
    """Visible messages at or above which the worker grows by `scaleOutStep` instances."""
    scale_in_backlog: StrictInt = Field(default=0, ge=0)
    """Visible messages at or below which it shrinks by one; below scaleOutBacklog."""
    scale_out_step: StrictInt = Field(default=1, ge=1, le=100)
    """Instances added per scale-out."""


@dataclass(frozen=True)
class RoleSpec:
    """One environment role: everything the program and the checks need to know about it."""

    config: type[EnvironmentConfig]
    """The model of `webmodel:<role>`."""
    tier: Literal["WebServer", "Worker"]
    """EB's environment tier."""
    optional: bool = False
    """A stack may leave `webmodel:<role>` out: then the role has no environment at all."""
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """Fields (camelCase) where this role's defaults differ from its model's."""
    program_properties: Mapping[str, int] = field(default_factory=dict)
    """Plain properties the program adds, each with the longest value it can take: their real
    values exist only after deploy, so the 4 KB budget counts these lengths instead."""
    program_secrets: frozenset[str] = frozenset()
    """Secrets the program delivers through `environmentsecrets` (ARNs it creates itself)."""


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
"""Where the model environment's defaults differ from the web's (GPU, Triton, slow start)."""

ROLES: Mapping[Role, RoleSpec] = {
    # MODEL_URL: "http://" + EB CNAME, <= 40-char env name + 10-char hash + region + suffix;
    # with model slots the stable private name instead (components/domain.py MODEL_HOST).
    # DB_HOST: RDS address, <= 63-char identifier + ".c" + 11-char id + region + suffix.
    # WORK_QUEUE_URL: https://sqs.<region>.amazonaws.com/<account>/<queue, <= 80>; reserved
    # whether or not the stack has a worker, so adding one never breaks a budget that fit.
    "web": RoleSpec(
        config=WebConfig,
        tier="WebServer",
        program_properties={
            "MODEL_URL": 128,
            "DB_HOST": 128,
            "DB_PORT": 5,
            "DB_NAME": 63,
            "WORK_QUEUE_URL": 160,
        },
        program_secrets=frozenset({"DB_CREDENTIALS"}),
    ),
    # MODEL_REPOSITORY: s3://<bucket, 63>/<prefix>; AWS_DEFAULT_REGION: the bucket's region.
    "model": RoleSpec(
        config=ModelConfig,
        tier="WebServer",
        defaults=MODEL_DEFAULTS,
        program_properties={"MODEL_REPOSITORY": 256, "AWS_DEFAULT_REGION": 32},
    ),
    # The model tier's URL (as web's), the DynamoDB table recording processed messages (a name
    # of at most 255), the lease (processingTimeoutSeconds, at most 5 digits), the region.
    "worker": RoleSpec(
        config=WorkerConfig,
        tier="Worker",
        optional=True,
        program_properties={
            "MODEL_URL": 128,
            "WORKER_IDEMPOTENCY_TABLE": 255,
            "WORKER_IDEMPOTENCY_LEASE_SECONDS": 5,
            "AWS_DEFAULT_REGION": 32,
        },
    ),
}


class StackConfig(BaseModel):
    """Every `webmodel:*` key of one stack."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    network: NetworkConfig = Field(default_factory=NetworkConfig)
    """VPC over N AZs with public, private (app) and isolated (data) subnets."""
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    """PostgreSQL RDS in the isolated subnets; the master password is generated and kept by
    RDS in Secrets Manager, never in config."""
    platform: PlatformConfig = Field(default_factory=PlatformConfig)
    """What every Elastic Beanstalk environment shares."""
    web: WebConfig = Field(default_factory=WebConfig)
    """The web environment (FastAPI, public ALB, instances in private subnets)."""
    model: ModelConfig = Field(
        default_factory=lambda: ModelConfig.model_validate(ROLES["model"].defaults)
    )
    """The model environment (Triton on GPU instances, internal ALB in private subnets,
    reachable only from the web and worker instances). Fields left out take the model's
    defaults, not the web's."""
    worker: WorkerConfig | None = None
    """Optional: the worker environment and its SQS queue. Absent (the default): no worker
    tier, no queue."""

    _secret_sections: frozenset[str] = PrivateAttr(default_factory=frozenset)

    def environment(self, role: Role) -> EnvironmentConfig | None:
        """The role's settings; None for an optional role the stack leaves out."""
        if role not in ROLES:
            raise KeyError(f"unknown environment role {role!r}; roles: {', '.join(ROLES)}")
        settings: EnvironmentConfig | None = getattr(self, role)
        return settings

    def is_secret(self, key: str) -> bool:
        """Whether `webmodel:<key>` holds a secret: its secret fields go on as secrets."""
        return key in self._secret_sections


CONFIG_KEYS: tuple[str, ...] = tuple(StackConfig.model_fields)
"""The config keys the program reads, without the `webmodel:` namespace."""

_missing = [role for role in ROLES if role not in StackConfig.model_fields]
if _missing:  # a RoleSpec without its StackConfig field: fail at import, not at deploy
    raise TypeError(f"roles without a StackConfig field: {', '.join(_missing)}")
