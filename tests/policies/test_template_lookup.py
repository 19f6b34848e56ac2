"""Which configuration template is an environment's: the one its `templateName` names in its own
application, found through the property dependency while the name is unknown during a preview,
advisory when it is not in the stack; an environment that sets nothing itself is judged on its
template's options alone; and the lookup stays linear when many templates share a name, each
resource's settings parsed once. Mirrors policies/guardrails/templates.py (the setting rules:
test_templates.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.messages import IS_NOT_KNOWN, PUBLIC_SUBNETS
from tests.policies.stacks import BASE, ENV, PRIVATE_IDS, TEMPLATE, UNKNOWN, setting, vpc
from tests.policies.support import PASS, Outcome, Res, check, undecided
from tests.policies.template_cases import (
    API,
    BASE_URN,
    FROM_TEMPLATE,
    GOOD,
    launched_from_template,
    options,
)


def test_a_template_of_another_application_is_not_the_environments() -> None:
    template, environment = launched_from_template([], options(GOOD))
    template.props["application"] = "other-app"
    assert check("eb-imdsv2-required", *BASE, template, environment) == undecided(
        f"{ENV} 'api': aws:autoscaling:launchconfiguration DisableIMDSv1 is not set on the "
        "environment and its configuration template 'base' is not in this stack"
    )


def test_an_unknown_template_name_is_resolved_through_its_dependency() -> None:
    """During a preview the name may be unknown: the property dependency names the template."""
    bad = setting("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "false")
    template, environment = launched_from_template([], [*options(GOOD), bad])
    environment.props["templateName"] = UNKNOWN
    environment.deps = {"templateName": [template]}
    outcome = check("eb-imdsv2-required", *BASE, template, environment)
    assert (
        f"{ENV} 'api': aws:autoscaling:launchconfiguration DisableIMDSv1 is 'false'"
        f"{FROM_TEMPLATE}; set it to 'true' so instance credentials need an IMDSv2 session "
        "token",
        environment.urn,
    ) in outcome.violations
    environment.deps = {}
    outcome = check("eb-imdsv2-required", *BASE, environment)
    assert outcome.undecided == (
        f"{ENV} 'api': aws:autoscaling:launchconfiguration DisableIMDSv1 is not set on the "
        f"environment and the name of its configuration template {IS_NOT_KNOWN}"
    )


# -- an environment that sets nothing itself: every option comes from its template -----------


def from_template(*options: dict[str, Any], name: str = "base") -> list[Res]:
    """A template holding `options`, and an environment launched from template `name`."""
    template = Res(
        TEMPLATE, "base", {"name": "base", "application": "app", "settings": list(options)}
    )
    environment = Res(
        ENV, "api", {"application": "app", "templateName": name, "tags": {"role": "web"}}
    )
    return [template, environment]


IMDSV2 = setting("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true")
NOT_IN_STACK = (
    "is not set on the environment and its configuration template '{}' is not in this stack"
)


@pytest.mark.parametrize(
    ("policy", "stack", "expected"),
    [
        pytest.param(
            "eb-instances-in-private-subnets",
            [*BASE, *from_template(*vpc(PRIVATE_IDS))],
            PASS,
            id="private-subnets",
        ),
        pytest.param(
            "eb-instances-in-private-subnets",
            [*BASE, *from_template(*vpc("subnet-pub"))],
            Outcome(
                [
                    (f"{TEMPLATE} 'base': aws:ec2:vpc Subnets {PUBLIC_SUBNETS}", BASE_URN),
                    (f"{ENV} 'api': aws:ec2:vpc Subnets{FROM_TEMPLATE} {PUBLIC_SUBNETS}", API),
                ]
            ),
            id="public-subnets-are-still-caught",
        ),
        pytest.param("eb-imdsv2-required", from_template(IMDSV2), PASS, id="imdsv2-required"),
        pytest.param(
            "eb-imdsv2-required",
            from_template(IMDSV2)[1:],
            undecided(
                f"{ENV} 'api': aws:autoscaling:launchconfiguration DisableIMDSv1 "
                + NOT_IN_STACK.format("base")
            ),
            id="imdsv2-with-the-template-outside-the-stack",
        ),
        pytest.param(
            "eb-instances-in-private-subnets",
            [*BASE, from_template(name="shared")[1]],
            undecided(
                f"{ENV} 'api': aws:ec2:vpc Subnets {NOT_IN_STACK.format('shared')}; "
                f"{ENV} 'api': aws:ec2:vpc AssociatePublicIpAddress {NOT_IN_STACK.format('shared')}"
            ),
            id="placement-with-the-template-outside-the-stack-is-advisory-not-a-default-vpc",
        ),
    ],
)
def test_an_environment_is_judged_on_its_templates_options(
    policy: str, stack: list[Res], expected: Outcome
) -> None:
    assert check(policy, *stack) == expected


def test_finding_templates_stays_linear_when_many_share_a_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many applications each with a template named 'base': every environment finds its own
    by an index lookup, and each resource's settings are parsed once for all rules."""
    import guardrails.templates as templates
    from guardrails.resources import Resource
    from guardrails.settings import OptionSettings, parse_settings
    from guardrails.subnets import Network

    parsed: list[object] = []

    def counting(raw: object) -> OptionSettings:
        parsed.append(raw)
        return parse_settings(raw)

    monkeypatch.setattr(templates, "parse_settings", counting)
    count = 300
    resources = []
    for i in range(count):
        bad = "false" if i == count - 1 else "true"
        resources.append(
            Resource(
                TEMPLATE,
                f"t{i}",
                f"urn:t{i}",
                {
                    "name": "base",
                    "application": f"app{i}",
                    "settings": [
                        setting("aws:autoscaling:launchconfiguration", "DisableIMDSv1", bad)
                    ],
                },
            )
        )
        resources.append(
            Resource(ENV, f"e{i}", f"urn:e{i}", {"templateName": "base", "application": f"app{i}"})
        )
    found = templates.effective_settings(Network(resources))
    assert len(parsed) == 2 * count
    assert [f.template.name if f.template else None for f in found if f.resource.type == ENV] == [
        f"t{i}" for i in range(count)
    ]
    last = found[-1]
    assert last.settings.get("aws:autoscaling:launchconfiguration", "DisableIMDSv1") == "false"
