"""Inputs of the `Environment` component (environment.py): flat, typed, checked at
construction, every problem reported at once. Option settings are built from them in
options.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from awsfacts.eb import MAX_INACTIVITY_SECONDS

from components.rules import (
    budget_problem,
    capacity_problem,
    environment_name,
    environment_name_problem,
    property_name_problem,
    secret_arn_problem,
    visibility_problem,
)


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


@dataclass(frozen=True, kw_only=True)
class ScalingTrigger:
    """`aws:autoscaling:trigger`: the CloudWatch metric EB's own scaling alarms watch."""

    measure_name: str
    statistic: str
    unit: str
    lower_threshold: float
    """Scale in below this value."""
    upper_threshold: float
    """Scale out above this value."""


@dataclass(frozen=True, kw_only=True)
class LoadBalancer:
    """The Application Load Balancer of a `WebServer` environment."""

    subnet_ids: pulumi.Input[Sequence[str]]
    scheme: Literal["public", "internal"]
    security_group_id: pulumi.Input[str]
    health_check_path: str
    """Path the load balancer and enhanced health probe."""
    certificate_arn: pulumi.Input[str] | None = None
    """Adds an HTTPS:443 listener and redirects HTTP to HTTPS."""
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True, kw_only=True)
class WorkerDaemon:
    """`aws:elasticbeanstalk:sqsd` of a `Worker` environment: the queue sqsd receives from and
    how it hands each message to the app (an HTTP POST to `http_path` on the instance)."""

    queue_url: pulumi.Input[str]
    queue_arn: pulumi.Input[str]
    """The instance profile may receive, delete and re-time messages on exactly this queue."""
    http_path: str
    http_connections: int
    inactivity_timeout_seconds: int
    """How long sqsd waits for the app's answer (the processing timeout)."""
    visibility_timeout_seconds: int
    """sqsd sets it on every receive, overriding the queue's own: keep the two equal."""
    error_visibility_timeout_seconds: int
    """How long a failed message stays hidden before it is received again."""
    retention_period_seconds: int
    """sqsd discards a message older than this instead of posting it (the queue's retention)."""


@dataclass(frozen=True)
class Grant:
    """One extra IAM statement for the instance profile: `actions` on exactly `resource`."""

    sid: str
    actions: Sequence[str]
    resource: pulumi.Input[str]


@dataclass(frozen=True, kw_only=True)
class EnvironmentArgs:
    """Inputs of `Environment`. Every problem is reported at construction, all at once."""

    role: str
    """Tagged as `role` on the environment (policies key on it) and part of its name."""
    application_name: pulumi.Input[str]
    solution_stack_name: pulumi.Input[str]
    service_role_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    instance_subnet_ids: pulumi.Input[Sequence[str]]
    """Private subnets for the instances (never public ones: no public IPs are assigned)."""
    instance_security_group_id: pulumi.Input[str]
    load_balancer: LoadBalancer | None = None
    """Set for a `WebServer` environment; exactly one of `load_balancer` and `worker`."""
    worker: WorkerDaemon | None = None
    """Set for a `Worker` environment (no load balancer)."""
    # -- capacity and deployments
    instance_types: Sequence[str]
    min_size: int
    max_size: int
    root_volume_size_gb: int | None = None
    image_id: str | None = None
    """A golden AMI instead of the platform's."""
    scaling: ScalingTrigger | None = None
    """EB's own scaling alarms; None for a worker, which scales on its queue (WorkQueue)."""
    deployment_policy: str = "AllAtOnce"
    batch_size_percent: int = 100
    config_update_type: str = "Health"
    health_check_grace_seconds: int = 600
    # -- platform
    managed_update_window: str = "Sun:18:00"
    update_level: str = "minor"
    log_retention_days: int = 30
    # -- what the app gets
    env: Mapping[str, str] = field(default_factory=dict)
    """Plain environment properties (EB's 4,096-byte limit, with `wired_properties`)."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Name -> Secrets Manager or SSM ARN, injected at boot; the profile may read exactly these."""
    wired_properties: Mapping[str, WiredProperty] = field(default_factory=dict)
    """Plain properties the program computes (e.g. MODEL_URL)."""
    wired_secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Secrets whose ARNs the program computes (e.g. the RDS-managed credentials)."""
    version_label: pulumi.Input[str] | None = None
    """The application version the environment runs (None: EB's sample application)."""
    source_bundles_arn: pulumi.Input[str] | None = None
    """S3 object ARN pattern of the environment's source bundles (EB's agent downloads the
    application version with the instance profile)."""
    readable_s3_uri: pulumi.Input[str] | None = None
    """`s3://bucket/prefix` the instances may read (GetObject under it, ListBucket on it)."""
    grants: Sequence[Grant] = ()
    """More least-privilege statements (e.g. send to a queue, one DynamoDB table)."""
    name_prefix: str = ""
    """Prefix of the EB environment's name (e.g. `webmodel-dev` gives `webmodel-dev-web`)."""
    slot: str | None = None
    """A blue/green slot of the role: the EB environment is named `<prefix>-<role>-<slot>`."""
    adopts: str | None = None
    """The component name this environment had before it became a slot (the role's single
    environment, e.g. `web`): aliases let the component and its resources take over that
    environment's state, so it keeps its name and nothing is replaced."""
    secret_settings: bool = False
    """The settings came from a secret config object: the values that may carry a secret (the
    certificate ARN, the secret ARNs, env values) are passed on marked secret."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Merged into the tags of the environment and its IAM role."""

    def secret(self, value: str) -> pulumi.Input[str]:
        """`value`, marked secret when the settings are."""
        return pulumi.Output.secret(value) if self.secret_settings else value

    @property
    def tier(self) -> Literal["WebServer", "Worker"]:
        return "Worker" if self.worker is not None else "WebServer"

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError(f"EnvironmentArgs ({self.role}): " + "; ".join(problems))

    def problems(self) -> list[str]:
        problems: list[str] = []
        if (self.load_balancer is None) == (self.worker is None):
            problems.append(
                "give exactly one of load_balancer (a WebServer environment) and worker "
                "(a Worker environment)"
            )
        if self.worker is not None and self.scaling is not None:
            problems.append("a worker scales on its queue's backlog: leave scaling unset")
        if not self.instance_types:
            problems.append("instance_types is empty")
        names = [*self.env, *self.secrets, *self.wired_properties, *self.wired_secrets]
        duplicates = sorted({key for key in names if names.count(key) > 1})
        found = [
            capacity_problem(self.min_size, self.max_size, ("min_size", "max_size")),
            *(property_name_problem(key, "property name") for key in names),
            f"properties defined twice: {', '.join(duplicates)}" if duplicates else None,
            *(
                secret_arn_problem(arn, redact=self.secret_settings, arg=f"secret {key}")
                for key, arn in self.secrets.items()
            ),
            environment_name_problem(environment_name(self.name_prefix, self.role, self.slot))
            if self.slot
            else None,
            budget_problem(
                f"{self.role} environment",
                self.env,
                {key: prop.max_bytes for key, prop in self.wired_properties.items()},
            ),
        ]
        problems += [problem for problem in found if problem]
        worker = self.worker
        if worker is not None:
            inactivity = worker.inactivity_timeout_seconds
            if not 1 <= inactivity <= MAX_INACTIVITY_SECONDS:
                problems.append(
                    f"worker.inactivity_timeout_seconds={inactivity}: use 1 to "
                    f"{MAX_INACTIVITY_SECONDS} seconds"
                )
            timing = visibility_problem(
                worker.visibility_timeout_seconds,
                inactivity,
                "worker.visibility_timeout_seconds",
                "worker.inactivity_timeout_seconds",
            )
            if timing:
                problems.append(timing)
        return problems
