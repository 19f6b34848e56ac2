"""Release rule: every Elastic Beanstalk environment runs an application version of the stack.

An environment without `version` (the provider's `version_label`) runs EB's sample
application; one whose label no `ApplicationVersion` of the stack defines runs whatever
someone uploaded by hand, which a revert of the repository cannot restore.

A label names a version within one application (EB's version labels are unique per
application) and one region (application versions are regional; pulumi-aws 7 resources carry
their own `region`, defaulting to their provider's). So a version of the stack is the one an
environment runs only when label, application and region all match: the same label built for
another application, or in another region, is a version nobody in this stack built. The
application is related by name and by `propertyDependencies` on the `Application` resource;
the region is the resource's `region`, else its provider's, else the stack's default AWS
provider's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

from .common import EB_ENVIRONMENT, MANDATORY, cannot_check, stack_policy, unreadable
from .resources import Resource
from .subnets import Network
from .values import is_unreadable, show

APPLICATION_VERSION: Final = "aws:elasticbeanstalk/applicationVersion:ApplicationVersion"
APPLICATION: Final = "aws:elasticbeanstalk/application:Application"
_UNSEEN_REGION: Final = "its provider's, which this stack does not show"

Finding = tuple[str, str | None]


def _known(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value) and not is_unreadable(value)


@dataclass(frozen=True)
class _Place:
    """Where a version or an environment lives: its application and its region."""

    apps: frozenset[tuple[str, str]]
    """('name', <name>) and ('urn', <Application URN>); empty when not known (see `app_why`)."""
    app_shown: str
    app_why: str
    region: Any
    """A region, None for a provider's this stack does not show, or an unreadable marker."""

    @property
    def region_shown(self) -> str:
        return _UNSEEN_REGION if self.region is None else show(self.region)


def _same(one: _Place, other: _Place) -> bool | None:
    """Same application and same region; None when that cannot be known yet (an application
    or a region not known, or one region a provider's this stack does not show)."""
    apps = bool(one.apps & other.apps) if one.apps and other.apps else None
    regions = (one.region, other.region)
    region: bool | None = regions[0] == regions[1]
    if any(is_unreadable(r) for r in regions) or (None in regions and regions != (None, None)):
        region = None
    if apps is False or region is False:
        return False
    return None if apps is None or region is None else True


class _Versions:
    """The stack's versions by label and application, and each resource's place, built once
    per stack so each environment's match is a dictionary lookup."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._places: dict[str, _Place] = {}
        self._verdicts: dict[tuple[Any, _Place], tuple[bool, list[Resource], Any]] = {}
        self.apps_by_name: dict[str, Resource] = {}
        for app in network.of_type(APPLICATION):
            if _known(app.props.get("name")):
                self.apps_by_name.setdefault(app.props["name"], app)
        self.by_urn = {v.urn: v for v in network.of_type(APPLICATION_VERSION)}
        self.by_label: dict[str, list[Resource]] = {}
        self.by_label_app: dict[tuple[str, tuple[str, str]], list[Resource]] = {}
        for version in self.by_urn.values():
            label = version.props.get("name")
            if not _known(label):
                continue
            self.by_label.setdefault(label, []).append(version)
            keys = self.place(version).apps or {("unknown", "")}
            for key in keys:
                self.by_label_app.setdefault((label, key), []).append(version)

    def place(self, resource: Resource) -> _Place:
        if resource.urn not in self._places:
            self._places[resource.urn] = self._find_place(resource)
        return self._places[resource.urn]

    def _find_place(self, resource: Resource) -> _Place:
        value = resource.props.get("application")
        apps: set[tuple[str, str]] = set()
        depended = self.network.deps_of_type(resource, "application", APPLICATION)
        for app in depended:
            apps.add(("urn", app.urn))
            if _known(app.props.get("name")):
                apps.add(("name", app.props["name"]))
        if _known(value):
            apps.add(("name", value))
            if value in self.apps_by_name:
                apps.add(("urn", self.apps_by_name[value].urn))
        why = unreadable(value) if is_unreadable(value) else "is not set"
        shown = show(value) if _known(value) or not depended else depended[0].label
        return _Place(frozenset(apps), shown, why, self._region(resource))

    def _region(self, resource: Resource) -> Any:
        """The resource's `region`, else its provider's, else the stack's default one's."""
        for value in (resource.props.get("region"), resource.provider_region):
            if is_unreadable(value) or _known(value):
                return value
        return self.network.default_region

    def candidates(self, environment: Resource, label: Any) -> Iterator[Resource]:
        """The versions that may be the one the environment runs: those labelled `label` of
        its application or of one not known yet, and those its `version` depends on whose
        label is not known yet (all of them when its own label is not known yet)."""
        if _known(label):
            for key in (*self.place(environment).apps, ("unknown", "")):
                yield from self.by_label_app.get((label, key), ())
        for urn in environment.deps_of("version"):
            version = self.by_urn.get(urn)
            if version is not None and not (_known(label) and _known(version.props.get("name"))):
                yield version

    def verdict(self, environment: Resource, label: Any) -> tuple[bool, list[Resource], Any]:
        """(a candidate is the environment's version, the candidates seen, the first one
        whose match cannot be known yet or None). Stops at the first match, and remembers
        the answer for environments alike (copies of a stack share labels and names)."""
        key = (label, self.place(environment)) if not environment.deps_of("version") else None
        if key is not None and key in self._verdicts:
            return self._verdicts[key]
        place = self.place(environment)
        seen: list[Resource] = []
        undecided: Resource | None = None
        matched = False
        for version in self.candidates(environment, label):
            same = _same(place, self.place(version))
            if same:
                matched = True
                break
            seen.append(version)
            if same is None and undecided is None:
                undecided = version
        found = (matched, seen, undecided)
        if key is not None:
            self._verdicts[key] = found
        return found


def _undecided(environment: Resource, version: Resource, versions: _Versions) -> str:
    """Why it cannot be known yet whether `version` is the one the environment runs."""
    sides = (
        ("the environment", versions.place(environment)),
        (version.label, versions.place(version)),
    )
    for whose, place in sides:
        if not place.apps:
            return f"{environment.label}: the application of {whose} {place.app_why}"
    for whose, place in sides:
        if is_unreadable(place.region):
            return f"{environment.label}: the region of {whose} {unreadable(place.region)}"
    (unseen, _), (seen, place) = sides if sides[0][1].region is None else sides[::-1]
    return (
        f"{environment.label}: the region of {unseen} is {_UNSEEN_REGION}, and {seen} is in "
        f"region {place.region_shown}"
    )


def _elsewhere(
    environment: Resource, what: str, found: list[Resource], versions: _Versions
) -> Finding:
    """The violation for an environment whose label the stack builds (`found`), but for
    another application or in another region."""
    place = versions.place(environment)
    same_app = [v for v in found if versions.place(v).apps & place.apps]
    if same_app:
        regions = ", ".join(sorted({versions.place(v).region_shown for v in same_app}))
        message = (
            f"{environment.label}: runs {what} in region {place.region_shown}, but this stack "
            f"builds it only in region {regions} ({same_app[0].label}); application versions "
            "are regional, so the environment runs a version nobody in this stack built: "
            "build the version in the environment's region (give both the same region or "
            "provider)"
        )
    else:
        apps = ", ".join(sorted({versions.place(v).app_shown for v in found}))
        message = (
            f"{environment.label}: runs {what} of application {place.app_shown}, but this "
            f"stack builds it only for application {apps} ({found[0].label}); version labels "
            "are unique per application, so the environment runs a version nobody in this "
            f"stack built: build the version for application {place.app_shown}"
        )
    return (message, environment.urn)


def _undefined(environment: Resource, label: Any) -> Finding:
    return (
        f"{environment.label}: runs version {label!r}, which no {APPLICATION_VERSION} of "
        "this stack defines; build the version in the stack so a revert of the repository "
        "restores what runs",
        environment.urn,
    )


def _judge(environment: Resource, versions: _Versions) -> Finding | None:
    label = environment.props.get("version")
    if label is None or label == "":
        return (
            f"{environment.label}: runs no application version (version is not set), so "
            "EB deploys its sample application; set version to the name of an "
            f"{APPLICATION_VERSION} of this stack",
            environment.urn,
        )
    if not isinstance(label, str) and not is_unreadable(label):
        return _undefined(environment, label)
    place = versions.place(environment)
    matched, candidates, undecided = versions.verdict(environment, label)
    if matched:
        return None
    if undecided is not None:
        return cannot_check(_undecided(environment, undecided, versions))
    if is_unreadable(label):
        if not candidates:
            return cannot_check(f"{environment.label}: its version label is unknown")
        what = f"the version of {candidates[0].label} (its label is not known yet)"
        return _elsewhere(environment, what, candidates, versions)
    if label not in versions.by_label:
        return _undefined(environment, label)
    if not place.apps:
        return cannot_check(
            f"{environment.label}: the application of the environment {place.app_why}"
        )
    return _elsewhere(environment, f"version {label!r}", versions.by_label[label], versions)


def _runs_stack_version(network: Network) -> list[Finding]:
    versions = _Versions(network)
    results: list[Finding] = []
    for environment in network.of_type(EB_ENVIRONMENT):
        judged = _judge(environment, versions)
        if judged is not None:
            results.append(judged)
    return results


POLICIES = [
    stack_policy(
        "eb-runs-stack-version",
        "Every Elastic Beanstalk environment runs an application version of the stack "
        "(mandatory in prod).",
        _runs_stack_version,
        MANDATORY,
    ),
]
