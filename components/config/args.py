"""The validated stack config mapped onto every component's Args: an Args field that bears a
config field's name takes its value (`_from_config`); the others are spelled out here.

Components take flat, typed Args and never the config models; this is the one place that
knows both, so `__main__.py` (and the tests) build each component's Args from the config the
same way: the network, security groups, database, application, artifacts and domain, the
worker's queue and daemon, every environment and its load balancer. Everything the config does
not hold (where a component runs, what it is wired to) comes in as arguments, unchanged, so
the wiring stays in `__main__.py`. A field that may be secret goes on marked secret when its
`webmodel:` key is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import pulumi
from pydantic import BaseModel

from components.artifacts import ArtifactsArgs, SlotVersions
from components.beanstalk.application import ApplicationArgs
from components.beanstalk.args import (
    EnvironmentArgs,
    LoadBalancer,
    ScalingTrigger,
    WiredProperty,
    WorkerDaemon,
)
from components.bundle import APP_SOURCES, MODEL_REPOSITORY_SOURCE, build_bundle
from components.config.models import (
    PROJECT,
    EnvironmentConfig,
    LoadBalancedConfig,
    PlatformConfig,
)
from components.config.roles import ROLES, Role, StackConfig, WorkerConfig
from components.config.slots import (
    SlottedConfig,
    live_slot,
    slot_choice,
    slot_labels,
    slotted_roles,
)
from components.database import DatabaseArgs
from components.domain import DomainArgs, PrivateNameArgs
from components.network import NetworkArgs
from components.queue import WorkQueueArgs
from components.security import AppSecurityGroupsArgs

WORKER_HTTP_PATH = "/work"
"""Where sqsd posts each message: apps/worker/workerapp/main.py WORK_PATH."""
BUNDLE_DIR = ".bundles"
"""Where the zips Pulumi uploads are built, under the project root (git-ignored)."""
PRIVATE_ZONE = f"{PROJECT}.internal"
"""The private hosted zone of a stack whose model runs as blue/green slots (one per VPC)."""
MODEL_HOST = f"model.{PRIVATE_ZONE}"
"""The model tier's stable name there: MODEL_URL is `http://<MODEL_HOST>` whichever slot is
live, so a flip of the model never changes the web or worker environments."""

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

A = TypeVar("A", bound="DataclassInstance")


@overload
def _secret_if(secret: bool, value: str) -> pulumi.Input[str]: ...
@overload
def _secret_if(secret: bool, value: str | None) -> pulumi.Input[str] | None: ...
def _secret_if(secret: bool, value: str | None) -> pulumi.Input[str] | None:
    """A secret field's value, marked secret when its key is."""
    return pulumi.Output.secret(value) if value is not None and secret else value


def _from_config(args_type: type[A], *sections: BaseModel, **rest: Any) -> A:
    """`args_type` built from config `sections`: each Args field named as a field of a section
    takes that field's value (Args fields bear their config field's name), the rest comes in
    `rest`, which also overrides a section's value (marked secret, mapped onto another type)."""
    wanted = {f.name for f in dataclasses.fields(args_type)} - rest.keys()
    taken = {
        name: getattr(section, name)
        for section in sections
        for name in type(section).model_fields
        if name in wanted
    }
    return args_type(**taken, **rest)


# -- the shared infrastructure ----------------------------------------------------------------


def network(config: StackConfig) -> NetworkArgs:
    """`webmodel:network`: the VPC and its three subnet tiers."""
    settings = config.network
    return _from_config(NetworkArgs, settings, availability_zone_count=settings.availability_zones)


def security_groups(
    config: StackConfig, vpc_id: pulumi.Input[str], vpc_cidr_block: str
) -> AppSecurityGroupsArgs:
    """The EB security groups in `vpc_id`, with a worker's when the stack runs one."""
    return AppSecurityGroupsArgs(
        vpc_id=vpc_id, vpc_cidr_block=vpc_cidr_block, worker=config.worker is not None
    )


def database(
    config: StackConfig,
    vpc_id: pulumi.Input[str],
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    *,
    clients: Sequence[pulumi.Input[str]],
) -> DatabaseArgs:
    """`webmodel:database` in the given (isolated) subnets, admitting the `clients` groups."""
    settings, secret = config.database, config.is_secret("database")
    return _from_config(
        DatabaseArgs,
        settings,
        vpc_id=vpc_id,
        subnet_ids=subnet_ids,
        client_security_group_ids=clients,
        master_username=_secret_if(secret, settings.master_username),
        snapshot_identifier=_secret_if(secret, settings.snapshot_identifier),
    )


def application(config: StackConfig, *, name_prefix: str) -> ApplicationArgs:
    """The EB application on `webmodel:platform`'s newest matching platform."""
    return ApplicationArgs(
        solution_stack_regex=config.platform.solution_stack_regex, name_prefix=name_prefix
    )


def artifacts(
    config: StackConfig, application_name: pulumi.Input[str], *, root: Path, name_prefix: str
) -> ArtifactsArgs:
    """A bundle of every role the stack runs (built now, under `root`), and the model
    repository: `webmodel:model.modelRepository`, else the repository's example model."""
    roles = sorted(role for role in ROLES if config.environment(role) is not None)
    uri = config.model.model_repository
    bundles = [
        build_bundle(root / APP_SOURCES[role], app=role, out_dir=root / BUNDLE_DIR)
        for role in roles
    ]
    current = {bundle.app: bundle.label for bundle in bundles}
    return ArtifactsArgs(
        application_name=application_name,
        bundles=bundles,
        model_repository_dir=None if uri else root / MODEL_REPOSITORY_SOURCE,
        model_repository_uri=uri,
        name_prefix=name_prefix,
        slot_versions={
            role: SlotVersions(*slot_labels(role, settings, current[role]))
            for role, settings in slotted_roles({r: config.environment(r) for r in roles}).items()
        },
    )


def domain(config: StackConfig) -> DomainArgs | None:
    """`webmodel:web.domain` in its hosted zone; None without a custom domain."""
    web = config.web
    return DomainArgs(web.domain, web.hosted_zone) if web.domain and web.hosted_zone else None


# -- the worker's queue -----------------------------------------------------------------------


def work_queue(worker: WorkerConfig) -> WorkQueueArgs:
    """`webmodel:worker`'s queue, dead-letter queue, processed-message table and scaling."""
    return _from_config(
        WorkQueueArgs,
        worker,
        cooldown_seconds=worker.health_check_grace_seconds,
        idempotency_table=True,
        tags={"role": "worker"},  # cost allocation: the queue and its table serve the worker tier
    )


def worker_daemon(
    worker: WorkerConfig, *, queue_url: pulumi.Input[str], queue_arn: pulumi.Input[str]
) -> WorkerDaemon:
    """sqsd of the worker environment: the queue's timeouts and retention, the app's path."""
    return _from_config(
        WorkerDaemon,
        worker,
        queue_url=queue_url,
        queue_arn=queue_arn,
        http_path=WORKER_HTTP_PATH,
        inactivity_timeout_seconds=worker.processing_timeout_seconds,
        visibility_timeout_seconds=worker.visibility_timeout_seconds,
        error_visibility_timeout_seconds=worker.retry_delay_seconds,
        retention_period_seconds=worker.message_retention_seconds,
    )


def idempotency_lease(worker: WorkerConfig) -> dict[str, tuple[str, str]]:
    """The worker's WORKER_IDEMPOTENCY_LEASE_SECONDS: its processing timeout, with its key."""
    return {
        "WORKER_IDEMPOTENCY_LEASE_SECONDS": (
            str(worker.processing_timeout_seconds),
            "webmodel:worker.processingTimeoutSeconds",
        )
    }


# -- the environments -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AppWiring:
    """What every environment of the application is wired to: the application, its platform
    and service role, the VPC's private subnets, each role's version and source bundles."""

    application_name: pulumi.Input[str]
    solution_stack_name: pulumi.Input[str]
    service_role_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    instance_subnet_ids: pulumi.Input[Sequence[str]]
    version_labels: Mapping[str, pulumi.Input[str]]
    bundle_arns: Mapping[str, pulumi.Input[str]]
    name_prefix: str
    versions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Label -> registered version, for the labels blue/green slots pin."""
    platform: Callable[[str], pulumi.Input[str]] | None = None
    """The solution stack a slot's own platform regex names (the application looks it up)."""


Wired = Mapping[str, tuple[pulumi.Input[str], str]]
"""Program-added property -> (its value, the config key it derives from)."""


def environment(
    config: StackConfig,
    role: Role,
    app: AppWiring,
    instance_security_group_id: pulumi.Input[str],
    *,
    wired: Wired | None = None,
    slot: str | None = None,
    **wiring: Any,
) -> EnvironmentArgs:
    """`webmodel:<role>` as one EB environment of the application (or as its blue/green `slot`);
    instances always in the private subnets. `wired` gives each program-added property
    (declared with its budget in roles.py) its value; `wiring` is the rest (`load_balancer=` or
    `worker=`, `grants=`, ...)."""
    settings = config.environment(role)
    assert settings is not None, f"webmodel:{role} is not set"
    reserved = ROLES[role].program_properties
    version, platform = app.version_labels[role], app.solution_stack_name
    if slot is not None:
        assert isinstance(settings, SlottedConfig), f"webmodel:{role} has no slots"
        choice = slot_choice(role, settings, slot)
        settings = choice.settings
        version = app.versions[choice.version] if choice.version else version
        if choice.platform_regex is not None:
            assert app.platform is not None, "slots with their own platform need AppWiring.platform"
            platform = app.platform(choice.platform_regex)
        wiring.update(slot=slot, adopts=choice.adopts)
    return environment_args(
        role,
        settings,
        config.platform,
        secret_settings=config.is_secret(role),
        application_name=app.application_name,
        solution_stack_name=platform,
        service_role_arn=app.service_role_arn,
        vpc_id=app.vpc_id,
        instance_subnet_ids=app.instance_subnet_ids,
        instance_security_group_id=instance_security_group_id,
        wired_properties={
            key: WiredProperty(value, reserved[key], source)
            for key, (value, source) in (wired or {}).items()
        },
        version_label=version,
        source_bundles_arn=app.bundle_arns[role],
        name_prefix=app.name_prefix,
        **wiring,
    )


def environments(
    config: StackConfig,
    role: Role,
    app: AppWiring,
    instance_security_group_id: pulumi.Input[str],
    **wiring: Any,
) -> dict[str | None, tuple[str, EnvironmentArgs]]:
    """Every EB environment of `webmodel:<role>`: slot -> (component name, Args); the one
    environment of a role without blue/green under the slot None, named by the role."""
    settings = config.environment(role)
    slots = settings.slots if isinstance(settings, SlottedConfig) else None
    if slots is None:
        return {None: (role, environment(config, role, app, instance_security_group_id, **wiring))}
    return {
        slot: (
            f"{role}-{slot}",
            environment(config, role, app, instance_security_group_id, slot=slot, **wiring),
        )
        for slot in slots
    }


def model_name(config: StackConfig, vpc_id: pulumi.Input[str]) -> PrivateNameArgs | None:
    """The model tier's stable private name (its blue/green switch); None without model slots."""
    if live_slot(config.model) is None:
        return None
    return PrivateNameArgs(zone=PRIVATE_ZONE, host=MODEL_HOST, vpc_id=vpc_id)


def alb(
    config: StackConfig,
    role: Role,
    scheme: Literal["public", "internal"],
    subnet_ids: pulumi.Input[Sequence[str]],
    security_group_id: pulumi.Input[str],
    certificate_arn: pulumi.Input[str] | None = None,
) -> LoadBalancer:
    """The load balancer of a load-balanced `webmodel:<role>`."""
    settings = config.environment(role)
    assert isinstance(settings, LoadBalancedConfig), f"webmodel:{role} has no load balancer"
    return load_balancer(
        settings,
        scheme=scheme,
        subnet_ids=subnet_ids,
        security_group_id=security_group_id,
        certificate_arn=certificate_arn,
        secret_settings=config.is_secret(role),
    )


def environment_args(
    role: str,
    settings: EnvironmentConfig,
    platform: PlatformConfig,
    *,
    secret_settings: bool = False,
    **wiring: Any,
) -> EnvironmentArgs:
    """`EnvironmentArgs` of one role's settings: capacity, deployments, platform, properties;
    the rest comes in `wiring`."""
    return _from_config(
        EnvironmentArgs,
        settings,
        platform,
        role=role,
        scaling=scaling_trigger(settings),
        secret_settings=secret_settings,
        **wiring,
    )


def scaling_trigger(settings: EnvironmentConfig) -> ScalingTrigger | None:
    """EB's scaling alarms of a load-balanced role; None for a worker (it scales on its queue)."""
    if not isinstance(settings, LoadBalancedConfig):
        return None
    return _from_config(ScalingTrigger, settings.scaling)


def load_balancer(
    settings: LoadBalancedConfig,
    *,
    scheme: Literal["public", "internal"],
    subnet_ids: pulumi.Input[Sequence[str]],
    security_group_id: pulumi.Input[str],
    certificate_arn: pulumi.Input[str] | None = None,
    secret_settings: bool = False,
) -> LoadBalancer:
    """The ALB of a load-balanced role's settings; a program-issued `certificate_arn` (custom
    domain) takes the place of the configured one, which goes on marked secret when the key
    is."""
    if certificate_arn is None:
        certificate_arn = _secret_if(secret_settings, settings.certificate_arn)
    return _from_config(
        LoadBalancer,
        settings,
        subnet_ids=subnet_ids,
        scheme=scheme,
        security_group_id=security_group_id,
        certificate_arn=certificate_arn,
    )
