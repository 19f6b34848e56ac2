"""The pack on the stacks the program really builds: clean as built, each broken variant caught.

Each stack is simulated once (`preflight.simulate.run.simulate`) and evaluated with the pack and its
stage config through `preflight.analysis.evaluate`, which drives pulumi-policy's own analyzer
entry points. A variant changes the smallest thing that breaks one guarantee, and must produce
exactly the mandatory violations that guarantee names: policy AND resource.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from preflight.export.state import State, StateResource, from_deployment
from preflight.pack.evaluate import Report, evaluate
from preflight.pack.load import LoadedPack, load_pack
from preflight.simulate.run import simulate

ROOT = Path(__file__).resolve().parents[2]
ENV = "aws:elasticbeanstalk/environment:Environment"
SUBNET = "aws:ec2/subnet:Subnet"
RDS = "aws:rds/instance:Instance"
ENV_PROPS = "aws:elasticbeanstalk:application:environment"
ENV_SETTINGS = "aws:elasticbeanstalk:environment"
LAUNCH = "aws:autoscaling:launchconfiguration"
VPC = "aws:ec2:vpc"
STAGES = ("dev", "prod")

Edit = Callable[[State], list[StateResource]]


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_pack(ROOT / "policies")


@pytest.fixture(scope="module")
def states() -> dict[str, State]:
    """Each stack as the program builds it, simulated once for the module."""
    return {stack: from_deployment(simulate(stack)) for stack in STAGES}


def run(pack: LoadedPack, state: State, stage: str) -> Report:
    return evaluate(pack, state, stage=stage, config_file=ROOT / f"policies/config/{stage}.json")


def mandatory(report: Report) -> set[tuple[str, str]]:
    return {(v.policy, v.resource_name) for v in report.mandatory}


def advisory(report: Report) -> set[tuple[str, str]]:
    return {(v.policy, v.resource_name) for v in report.advisory}


# -- finding and changing resources ----------------------------------------------------------


def env(state: State, role: str) -> StateResource:
    (found,) = [
        r for r in state.resources if r.type == ENV and r.properties["tags"].get("role") == role
    ]
    return found


def one(state: State, type_token: str, name_part: str = "") -> StateResource:
    (found,) = [r for r in state.resources if r.type == type_token and name_part in r.name]
    return found


def subnets(state: State, tier: str) -> list[StateResource]:
    return [
        r
        for r in state.resources
        if r.type == SUBNET and r.properties.get("tags", {}).get("tier") == tier
    ]


def setting_value(resource: StateResource, namespace: str, name: str) -> Any:
    (value,) = [
        s["value"]
        for s in resource.properties["settings"]
        if (s["namespace"], s["name"]) == (namespace, name)
    ]
    return value


def with_props(resource: StateResource, **props: Any) -> StateResource:
    return dataclasses.replace(resource, properties={**resource.properties, **props})


def with_setting(resource: StateResource, namespace: str, name: str, value: str) -> StateResource:
    kept = [
        s
        for s in resource.properties["settings"]
        if (s["namespace"], s["name"]) != (namespace, name)
    ]
    entry = {"namespace": namespace, "name": name, "value": value}
    return with_props(resource, settings=[*kept, entry])


def replaced(state: State, old: StateResource, new: StateResource) -> State:
    assert old != new, "the variant changed nothing"
    resources = [new if r.urn == old.urn else r for r in state.resources]
    return dataclasses.replace(state, resources=resources)


def added(state: State, *extra: StateResource) -> State:
    return dataclasses.replace(state, resources=[*state.resources, *extra])


def new_resource(state: State, type_token: str, name: str, **props: Any) -> StateResource:
    stack, project = state.stack, state.project
    return StateResource(
        urn=f"urn:pulumi:{stack}::{project}::{type_token}::{name}",
        type=type_token,
        name=name,
        custom=True,
        id=str(props.get("id", "")),
        properties=props,
        parent=None,
        dependencies=[],
        property_dependencies={},
        protect=False,
        provider=None,
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


def one_setting(
    state: State, role: str, namespace: str, option: str, value: str, policy: str
) -> tuple[State, set[tuple[str, str]]]:
    """`role`'s environment with one option setting at `value`, which `policy` alone fails."""
    target = env(state, role)
    broken = with_setting(target, namespace, option, value)
    return replaced(state, target, broken), {(policy, target.name)}


def role_in_public_subnets(state: State, role: str) -> tuple[State, set[tuple[str, str]]]:
    public_ids = ",".join(s.properties["id"] for s in subnets(state, "public"))
    return one_setting(state, role, VPC, "Subnets", public_ids, "eb-instances-in-private-subnets")


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


TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"


def launched_from_template(
    state: State, template_settings: list[dict[str, Any]], env_settings: list[dict[str, Any]]
) -> tuple[State, StateResource, StateResource]:
    """The web environment's settings moved into a configuration template it launches from."""
    web = env(state, "web")
    template = dataclasses.replace(
        new_resource(state, TEMPLATE, "web-base", application=web.properties["application"]),
        properties={
            "name": "web-base",
            "application": web.properties["application"],
            "settings": template_settings,
        },
    )
    moved = with_props(web, templateName="web-base", settings=env_settings)
    return added(replaced(state, web, moved), template), moved, template


def imdsv1_from_a_template(state: State) -> tuple[State, set[tuple[str, str]]]:
    web = env(state, "web")
    imdsv1 = {"namespace": LAUNCH, "name": "DisableIMDSv1"}
    kept = [s for s in web.properties["settings"] if s["name"] != "DisableIMDSv1"]
    state, moved, template = launched_from_template(
        state, [*kept, {**imdsv1, "value": "false"}], []
    )
    return state, {("eb-imdsv2-required", moved.name), ("eb-imdsv2-required", template.name)}


def removed(state: State, gone: StateResource) -> State:
    return dataclasses.replace(state, resources=[r for r in state.resources if r.urn != gone.urn])


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


# -- prod-only rules: mandatory in prod, advisory in dev ----------------------------------------


def all_at_once(state: State) -> tuple[State, tuple[str, str]]:
    web = env(state, "web")
    broken = with_setting(web, "aws:elasticbeanstalk:command", "DeploymentPolicy", "AllAtOnce")
    return replaced_or_same(state, web, broken), ("eb-deployment-policy-safe", web.name)


def single_az_rds(state: State) -> tuple[State, tuple[str, str]]:
    db = one(state, RDS)
    return replaced_or_same(state, db, with_props(db, multiAz=False)), ("rds-multi-az", db.name)


def replaced_or_same(state: State, old: StateResource, new: StateResource) -> State:
    """Like `replaced`, but dev may already be built this way (that is what dev allows)."""
    return dataclasses.replace(
        state, resources=[new if r.urn == old.urn else r for r in state.resources]
    )


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


@pytest.mark.parametrize("variant", [all_at_once, single_az_rds], ids=lambda v: v.__name__)
def test_prod_only_rules_are_mandatory_in_prod_and_advisory_in_dev(
    pack, states, variant: Callable[[State], tuple[State, tuple[str, str]]]
) -> None:
    prod_state, finding = variant(states["prod"])
    prod = run(pack, prod_state, "prod")
    assert mandatory(prod) == {finding}

    dev_state, dev_finding = variant(states["dev"])
    dev = run(pack, dev_state, "dev")
    assert mandatory(dev) == set()
    assert dev_finding in advisory(dev)


# -- an environment launched from a configuration template, on a saved state ------------------


@pytest.mark.parametrize("stage", STAGES)
def test_settings_moved_into_a_template_are_judged_as_before(pack, states, stage: str) -> None:
    """The same settings, read from the template: the same verdicts for the environment (the
    template is judged on its own values too, so dev's relaxations show on it as well)."""
    web = env(states[stage], "web")
    state, _, template = launched_from_template(states[stage], web.properties["settings"], [])
    before, after = advisory(run(pack, states[stage], stage)), run(pack, state, stage)
    assert after.mandatory == []
    assert {(p, n) for p, n in advisory(after) if n != template.name} == before
    on_template = {p for p, n in advisory(after) if n == template.name}
    assert on_template == {p for p, n in before if n == web.name} - {
        "eb-multi-az-capacity",
        "eb-model-environment-internal",
    }


def test_a_template_value_the_environment_overrides_fails_only_the_template(pack, states) -> None:
    web = env(states["prod"], "web")
    bad = [
        {**s, "value": "false"} if s["name"] == "DisableIMDSv1" else s
        for s in web.properties["settings"]
    ]
    state, _, template = launched_from_template(states["prod"], bad, web.properties["settings"])
    assert mandatory(run(pack, state, "prod")) == {("eb-imdsv2-required", template.name)}


def test_a_template_missing_from_the_state_is_advisory_not_a_violation(pack, states) -> None:
    state, moved, template = launched_from_template(states["prod"], [], [])
    state = dataclasses.replace(state, resources=[r for r in state.resources if r != template])
    report = run(pack, state, "prod")
    assert mandatory(report) == set()
    imds = [v.message for v in report.advisory if v.policy == "eb-imdsv2-required"]
    assert len(imds) == 1
    assert imds[0].endswith(
        f"{ENV} '{moved.name}': aws:autoscaling:launchconfiguration DisableIMDSv1 is not set on "
        "the environment and its configuration template 'web-base' is not in this stack"
    )


@pytest.mark.parametrize(("stage", "level"), [("dev", "advisory"), ("prod", "mandatory")])
def test_sample_application_and_unversioned_bucket_follow_the_stage(
    pack, states, stage: str, level: str
) -> None:
    state = states[stage]
    web = env(state, "web")
    bare = {k: v for k, v in web.properties.items() if k != "version"}
    versioning = one(state, "aws:s3/bucketVersioning:BucketVersioning", "-bundles-")
    bucket = one(state, "aws:s3/bucket:Bucket", "-bundles")
    broken = removed(replaced(state, web, dataclasses.replace(web, properties=bare)), versioning)
    report = run(pack, broken, stage)
    expected = {("eb-runs-stack-version", web.name), ("s3-bucket-versioned", bucket.name)}
    found = mandatory(report) if level == "mandatory" else advisory(report)
    assert expected <= found
    assert mandatory(report) == (expected if level == "mandatory" else set())
