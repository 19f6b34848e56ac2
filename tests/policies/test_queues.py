"""The worker-tier rule eb-worker-no-load-balancer: a worker environment without load balancer
options (its own or its template's) or public ingress (on its groups, by inline or separate
rules, found by dependency during preview), with exact messages; and the three rules the module
exports in pack style. Its worker builders serve test_eb_ssh.py and test_prefix_lists.py.
Mirrors policies/guardrails/queues.py (the SQS rules: test_sqs_queues.py)."""

from __future__ import annotations

from typing import Any

import pytest
from guardrails import queues

from tests.policies.stacks import (
    ENV,
    INGRESS_RULE,
    LEGACY_RULE,
    SG,
    TEMPLATE,
    UNKNOWN,
    setting,
    url,
)
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn


def test_the_module_exports_three_rules_in_pack_style() -> None:
    assert [p.name for p in queues.POLICIES] == [
        "sqs-queue-encrypted",
        "sqs-queue-has-dlq",
        "eb-worker-no-load-balancer",
    ]


# -- eb-worker-no-load-balancer ----------------------------------------------------------------

LAUNCH = "aws:autoscaling:launchconfiguration"
VPC_NS = "aws:ec2:vpc"
ENV_NS = "aws:elasticbeanstalk:environment"
WORKER = urn(ENV, "worker")


def worker_settings(groups: Any = "sg-worker", *extra: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        setting(VPC_NS, "VPCId", "vpc-01"),
        setting(VPC_NS, "Subnets", "subnet-priva,subnet-privb"),
        setting(VPC_NS, "AssociatePublicIpAddress", "false"),
        setting(LAUNCH, "SecurityGroups", groups),
        setting("aws:elasticbeanstalk:sqsd", "WorkerQueueURL", url("jobs")),
        *extra,
    ]


def environment(
    settings: Any,
    tier: Any = "Worker",
    name: str = "worker",
    deps: dict[str, list[Res]] | None = None,
) -> Res:
    props = {"tier": tier, "settings": settings, "tags": {"role": "worker"}}
    return Res(ENV, name, props, deps or {})


def group(name: str = "worker-sg", sid: Any = "sg-worker", **props: Any) -> Res:
    egress = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]
    return Res(SG, name, {"id": sid, "vpcId": "vpc-01", "egress": egress, **props})


def world_ingress(where: str, sources: str) -> Outcome:
    return fails(
        f"{ENV} 'worker' (tier Worker): {where} admits traffic from {sources}; a worker "
        "receives its work from its queue, not the network: remove the rule (use SSM Session "
        "Manager for access)",
        at=WORKER,
    )


def lb_options(options: str) -> Outcome:
    return fails(
        f"{ENV} 'worker' (tier Worker) sets load balancer options: {options}; a worker receives "
        "its work from its queue and needs no load balancer: remove them",
        at=WORKER,
    )


def tcp(port: int, *sources: str, key: str = "cidrBlocks") -> dict[str, Any]:
    return {"protocol": "tcp", "fromPort": port, "toPort": port, key: list(sources)}


CLOSED = group(ingress=[])
PLAIN_WORKER = environment(worker_settings())
WORLD_ANY = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}
PREVIEW_GROUP = group(sid=UNKNOWN, ingress=[WORLD_ANY])
FROM_TEMPLATE = [
    Res(
        TEMPLATE,
        "base",
        {
            "name": "base",
            "application": "app",
            "settings": [setting(ENV_NS, "LoadBalancerType", "network")],
        },
    ),
    Res(
        ENV,
        "worker",
        {"application": "app", "templateName": "base", "tier": "Worker", "settings": []},
    ),
]

WORKER_CASES = [
    pytest.param([CLOSED, PLAIN_WORKER], PASS, id="no-load-balancer-and-no-ingress"),
    pytest.param(
        [group(ingress=[tcp(22, "sg-bastion", key="securityGroups")]), PLAIN_WORKER],
        PASS,
        id="ingress-from-another-group-is-not-public",
    ),
    pytest.param(
        [
            environment(
                [setting(ENV_NS, "LoadBalancerType", "application")], tier="WebServer", name="api"
            )
        ],
        PASS,
        id="a-web-tier-environment-may-have-a-load-balancer",
    ),
    pytest.param(
        [
            CLOSED,
            environment(
                worker_settings(
                    "sg-worker",
                    setting(ENV_NS, "EnvironmentType", "LoadBalanced"),
                    setting(ENV_NS, "LoadBalancerType", "application"),
                    setting("aws:elbv2:listener:443", "Protocol", "HTTPS"),
                    setting(VPC_NS, "ELBScheme", "public"),
                    setting(VPC_NS, "ELBSubnets", "subnet-pub"),
                )
            ),
        ],
        lb_options(
            f"{ENV_NS} LoadBalancerType, aws:elbv2:listener:443 Protocol, aws:ec2:vpc ELBScheme, "
            "aws:ec2:vpc ELBSubnets"
        ),
        id="load-balancer-options-on-a-worker",
    ),
    pytest.param(
        FROM_TEMPLATE,
        lb_options(f"{ENV_NS} LoadBalancerType"),
        id="load-balancer-options-from-the-workers-template",
    ),
    pytest.param(
        [group(ingress=[tcp(443, "0.0.0.0/0")]), PLAIN_WORKER],
        world_ingress(f"{SG} 'worker-sg' ingress[0]", "0.0.0.0/0"),
        id="world-ingress-on-the-workers-group-even-on-https",
    ),
    pytest.param(
        [
            CLOSED,
            Res(
                INGRESS_RULE,
                "open",
                {"securityGroupId": "sg-worker", "ipProtocol": "tcp", "cidrIpv6": "::/0"},
            ),
            PLAIN_WORKER,
        ],
        world_ingress(f"{INGRESS_RULE} 'open'", "::/0"),
        id="world-ingress-from-a-separate-ingress-rule",
    ),
    pytest.param(
        [
            CLOSED,
            Res(
                LEGACY_RULE,
                "open",
                {"type": "ingress", "securityGroupId": "sg-worker"}
                | tcp(22, "10.0.0.0/8", "0.0.0.0/0"),
            ),
            PLAIN_WORKER,
        ],
        world_ingress(f"{LEGACY_RULE} 'open'", "0.0.0.0/0"),
        id="world-ingress-from-a-separate-legacy-rule",
    ),
    pytest.param(
        [
            PREVIEW_GROUP,
            environment(worker_settings(UNKNOWN), deps={"settings": [PREVIEW_GROUP]}),
        ],
        world_ingress(f"{SG} 'worker-sg' ingress[0]", "0.0.0.0/0"),
        id="in-preview-the-workers-group-is-found-by-dependency",
    ),
    pytest.param(
        [environment(worker_settings(UNKNOWN))],
        undecided(f"{ENV} 'worker': its instances' security groups are not known yet"),
        id="unknown-groups-without-a-dependency",
    ),
    pytest.param(
        [group(ingress=[tcp(443, UNKNOWN)]), PLAIN_WORKER],
        undecided(f"{ENV} 'worker': the source of {SG} 'worker-sg' ingress[0] is not known yet"),
        id="an-unknown-source",
    ),
    pytest.param(
        [environment(worker_settings(), tier=UNKNOWN)],
        undecided(f"{ENV} 'worker': its tier is not known yet"),
        id="an-unknown-tier",
    ),
    pytest.param(
        [environment(UNKNOWN)],
        undecided(f"{ENV} 'worker': its option settings are unreadable"),
        id="unreadable-settings",
    ),
    pytest.param(
        [
            CLOSED,
            Res(
                LEGACY_RULE,
                "out",
                {
                    "type": "egress",
                    "securityGroupId": "sg-worker",
                    "protocol": "-1",
                    "cidrBlocks": ["0.0.0.0/0"],
                },
            ),
            PLAIN_WORKER,
        ],
        PASS,
        id="an-egress-legacy-rule-to-the-world-is-fine",
    ),
]


@pytest.mark.parametrize(("stack", "expected"), WORKER_CASES)
def test_a_worker_has_no_load_balancer_or_public_ingress(
    stack: list[Res], expected: Outcome
) -> None:
    assert check("eb-worker-no-load-balancer", *stack) == expected
