"""Elastic Beanstalk environment-property rules: the 4 KB budget, key names, credentials.

The budget is a stack rule: an environment launched from a configuration template runs with
the template's properties too, so the limit applies to both together (a key set on both
counts once, the environment's value wins). Name and credential rules judge the keys each
resource sets itself: a bad key on a template is reported on the template.
"""

from __future__ import annotations

from typing import Any

from awsfacts.eb import ENV_PROPERTIES_NS, ENV_SECRETS_NS, LIMIT_BYTES

from .common import CannotCheck, cannot_check, unreadable
from .envprops import (
    describe_biggest,
    invalid_keys,
    looks_secret,
    measure,
    nonportable_keys,
    portable_name,
)
from .resources import Resource
from .settings import OptionSettings
from .subnets import Network
from .templates import Effective, parsed_settings, readable_settings
from .values import is_unreadable, show


def _nameless_entries(settings: OptionSettings) -> tuple[int, list[str]]:
    """Entries that may be environment properties but whose name (or namespace) cannot be
    read: the bytes they certainly add to the budget, and how to describe each one."""
    floor = 0
    described: list[str] = []
    for item in settings.items:
        if item.resource:
            continue
        if is_unreadable(item.namespace):
            described.append(f"an option whose namespace {unreadable(item.namespace)}")
        elif (
            isinstance(item.namespace, str)
            and item.namespace.lower() == ENV_PROPERTIES_NS
            and is_unreadable(item.name)
        ):
            described.append(f"a property whose name {unreadable(item.name)}")
            # At least a one-byte name, the '=' and the value when it is known.
            value = item.value if isinstance(item.value, str) else ""
            floor += 2 + len(value.encode())
    return floor, described


def _unreadable_values(properties: dict[str, Any]) -> list[str]:
    """'the value of A is ...' per kind of unreadable value (unknown, encrypted), keys sorted."""
    by_kind: dict[str, list[str]] = {}
    for key, value in sorted(properties.items()):
        if is_unreadable(value):
            by_kind.setdefault(unreadable(value), []).append(key)
    facts: list[str] = []
    for keys in sorted(by_kind.values()):
        why = unreadable(properties[keys[0]], plural=len(keys) > 1)
        if len(keys) == 1:
            facts.append(f"the value of {keys[0]} {why}")
        else:
            facts.append(f"the values of {', '.join(keys)} {why}")
    return facts


def _judge_size(found: Effective) -> tuple[str, str | None] | None:
    resource = found.resource
    settings = found.settings
    properties = settings.namespace(ENV_PROPERTIES_NS)
    size = measure(properties)
    floor, nameless = _nameless_entries(settings)
    total = size.known_bytes + floor
    complete = size.complete and not nameless
    inherited: dict[str, str] = {}
    merged = ""
    if found.template is not None:
        own = found.own.namespace(ENV_PROPERTIES_NS)
        inherited = {key: ", from the template" for key in properties if key not in own}
        if inherited:
            merged = (
                f" together with those of its configuration template "
                f"{show(found.template_name)} (a key set on both counts once)"
            )
    if total > LIMIT_BYTES:
        known = "at least " if not complete else ""
        return (
            f"{resource.label}: environment properties ({ENV_PROPERTIES_NS}) take "
            f"{known}{total:,} bytes as key=value strings{merged}, over Elastic Beanstalk's "
            f"limit of {LIMIT_BYTES:,} bytes; biggest: {describe_biggest(size, marks=inherited)}. "
            "Move large or sensitive values to Secrets Manager or SSM Parameter Store and "
            f"reference them through {ENV_SECRETS_NS} (the stack config's `secrets:`), which "
            "does not count toward the limit.",
            resource.urn,
        )
    if not complete:
        facts = [*_unreadable_values(properties), *nameless]
        return cannot_check(
            f"{resource.label}: {'; '.join(facts)}; the known environment properties take "
            f"{total:,} of {LIMIT_BYTES:,} bytes"
        )
    if found.unseen:
        return cannot_check(
            f"{resource.label}: its environment properties take {total:,} of "
            f"{LIMIT_BYTES:,} bytes, but {found.unseen} and its properties count too"
        )
    return None


def check_size(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    for found in readable_settings(network, results):
        judged = _judge_size(found)
        if judged is not None:
            results.append(judged)
    return results


def _own_properties(resource: Resource) -> dict[str, Any]:
    """The properties a resource sets itself; CannotCheck when its settings are unreadable."""
    settings = parsed_settings(resource)
    if not settings.readable:
        raise CannotCheck(
            f"{resource.label}: its option settings {unreadable(settings.unreadable, plural=True)}"
        )
    return settings.namespace(ENV_PROPERTIES_NS)


def _renames(resource: Resource, keys: list[str], problem: str) -> list[str]:
    """One message per key: what is wrong with its name (`problem`) and a name to use."""
    return [
        f"{resource.label}: environment property name {key!r} {problem}; rename it, e.g. "
        f"{portable_name(key)!r}"
        for key in keys
    ]


def check_names(resource: Resource) -> list[str]:
    return _renames(
        resource,
        invalid_keys(_own_properties(resource)),
        "has characters Elastic Beanstalk rejects (allowed: letters, digits and _ . : / + \\ - @)",
    )


def check_portable_names(resource: Resource) -> list[str]:
    return _renames(
        resource,
        nonportable_keys(_own_properties(resource)),
        "is accepted by Elastic Beanstalk but is not a shell identifier ([A-Za-z_][A-Za-z0-9_]*), "
        "so some platforms cannot read it as an environment variable",
    )


def check_secret_like(resource: Resource) -> list[str]:
    return [
        f"{resource.label}: environment property {key!r} looks like a credential but is a "
        "plain property (visible in the console, the API and the stack state); store it in "
        f"Secrets Manager or SSM and reference it through {ENV_SECRETS_NS}"
        for key, value in sorted(_own_properties(resource).items())
        if looks_secret(key, value)
    ]
