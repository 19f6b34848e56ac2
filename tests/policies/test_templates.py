"""Every rule that reads EB option settings judges an environment's merged settings.

An environment launched from a configuration template (`templateName`) runs with the
template's option settings for every option it does not set itself. The class is generated:
for each setting-based rule, the violating value placed (a) on the environment, (b) only on
the template, (c) on the template but overridden by a good value on the environment. The
4 KB budget is checked on both resources' properties together (each key once, the
environment's value winning), against a reference sum over generated property sets.
Mirrors policies/guardrails/templates.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.policies.messages import (
    ARE_NOT_KNOWN,
    ENCRYPTED,
    IS_NOT_KNOWN,
    PUBLIC_SUBNETS,
    over_limit,
)
from tests.policies.stacks import (
    BASE,
    CIPHERTEXT,
    ENV,
    PRIVATE_IDS,
    TEMPLATE,
    UNKNOWN,
    props_settings,
    setting,
    vpc,
)
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

FROM_TEMPLATE = " (set by its configuration template 'base')"
API = urn(ENV, "api")
BASE_URN = urn(TEMPLATE, "base")

GOOD: dict[tuple[str, str], str] = {
    ("aws:ec2:vpc", "VPCId"): "vpc-01",
    ("aws:ec2:vpc", "Subnets"): PRIVATE_IDS,
    ("aws:ec2:vpc", "ELBSubnets"): PRIVATE_IDS,
    ("aws:ec2:vpc", "ELBScheme"): "internal",
    ("aws:ec2:vpc", "AssociatePublicIpAddress"): "false",
    ("aws:elasticbeanstalk:environment", "EnvironmentType"): "LoadBalanced",
    ("aws:autoscaling:asg", "MinSize"): "2",
    ("aws:autoscaling:launchconfiguration", "DisableIMDSv1"): "true",
    ("aws:elasticbeanstalk:command", "DeploymentPolicy"): "Immutable",
    ("aws:elasticbeanstalk:healthreporting:system", "SystemType"): "enhanced",
    ("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled"): "true",
    ("aws:autoscaling:launchconfiguration", "SSHSourceRestriction"): "tcp, 22, 22, sg-bastion",
}
"""A model environment every rule passes; each case replaces one option."""


@dataclass(frozen=True)
class Case:
    policy: str
    namespace: str
    name: str
    bad: str
    message: str
    """The violation, with {label} (the resource) and {where} (the origin note)."""
    judges_templates: bool
    """Whether the rule also judges a template's own values (the placement and single-option
    rules do; the model and capacity rules judge only environments)."""

    @property
    def good(self) -> str:
        return GOOD[(self.namespace, self.name)]

    @property
    def id(self) -> str:
        return f"{self.policy}:{self.name}"


CASES = [
    Case(
        "eb-imdsv2-required",
        "aws:autoscaling:launchconfiguration",
        "DisableIMDSv1",
        "false",
        "{label}: aws:autoscaling:launchconfiguration DisableIMDSv1 is 'false'{where}; set it "
        "to 'true' so instance credentials need an IMDSv2 session token",
        True,
    ),
    Case(
        "eb-deployment-policy-safe",
        "aws:elasticbeanstalk:command",
        "DeploymentPolicy",
        "AllAtOnce",
        "{label}: aws:elasticbeanstalk:command DeploymentPolicy is 'AllAtOnce'{where}: a failed "
        "deploy takes every instance down at once; use 'Immutable' or "
        "'RollingWithAdditionalBatch' (or 'Rolling')",
        True,
    ),
    Case(
        "eb-enhanced-health",
        "aws:elasticbeanstalk:healthreporting:system",
        "SystemType",
        "basic",
        "{label}: aws:elasticbeanstalk:healthreporting:system SystemType is 'basic'{where}; set "
        "it to 'enhanced' for instance-level health and health-based rollouts",
        True,
    ),
    Case(
        "eb-managed-platform-updates",
        "aws:elasticbeanstalk:managedactions",
        "ManagedActionsEnabled",
        "false",
        "{label}: aws:elasticbeanstalk:managedactions ManagedActionsEnabled is 'false'{where}; "
        "set it to 'true' (with a PreferredStartTime) so security patches are applied",
        True,
    ),
    Case(
        "eb-instances-in-private-subnets",
        "aws:ec2:vpc",
        "Subnets",
        "subnet-pub",
        "{label}: aws:ec2:vpc Subnets{where} " + PUBLIC_SUBNETS,
        True,
    ),
    Case(
        "eb-instances-in-private-subnets",
        "aws:ec2:vpc",
        "AssociatePublicIpAddress",
        "true",
        "{label}: aws:ec2:vpc AssociatePublicIpAddress is 'true'{where}; instances in private "
        "subnets need no public IP: remove it or set 'false'",
        True,
    ),
    Case(
        "eb-model-environment-internal",
        "aws:ec2:vpc",
        "ELBScheme",
        "public",
        "{label} (role=model): aws:ec2:vpc ELBScheme is 'public'{where}; the model server must "
        "only be reachable inside the VPC: set ELBScheme to 'internal'",
        False,
    ),
    Case(
        "eb-model-environment-internal",
        "aws:ec2:vpc",
        "ELBSubnets",
        "subnet-pub",
        "{label}: aws:ec2:vpc ELBSubnets{where} " + PUBLIC_SUBNETS,
        False,
    ),
    Case(
        "eb-model-environment-internal",
        "aws:elasticbeanstalk:environment",
        "EnvironmentType",
        "SingleInstance",
        "{label} (role=model): aws:elasticbeanstalk:environment EnvironmentType is "
        "'SingleInstance'{where}, which gives the instance an Elastic IP and a public endpoint; "
        "use 'LoadBalanced' with an internal load balancer",
        False,
    ),
    Case(
        "sg-no-world-ingress",
        "aws:autoscaling:launchconfiguration",
        "SSHSourceRestriction",
        "tcp, 22, 22, 0.0.0.0/0",
        "{label}: aws:autoscaling:launchconfiguration SSHSourceRestriction is 'tcp, 22, 22, "
        "0.0.0.0/0'{where}, so Elastic Beanstalk admits TCP port(s) 22 from 0.0.0.0/0 on the "
        "security group it creates for the instances; only TCP 80 and 443 may be open to the "
        "world. Set SSHSourceRestriction to 'tcp, 22, 22, <a bastion's security group ID or a "
        "known CIDR>', or remove EC2KeyName and use SSM Session Manager",
        False,
    ),
    Case(
        "eb-multi-az-capacity",
        "aws:autoscaling:asg",
        "MinSize",
        "1",
        "{label}: aws:autoscaling:asg MinSize is '1'{where}; run at least 2 instances so one AZ "
        "or instance can fail",
        False,
    ),
    Case(
        "eb-multi-az-capacity",
        "aws:ec2:vpc",
        "Subnets",
        "subnet-priva",
        "{label}: aws:ec2:vpc Subnets{where} span 1 availability zone(s) (ap-northeast-2a); use "
        "subnets in at least 2 AZs",
        False,
    ),
]


def options(values: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    return [setting(ns, name, value) for (ns, name), value in values.items()]


def launched_from_template(
    env_settings: list[dict[str, Any]], template_settings: list[dict[str, Any]]
) -> tuple[Res, Res]:
    template = Res(
        TEMPLATE, "base", {"name": "base", "application": "app", "settings": template_settings}
    )
    environment = Res(
        ENV,
        "api",
        {
            "application": "app",
            "templateName": "base",
            "settings": env_settings,
            "tags": {"role": "model"},
        },
    )
    return template, environment


def stack_for(case: Case, placed: str) -> tuple[Res, Res]:
    """The violating value (a) on the environment, (b) only on the template, (c) on the
    template, overridden by the good value on the environment."""
    rest = {key: value for key, value in GOOD.items() if key != (case.namespace, case.name)}
    bad = setting(case.namespace, case.name, case.bad)
    good = setting(case.namespace, case.name, case.good)
    if placed == "environment":
        return launched_from_template([bad], options(rest))
    if placed == "template":
        return launched_from_template([], [*options(rest), bad])
    return launched_from_template([good], [*options(rest), bad])


def judge(case: Case, template: Res, environment: Res) -> Outcome:
    return check(case.policy, *BASE, template, environment)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_good_settings_from_the_template_pass(case: Case) -> None:
    assert judge(case, *launched_from_template([], options(GOOD))) == PASS


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_violating_value_on_the_environment_fails(case: Case) -> None:
    template, environment = stack_for(case, "environment")
    assert judge(case, template, environment) == fails(
        case.message.format(label=f"{ENV} 'api'", where=""), at=environment.urn
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_violating_value_only_on_the_template_fails_the_environment(case: Case) -> None:
    template, environment = stack_for(case, "template")
    outcome = judge(case, template, environment)
    expected = [(case.message.format(label=f"{ENV} 'api'", where=FROM_TEMPLATE), environment.urn)]
    if case.judges_templates:
        expected.append((case.message.format(label=f"{TEMPLATE} 'base'", where=""), template.urn))
    assert sorted(outcome.violations) == sorted(expected)
    assert outcome.undecided is None


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_template_value_the_environment_overrides_passes_the_environment(case: Case) -> None:
    template, environment = stack_for(case, "overridden")
    expected: list[tuple[str, str | None]] = []
    if case.judges_templates:  # the template's own value is still reported, on the template
        expected.append((case.message.format(label=f"{TEMPLATE} 'base'", where=""), template.urn))
    assert judge(case, template, environment) == Outcome(expected)


UNSET_JUDGED = [
    c
    for c in CASES
    if (c.policy, c.name)
    not in {("eb-multi-az-capacity", "Subnets"), ("sg-no-world-ingress", "SSHSourceRestriction")}
]
"""Unset Subnets is eb-instances-in-private-subnets' finding, not the capacity rule's; unset
SSHSourceRestriction opens nothing without a key pair (test_eb_ssh.py covers EC2KeyName)."""


@pytest.mark.parametrize("case", UNSET_JUDGED, ids=[c.id for c in UNSET_JUDGED])
def test_a_template_not_in_the_stack_leaves_an_unset_option_advisory(case: Case) -> None:
    """Only when the template is truly absent is an option the environment leaves unset
    advisory (never a pass, never a default-value violation)."""
    rest = {key: value for key, value in GOOD.items() if key != (case.namespace, case.name)}
    _, environment = launched_from_template(options(rest), [])
    assert check(case.policy, *BASE, environment) == undecided(
        f"{ENV} 'api': {case.namespace} {case.name} is not set on the environment and its "
        "configuration template 'base' is not in this stack"
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


# -- the 4 KB budget on the environment's and the template's properties together ------------

SIZE = "eb-env-properties-size-limit"
MERGED = " together with those of its configuration template 'base' (a key set on both counts once)"
BIG = {"BLOB_A": "a" * 2500, "BLOB_B": "b" * 1500, "SMALL": "c" * 180}
BIGGEST = "BLOB_A (2,507 B{m}), BLOB_B (1,507 B{m}), SMALL (186 B{m})"
ON_THE_ENVIRONMENT = (over_limit(f"{ENV} 'api'", "4,200", BIGGEST.format(m="")), API)
ON_THE_TEMPLATE = (over_limit(f"{TEMPLATE} 'base'", "4,200", BIGGEST.format(m="")), BASE_URN)


@pytest.mark.parametrize(
    ("env_props", "template_props", "expected"),
    [
        pytest.param(
            {"A": "a" * 2098},
            {"B": "b" * 2098},
            fails(
                over_limit(
                    f"{ENV} 'api'", "4,200", "A (2,100 B), B (2,100 B, from the template)", MERGED
                ),
                at=API,
            ),
            id="under-the-limit-apart-over-it-together",
        ),
        pytest.param(
            {"K": "e" * 3000},
            {"K": "t" * 3000, "SMALL": "x"},
            PASS,
            id="a-key-set-on-both-counts-once-with-the-environments-value",
        ),
        pytest.param(BIG, {}, Outcome([ON_THE_ENVIRONMENT]), id="oversized-on-the-environment"),
        pytest.param(
            {},
            BIG,
            Outcome(
                [
                    ON_THE_TEMPLATE,
                    (
                        over_limit(
                            f"{ENV} 'api'", "4,200", BIGGEST.format(m=", from the template"), MERGED
                        ),
                        API,
                    ),
                ]
            ),
            id="oversized-on-the-template",
        ),
        pytest.param(
            dict.fromkeys(BIG, "s"),
            BIG,
            Outcome([ON_THE_TEMPLATE]),
            id="oversized-on-the-template-overridden-by-the-environment",
        ),
    ],
)
def test_the_budget_counts_the_environments_and_the_templates_properties(
    env_props: dict[str, str], template_props: dict[str, str], expected: Outcome
) -> None:
    template, environment = launched_from_template(
        props_settings(env_props), props_settings(template_props)
    )
    assert check(SIZE, template, environment) == expected


def test_a_template_not_in_the_stack_makes_the_budget_advisory() -> None:
    _, environment = launched_from_template(props_settings({"A": "a" * 98}), [])
    assert check(SIZE, environment) == undecided(
        f"{ENV} 'api': its environment properties take 100 of 4,096 bytes, but its "
        "configuration template 'base' is not in this stack and its properties count too"
    )


KEYS = st.sampled_from([f"K{i}" for i in range(12)])
VALUES = st.integers(min_value=0, max_value=900).map(lambda n: "v" * n)


@settings(max_examples=120, deadline=None)
@given(
    env_props=st.dictionaries(KEYS, VALUES, max_size=8),
    template_props=st.dictionaries(KEYS, VALUES, max_size=8),
)
def test_the_budget_is_judged_on_the_merged_properties(
    env_props: dict[str, str], template_props: dict[str, str]
) -> None:
    """Reference: EB's merge (the environment's value wins), then `key=value` UTF-8 bytes."""
    template, environment = launched_from_template(
        props_settings(env_props), props_settings(template_props)
    )
    outcome = check(SIZE, template, environment)
    merged = {**template_props, **env_props}
    total = sum(len(f"{k}={v}".encode()) for k, v in merged.items())
    template_total = sum(len(f"{k}={v}".encode()) for k, v in template_props.items())
    flagged = {at for _, at in outcome.violations}
    assert (environment.urn in flagged) == (total > 4096)
    assert (template.urn in flagged) == (template_total > 4096)
    for message, at in outcome.violations:
        shown = total if at == environment.urn else template_total
        assert f" take {shown:,} bytes as key=value strings" in message
    assert outcome.undecided is None


# -- settings that cannot be read: the wording fits a preview and a saved state --------------


SETTING_POLICIES = sorted({c.policy for c in CASES} | {SIZE})


@pytest.mark.parametrize("policy", SETTING_POLICIES)
def test_encrypted_environment_settings_in_a_saved_state_say_so(policy: str) -> None:
    template, environment = launched_from_template([], options(GOOD))
    environment.props["settings"] = CIPHERTEXT
    assert check(policy, *BASE, template, environment, raw=True) == undecided(
        f"{ENV} 'api': its option settings {ENCRYPTED}"
    )


@pytest.mark.parametrize("policy", SETTING_POLICIES)
def test_encrypted_template_settings_in_a_saved_state_say_so(policy: str) -> None:
    template, environment = launched_from_template(options(GOOD), [])
    template.props["settings"] = CIPHERTEXT
    expected = f"{ENV} 'api': the option settings of its configuration template 'base' {ENCRYPTED}"
    if policy in {c.policy for c in CASES if c.judges_templates} | {SIZE}:
        expected = f"{TEMPLATE} 'base': its option settings {ENCRYPTED}; {expected}"
    assert check(policy, *BASE, template, environment, raw=True) == undecided(expected)


@pytest.mark.parametrize("policy", SETTING_POLICIES)
def test_unknown_settings_during_a_preview_say_so(policy: str) -> None:
    template, environment = launched_from_template([], options(GOOD))
    environment.props["settings"] = UNKNOWN
    assert check(policy, *BASE, template, environment) == undecided(
        f"{ENV} 'api': its option settings {ARE_NOT_KNOWN}"
    )


UNSET_MESSAGES = {
    "DisableIMDSv1": "{label}: aws:autoscaling:launchconfiguration DisableIMDSv1 is not set (EB "
    "uses 'false'); set it to 'true' so instance credentials need an IMDSv2 session token",
    "DeploymentPolicy": "{label}: aws:elasticbeanstalk:command DeploymentPolicy is not set (EB "
    "uses 'AllAtOnce'): a failed deploy takes every instance down at once; use 'Immutable' or "
    "'RollingWithAdditionalBatch' (or 'Rolling')",
    "SystemType": "{label}: aws:elasticbeanstalk:healthreporting:system SystemType is not set "
    "(EB uses 'basic'); set it to 'enhanced' for instance-level health and health-based "
    "rollouts",
    "ManagedActionsEnabled": "{label}: aws:elasticbeanstalk:managedactions ManagedActionsEnabled "
    "is not set (EB uses 'false'); set it to 'true' (with a PreferredStartTime) so security "
    "patches are applied",
    "MinSize": "{label}: aws:autoscaling:asg MinSize is not set (EB uses 1); run at least 2 "
    "instances so one AZ or instance can fail",
    "ELBScheme": "{label} (role=model): aws:ec2:vpc ELBScheme is not set (EB uses 'public'); the "
    "model server must only be reachable inside the VPC: set ELBScheme to 'internal'",
}
"""Options whose EB default breaks the rule: set on neither resource, the default is judged."""
BAD_DEFAULTS = [c for c in CASES if c.name in UNSET_MESSAGES]


@pytest.mark.parametrize("case", BAD_DEFAULTS, ids=[c.id for c in BAD_DEFAULTS])
def test_an_option_set_on_neither_resource_is_judged_on_ebs_default(case: Case) -> None:
    rest = {key: value for key, value in GOOD.items() if key != (case.namespace, case.name)}
    template, environment = launched_from_template([], options(rest))
    assert check(case.policy, *BASE, template, environment) == fails(
        UNSET_MESSAGES[case.name].format(label=f"{ENV} 'api'"), at=environment.urn
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
