"""eb-runs-stack-version: every environment runs an application version of its own stack (not
EB's sample application, not a hand-uploaded label), found by dependency while labels are
unknown. Mirrors policies/guardrails/versions.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.stacks import ENV, UNKNOWN
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

VERSION = "aws:elasticbeanstalk/applicationVersion:ApplicationVersion"
WEB_VERSION = Res(
    VERSION, "artifacts-web-version", {"name": "web-0123456789ab", "application": "app"}
)
UNKNOWN_VERSION = Res(VERSION, "artifacts-web-version", {"name": UNKNOWN, "application": "app"})
WEB = urn(ENV, "web")


def environment(version: Any = None, deps: list[Res] | None = None) -> Res:
    props: dict[str, Any] = {"application": "app", "tags": {"role": "web"}}
    if version is not None:
        props["version"] = version
    return Res(ENV, "web", props, {"version": deps} if deps else {})


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param(
            [WEB_VERSION, environment("web-0123456789ab")], PASS, id="a-version-of-the-stack"
        ),
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
            [UNKNOWN_VERSION, environment(UNKNOWN, deps=[UNKNOWN_VERSION])],
            PASS,
            id="an-unknown-label-depending-on-a-stack-version",
        ),
        pytest.param(
            [WEB_VERSION, environment(UNKNOWN)],
            undecided(f"{ENV} 'web': its version label is unknown"),
            id="an-unknown-label-without-a-dependency-is-advisory",
        ),
    ],
)
def test_every_environment_runs_a_version_of_its_stack(stack: list[Res], expected: Outcome) -> None:
    assert check("eb-runs-stack-version", *stack) == expected
