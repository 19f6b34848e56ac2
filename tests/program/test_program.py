"""The real `__main__.py` with the real dev and prod stack files, under the offline engine.

Exact facts about the whole stack: subnet tiers per AZ, NAT per stage, where each EB
environment and the database live, who may reach whom, MODEL_URL wiring, prod protections,
role tags, and that no secret travels as a plain environment property.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from components.config import SECRET_ARN_PATTERN
from preflight.simulate.deployment import Deployment, SimResource
from preflight.simulate.run import ProgramError, simulate
from tests.program_fixtures import settings_map, stack_file_values
from verify.outputs import REQUIRED_OUTPUTS
from verify.outputs import WORKER_OUTPUTS as WORKER_OUTPUT_NAMES

ENV_NAMESPACE = "aws:elasticbeanstalk:application:environment"
SECRETS_NAMESPACE = "aws:elasticbeanstalk:application:environmentsecrets"
ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
SUBNET = "aws:ec2/subnet:Subnet"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
RDS = "aws:rds/instance:Instance"
STACKS = ("dev", "prod")
ZONES = {
    "dev": ["ap-northeast-2a", "ap-northeast-2b"],
    "prod": [f"ap-northeast-2{x}" for x in "abc"],
}
OUTPUTS = set(REQUIRED_OUTPUTS)  # the contract verify reads after `pulumi up`
# What releases add (issue 12): the labels each environment runs, where bundles and model live.
RELEASE_OUTPUTS = {"webVersionLabel", "modelVersionLabel", "artifactsBucket", "modelRepositoryUri"}
# The worker tier's, all four or none (verify/outputs.py reads them by these names).
WORKER_OUTPUTS = set(WORKER_OUTPUT_NAMES)


@cache
def deployment(stack: str) -> Deployment:
    return simulate(stack)


def settings(resource: SimResource) -> dict[tuple[str, str], Any]:
    return settings_map(resource.inputs["settings"])


def environment(stack: str, role: str) -> SimResource:
    found = [
        r for r in deployment(stack).of_type(ENVIRONMENT) if r.inputs["tags"].get("role") == role
    ]
    assert len(found) == 1, f"{stack}: {len(found)} environments tagged role={role}"
    return found[0]


def namespace(resource: SimResource, name: str) -> dict[str, Any]:
    return {option: value for (ns, option), value in settings(resource).items() if ns == name}


def ingress_sources(stack: str, group_id: str) -> list[tuple[int, str]]:
    return sorted(
        (
            r.inputs["fromPort"],
            r.inputs.get("referencedSecurityGroupId")
            or r.inputs.get("cidrIpv4")
            or r.inputs["cidrIpv6"],
        )
        for r in deployment(stack).of_type(INGRESS)
        if r.inputs["securityGroupId"] == group_id
    )


@pytest.mark.parametrize("stack", STACKS)
def test_outputs_are_the_agreed_names(stack: str):
    outputs = deployment(stack).outputs
    worker = WORKER_OUTPUTS if stack == "prod" else set()  # only prod runs the worker tier
    assert set(outputs) == OUTPUTS | RELEASE_OUTPUTS | worker
    assert outputs["dbEndpoint"].endswith(":5432")
    assert outputs["webEnvironmentName"].startswith(f"webmodel-{stack}-web-")
    assert outputs["modelEnvironmentName"].startswith(f"webmodel-{stack}-model-")
    assert outputs["applicationName"].startswith(f"webmodel-{stack}-")


@pytest.mark.parametrize("stack", STACKS)
def test_one_subnet_per_tier_per_az(stack: str):
    d = deployment(stack)
    subnets = {r.id: r for r in d.of_type(SUBNET)}
    for tier, output in (
        ("public", "publicSubnetIds"),
        ("private", "privateSubnetIds"),
        ("isolated", "isolatedSubnetIds"),
    ):
        ids = d.outputs[output]
        assert [subnets[i].inputs["availabilityZone"] for i in ids] == ZONES[stack]
        assert {subnets[i].inputs["tags"]["tier"] for i in ids} == {tier}
        assert {subnets[i].inputs["mapPublicIpOnLaunch"] for i in ids} == {tier == "public"}
    assert len(subnets) == 3 * len(ZONES[stack])


@pytest.mark.parametrize(("stack", "nat_count"), [("dev", 1), ("prod", 3)])
def test_nat_gateways_per_stage(stack: str, nat_count: int):
    d = deployment(stack)
    nats = d.of_type("aws:ec2/natGateway:NatGateway")
    assert len(nats) == nat_count
    public = set(d.outputs["publicSubnetIds"])
    assert all(nat.inputs["subnetId"] in public for nat in nats)
    routes = [r for r in d.of_type("aws:ec2/route:Route") if "natGatewayId" in r.inputs]
    assert len(routes) == len(ZONES[stack])
    assert {r.inputs["natGatewayId"] for r in routes} == {nat.id for nat in nats}


@pytest.mark.parametrize("stack", STACKS)
def test_where_each_environment_and_the_database_live(stack: str):
    d = deployment(stack)
    private = ",".join(d.outputs["privateSubnetIds"])
    public = ",".join(d.outputs["publicSubnetIds"])
    # instances always private; the load balancer public for web, internal for the model
    load_balancers = {"web": (public, "public"), "model": (private, "internal")}
    for role, (lb_subnets, scheme) in load_balancers.items():
        assert namespace(environment(stack, role), "aws:ec2:vpc") == {
            "VPCId": d.outputs["vpcId"],
            "Subnets": private,
            "ELBSubnets": lb_subnets,
            "ELBScheme": scheme,
            "AssociatePublicIpAddress": "false",
        }
        env = namespace(environment(stack, role), "aws:elasticbeanstalk:environment")
        assert env["EnvironmentType"] == "LoadBalanced"
        assert env["LoadBalancerType"] == "application"
    subnet_group = d.of_type("aws:rds/subnetGroup:SubnetGroup")[0]
    assert subnet_group.inputs["subnetIds"] == d.outputs["isolatedSubnetIds"]
    rds = d.of_type(RDS)[0]
    assert rds.inputs["dbSubnetGroupName"] == subnet_group.outputs["name"]
    assert rds.inputs["publiclyAccessible"] is False
    assert rds.inputs["storageEncrypted"] is True
    assert rds.inputs["manageMasterUserPassword"] is True
    assert "password" not in rds.inputs


@pytest.mark.parametrize("stack", STACKS)
def test_database_and_model_admit_only_the_web_and_worker_instances(stack: str):
    d = deployment(stack)
    web_instances = namespace(environment(stack, "web"), "aws:autoscaling:launchconfiguration")[
        "SecurityGroups"
    ]
    rds = d.of_type(RDS)[0]
    (db_group,) = rds.inputs["vpcSecurityGroupIds"]
    assert ingress_sources(stack, db_group) == [(5432, web_instances)]
    model_lb = namespace(environment(stack, "model"), "aws:elbv2:loadbalancer")
    assert model_lb["SecurityGroups"] == model_lb["ManagedSecurityGroup"]
    callers = [web_instances]
    if stack == "prod":  # prod's worker tier calls the model too (batch inference)
        callers.append(
            namespace(environment(stack, "worker"), "aws:autoscaling:launchconfiguration")[
                "SecurityGroups"
            ]
        )
    assert ingress_sources(stack, model_lb["SecurityGroups"]) == sorted(
        (port, group) for port in (80, 443) for group in callers
    )
    model_instances = namespace(environment(stack, "model"), "aws:autoscaling:launchconfiguration")[
        "SecurityGroups"
    ]
    assert ingress_sources(stack, model_instances) == []
    web_lb = namespace(environment(stack, "web"), "aws:elbv2:loadbalancer")["SecurityGroups"]
    assert ingress_sources(stack, web_lb) == [
        (80, "0.0.0.0/0"),
        (80, "::/0"),
        (443, "0.0.0.0/0"),
        (443, "::/0"),
    ]
    default_sg = d.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")[0]
    assert default_sg.inputs.get("ingress", []) == []
    assert default_sg.inputs.get("egress", []) == []


@pytest.mark.parametrize("stack", STACKS)
def test_web_gets_model_url_and_database_from_the_program(stack: str):
    d = deployment(stack)
    web = environment(stack, "web")
    model = environment(stack, "model")
    properties = namespace(web, ENV_NAMESPACE)
    assert properties["MODEL_URL"] == f"http://{model.outputs['cname']}"
    assert properties["MODEL_URL"] == d.outputs["modelInternalUrl"]
    assert model.urn in web.property_dependencies["settings"]
    rds = d.of_type(RDS)[0]
    assert properties["DB_HOST"] == rds.outputs["address"]
    assert properties["DB_PORT"] == "5432"
    assert properties["DB_NAME"] == "webmodel"
    assert "MODEL_URL" not in namespace(model, ENV_NAMESPACE)
    scheme = "https" if stack_file_values(stack)["web"].get("certificateArn") else "http"
    assert d.outputs["webUrl"] == f"{scheme}://{web.outputs['cname']}"


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_is_a_plain_environment_property(stack: str):
    d = deployment(stack)
    rds = d.of_type(RDS)[0]
    for role in ("web", "model"):
        env = environment(stack, role)
        plain = namespace(env, ENV_NAMESPACE)
        secrets = namespace(env, SECRETS_NAMESPACE)
        assert not set(plain) & set(secrets)
        for key, value in plain.items():
            assert not SECRET_ARN_PATTERN.search(str(value)), key
            assert not re.search(r"SECRET|PASSWORD|TOKEN|DSN|CREDENTIAL", key), key
        for key, arn in secrets.items():
            assert SECRET_ARN_PATTERN.fullmatch(arn), key
        assert "settings" not in env.secret_inputs
    web_secrets = namespace(environment(stack, "web"), SECRETS_NAMESPACE)
    assert web_secrets["DB_CREDENTIALS"] == rds.outputs["masterUserSecrets"][0]["secretArn"]
    assert set(web_secrets) == {"DB_CREDENTIALS", "SESSION_SECRET", "SENTRY_DSN"}


@pytest.mark.parametrize("stack", STACKS)
def test_role_tags_imdsv2_health_updates_and_logs(stack: str):
    for role in ("web", "model"):
        env = environment(stack, role)
        assert env.inputs["tags"] == {"role": role}
        options = settings(env)
        assert options[("aws:autoscaling:launchconfiguration", "DisableIMDSv1")] == "true"
        assert options[("aws:elasticbeanstalk:healthreporting:system", "SystemType")] == "enhanced"
        assert options[("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled")] == "true"
        assert options[("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs")] == "true"
        assert options[("aws:elasticbeanstalk:environment", "ServiceRole")].startswith(
            "arn:aws:iam::123456789012:role/"
        )


def test_stage_differences_reach_the_resources():
    for role in ("web", "model"):
        dev = settings(environment("dev", role))
        prod = settings(environment("prod", role))
        assert dev[("aws:elasticbeanstalk:command", "DeploymentPolicy")] == "AllAtOnce"
        assert prod[("aws:elasticbeanstalk:command", "DeploymentPolicy")] in {
            "Immutable",
            "RollingWithAdditionalBatch",
        }
        assert dev[("aws:autoscaling:asg", "MinSize")] == "1"
        assert int(prod[("aws:autoscaling:asg", "MinSize")]) >= 2
    dev_db = deployment("dev").of_type(RDS)[0]
    prod_db = deployment("prod").of_type(RDS)[0]
    assert (dev_db.protect, dev_db.inputs["multiAz"], dev_db.inputs["deletionProtection"]) == (
        False,
        False,
        False,
    )
    assert prod_db.protect is True
    assert prod_db.inputs["multiAz"] is True
    assert prod_db.inputs["deletionProtection"] is True
    assert prod_db.inputs["backupRetentionPeriod"] >= 7
    assert prod_db.inputs["skipFinalSnapshot"] is False
    assert prod_db.inputs["finalSnapshotIdentifier"] == "webmodel-prod-database-final"


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_belongs_to_a_component(stack: str):
    d = deployment(stack)
    components = {r.urn: r.type for r in d.resources if r.type.startswith("webmodel:")}
    worker = ["webmodel:beanstalk:Environment"] if stack == "prod" else []
    assert sorted(components.values()) == [
        "webmodel:artifacts:Artifacts",
        "webmodel:beanstalk:Application",
        "webmodel:beanstalk:Environment",
        "webmodel:beanstalk:Environment",
        *worker,
        "webmodel:database:Database",
        "webmodel:network:Network",
        *(["webmodel:queue:WorkQueue"] if worker else []),
        "webmodel:security:AppSecurityGroups",
    ]
    for resource in d.resources:
        if resource.custom:
            assert resource.parent in components, resource.urn
    environments = {components[e.parent] for e in d.of_type(ENVIRONMENT) if e.parent}
    assert environments == {"webmodel:beanstalk:Environment"}


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"webmodel:web": {"minSize": 0}}, "webmodel:web.minSize"),
        ({"webmodel:network": {"natGateways": "none"}}, "webmodel:network.natGateways"),
        ({"webmodel:model": {"env": {"BLOB": "x" * 5000}}}, "webmodel:model.env: environment"),
        ({"webmodel:web": {"env": {"bad-name": "1"}}}, "webmodel:web.env.bad-name"),
    ],
)
def test_invalid_config_stops_the_program_naming_the_key(overrides: dict[str, Any], fragment: str):
    with pytest.raises(ProgramError, match=re.escape(fragment)):
        simulate("dev", config_overrides=overrides)


def test_https_only_where_a_certificate_is_configured():
    prod_web = environment("prod", "web")
    listener = namespace(prod_web, "aws:elbv2:listener:443")
    certificate = stack_file_values("prod")["web"]["certificateArn"]
    assert listener == {
        "ListenerEnabled": "true",
        "Protocol": "HTTPS",
        "SSLCertificateArns": certificate,
        "SSLPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "DefaultProcess": "default",
    }
    (rule,) = deployment("prod").of_type("aws:lb/listenerRule:ListenerRule")
    assert rule.parent == prod_web.parent
    assert rule.inputs["priority"] == 1
    assert rule.inputs["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    assert rule.inputs["actions"] == [
        {
            "type": "redirect",
            "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
        }
    ]
    assert rule.inputs["listenerArn"].startswith(
        prod_web.outputs["loadBalancers"][0].replace(":loadbalancer/", ":listener/")
    )
    assert deployment("prod").outputs["webUrl"] == f"https://{prod_web.outputs['cname']}"
    for stack, role in (("dev", "web"), ("dev", "model"), ("prod", "model")):
        assert namespace(environment(stack, role), "aws:elbv2:listener:443") == {}
    assert deployment("dev").of_type("aws:lb/listenerRule:ListenerRule") == []
