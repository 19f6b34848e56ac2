"""policies/guardrails/queues.py through pulumi-policy's own argument types (as test_beanstalk):
SQS encryption, a dead-letter queue per queue, and a worker environment without a load balancer
or public ingress. Passing and violating cases with exact messages, in preview and export shapes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from guardrails import queues

from components.queue import WorkQueueArgs
from tests.policies import support as policy_support
from tests.policies.support import (
    SECRET,
    UNKNOWN,
    Res,
    check_resource,
    check_stack,
    passes,
    setting,
)
from tests.test_queue_component import build as build_work_queue

QUEUE = "aws:sqs/queue:Queue"
REDRIVE = "aws:sqs/redrivePolicy:RedrivePolicy"
ENV = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
ACCOUNT = "123456789012"


@pytest.fixture(autouse=True)
def _queue_rules_in_the_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """The module's rules, looked up by name as the pack's are (until __init__ lists them)."""
    for policy in queues.POLICIES:
        monkeypatch.setitem(policy_support.BY_NAME, policy.name, policy)


def test_the_module_exports_three_rules_in_pack_style() -> None:
    assert [p.name for p in queues.POLICIES] == [
        "sqs-queue-encrypted",
        "sqs-queue-has-dlq",
        "eb-worker-no-load-balancer",
    ]


# -- sqs-queue-encrypted ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "props",
    [
        {"sqsManagedSseEnabled": True},
        {"sqsManagedSseEnabled": False, "kmsMasterKeyId": "alias/aws/sqs"},
        {"kmsMasterKeyId": f"arn:aws:kms:ap-northeast-2:{ACCOUNT}:key/1234abcd"},
        {"kmsMasterKeyId": UNKNOWN},  # a key created in the same stack, during preview
        {"sqsManagedSseEnabled": {**SECRET, "value": True}},
    ],
)
def test_encrypted_queues_pass(props: dict[str, Any]) -> None:
    passes(check_resource("sqs-queue-encrypted", QUEUE, props, "jobs"))


@pytest.mark.parametrize(
    ("props", "shown"),
    [
        ({}, "not set"),
        ({"sqsManagedSseEnabled": False}, "false"),
        ({"sqsManagedSseEnabled": False, "kmsMasterKeyId": ""}, "false"),
    ],
)
def test_unencrypted_queues_fail(props: dict[str, Any], shown: str) -> None:
    outcome = check_resource("sqs-queue-encrypted", QUEUE, props, "jobs")
    assert outcome.violations == [
        (
            f"{QUEUE} 'jobs': sqsManagedSseEnabled is {shown} and kmsMasterKeyId is not set, so "
            "messages are not encrypted at rest by this configuration; set sqsManagedSseEnabled "
            "to true (SSE-SQS) or kmsMasterKeyId to a KMS key (SSE-KMS)",
            None,
        )
    ]
    assert outcome.undecided is None


_SSE_VALUES = [True, False, None, {**SECRET, "value": True}, {**SECRET, "value": False}]
_KMS_VALUES = [None, "", "alias/aws/sqs", UNKNOWN]


@pytest.mark.parametrize("sse", _SSE_VALUES)
@pytest.mark.parametrize("kms", _KMS_VALUES)
def test_encryption_verdict_for_every_combination(sse: Any, kms: Any) -> None:
    props = {
        k: v for k, v in (("sqsManagedSseEnabled", sse), ("kmsMasterKeyId", kms)) if v is not None
    }
    sse_on = sse is True or (isinstance(sse, dict) and sse["value"] is True)
    kms_set = kms not in (None, "")
    outcome = check_resource("sqs-queue-encrypted", QUEUE, props, "jobs")
    assert outcome.undecided is None
    assert (outcome.violations == []) is (sse_on or kms_set)


def test_unknown_encryption_cannot_be_checked() -> None:
    outcome = check_resource("sqs-queue-encrypted", QUEUE, {"sqsManagedSseEnabled": UNKNOWN}, "q")
    assert outcome.violations == []
    assert outcome.undecided == f"{QUEUE} 'q': sqsManagedSseEnabled is not known yet"


def test_other_types_are_not_judged() -> None:
    passes(check_resource("sqs-queue-encrypted", "aws:sns/topic:Topic", {}, "t"))


# -- sqs-queue-has-dlq -----------------------------------------------------------------------


def arn(name: str) -> str:
    return f"arn:aws:sqs:ap-northeast-2:{ACCOUNT}:{name}"


def url(name: str) -> str:
    return f"https://sqs.ap-northeast-2.amazonaws.com/{ACCOUNT}/{name}"


def queue(name: str, **props: Any) -> Res:
    """A queue as a stack export shows it (ARN and URL known)."""
    return Res(QUEUE, name, {"arn": arn(name), "url": url(name), "id": url(name), **props})


def redrive(target: str, receives: int = 5) -> str:
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": receives})


NO_DLQ_FIX = (
    "a message that always fails is received again and again until it expires; create a "
    'dead-letter queue and set redrivePolicy to {"deadLetterTargetArn": <its ARN>, '
    '"maxReceiveCount": <receives>}'
)


def dlq_rule(resources: list[Res]) -> policy_support.Outcome:
    return check_stack("sqs-queue-has-dlq", resources)


def test_queue_with_a_redrive_policy_passes_and_its_dlq_is_exempt_by_arn() -> None:
    dlq = queue("jobs-dlq")
    passes(dlq_rule([queue("jobs", redrivePolicy=redrive(arn("jobs-dlq"))), dlq]))


def test_in_preview_the_dlq_is_recognised_by_the_redrive_policys_dependency() -> None:
    dlq = Res(QUEUE, "jobs-dlq", {"arn": UNKNOWN, "url": UNKNOWN, "id": UNKNOWN})
    main = Res(QUEUE, "jobs", {"redrivePolicy": UNKNOWN}, {"redrivePolicy": [dlq]})
    passes(dlq_rule([main, dlq]))


def test_a_separate_redrive_policy_resource_counts_by_url() -> None:
    main, dlq = queue("jobs"), queue("jobs-dlq")
    attached = Res(
        REDRIVE,
        "jobs-redrive",
        {"queueUrl": url("jobs"), "redrivePolicy": redrive(arn("jobs-dlq"))},
    )
    passes(dlq_rule([main, dlq, attached]))


def test_a_separate_redrive_policy_resource_counts_by_dependency_in_preview() -> None:
    main = Res(QUEUE, "jobs", {"url": UNKNOWN, "arn": UNKNOWN})
    dlq = Res(QUEUE, "jobs-dlq", {"url": UNKNOWN, "arn": UNKNOWN})
    attached = Res(
        REDRIVE,
        "jobs-redrive",
        {"queueUrl": UNKNOWN, "redrivePolicy": UNKNOWN},
        {"queueUrl": [main], "redrivePolicy": [dlq]},
    )
    passes(dlq_rule([main, dlq, attached]))


def test_a_dlq_outside_the_stack_counts() -> None:
    other = "arn:aws:sqs:ap-northeast-2:210987654321:shared-dlq"
    passes(dlq_rule([queue("jobs", redrivePolicy=redrive(other))]))


def test_a_queue_without_a_redrive_policy_fails() -> None:
    lone = queue("jobs")
    assert dlq_rule([lone]).violations == [
        (f"{QUEUE} 'jobs': redrivePolicy is not set; {NO_DLQ_FIX}", lone.urn)
    ]


def test_queues_that_refer_to_no_dlq_each_fail_and_none_is_exempt() -> None:
    first, second = queue("a"), queue("b", redrivePolicy="")
    assert dlq_rule([first, second]).messages == [
        f"{QUEUE} 'a': redrivePolicy is not set; {NO_DLQ_FIX}",
        f"{QUEUE} 'b': redrivePolicy is not set; {NO_DLQ_FIX}",
    ]


def test_a_redrive_allow_policy_does_not_make_a_queue_a_dlq() -> None:
    # The DLQ side of the relation (who may use me) is not a DLQ by itself.
    allow = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn("jobs")]})
    lone = queue("maybe-dlq", redriveAllowPolicy=allow)
    assert dlq_rule([lone]).messages == [
        f"{QUEUE} 'maybe-dlq': redrivePolicy is not set; {NO_DLQ_FIX}"
    ]


@pytest.mark.parametrize(
    ("policy", "why"),
    [
        (
            '{"maxReceiveCount": 3}',
            "redrivePolicy '{\"maxReceiveCount\": 3}' has no deadLetterTargetArn",
        ),
        (
            '{"deadLetterTargetArn": "", "maxReceiveCount": 3}',
            'redrivePolicy \'{"deadLetterTargetArn": "", "maxReceiveCount": 3}\' has no '
            "deadLetterTargetArn",
        ),
        ("dlq please", "redrivePolicy is not JSON: 'dlq please'"),
    ],
)
def test_a_redrive_policy_without_a_target_fails(policy: str, why: str) -> None:
    broken = queue("jobs", redrivePolicy=policy)
    assert dlq_rule([broken]).violations == [(f"{QUEUE} 'jobs': {why}; {NO_DLQ_FIX}", broken.urn)]


def test_an_unknown_redrive_policy_without_a_queue_dependency_cannot_be_checked() -> None:
    outcome = dlq_rule([Res(QUEUE, "jobs", {"redrivePolicy": UNKNOWN})])
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{QUEUE} 'jobs': its redrivePolicy is not known yet and refers to no queue of this stack"
    )


def test_the_work_queue_component_satisfies_both_sqs_rules() -> None:
    """The real component's queues with the state AWS gives them (a stack export's shape)."""
    aws, _ = build_work_queue(
        WorkQueueArgs(
            autoscaling_group_name="asg",
            max_receive_count=5,
            visibility_timeout_seconds=330,
            processing_timeout_seconds=300,
            scale_out_backlog=50,
            scale_in_backlog=0,
        )
    )
    queues_ = [Res(QUEUE, r.name, dict(r.state)) for r in aws.of_type(QUEUE)]
    assert sorted(q.name for q in queues_) == ["jobs", "jobs-dlq"]
    for q in queues_:
        passes(check_resource("sqs-queue-encrypted", QUEUE, q.props, q.name))
    passes(dlq_rule(queues_))
    main = next(q for q in queues_ if q.name == "jobs")
    del main.props["redrivePolicy"]
    assert sorted(dlq_rule(queues_).messages) == [
        f"{QUEUE} 'jobs': redrivePolicy is not set; {NO_DLQ_FIX}",
        f"{QUEUE} 'jobs-dlq': redrivePolicy is not set; {NO_DLQ_FIX}",
    ]


# -- eb-worker-no-load-balancer ----------------------------------------------------------------

LAUNCH = "aws:autoscaling:launchconfiguration"
VPC_NS = "aws:ec2:vpc"
ENV_NS = "aws:elasticbeanstalk:environment"


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


def worker_rule(resources: list[Res]) -> policy_support.Outcome:
    return check_stack("eb-worker-no-load-balancer", resources)


def test_a_worker_without_load_balancer_or_ingress_passes() -> None:
    passes(worker_rule([group(ingress=[]), environment(worker_settings())]))


def test_ingress_from_another_group_is_not_public() -> None:
    rule = {"protocol": "tcp", "fromPort": 22, "toPort": 22, "securityGroups": ["sg-bastion"]}
    passes(worker_rule([group(ingress=[rule]), environment(worker_settings())]))


def test_a_web_tier_environment_may_have_a_load_balancer() -> None:
    web = environment(
        [setting(ENV_NS, "LoadBalancerType", "application")], tier="WebServer", name="api"
    )
    passes(worker_rule([web]))


def test_load_balancer_options_on_a_worker_fail() -> None:
    env = environment(
        worker_settings(
            "sg-worker",
            setting(ENV_NS, "EnvironmentType", "LoadBalanced"),
            setting(ENV_NS, "LoadBalancerType", "application"),
            setting("aws:elbv2:listener:443", "Protocol", "HTTPS"),
            setting(VPC_NS, "ELBScheme", "public"),
            setting(VPC_NS, "ELBSubnets", "subnet-pub"),
        )
    )
    assert worker_rule([group(ingress=[]), env]).violations == [
        (
            f"{ENV} 'worker' (tier Worker) sets load balancer options: {ENV_NS} "
            "LoadBalancerType, aws:elbv2:listener:443 Protocol, aws:ec2:vpc ELBScheme, "
            "aws:ec2:vpc ELBSubnets; a worker receives its work from its queue and needs no "
            "load balancer: remove them",
            env.urn,
        )
    ]


def test_load_balancer_options_from_the_workers_template_fail() -> None:
    template = Res(
        TEMPLATE,
        "base",
        {
            "name": "base",
            "application": "app",
            "settings": [setting(ENV_NS, "LoadBalancerType", "network")],
        },
    )
    env = Res(
        ENV,
        "worker",
        {"application": "app", "templateName": "base", "tier": "Worker", "settings": []},
    )
    assert worker_rule([template, env]).messages == [
        f"{ENV} 'worker' (tier Worker) sets load balancer options: {ENV_NS} LoadBalancerType; "
        "a worker receives its work from its queue and needs no load balancer: remove them"
    ]


def public_message(where: str, sources: str) -> str:
    return (
        f"{ENV} 'worker' (tier Worker): {where} admits traffic from {sources}; a worker "
        "receives its work from its queue, not the network: remove the rule (use SSM Session "
        "Manager for access)"
    )


def test_world_ingress_on_the_workers_group_fails_even_on_https() -> None:
    rule = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}
    env = environment(worker_settings())
    assert worker_rule([group(ingress=[rule]), env]).violations == [
        (public_message(f"{SG} 'worker-sg' ingress[0]", "0.0.0.0/0"), env.urn)
    ]


@pytest.mark.parametrize(
    ("rule_type", "props", "sources"),
    [
        (
            INGRESS_RULE,
            {"securityGroupId": "sg-worker", "ipProtocol": "tcp", "cidrIpv6": "::/0"},
            "::/0",
        ),
        (
            LEGACY_RULE,
            {
                "type": "ingress",
                "securityGroupId": "sg-worker",
                "protocol": "tcp",
                "fromPort": 22,
                "toPort": 22,
                "cidrBlocks": ["10.0.0.0/8", "0.0.0.0/0"],
            },
            "0.0.0.0/0",
        ),
    ],
)
def test_world_ingress_from_a_separate_rule_fails(
    rule_type: str, props: dict[str, Any], sources: str
) -> None:
    rule = Res(rule_type, "open", props)
    env = environment(worker_settings())
    assert worker_rule([group(ingress=[]), rule, env]).messages == [
        public_message(f"{rule_type} 'open'", sources)
    ]


def test_an_egress_legacy_rule_to_the_world_is_fine() -> None:
    rule = Res(
        LEGACY_RULE,
        "out",
        {
            "type": "egress",
            "securityGroupId": "sg-worker",
            "protocol": "-1",
            "cidrBlocks": ["0.0.0.0/0"],
        },
    )
    passes(worker_rule([group(ingress=[]), rule, environment(worker_settings())]))


def test_in_preview_the_workers_group_is_found_by_dependency() -> None:
    rule = {"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}
    sg = group(sid=UNKNOWN, ingress=[rule])
    env = environment(worker_settings(UNKNOWN), deps={"settings": [sg]})
    assert worker_rule([sg, env]).messages == [
        public_message(f"{SG} 'worker-sg' ingress[0]", "0.0.0.0/0")
    ]


def test_unknown_groups_without_a_dependency_cannot_be_checked() -> None:
    outcome = worker_rule([environment(worker_settings(UNKNOWN))])
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'worker': its instances' security groups are not known yet"
    )


def test_an_unknown_source_cannot_be_checked() -> None:
    rule = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": [UNKNOWN]}
    outcome = worker_rule([group(ingress=[rule]), environment(worker_settings())])
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'worker': the source of {SG} 'worker-sg' ingress[0] is not known yet"
    )


def test_an_unknown_tier_cannot_be_checked() -> None:
    outcome = worker_rule([environment(worker_settings(), tier=UNKNOWN)])
    assert outcome.undecided == f"{ENV} 'worker': its tier is not known yet"


def test_a_worker_with_unreadable_settings_cannot_be_checked() -> None:
    outcome = worker_rule([environment(UNKNOWN)])
    assert outcome.undecided == f"{ENV} 'worker': its option settings are unreadable"
