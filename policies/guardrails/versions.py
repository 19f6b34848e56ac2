"""Release rule: every Elastic Beanstalk environment runs an application version of the stack.

An environment without `version` (the provider's `version_label`) runs EB's sample
application; one whose label no `ApplicationVersion` of the stack defines runs whatever
someone uploaded by hand, which a revert of the repository cannot restore.
"""

from __future__ import annotations

from typing import Final

from .common import EB_ENVIRONMENT, MANDATORY, cannot_check, stack_policy
from .subnets import Network
from .values import is_unreadable

APPLICATION_VERSION: Final = "aws:elasticbeanstalk/applicationVersion:ApplicationVersion"


def _runs_stack_version(network: Network) -> list[tuple[str, str | None]]:
    versions = {v.urn: v for v in network.of_type(APPLICATION_VERSION)}
    names = {v.props.get("name") for v in versions.values()} - {None}
    results: list[tuple[str, str | None]] = []
    for environment in network.of_type(EB_ENVIRONMENT):
        label = environment.props.get("version")
        depends = [versions[u] for u in environment.deps_of("version") if u in versions]
        if label is None or label == "":
            results.append(
                (
                    f"{environment.label}: runs no application version (version is not set), so "
                    "EB deploys its sample application; set version to the name of an "
                    f"{APPLICATION_VERSION} of this stack",
                    environment.urn,
                )
            )
        elif is_unreadable(label):
            if not depends:
                results.append(cannot_check(f"{environment.label}: its version label is unknown"))
        elif not (isinstance(label, str) and label in names) and not (
            depends and all(is_unreadable(v.props.get("name")) for v in depends)
        ):
            results.append(
                (
                    f"{environment.label}: runs version {label!r}, which no "
                    f"{APPLICATION_VERSION} of this stack defines; build the version in the "
                    "stack so a revert of the repository restores what runs",
                    environment.urn,
                )
            )
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
