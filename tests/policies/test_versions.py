"""eb-runs-stack-version: every environment runs an application version of its own stack (not
EB's sample application, not a hand-uploaded label, not the same label built for another
application or in another region), found by dependency while labels are unknown; the
application by name or by dependency, the region from the resource, its provider or the
stack's default provider. Mirrors policies/guardrails/versions.py."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.policies.messages import IS_ENCRYPTED, IS_NOT_KNOWN
from tests.policies.stacks import CIPHERTEXT, ENV, SECRET, UNKNOWN
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

VERSION = "aws:elasticbeanstalk/applicationVersion:ApplicationVersion"
APPLICATION = "aws:elasticbeanstalk/application:Application"
LABEL = "web-0123456789ab"
WEB_VERSION = Res(VERSION, "artifacts-web-version", {"name": LABEL, "application": "app"})
UNKNOWN_VERSION = Res(VERSION, "artifacts-web-version", {"name": UNKNOWN, "application": "app"})
WEB = urn(ENV, "web")
SEOUL, VIRGINIA = "ap-northeast-2", "us-east-1"


def environment(version: Any = None, deps: list[Res] | None = None, **props: Any) -> Res:
    given: dict[str, Any] = {"application": "app", "tags": {"role": "web"}, **props}
    if version is not None:
        given["version"] = version
    return Res(ENV, "web", given, {"version": deps} if deps else {})


def version(name: str = "artifacts-web-version", label: Any = LABEL, **props: Any) -> Res:
    return Res(VERSION, name, {"name": label, "application": "app", **props})


def provider(region: Any, name: str = "default_7_51_1") -> Res:
    return Res("pulumi:providers:aws", name, {"region": region})


def other_application(apps: str, shown: str = "'app'", what: str = f"version {LABEL!r}") -> Outcome:
    return fails(
        f"{ENV} 'web': runs {what} of application {shown}, but this stack builds it only for "
        f"application {apps} ({VERSION} 'artifacts-web-version'); version labels are unique per "
        "application, so the environment runs a version nobody in this stack built: build the "
        f"version for application {shown}",
        at=WEB,
    )


def other_region(runs_in: str, built_in: str) -> Outcome:
    return fails(
        f"{ENV} 'web': runs version {LABEL!r} in region {runs_in}, but this stack builds it only "
        f"in region {built_in} ({VERSION} 'artifacts-web-version'); application versions are "
        "regional, so the environment runs a version nobody in this stack built: build the "
        "version in the environment's region (give both the same region or provider)",
        at=WEB,
    )


APP = Res(APPLICATION, "app", {"name": UNKNOWN})
OTHER_APP = Res(APPLICATION, "other", {"name": UNKNOWN})


def by_dependency(res: Res, app: Res) -> Res:
    """`res` with its application not known yet, built from `app`."""
    deps = {**res.deps, "application": [app]}
    return dataclasses.replace(res, props={**res.props, "application": UNKNOWN}, deps=deps)


CASES = [
    pytest.param([WEB_VERSION, environment(LABEL)], PASS, id="a-version-of-the-stack"),
    pytest.param(
        [WEB_VERSION, environment()],
        fails(
            f"{ENV} 'web': runs no application version (version is not set), so EB deploys "
            f"its sample application; set version to the name of an {VERSION} of this stack",
            at=WEB,
        ),
        id="the-sample-application",
    ),
    pytest.param(
        [WEB_VERSION, environment("hotfix-by-hand")],
        fails(
            f"{ENV} 'web': runs version 'hotfix-by-hand', which no {VERSION} of this stack "
            "defines; build the version in the stack so a revert of the repository restores "
            "what runs",
            at=WEB,
        ),
        id="a-hand-uploaded-version",
    ),
    pytest.param(
        [WEB_VERSION, environment([LABEL])],
        fails(
            f"{ENV} 'web': runs version ['{LABEL}'], which no {VERSION} of this stack defines; "
            "build the version in the stack so a revert of the repository restores what runs",
            at=WEB,
        ),
        id="a-label-that-is-not-a-string",
    ),
    # -- the application ----------------------------------------------------------------
    pytest.param(
        [version(application="other"), environment(LABEL)],
        other_application("'other'"),
        id="the-label-built-only-for-another-application",
    ),
    pytest.param(
        [version(application="other"), version("app-version"), environment(LABEL)],
        PASS,
        id="the-label-built-for-this-application-and-another",
    ),
    pytest.param(
        [APP, by_dependency(WEB_VERSION, APP), by_dependency(environment(LABEL), APP)],
        PASS,
        id="the-application-by-dependency",
    ),
    pytest.param(
        [
            APP,
            OTHER_APP,
            by_dependency(WEB_VERSION, OTHER_APP),
            by_dependency(environment(LABEL), APP),
        ],
        other_application(f"{APPLICATION} 'other'", f"{APPLICATION} 'app'"),
        id="another-application-by-dependency",
    ),
    pytest.param(
        [
            Res(APPLICATION, "app", {"name": "app"}),
            by_dependency(WEB_VERSION, APP),
            environment(LABEL),
        ],
        PASS,
        id="one-application-by-name-the-other-by-dependency",
    ),
    pytest.param(
        [WEB_VERSION, environment(LABEL, application=UNKNOWN)],
        undecided(f"{ENV} 'web': the application of the environment {IS_NOT_KNOWN}"),
        id="an-application-unknown-without-a-dependency",
    ),
    pytest.param(
        [version(application=UNKNOWN), environment(LABEL)],
        undecided(
            f"{ENV} 'web': the application of {VERSION} 'artifacts-web-version' {IS_NOT_KNOWN}"
        ),
        id="the-versions-application-unknown-without-a-dependency",
    ),
    # -- the region ---------------------------------------------------------------------
    pytest.param(
        [version(region=VIRGINIA), environment(LABEL, region=SEOUL)],
        other_region(f"'{SEOUL}'", f"'{VIRGINIA}'"),
        id="the-label-built-only-in-another-region",
    ),
    pytest.param(
        [version(region=SEOUL), environment(LABEL, region=SEOUL)],
        PASS,
        id="both-in-the-same-region",
    ),
    pytest.param(
        [provider(SEOUL), version(region=SEOUL), environment(LABEL)],
        PASS,
        id="the-environment-in-the-default-providers-region",
    ),
    pytest.param(
        [
            provider(SEOUL),
            provider(SEOUL, "default_7_52_0"),
            version(region=SEOUL),
            environment(LABEL),
        ],
        PASS,
        id="two-default-providers-of-one-region",
    ),
    pytest.param(
        [provider(SEOUL), version(region=VIRGINIA), environment(LABEL)],
        other_region(f"'{SEOUL}'", f"'{VIRGINIA}'"),
        id="the-version-outside-the-default-providers-region",
    ),
    pytest.param(
        [
            provider(SEOUL),
            dataclasses.replace(version(), provider=provider(VIRGINIA, "virginia")),
            environment(LABEL),
        ],
        other_region(f"'{SEOUL}'", f"'{VIRGINIA}'"),
        id="the-version-built-with-a-provider-of-another-region",
    ),
    pytest.param(
        [
            dataclasses.replace(version(), provider=provider(VIRGINIA, "virginia")),
            dataclasses.replace(environment(LABEL), provider=provider(VIRGINIA, "virginia")),
        ],
        PASS,
        id="both-built-with-the-same-providers-region",
    ),
    pytest.param(
        [version(region=VIRGINIA), environment(LABEL)],
        undecided(
            f"{ENV} 'web': the region of the environment is its provider's, which this stack "
            f"does not show, and {VERSION} 'artifacts-web-version' is in region '{VIRGINIA}'"
        ),
        id="a-region-against-a-provider-this-stack-does-not-show",
    ),
    pytest.param(
        [version(region=UNKNOWN), environment(LABEL, region=SEOUL)],
        undecided(f"{ENV} 'web': the region of {VERSION} 'artifacts-web-version' {IS_NOT_KNOWN}"),
        id="an-unknown-region",
    ),
    # -- labels not known yet, secrets ----------------------------------------------------
    pytest.param(
        [UNKNOWN_VERSION, environment(UNKNOWN, deps=[UNKNOWN_VERSION])],
        PASS,
        id="an-unknown-label-depending-on-a-stack-version",
    ),
    pytest.param(
        [WEB_VERSION, environment(UNKNOWN)],
        undecided(f"{ENV} 'web': its version label is unknown"),
        id="an-unknown-label-without-a-dependency-is-advisory",
    ),
    pytest.param(
        [
            version(label=UNKNOWN, application="other"),
            environment(UNKNOWN, deps=[version(label=UNKNOWN, application="other")]),
        ],
        other_application(
            "'other'",
            what=f"the version of {VERSION} 'artifacts-web-version' (its label is not known yet)",
        ),
        id="an-unknown-label-depending-on-a-version-of-another-application",
    ),
    pytest.param(
        [
            version(label={**SECRET, "value": LABEL}, region={**SECRET, "value": VIRGINIA}),
            environment({**SECRET, "value": LABEL}, region=SEOUL),
        ],
        other_region(f"'{SEOUL}'", f"'{VIRGINIA}'"),
        id="secret-label-and-region",
    ),
]


@pytest.mark.parametrize(("stack", "expected"), CASES)
def test_every_environment_runs_a_version_of_its_stack(stack: list[Res], expected: Outcome) -> None:
    assert check("eb-runs-stack-version", *stack) == expected


def test_an_encrypted_region_in_a_saved_state_says_so() -> None:
    stack = [version(region=CIPHERTEXT), environment(LABEL, region=SEOUL)]
    assert check("eb-runs-stack-version", *stack, raw=True) == undecided(
        f"{ENV} 'web': the region of {VERSION} 'artifacts-web-version' {IS_ENCRYPTED}"
    )
