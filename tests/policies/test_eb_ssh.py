"""SSH that Elastic Beanstalk opens itself, on the security group it creates for an
environment's instances (no security-group resource shows it): `EC2KeyName` without
`SSHSourceRestriction` opens TCP 22 to 0.0.0.0/0, a world `SSHSourceRestriction` opens what it
says, `DisableDefaultEC2SecurityGroup` true attaches no such group. Caught by
sg-no-world-ingress for every role and by the worker tier's rule
(eb-worker-no-load-balancer); options from configuration templates, unknown, secret and
malformed values. Mirrors policies/guardrails/eb_ssh.py (templates: test_templates.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.messages import ARE_NOT_KNOWN, ENCRYPTED, IS_NOT_KNOWN
from tests.policies.stacks import CIPHERTEXT, ENV, SECRET, TEMPLATE, UNKNOWN, setting
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn
from tests.policies.test_queues import CLOSED, WORKER, worker_settings

LAUNCH = "aws:autoscaling:launchconfiguration"
API = urn(ENV, "api")
KEY = setting(LAUNCH, "EC2KeyName", "ops")
FIX = (
    "only TCP 80 and 443 may be open to the world. Set SSHSourceRestriction to 'tcp, 22, 22, <a "
    "bastion's security group ID or a known CIDR>', or remove EC2KeyName and use SSM Session "
    "Manager"
)
BY_KEY = f"{LAUNCH} EC2KeyName is 'ops' and SSHSourceRestriction is not set"


def restriction(value: Any) -> dict[str, Any]:
    return setting(LAUNCH, "SSHSourceRestriction", value)


def environment(*options: dict[str, Any], role: str = "web", **props: Any) -> Res:
    given = {"application": "app", "settings": list(options), "tags": {"role": role}, **props}
    return Res(ENV, "api", given)


def opens(options: str, what: str = "TCP port(s) 22", source: str = "0.0.0.0/0") -> Outcome:
    return fails(
        f"{ENV} 'api': {options}, so Elastic Beanstalk admits {what} from {source} on the "
        f"security group it creates for the instances; {FIX}",
        at=API,
    )


CASES = [
    pytest.param([environment()], PASS, id="no-key-pair-and-no-restriction"),
    pytest.param([environment(KEY)], opens(BY_KEY), id="a-key-pair-opens-ssh-to-the-world"),
    pytest.param(
        [environment(KEY, restriction(""))], opens(BY_KEY), id="an-empty-restriction-is-unset"
    ),
    pytest.param(
        [environment(KEY, restriction("tcp, 22, 22, sg-0bastion"))],
        PASS,
        id="a-key-pair-with-ssh-from-a-bastion-group",
    ),
    pytest.param(
        [environment(KEY, restriction("tcp,22,22,203.0.113.7/32"))],
        PASS,
        id="a-key-pair-with-ssh-from-one-address",
    ),
    pytest.param(
        [environment(KEY, restriction("tcp, 22, 22, 0.0.0.0/0"))],
        opens(f"{LAUNCH} SSHSourceRestriction is 'tcp, 22, 22, 0.0.0.0/0'"),
        id="a-restriction-to-the-world",
    ),
    pytest.param(
        [environment(restriction("TCP, 2222, 2223, 0:0:0:0:0:0:0:0/0"))],
        opens(
            f"{LAUNCH} SSHSourceRestriction is 'TCP, 2222, 2223, 0:0:0:0:0:0:0:0/0'",
            "TCP port(s) 2222-2223",
            "0:0:0:0:0:0:0:0/0",
        ),
        id="a-world-restriction-without-a-key-pair-in-another-spelling",
    ),
    pytest.param(
        [environment(restriction("tcp, 443, 443, 0.0.0.0/0"))],
        PASS,
        id="https-from-the-world-is-allowed-as-anywhere",
    ),
    pytest.param(
        [environment(KEY, setting(LAUNCH, "DisableDefaultEC2SecurityGroup", "true"))],
        PASS,
        id="no-default-group-no-ssh-rule",
    ),
    pytest.param(
        [environment(KEY, setting(LAUNCH, "DisableDefaultEC2SecurityGroup", UNKNOWN))],
        undecided(
            f"{ENV} 'api': {BY_KEY}, and {LAUNCH} DisableDefaultEC2SecurityGroup {IS_NOT_KNOWN}"
        ),
        id="whether-eb-creates-its-group-not-known-yet",
    ),
    pytest.param(
        [environment(setting(LAUNCH, "EC2KeyName", UNKNOWN))],
        undecided(f"{ENV} 'api': {LAUNCH} EC2KeyName {IS_NOT_KNOWN}"),
        id="a-key-pair-not-known-yet",
    ),
    pytest.param(
        [environment(KEY, restriction(UNKNOWN))],
        undecided(f"{ENV} 'api': {LAUNCH} SSHSourceRestriction {IS_NOT_KNOWN}"),
        id="a-restriction-not-known-yet",
    ),
    pytest.param(
        [environment(KEY, restriction("22 from anywhere"))],
        undecided(
            f"{ENV} 'api': {LAUNCH} SSHSourceRestriction is '22 from anywhere', not in EB's form "
            "'protocol, fromPort, toPort, source', so what it opens cannot be judged"
        ),
        id="a-restriction-eb-cannot-parse",
    ),
    pytest.param(
        [environment(settings={**SECRET, "value": [KEY]})],
        opens(BY_KEY),
        id="secret-wrapped-settings",
    ),
    pytest.param(
        [environment(settings=UNKNOWN)],
        undecided(f"{ENV} 'api': its option settings {ARE_NOT_KNOWN}"),
        id="settings-not-known-yet",
    ),
    *[
        pytest.param([environment(KEY, role=role)], opens(BY_KEY), id=f"role-{role}")
        for role in ("model", "worker", "")
    ],
]


@pytest.mark.parametrize(("stack", "expected"), CASES)
def test_ssh_that_eb_opens_is_judged_like_any_ingress(stack: list[Res], expected: Outcome) -> None:
    assert check("sg-no-world-ingress", *stack) == expected


def template(*options: dict[str, Any]) -> Res:
    return Res(TEMPLATE, "base", {"name": "base", "application": "app", "settings": list(options)})


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param(
            [template(KEY), environment(templateName="base")],
            opens(
                f"{LAUNCH} EC2KeyName is 'ops' (set by its configuration template 'base') and "
                "SSHSourceRestriction is not set"
            ),
            id="a-key-pair-from-the-template",
        ),
        pytest.param(
            [
                template(KEY),
                environment(restriction("tcp, 22, 22, sg-0bastion"), templateName="base"),
            ],
            PASS,
            id="the-environment-restricts-the-templates-key-pair",
        ),
        pytest.param([template(KEY)], PASS, id="a-template-alone-opens-nothing"),
        pytest.param(
            [environment(KEY, templateName="shared")],
            undecided(
                f"{ENV} 'api': {LAUNCH} EC2KeyName is 'ops', SSHSourceRestriction is not set on "
                "the environment and its configuration template 'shared' is not in this stack"
            ),
            id="a-restriction-may-come-from-a-template-outside-the-stack",
        ),
        pytest.param(
            [environment(templateName="shared")],
            undecided(
                f"{ENV} 'api': {LAUNCH} EC2KeyName is not set on the environment and its "
                "configuration template 'shared' is not in this stack"
            ),
            id="a-key-pair-may-come-from-a-template-outside-the-stack",
        ),
    ],
)
def test_options_from_configuration_templates(stack: list[Res], expected: Outcome) -> None:
    assert check("sg-no-world-ingress", *stack) == expected


def test_encrypted_settings_in_a_saved_state_say_so() -> None:
    assert check("sg-no-world-ingress", environment(settings=CIPHERTEXT), raw=True) == undecided(
        f"{ENV} 'api': its option settings {ENCRYPTED}"
    )


# -- the worker tier: no SSH from the world, whatever the port -------------------------------


def worker(*options: dict[str, Any]) -> Res:
    props = {"tier": "Worker", "settings": worker_settings("sg-worker", *options)}
    return Res(ENV, "worker", {**props, "tags": {"role": "worker"}})


def worker_opens(options: str, what: str = "TCP port(s) 22") -> Outcome:
    return fails(
        f"{ENV} 'worker' (tier Worker): {options}, so Elastic Beanstalk admits {what} from "
        "0.0.0.0/0 on the security group it creates for the instances; a worker receives its "
        "work from its queue, not the network: remove EC2KeyName and SSHSourceRestriction (use "
        "SSM Session Manager for access)",
        at=WORKER,
    )


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param([CLOSED, worker()], PASS, id="no-key-pair"),
        pytest.param([CLOSED, worker(KEY)], worker_opens(BY_KEY), id="a-key-pair"),
        pytest.param(
            [CLOSED, worker(restriction("tcp, 443, 443, 0.0.0.0/0"))],
            worker_opens(
                f"{LAUNCH} SSHSourceRestriction is 'tcp, 443, 443, 0.0.0.0/0'", "TCP port(s) 443"
            ),
            id="even-https-from-the-world",
        ),
        pytest.param(
            [CLOSED, worker(KEY, restriction("tcp, 22, 22, sg-0bastion"))],
            PASS,
            id="ssh-from-a-bastion",
        ),
        pytest.param(
            [CLOSED, worker(setting(LAUNCH, "EC2KeyName", UNKNOWN))],
            undecided(f"{ENV} 'worker': {LAUNCH} EC2KeyName {IS_NOT_KNOWN}"),
            id="a-key-pair-not-known-yet",
        ),
    ],
)
def test_a_workers_own_group_admits_no_ssh_from_the_world(
    stack: list[Res], expected: Outcome
) -> None:
    assert check("eb-worker-no-load-balancer", *stack) == expected
