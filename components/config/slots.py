"""Blue/green slots of the web and model roles: the config keys, their rules, and the settings
each slot runs with.

`webmodel:web` and `webmodel:model` may hold `slots` (one or two names), `live` (the slot that
takes traffic) and `slotSettings` (what one slot runs differently: an application version kept
in S3, the platform, the golden AMI, the instance types). Without `slots` a role is one
environment, exactly as before. Each slot is its own Elastic Beanstalk environment of the same
application; the switch between them is DNS (the web domain's alias record, the model's name in
a private hosted zone), so a flip is a change of `live` and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field, field_validator

from components.config.models import (
    PROJECT,
    EnvironmentConfig,
    LoadBalancedConfig,
    _Section,
    check_ami,
    check_instance_types,
    check_regex,
)
from components.rules import (
    AUTONAME_SUFFIX,
    ENVIRONMENT_NAME_MAX,
    MAX_SLOTS,
    environment_name,
    environment_name_problem,
    slot_name_problem,
)

SLOT_KEYS = ("slots", "live", "slotSettings")
"""The blue/green keys: only the web and model roles have them."""
VERSION_LABEL_PATTERN = r"^[a-z]+-[0-9a-f]{12}$"
"""A label the program built (components/bundle.py): `<app>-<12 hex of the zip's SHA-256>`."""


class SlotSettings(_Section):
    """What one slot runs differently from its role's settings; a field left out (null) takes
    the role's value."""

    version: str | None = Field(default=None, pattern=VERSION_LABEL_PATTERN)
    """An application version the program built before (`web-0123456789ab`, e.g. from `pulumi
    stack output webVersionLabel`): its bundle is kept in S3, and the slot keeps running it while
    the other slot takes the current build. Null: the current build."""
    solution_stack_regex: str | None = None
    """The slot's platform (instead of `webmodel:platform.solutionStackRegex`), e.g. a new
    platform branch; the newest matching solution stack wins."""
    image_id: str | None = None
    """The slot's golden AMI (instead of the role's `imageId`)."""
    instance_types: list[str] | None = Field(default=None, min_length=1, max_length=10)
    """The slot's EC2 instance types (instead of the role's `instanceTypes`)."""

    _regex = field_validator("solution_stack_regex")(check_regex)
    _ami = field_validator("image_id")(check_ami)
    _types = field_validator("instance_types")(check_instance_types)


class SlottedConfig(LoadBalancedConfig):
    """A load-balanced role that may run as blue/green slots."""

    slots: list[str] | None = None
    """Blue/green: one or two slot names (e.g. `[blue, green]`), each its own Elastic Beanstalk
    environment of the application. Null: one environment, as without blue/green."""
    live: str | None = None
    """The slot that takes traffic (required with `slots`); changing it is the flip."""
    slot_settings: dict[str, SlotSettings] = Field(default_factory=dict)
    """Slot name -> what that slot runs differently (`version`, `solutionStackRegex`,
    `imageId`, `instanceTypes`)."""

    @field_validator("slots")
    @classmethod
    def _slots(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return value
        if not 1 <= len(value) <= MAX_SLOTS:
            raise ValueError(
                f"one or two slot names (the live slot and the one being released), not "
                f"{len(value)}"
            )
        for slot in value:
            problem = slot_name_problem(slot)
            if problem:
                raise ValueError(problem)
        if len({slot.lower() for slot in value}) != len(value):
            raise ValueError("names a slot twice (slot names are compared without case)")
        return value


def slot_problems(role: str, env: EnvironmentConfig, name_prefix: str | None) -> list[str]:
    """What is wrong with `webmodel:<role>`'s slots once its fields have parsed: `live` and
    `slotSettings` naming slots it has, versions of the role's own app, a record to switch
    (web: `domain`), and environment names EB accepts with `name_prefix` (`<project>-<stack>`,
    known when the program runs)."""
    if not isinstance(env, SlottedConfig):
        return []
    base = f"{PROJECT}:{role}"
    if env.slots is None:
        keys = [
            key for key, set_ in (("live", env.live), ("slotSettings", env.slot_settings)) if set_
        ]
        return [f"{base}.{key}: needs slots; set slots or remove {key}" for key in keys]
    problems: list[str] = []
    if env.live is None:
        problems.append(f"{base}.live: name the slot that takes traffic, one of {env.slots}")
    elif env.live not in env.slots:
        problems.append(f"{base}.live: {env.live!r} is not one of slots {env.slots}")
    for slot, settings in env.slot_settings.items():
        if slot not in env.slots:
            problems.append(
                f"{base}.slotSettings.{slot}: no such slot; slots are {env.slots} (remove the "
                "settings of a slot with the slot)"
            )
        version = settings.version
        if version is not None and not version.startswith(f"{role}-"):
            problems.append(
                f"{base}.slotSettings.{slot}.version: {version!r} is not a {role} bundle; a "
                f"{role} slot runs a label {role}-<12 hex> (pulumi stack output {role}VersionLabel)"
            )
    if role == "web" and getattr(env, "domain", None) is None:
        problems.append(
            f"{base}.slots: blue/green needs domain and hostedZone: the switch between slots "
            "is the domain's alias record"
        )
    if name_prefix is not None:
        room = ENVIRONMENT_NAME_MAX - AUTONAME_SUFFIX - len(environment_name(name_prefix, role, ""))
        for slot in env.slots:
            problem = environment_name_problem(environment_name(name_prefix, role, slot))
            if problem:
                problems.append(
                    f"{base}.slots: slot {slot!r}: {problem} (slot names of at most "
                    f"{max(room - 1, 0)} characters in this stack)"
                )
    return problems


def refused_slot_keys(role: str, value: Mapping[str, object]) -> list[str]:
    """Problems for blue/green keys on a role that has no slots (the worker takes no traffic
    through DNS)."""
    return [
        f"{PROJECT}:{role}.{key}: only webmodel:web and webmodel:model run as blue/green slots "
        f"(a {role} takes no traffic through DNS); remove it"
        for key in SLOT_KEYS
        if key in value
    ]


def slot_view(env: SlottedConfig, slot: str) -> SlottedConfig:
    """The role's settings as `slot` runs them: its instance types and AMI overridden."""
    settings = env.slot_settings.get(slot)
    if settings is None:
        return env
    update: dict[str, object] = {}
    if settings.instance_types is not None:
        update["instance_types"] = settings.instance_types
    if settings.image_id is not None:
        update["image_id"] = settings.image_id
    return env.model_copy(update=update)


@dataclass(frozen=True)
class SlotChoice:
    """What one slot of a role runs, as the program wires it."""

    settings: EnvironmentConfig
    """The role's settings with the slot's instance types and AMI."""
    version: str | None
    """A pinned label, or None for the current build."""
    platform_regex: str | None
    """The slot's own platform regex, or None for `webmodel:platform`'s."""
    adopts: str | None
    """The role's name when this is the live slot: it takes over the role's single environment
    from before slots (aliases); None for the other slot."""


def slot_choice(role: str, env: SlottedConfig, slot: str) -> SlotChoice:
    """`slot` of `webmodel:<role>` as the program builds it."""
    settings = env.slot_settings.get(slot, SlotSettings())
    return SlotChoice(
        settings=slot_view(env, slot),
        version=settings.version,
        platform_regex=settings.solution_stack_regex,
        adopts=role if slot == env.live else None,
    )


def slotted_roles(roles: Mapping[str, EnvironmentConfig | None]) -> dict[str, SlottedConfig]:
    """The roles that run as blue/green slots, by name."""
    return {
        role: env
        for role, env in roles.items()
        if isinstance(env, SlottedConfig) and env.slots is not None
    }


def live_slot(env: EnvironmentConfig | None) -> str | None:
    """The slot of a role that takes traffic; None for a role without blue/green."""
    return env.live if isinstance(env, SlottedConfig) and env.slots is not None else None


def slot_labels(role: str, env: SlottedConfig, current: str) -> tuple[list[str], str]:
    """The labels a slotted role's slots pin, and the one the live slot runs (`current`, the
    label of this build, when the live slot pins none)."""
    pins = {slot: slot_choice(role, env, slot).version for slot in env.slots or ()}
    kept = sorted({label for label in pins.values() if label is not None})
    return kept, pins.get(env.live or "") or current
