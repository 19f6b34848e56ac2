"""Elastic Beanstalk single-option rules: IMDSv2, deployment policy, health, managed updates.

Each is a stack rule over `templates.effective_settings`, so an environment launched from a
configuration template is judged on the option it really runs with: its own value, else the
template's, else EB's default. A template is judged on the values it sets itself (it leaves
unset options to the environments launched from it).
"""

from __future__ import annotations

from collections.abc import Callable

from awsfacts.eb import DEFAULTS

from .common import StackCheck, cannot_check, unreadable
from .subnets import Network
from .templates import readable_settings
from .values import is_unreadable, show


def option_rule(namespace: str, name: str, ok: Callable[[str], bool], fix: str) -> StackCheck:
    """A stack check that option `namespace name` satisfies `ok` (given the lower-cased
    value) on every environment and template; `fix` follows the value in the message
    (starting with '; ' or ': ')."""
    default = DEFAULTS[(namespace, name)]
    option = f"{namespace} {name}"

    def check(network: Network) -> list[tuple[str, str | None]]:
        results: list[tuple[str, str | None]] = []
        for found in readable_settings(network, results):
            resource = found.resource
            value = found.settings.get(namespace, name)
            if value is None:
                if found.is_template or ok(default.lower()):
                    continue
                violation = (
                    f"{resource.label}: {option} is not set (EB uses {show(default)}){fix}",
                    resource.urn,
                )
                results.append(found.unset(option, violation))
                continue
            where = found.origin(namespace, name)
            if is_unreadable(value):
                results.append(
                    cannot_check(f"{resource.label}: {option}{where} {unreadable(value)}")
                )
                continue
            if isinstance(value, str) and ok(value.lower()):
                continue
            results.append(
                (f"{resource.label}: {option} is {show(value)}{where}{fix}", resource.urn)
            )
        return results

    return check


def equals(good: str) -> Callable[[str], bool]:
    lowered = good.lower()
    return lambda value: value == lowered


def not_all_at_once(value: str) -> bool:
    return value != "allatonce"
