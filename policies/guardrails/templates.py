"""Configuration templates: the option settings an Elastic Beanstalk environment runs with.

An environment launched from a configuration template (`templateName`) gets the template's
option settings for every option it does not set itself; its own value wins where both set
one. Every rule that judges settings reads them through `effective_settings`, a stack-level
view, because a resource-level rule sees one resource and never the template.

The template is found by name within the environment's application, else through the
`templateName` property dependency (during a preview the name may not be known yet). Only
when it is not in the stack (or cannot be identified yet) does a rule fall back to an
advisory for the options the environment leaves unset.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from awsfacts.eb import EB_ENVIRONMENT, EB_TEMPLATE, EB_TYPES

from .common import cannot_check, unreadable
from .resources import Resource
from .settings import OptionSettings, parse_settings
from .subnets import Network
from .values import is_unreadable, show

_parsed: dict[int, tuple[Resource, OptionSettings]] = {}


def parsed_settings(resource: Resource) -> OptionSettings:
    """`parse_settings` once per resource, however many rules read it."""
    hit = _parsed.get(id(resource))
    if hit is not None and hit[0] is resource:
        return hit[1]
    if len(_parsed) > 4096:
        _parsed.clear()
    settings = parse_settings(resource.props.get("settings"))
    _parsed[id(resource)] = (resource, settings)  # keeps `resource` alive, so ids stay unique
    return settings


def uses_template(resource: Resource) -> bool:
    """An environment launched from a configuration template (`templateName`)."""
    name = resource.props.get("templateName")
    return resource.type == EB_ENVIRONMENT and (is_unreadable(name) or bool(name))


@dataclass(frozen=True)
class Effective:
    """One environment or template with the settings it runs with."""

    resource: Resource
    own: OptionSettings
    """The resource's own settings."""
    template: Resource | None
    """The configuration template an environment launches from, when it is in the stack."""
    unseen: str | None
    """Why the environment's template cannot be read ("its configuration template 'x' is
    not in this stack"), or None."""
    template_own: OptionSettings
    """The template's own settings (empty without a template)."""

    @property
    def is_template(self) -> bool:
        return self.resource.type == EB_TEMPLATE

    @cached_property
    def settings(self) -> OptionSettings:
        """The environment's settings over its template's, as EB applies them."""
        if self.template is None:
            return self.own
        return self.own.merged_over(self.template_own)

    @property
    def readable(self) -> bool:
        return self.settings.readable

    def why_unreadable(self) -> str:
        """The advisory fact for settings that cannot be read at all."""
        if not self.own.readable:
            why = unreadable(self.own.unreadable, plural=True)
            return f"{self.resource.label}: its option settings {why}"
        assert self.template is not None
        return (
            f"{self.resource.label}: the option settings of its configuration template "
            f"{show(self.template_name)} "
            f"{unreadable(self.template_own.unreadable, plural=True)}"
        )

    def origin(self, namespace: str, name: str) -> str:
        """' (set by its configuration template 'x')' when the value comes from the
        template, else ''."""
        if self.template is None or self.own.get(namespace, name) is not None:
            return ""
        if self.template_own.get(namespace, name) is None:
            return ""  # set nowhere: EB's default
        return f" (set by its configuration template {show(self.template_name)})"

    @property
    def template_name(self) -> Any:
        if self.template is None:
            return self.resource.props.get("templateName")
        name = self.template.props.get("name")
        return name if isinstance(name, str) else self.template.name

    def settings_deps(self) -> tuple[str, ...]:
        """URNs the effective settings depend on (the environment's and its template's)."""
        deps = self.resource.deps_of("settings")
        if self.template is not None:
            deps = deps + self.template.deps_of("settings")
        return deps

    def may_come_from_template(self, option: str) -> list[tuple[str, str | None]]:
        """For an option whose absence is fine but whose bad value a template this stack
        does not hold may set: the cannot-check fact, else nothing."""
        if not self.unseen:
            return []
        return [
            cannot_check(
                f"{self.resource.label}: {option} is not set on the environment and {self.unseen}"
            )
        ]

    def unset(self, option: str, violation: tuple[str, str | None]) -> tuple[str, str | None]:
        """`violation` for an option neither resource sets, unless a template this stack
        does not hold may set it: then it cannot be checked."""
        if self.unseen:
            return cannot_check(
                f"{self.resource.label}: {option} is not set on the environment and {self.unseen}"
            )
        return violation


class _TemplateIndex:
    """Configuration templates by name (and application), built once per stack, so finding
    each environment's template is a dictionary lookup however many templates share a name."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.by_name: dict[str, Resource] = {}
        self.by_name_and_app: dict[tuple[str, str], Resource] = {}
        self.app_unknown: dict[str, Resource] = {}
        for template in network.of_type(EB_TEMPLATE):
            name = template.props.get("name")
            if not isinstance(name, str):
                continue
            self.by_name.setdefault(name, template)
            application = template.props.get("application")
            if isinstance(application, str):
                self.by_name_and_app.setdefault((name, application), template)
            else:
                self.app_unknown.setdefault(name, template)

    def _by_name(self, name: str, application: Any) -> Resource | None:
        """The template `name` of the environment's application (an application that is not
        known yet matches any)."""
        if not isinstance(application, str):
            return self.by_name.get(name)
        return self.by_name_and_app.get((name, application)) or self.app_unknown.get(name)

    def template_of(self, resource: Resource) -> tuple[Resource | None, str | None]:
        """The ConfigurationTemplate an environment launches from, or why it cannot be seen."""
        if not uses_template(resource):
            return None, None
        name = resource.props.get("templateName")
        by_dependency = self.network.deps_of_type(resource, "templateName", EB_TEMPLATE)
        if isinstance(name, str):
            template = self._by_name(name, resource.props.get("application"))
            if template is not None:
                return template, None
            if len(by_dependency) == 1:
                return by_dependency[0], None
            return None, f"its configuration template {name!r} is not in this stack"
        if len(by_dependency) == 1:
            return by_dependency[0], None
        return None, f"the name of its configuration template {unreadable(name)}"


_cache: list[tuple[Network, list[Effective]]] = []


def effective_settings(network: Network) -> Sequence[Effective]:
    """Every environment and template of the stack with the settings it runs with; built
    once per stack and shared by the rules."""
    for seen, found in _cache:
        if seen is network:
            return found
    index = _TemplateIndex(network)
    resources = network.of_type(*EB_TYPES)
    own = {r.urn: parsed_settings(r) for r in resources}  # each resource parsed once
    found = []
    for resource in resources:
        template, unseen = index.template_of(resource)
        template_own = OptionSettings(())
        if template is not None:
            template_own = own[template.urn]
        found.append(Effective(resource, own[resource.urn], template, unseen, template_own))
    _cache[:] = [(network, found)]  # keeps `network` alive: `is` stays valid
    return found


def readable_settings(
    network: Network, results: list[tuple[str, str | None]], *, templates: bool = True
) -> Iterator[Effective]:
    """`effective_settings` whose settings can be read (without the templates when `templates`
    is False); for each one that cannot, the advisory fact goes to `results`."""
    for found in effective_settings(network):
        if found.is_template and not templates:
            continue
        if not found.readable:
            results.append(cannot_check(found.why_unreadable()))
            continue
        yield found


__all__ = [
    "Effective",
    "effective_settings",
    "parsed_settings",
    "readable_settings",
    "uses_template",
]
