"""The pack's rules that relate many resources to many stay linear, each counted alone.

Counted, not timed, as tests/preflight/test_analyze_scaling.py counts the whole pack: cProfile's
total call count of one policy on a stack of `SMALL` and of `LARGE` copies of a few resources
must grow about as the copies do, never with their square. A whole-pack count dilutes one rule
among forty: the S3 rules once grew sixteenfold on four times the copies of the prod stack
(every bucket re-judged every companion that named the same bucket) while the whole pack's
count grew 4.35-fold and passed. Each case is a shape where one rule once did that.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from typing import Any

import pytest
from pricing import Record, estimate_stack, usage_for

from tests.policies.cost_support import REGION
from tests.policies.support import PASS, Outcome, Res, check

SMALL, LARGE = 100, 400
LINEAR = 4.6
"""Growth allowed for 4x the copies: linear is <= 4; a rule that pairs every copy with every
other grows about 16x."""

BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
QUEUE = "aws:sqs/queue:Queue"
REDRIVE = "aws:sqs/redrivePolicy:RedrivePolicy"
VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ENV = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _calls(run: Callable[..., Any], *args: Any) -> tuple[int, Any]:
    """(calls made by `run(*args)`, its result)."""
    profile = cProfile.Profile()
    profile.enable()
    result = run(*args)
    profile.disable()
    return pstats.Stats(profile).total_calls, result  # type: ignore[attr-defined]


def buckets_sharing_a_name(copies: int) -> tuple[Res, ...]:
    """Copies of one bucket and its three companions, all naming the same bucket (as copies of
    a stack exported under several names do): every bucket has every copy's companions."""
    stack: list[Res] = []
    for index in range(copies):
        name = "assets-1a2b3c4"
        stack.append(Res(BUCKET, f"assets{index}", {"id": name, "bucket": name}))
        flags = dict.fromkeys(
            ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"),
            True,
        )
        stack.append(Res(BLOCK, f"assets{index}-block", {"bucket": name, **flags}))
        rules = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
        stack.append(Res(SSE, f"assets{index}-sse", {"bucket": name, "rules": rules}))
        enabled = {"status": "Enabled"}
        stack.append(
            Res(
                VERSIONING,
                f"assets{index}-ver",
                {"bucket": name, "versioningConfiguration": enabled},
            )
        )
    return tuple(stack)


def queues_with_dead_letters(copies: int) -> tuple[Res, ...]:
    """Per copy a queue, its DLQ, and a RedrivePolicy resource attached to the queue by URL."""
    stack: list[Res] = []
    for index in range(copies):
        arn = f"arn:aws:sqs:eu-west-1:123456789012:dlq{index}"
        dlq = Res(QUEUE, f"dlq{index}", {"arn": arn, "url": f"https://sqs/dlq{index}"})
        queue = Res(QUEUE, f"work{index}", {"arn": f"{arn}-work", "url": f"https://sqs/w{index}"})
        policy = f'{{"deadLetterTargetArn": "{arn}", "maxReceiveCount": 5}}'
        attached = Res(
            REDRIVE,
            f"redrive{index}",
            {"queueUrl": f"https://sqs/w{index}", "redrivePolicy": policy},
        )
        stack.extend((dlq, queue, attached))
    return tuple(stack)


def vpcs_with_flow_logs(copies: int) -> tuple[Res, ...]:
    """Per copy a VPC and the flow log that records it."""
    stack: list[Res] = []
    for index in range(copies):
        stack.append(Res(VPC, f"vpc{index}", {"id": f"vpc-{index:x}"}))
        stack.append(Res(FLOW_LOG, f"log{index}", {"vpcId": f"vpc-{index:x}"}))
    return tuple(stack)


def workers_sharing_a_group(copies: int) -> tuple[Res, ...]:
    """Per copy a worker environment, its instances' security group and an ingress rule from a
    bastion's group, the groups sharing one ID (copies of a stack sharing AWS IDs): every
    worker's group has every copy's rule."""
    stack: list[Res] = []
    launch = "aws:autoscaling:launchconfiguration"
    for index in range(copies):
        group = Res(SECURITY_GROUP, f"worker{index}", {"id": "sg-worker", "ingress": []})
        rule = {"securityGroupId": "sg-worker", "ipProtocol": "tcp", "fromPort": 22}
        rule.update(toPort=22, referencedSecurityGroupId="sg-bastion")
        settings = [{"namespace": launch, "name": "SecurityGroups", "value": "sg-worker"}]
        stack.append(group)
        stack.append(Res(INGRESS_RULE, f"ssh{index}", rule))
        stack.append(Res(ENV, f"worker{index}", {"tier": "Worker", "settings": settings}))
    return tuple(stack)


CASES: dict[str, tuple[list[str], Callable[[int], tuple[Res, ...]]]] = {
    "S3 companions naming a shared bucket": (
        ["s3-bucket-private", "s3-bucket-encrypted", "s3-bucket-versioned"],
        buckets_sharing_a_name,
    ),
    "queues, their DLQs and attached redrive policies": (
        ["sqs-queue-has-dlq"],
        queues_with_dead_letters,
    ),
    "VPCs and their flow logs": (["vpc-flow-logs-enabled"], vpcs_with_flow_logs),
    "workers sharing a security group ID": (
        ["eb-worker-no-load-balancer", "sg-no-world-ingress"],
        workers_sharing_a_group,
    ),
}


def _check_all(policies: list[str], stack: tuple[Res, ...]) -> list[Outcome]:
    return [check(policy, *stack) for policy in policies]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_rule_relating_many_to_many_stays_linear(case: str) -> None:
    policies, build = CASES[case]
    counts = []
    for copies in (SMALL, LARGE):
        stack = build(copies)
        calls, outcomes = _calls(_check_all, policies, stack)
        assert outcomes == [PASS] * len(policies)
        counts.append(calls)
    growth = counts[1] / counts[0]
    assert growth <= LINEAR, f"{case}: {counts[0]} -> {counts[1]} calls ({growth:.1f}x)"


def test_shared_bucket_faults_name_the_first_companion() -> None:
    """The shared verdict keeps the message of the bucket's first companion: its own by
    dependency, else the first in the stack naming it."""
    stack = list(buckets_sharing_a_name(3))
    stack[1] = Res(BLOCK, "assets0-block", {**stack[1].props, "blockPublicPolicy": False})
    stack[5] = Res(BLOCK, "assets1-block", {**stack[5].props, "ignorePublicAcls": False})
    stack[9] = Res(BLOCK, "assets2-block", {**stack[9].props, "ignorePublicAcls": False})
    found = check("s3-bucket-private", *stack)
    fault = (
        "its public access block 'assets0-block' leaves blockPublicPolicy off; set all four of "
        "blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets true"
    )
    assert found == Outcome(
        [(f"{BUCKET} 'assets{i}': {fault}", stack[4 * i].urn) for i in range(3)]
    )
    stack[9] = Res(BLOCK, "assets2-block", {**stack[9].props, "ignorePublicAcls": True})
    assert check("s3-bucket-private", *stack) == PASS  # one right companion is enough


def flow_logs_by_arn(copies: int) -> list[Record]:
    """Per copy a log group and the flow log writing to it, named by ARN."""
    records: list[Record] = []
    for index in range(copies):
        arn = f"arn:aws:logs:{REGION}:123456789012:log-group:flow{index}"
        records.append(Record(f"urn:g{index}", LOG_GROUP, {"arn": arn}))
        records.append(Record(f"urn:f{index}", FLOW_LOG, {"logDestination": f"{arn}:*"}))
    return records


def environments_with_templates(copies: int) -> list[Record]:
    """Per copy an environment launched from its own configuration template, named by name."""
    records: list[Record] = []
    settings = [{"namespace": "aws:ec2:instances", "name": "InstanceTypes", "value": "t3.micro"}]
    for index in range(copies):
        template = {"name": f"t{index}", "settings": settings}
        records.append(Record(f"urn:t{index}", TEMPLATE, template))
        records.append(Record(f"urn:e{index}", ENV, {"templateName": f"t{index}", "settings": []}))
    return records


@pytest.mark.parametrize("build", [flow_logs_by_arn, environments_with_templates])
def test_pricing_relates_resources_linearly(build: Callable[[int], list[Record]]) -> None:
    counts = []
    for copies in (SMALL, LARGE):
        calls, found = _calls(estimate_stack, build(copies), REGION, usage_for(None))
        counts.append(calls)
        priced = {r.urn: " ".join(item.what for item in r.items) for r in found.resources}
        assert not any(urn.startswith("urn:g") for urn in priced)  # paid as the flow log's
        environments = [what for urn, what in priced.items() if urn.startswith("urn:e")]
        assert all("t3.micro" in what for what in environments)  # from its template
        assert len(environments) == (copies if build is environments_with_templates else 0)
    growth = counts[1] / counts[0]
    assert growth <= LINEAR, f"{build.__name__}: {counts[0]} -> {counts[1]} calls ({growth:.1f}x)"
