"""What the simulated account's shapers share: deterministic names and IDs from a seed, and
option settings read as a map. Pure functions, no Pulumi."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, Protocol

AZ_LETTERS = "abcd"
ACM_VALIDATIONS = "jkddzztszm.acm-validations.aws."


class Account(Protocol):
    """What a shaper may know of the simulated account (simulated_aws.SimulatedAws)."""

    region: str
    account_id: str
    load_balancers: dict[str, str]
    """Load balancer ARN -> DNS name, for the data sources that look one up."""

    def arn(self, service: str, resource: str, *, region: bool = True) -> str: ...


Shaper = Callable[[Account, str, str, dict[str, Any]], str]
"""Fills a new resource's state with what AWS computes and returns its ID."""


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else sorted(values)


def autoname(state: dict[str, Any], key: str, name: str, seed: str, limit: int = 63) -> str:
    """Pulumi auto-names resources as `<logical name>-<7 hex>` when no name is given."""
    if not state.get(key):
        suffix = seed[-7:]
        state[key] = f"{name[: limit - 8]}-{suffix}"
    return str(state[key])


def hexid(prefix: str, seed: str, length: int = 17) -> str:
    return f"{prefix}-{seed[:length]}"


def settings_map(settings: Any) -> dict[tuple[str, str], str]:
    if not isinstance(settings, list):
        return {}
    return {
        (str(item.get("namespace")), str(item.get("name"))): str(item.get("value"))
        for item in settings
        if isinstance(item, Mapping)
    }


def uuid(seed: str) -> str:
    return f"{seed[:8]}-{seed[8:12]}-{seed[12:16]}-{seed[16:20]}-{seed[20:32]}"
