"""Elastic Beanstalk: a reusable, role-agnostic `Environment` of either tier.

`WebServer` environments sit behind an Application Load Balancer (`load_balancer`); `Worker`
environments have none and are fed by an SQS queue through EB's daemon sqsd (`worker`). The
web, model and worker environments are the same class with different arguments; nothing here
branches on the role except the `role` tag. Option settings: components/eb_options.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.budget import ENV_KEY_PATTERN, ENV_PROPERTY_LIMIT_BYTES, budget_problem
from components.config_models import SECRET_ARN_PATTERN
from components.eb_options import environment_settings
from components.iam import instance_policy, trust_policy


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
        if not 1 <= self.min_size <= self.max_size:
            problems.append(
                f"min_size {self.min_size} / max_size {self.max_size}: need 1 <= min <= max"
            )
        names = [*self.env, *self.secrets, *self.wired_properties, *self.wired_secrets]
        for key in names:
            if not ENV_KEY_PATTERN.fullmatch(key):
                problems.append(f"property name {key!r} must match [A-Za-z_][A-Za-z0-9_]*")
        duplicates = sorted({key for key in names if names.count(key) > 1})
        if duplicates:
            problems.append(f"properties defined twice: {', '.join(duplicates)}")
        for key, arn in self.secrets.items():
            if not SECRET_ARN_PATTERN.fullmatch(arn):
                shown = "" if self.secret_settings else f"{arn!r} "
                problems.append(f"secret {key}: {shown}is not a Secrets Manager or SSM ARN")
        budget = budget_problem(
            f"{self.role} environment",
            self.env,
            {key: prop.max_bytes for key, prop in self.wired_properties.items()},
            ENV_PROPERTY_LIMIT_BYTES,
        )
        if budget:
            problems.append(budget)
        worker = self.worker
        if (
            worker is not None
            and worker.visibility_timeout_seconds <= worker.inactivity_timeout_seconds
        ):
            problems.append(
                f"worker visibility_timeout_seconds={worker.visibility_timeout_seconds} is not "
                f"greater than inactivity_timeout_seconds={worker.inactivity_timeout_seconds}"
            )
        return problems


class Environment(pulumi.ComponentResource):
    """An EB environment, its least-privilege instance profile, and for HTTPS the
    HTTP-to-HTTPS redirect on its load balancer.

    Outputs: `name`, `cname`, `url` (`https://` + CNAME with a certificate, else `http://`;
    empty for a worker), `instance_role_name`, `load_balancer_arn` (None for a worker),
    `autoscaling_group_name` (EB's group, which a WorkQueue's scaling policies act on).
    """

    name: pulumi.Output[str]
    cname: pulumi.Output[str]
    url: pulumi.Output[str]
    instance_role_name: pulumi.Output[str]
    load_balancer_arn: pulumi.Output[str] | None
    autoscaling_group_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webmodel:beanstalk:Environment", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        partition = aws.get_partition(opts=invoke).partition
        region = aws.get_region(opts=invoke).region
        account_id = aws.get_caller_identity(opts=invoke).account_id
        tags = {**args.tags, "role": args.role}

        role = aws.iam.Role(
            f"{name}-instance-role",
            description=f"EC2 instances of the {args.role} environment",
            assume_role_policy=trust_policy("ec2.amazonaws.com"),
            tags=dict(args.tags) or None,
            opts=child,
        )
        secret_arns: list[pulumi.Input[str]] = [
            *map(args.secret, args.secrets.values()),
            *args.wired_secrets.values(),
        ]
        grants = list(args.grants)
        if args.worker is not None:
            grants.append(
                Grant(
                    "ConsumeOwnQueue",
                    [
                        "sqs:ChangeMessageVisibility",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:GetQueueUrl",
                        "sqs:ReceiveMessage",
                    ],
                    args.worker.queue_arn,
                )
            )
        grant_count = len(grants)
        aws.iam.RolePolicy(
            f"{name}-instance-policy",
            role=role.id,
            policy=pulumi.Output.all(
                pulumi.Output.from_input(args.readable_s3_uri),
                pulumi.Output.from_input(args.source_bundles_arn),
                *[grant.resource for grant in grants],
                *secret_arns,
            ).apply(
                lambda values: instance_policy(
                    partition,
                    region,
                    account_id,
                    [str(a) for a in values[2 + grant_count :]],
                    read_s3_uri=values[0],
                    source_bundles_arn=values[1],
                    grants=[
                        (grant.sid, list(grant.actions), str(resource))
                        for grant, resource in zip(grants, values[2 : 2 + grant_count], strict=True)
                    ],
                    worker_metrics=args.worker is not None,
                )
            ),
            opts=child,
        )
        profile = aws.iam.InstanceProfile(f"{name}-instance-profile", role=role.name, opts=child)

        environment = aws.elasticbeanstalk.Environment(
            f"{args.name_prefix}-{args.role}" if args.name_prefix else name,
            application=args.application_name,
            solution_stack_name=args.solution_stack_name,
            tier=args.tier,
            settings=environment_settings(args, profile.name),
            version=args.version_label,
            tags=tags,
            # `all_settings` echoes `settings` under another name, which no engine marks secret
            # by itself: without this a secret setting would be stored in plaintext there.
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    additional_secret_outputs=["all_settings"] if args.secret_settings else None
                ),
            ),
        )

        lb = args.load_balancer
        self.load_balancer_arn = None
        if lb is not None:
            self.load_balancer_arn = environment.load_balancers.apply(lambda arns: arns[0])
        if lb is not None and lb.certificate_arn is not None:
            # EB option settings can only forward listener traffic to processes; a redirect
            # needs a rule on the port-80 listener of the ALB that EB created.
            http_listener = aws.lb.get_listener_output(
                load_balancer_arn=self.load_balancer_arn, port=80, opts=invoke
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

        scheme = "https" if lb is not None and lb.certificate_arn is not None else "http"
        self.name = environment.name
        self.cname = environment.cname
        self.url = (
            environment.cname.apply(lambda cname: f"{scheme}://{cname}")
            if lb is not None
            else pulumi.Output.from_input("")
        )
        self.instance_role_name = role.name
        self.autoscaling_group_name = environment.autoscaling_groups.apply(lambda names: names[0])
        self.register_outputs(
            {
                "name": self.name,
                "cname": self.cname,
                "url": self.url,
                "instanceRoleName": self.instance_role_name,
                "autoscalingGroupName": self.autoscaling_group_name,
            }
        )
