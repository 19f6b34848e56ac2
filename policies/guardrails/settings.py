"""Elastic Beanstalk option settings (`settings` on environments and configuration templates).

pulumi-aws exposes them as a list of `{namespace, name, value, resource?}`. The engine may
wrap the whole list as one secret (unwrapped by `values.plain`), leave single values unknown
during preview (a subnet ID list built from outputs), or, in a stack export without
`--show-secrets`, carry only ciphertext. `OptionSettings` keeps all three cases visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awsfacts.eb import (
    ASG_NS,
    COMMAND_NS,
    ENV_NS,
    ENV_PROPERTIES_NS,
    ENV_SECRETS_NS,
    HEALTH_NS,
    LAUNCH_NS,
    MANAGED_ACTIONS_NS,
    VPC_NS,
)

from .values import CIPHERTEXT, UNKNOWN, is_unreadable, plain


@dataclass(frozen=True)
class OptionSetting:
    namespace: str | Any
    """The namespace, or `UNKNOWN` during preview."""
    name: str | Any
    value: str | Any
    """The value as EB stores it (a string), `UNKNOWN`, or `CIPHERTEXT`."""
    resource: str | None = None


@dataclass(frozen=True)
class OptionSettings:
    items: tuple[OptionSetting, ...]
    unreadable: Any = None
    """`UNKNOWN` or `CIPHERTEXT` when the whole list could not be read, else None."""

    @property
    def readable(self) -> bool:
        return self.unreadable is None

    def _matches(self, item: OptionSetting, namespace: str, name: str | None) -> bool:
        if item.resource:
            # Resource-scoped options (e.g. a named load balancer) are not environment-wide.
            return False
        if not isinstance(item.namespace, str) or item.namespace.lower() != namespace.lower():
            return False
        return name is None or item.name == name

    def get(self, namespace: str, name: str) -> Any:
        """The effective value (the last one wins, as in EB), `UNKNOWN` if a possibly
        matching entry is unreadable, or None when unset."""
        found: Any = None
        for item in self.items:
            if self._matches(item, namespace, name):
                found = item.value
            elif is_unreadable(item.namespace) or (
                isinstance(item.namespace, str)
                and item.namespace.lower() == namespace.lower()
                and is_unreadable(item.name)
            ):
                found = UNKNOWN if found is None else found
        return found

    def namespace(self, namespace: str) -> dict[str, Any]:
        """All options of one namespace as {name: value}; later entries win."""
        result: dict[str, Any] = {}
        for item in self.items:
            if self._matches(item, namespace, None) and isinstance(item.name, str):
                result[item.name] = item.value
        return result

    def unreadable_entries(self, namespace: str) -> int:
        """How many entries might belong to `namespace` but have an unreadable key."""
        count = 0
        for item in self.items:
            if is_unreadable(item.namespace) or (
                isinstance(item.namespace, str)
                and item.namespace.lower() == namespace.lower()
                and is_unreadable(item.name)
            ):
                count += 1
        return count

    def merged_over(self, base: OptionSettings) -> OptionSettings:
        """These settings applied on top of `base` (an environment over its template)."""
        unreadable = self.unreadable or base.unreadable
        return OptionSettings(base.items + self.items, unreadable)


def parse_settings(raw: Any) -> OptionSettings:
    """Parse a `settings` property in any of the forms the engine produces."""
    value = plain(raw)
    if value is None:
        return OptionSettings(())
    if value is UNKNOWN or value is CIPHERTEXT:
        return OptionSettings((), value)
    if isinstance(value, dict):
        # Defensive: a single setting object instead of a list.
        value = [value]
    if not isinstance(value, list):
        return OptionSettings((), UNKNOWN)
    items: list[OptionSetting] = []
    for entry in value:
        if is_unreadable(entry) or not isinstance(entry, dict):
            items.append(OptionSetting(UNKNOWN, UNKNOWN, UNKNOWN))
            continue
        resource = entry.get("resource")
        items.append(
            OptionSetting(
                namespace=entry.get("namespace", ""),
                name=entry.get("name", ""),
                value=_as_text(entry.get("value")),
                resource=resource if isinstance(resource, str) and resource else None,
            )
        )
    return OptionSettings(tuple(items))


def _as_text(value: Any) -> Any:
    if value is None or is_unreadable(value) or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


__all__ = [
    "ASG_NS",
    "COMMAND_NS",
    "ENV_NS",
    "ENV_PROPERTIES_NS",
    "ENV_SECRETS_NS",
    "HEALTH_NS",
    "LAUNCH_NS",
    "MANAGED_ACTIONS_NS",
    "VPC_NS",
    "OptionSetting",
    "OptionSettings",
    "parse_settings",
]
