"""The pack on the stacks the program really builds: clean as built, each broken variant caught.

Each stack is simulated once (`preflight.simulate.run.simulate`) and evaluated with the pack and its
stage config through `preflight.analysis.evaluate`, which drives pulumi-policy's own analyzer
entry points. A variant changes the smallest thing that breaks one guarantee, and must produce
exactly the mandatory violations that guarantee names: policy AND resource.

Here the stacks as built, and every variant that breaks an always-mandatory guarantee (the
worker tier's on prod, which runs one); the rules whose level follows the stage are in
test_pack_on_stages.py, a configuration template in test_pack_on_templates.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from preflight.export.state import State, StateResource
from tests.program.support_pack import (
    ENV,
    ENV_PROPS,
    ENV_SETTINGS,
    LAUNCH,
    RDS,
    STAGES,
    VPC,
    added,
    advisory,
    env,
    launched_from_template,
    mandatory,
    new_resource,
    one,
    one_setting,
    removed,
    replaced,
    role_in_public_subnets,
    run,
    setting_value,
    subnets,
    with_props,
)

# -- the program as built --------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_the_program_as_built_has_no_mandatory_violation(pack, states, stage: str) -> None:
    report = run(pack, states[stage], stage)
    assert report.mandatory == []
    assert report.passed


def test_dev_relaxations_are_reported_as_advisory_only(pack, states) -> None:
    state = states["dev"]
    report = run(pack, state, "dev")
    db = one(state, RDS).name
    assert {("rds-multi-az", db), ("rds-deletion-protection", db)} <= advisory(report)
    assert {v.level for v in report.violations} == {"advisory"}


def test_prod_as_built_has_no_advisory_either(pack, states) -> None:
    assert run(pack, states["prod"], "prod").violations == []


def test_dev_advisories_are_exactly_its_deliberate_relaxations(pack, states) -> None:
    report = run(pack, states["dev"], "dev")
    assert sorted({v.policy for v in report.violations}) == [
        "eb-deployment-policy-safe",
        "eb-multi-az-capacity",
        "rds-backup-retention",
        "rds-deletion-protection",
        "rds-final-snapshot",
        "rds-multi-az",
    ]


# -- variants that break one always-mandatory guarantee ----------------------------------------


def instances_in_public_subnets(state: State) -> tuple[State, set[tuple[str, str]]]:
    return role_in_public_subnets(state, "web")


def private_route_table_to_the_igw(state: State) -> tuple[State, set[tuple[str, str]]]:
    (private_a, *_) = sorted(subnets(state, "private"), key=lambda s: s.name)
    assoc = next(
        r
        for r in state.resources
        if r.type == "aws:ec2/routeTableAssociation:RouteTableAssociation"
        and r.properties["subnetId"] == private_a.properties["id"]
    )
    igw = one(state, "aws:ec2/internetGateway:InternetGateway")
    route = new_resource(
        state,
        "aws:ec2/route:Route",
        "sneaky-internet",
        routeTableId=assoc.properties["routeTableId"],
        destinationCidrBlock="0.0.0.0/0",
        gatewayId=igw.properties["id"],
    )
    web, model = env(state, "web"), env(state, "model")
    # Both tiers run instances there, and the model's internal ALB sits there too.
    assert private_a.properties["id"] in setting_value(model, VPC, "ELBSubnets")
    expected = {
        ("eb-instances-in-private-subnets", web.name),
        ("eb-instances-in-private-subnets", model.name),
        ("eb-model-environment-internal", model.name),
    }
    # prod's worker instances run in the same private subnets: the rule covers that tier too
    workers = [r for r in state.resources if r.type == ENV and r.properties["tier"] == "Worker"]
    expected |= {("eb-instances-in-private-subnets", worker.name) for worker in workers}
    return added(state, route), expected


def properties_of_4200_bytes(state: State) -> tuple[State, set[tuple[str, str]]]:
    used = sum(
        len(f"{s['name']}={s['value']}".encode())
        for s in env(state, "web").properties["settings"]
        if s["namespace"] == ENV_PROPS
    )
    padding = "x" * (4200 - used - len(b"PADDING="))
    return one_setting(state, "web", ENV_PROPS, "PADDING", padding, "eb-env-properties-size-limit")


def public_rds(state: State) -> tuple[State, set[tuple[str, str]]]:
    db = one(state, RDS)
    broken = with_props(db, publiclyAccessible=True)
    return replaced(state, db, broken), {("rds-not-publicly-accessible", db.name)}


def unencrypted_rds(state: State) -> tuple[State, set[tuple[str, str]]]:
    db = one(state, RDS)
    broken = with_props(db, storageEncrypted=False)
    return replaced(state, db, broken), {("rds-storage-encrypted", db.name)}


def world_open_ssh(state: State) -> tuple[State, set[tuple[str, str]]]:
    web_sg = one(state, "aws:ec2/securityGroup:SecurityGroup", "web-instances")
    rule = new_resource(
        state,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "ssh-from-anywhere",
        securityGroupId=web_sg.properties["id"],
        ipProtocol="tcp",
        fromPort=22,
        toPort=22,
        cidrIpv4="0.0.0.0/0",
    )
    return added(state, rule), {("sg-no-world-ingress", "ssh-from-anywhere")}


def imdsv1_allowed(state: State) -> tuple[State, set[tuple[str, str]]]:
    return one_setting(state, "web", LAUNCH, "DisableIMDSv1", "false", "eb-imdsv2-required")


def public_model_load_balancer(state: State) -> tuple[State, set[tuple[str, str]]]:
    return one_setting(state, "model", VPC, "ELBScheme", "public", "eb-model-environment-internal")


def db_subnet_group_with_a_public_subnet(state: State) -> tuple[State, set[tuple[str, str]]]:
    group = one(state, "aws:rds/subnetGroup:SubnetGroup")
    (isolated, *_) = group.properties["subnetIds"]
    (public, *_) = subnets(state, "public")
    broken = with_props(group, subnetIds=[isolated, public.properties["id"]])
    return replaced(state, group, broken), {("rds-subnet-group-private", group.name)}


def imdsv1_from_a_template(state: State) -> tuple[State, set[tuple[str, str]]]:
    web = env(state, "web")
    imdsv1 = {"namespace": LAUNCH, "name": "DisableIMDSv1"}
    kept = [s for s in web.properties["settings"] if s["name"] != "DisableIMDSv1"]
    state, moved, template = launched_from_template(
        state, [*kept, {**imdsv1, "value": "false"}], []
    )
    return state, {("eb-imdsv2-required", moved.name), ("eb-imdsv2-required", template.name)}


def bucket_without_public_access_block(state: State) -> tuple[State, set[tuple[str, str]]]:
    bucket = one(state, "aws:s3/bucket:Bucket", "-bundles")
    block = one(state, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-bundles-")
    return removed(state, block), {("s3-bucket-private", bucket.name)}


def bucket_without_encryption(state: State) -> tuple[State, set[tuple[str, str]]]:
    bucket = one(state, "aws:s3/bucket:Bucket", "-models")
    sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    return removed(state, one(state, sse, "-models-")), {("s3-bucket-encrypted", bucket.name)}


VARIANTS: list[Callable[[State], tuple[State, set[tuple[str, str]]]]] = [
    imdsv1_from_a_template,
    bucket_without_public_access_block,
    bucket_without_encryption,
    instances_in_public_subnets,
    private_route_table_to_the_igw,
    properties_of_4200_bytes,
    public_rds,
    unencrypted_rds,
    world_open_ssh,
    imdsv1_allowed,
    public_model_load_balancer,
    db_subnet_group_with_a_public_subnet,
]


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.__name__)
def test_each_broken_variant_fails_with_exactly_its_policy(
    pack, states, variant: Callable[[State], tuple[State, set[tuple[str, str]]]], stage: str
) -> None:
    state, expected = variant(states[stage])
    report = run(pack, state, stage)
    assert mandatory(report) == expected
    assert not report.passed


def test_the_igw_route_variant_names_the_route_and_the_gateway(pack, states) -> None:
    state, _ = private_route_table_to_the_igw(states["prod"])
    report = run(pack, state, "prod")
    web = env(state, "web").name
    (message,) = [
        v.message
        for v in report.mandatory
        if (v.policy, v.resource_name) == ("eb-instances-in-private-subnets", web)
    ]
    igw = one(state, "aws:ec2/internetGateway:InternetGateway").properties["id"]
    assert "aws:ec2/route:Route 'sneaky-internet' in aws:ec2/routeTable:RouteTable " in message
    assert f"routes 0.0.0.0/0 to internet gateway {igw}" in message


def test_the_size_variant_reports_4200_bytes_and_the_biggest_property(pack, states) -> None:
    state, _ = properties_of_4200_bytes(states["dev"])
    (violation,) = run(pack, state, "dev").mandatory
    assert "take 4,200 bytes as key=value strings" in violation.message
    assert "over Elastic Beanstalk's limit of 4,096 bytes; biggest: PADDING (" in violation.message


# -- the worker tier (prod runs one) --------------------------------------------------------


def work_queue(state: State, name: str = "work-queue") -> StateResource:
    (found,) = [r for r in state.resources if r.type == "aws:sqs/queue:Queue" and r.name == name]
    return found


def worker_queue_unencrypted(state: State) -> tuple[State, set[tuple[str, str]]]:
    queue = work_queue(state)
    broken = with_props(queue, sqsManagedSseEnabled=False)
    return replaced(state, queue, broken), {("sqs-queue-encrypted", queue.name)}


def worker_queue_without_dlq(state: State) -> tuple[State, set[tuple[str, str]]]:
    queue = work_queue(state)
    broken = dataclasses.replace(
        queue,
        properties={k: v for k, v in queue.properties.items() if k != "redrivePolicy"},
        property_dependencies={},
    )
    # the queue that was its DLQ is now nobody's, so it needs a DLQ of its own too
    dlq = work_queue(state, "work-queue-dlq")
    return replaced(state, queue, broken), {
        ("sqs-queue-has-dlq", queue.name),
        ("sqs-queue-has-dlq", dlq.name),
    }


def worker_behind_a_load_balancer(state: State) -> tuple[State, set[tuple[str, str]]]:
    option, policy = "LoadBalancerType", "eb-worker-no-load-balancer"
    return one_setting(state, "worker", ENV_SETTINGS, option, "application", policy)


def worker_with_a_public_ip(state: State) -> tuple[State, set[tuple[str, str]]]:
    option, policy = "AssociatePublicIpAddress", "eb-instances-in-private-subnets"
    return one_setting(state, "worker", VPC, option, "true", policy)


def worker_in_public_subnets(state: State) -> tuple[State, set[tuple[str, str]]]:
    return role_in_public_subnets(state, "worker")


@pytest.mark.parametrize(
    "variant",
    [
        worker_queue_unencrypted,
        worker_queue_without_dlq,
        worker_behind_a_load_balancer,
        worker_with_a_public_ip,
        worker_in_public_subnets,
    ],
    ids=lambda v: v.__name__,
)
def test_each_broken_worker_variant_fails_with_exactly_its_policy(
    pack, states, variant: Callable[[State], tuple[State, set[tuple[str, str]]]]
) -> None:
    state, expected = variant(states["prod"])
    report = run(pack, state, "prod")
    assert mandatory(report) == expected
    assert not report.passed
