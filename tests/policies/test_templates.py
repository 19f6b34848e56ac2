"""Every rule that reads EB option settings judges an environment's merged settings.

An environment launched from a configuration template (`templateName`) runs with the template's
option settings for every option it does not set itself. The class is generated: for each
setting-based rule, the violating value placed (a) on the environment, (b) only on the template,
(c) on the template but overridden by a good value on the environment; an option set on neither
is judged on EB's default, or advisory when the template is not in the stack; settings that
cannot be read say why, in a preview and in a saved state. Mirrors
policies/guardrails/templates.py (the 4 KB budget: test_template_budget.py; which template is
an environment's: test_template_lookup.py).
"""

from __future__ import annotations

import pytest

from tests.policies.messages import ARE_NOT_KNOWN, ENCRYPTED
from tests.policies.stacks import BASE, CIPHERTEXT, ENV, TEMPLATE, UNKNOWN, setting
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided
from tests.policies.template_cases import (
    CASES,
    FROM_TEMPLATE,
    GOOD,
    SIZE,
    Case,
    launched_from_template,
    options,
)


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
