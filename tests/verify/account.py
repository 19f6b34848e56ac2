"""A prod account on moto laid out as the program lays it out (public subnets routed to an
internet gateway, private subnets behind a NAT, isolated subnets for the database, EB
instances and load balancers), one kind of drift at a time, with `botocore.stub.Stubber`
answering the Elastic Beanstalk calls moto does not implement
(`describe_environment_resources`, `describe_configuration_settings`); and verify's `main`
run on it as the CLI runs it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.stub import Stubber

from verify.aws import Clients
from verify.cli import main

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_elasticbeanstalk import ElasticBeanstalkClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_rds import RDSClient

REGION = "ap-northeast-2"
APP = "webmodel-prod"
WEB_ENV = "webmodel-prod-web"
MODEL_ENV = "webmodel-prod-model"
DB_ID = "webmodel-prod-db"
ENV_NS = "aws:elasticbeanstalk:application:environment"


@dataclass
class Drift:
    """What is wrong with the account; the defaults are a healthy prod stack."""

    web_public_ip: bool = False
    web_in_public_subnet: bool = False
    private_subnets_map_public_ip: bool = False
    model_lb_scheme: str = "internal"
    rds_public: bool = False
    rds_encrypted: bool = True
    rds_multi_az: bool = True
    web_status: tuple[str, str] = ("Ready", "Green")
    model_missing: bool = False
    web_env_props: dict[str, str] = field(
        default_factory=lambda: {"APP_ENV": "prod", "MODEL_URL": "http://model.internal:8000"}
    )


@dataclass
class Account:
    vpc_id: str
    igw_id: str
    public_route_table: str
    public_subnets: list[str]
    private_subnets: list[str]
    isolated_subnets: list[str]
    web_instances: list[str]
    model_instances: list[str]
    public_ips: dict[str, str]
    web_lb_arn: str
    model_lb_arn: str


def build_account(
    ec2: EC2Client,
    elbv2: ElasticLoadBalancingv2Client,
    rds: RDSClient,
    drift: Drift,
) -> Account:
    """A VPC laid out like the program's: public subnets routed to an IGW, private subnets
    behind a NAT, isolated subnets for the database; EB instances and load balancers."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    azs = [f"{REGION}a", f"{REGION}c"]

    def subnets(tier: int) -> list[str]:
        return [
            ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{tier + i}.0/24", AvailabilityZone=az)[
                "Subnet"
            ]["SubnetId"]
            for i, az in enumerate(azs)
        ]

    public, private, isolated = subnets(0), subnets(10), subnets(20)
    public_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    for subnet in public:
        ec2.associate_route_table(RouteTableId=public_rt, SubnetId=subnet)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=public[0], AllocationId=eip)["NatGateway"][
        "NatGatewayId"
    ]
    private_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    for subnet in private:
        ec2.associate_route_table(RouteTableId=private_rt, SubnetId=subnet)
        if drift.private_subnets_map_public_ip:
            ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    isolated_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    for subnet in isolated:
        ec2.associate_route_table(RouteTableId=isolated_rt, SubnetId=subnet)

    image = "ami-0123456789abcdef0"  # moto does not validate AMIs by default; listing them is slow

    def launch(subnet: str, public_ip: bool) -> str:
        reservation = ec2.run_instances(
            ImageId=image,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.small",
            NetworkInterfaces=[
                {"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": public_ip}
            ],
        )
        return reservation["Instances"][0]["InstanceId"]

    web_subnets = public if drift.web_in_public_subnet else private
    web = [launch(s, drift.web_public_ip) for s in web_subnets]
    model = [launch(private[0], False)]
    described = ec2.describe_instances(InstanceIds=web + model)["Reservations"]
    public_ips = {
        i["InstanceId"]: i["PublicIpAddress"]
        for r in described
        for i in r["Instances"]
        if "PublicIpAddress" in i
    }

    web_lb = elbv2.create_load_balancer(
        Name="awseb-web", Subnets=public, Scheme="internet-facing", Type="application"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    model_lb = elbv2.create_load_balancer(
        Name="awseb-model",
        Subnets=private if drift.model_lb_scheme == "internal" else public,
        Scheme="internal" if drift.model_lb_scheme == "internal" else "internet-facing",
        Type="application",
    )["LoadBalancers"][0]["LoadBalancerArn"]

    rds.create_db_subnet_group(
        DBSubnetGroupName="webmodel-prod-db",
        DBSubnetGroupDescription="isolated subnets",
        SubnetIds=isolated,
    )
    rds.create_db_instance(
        DBInstanceIdentifier=DB_ID,
        DBInstanceClass="db.t4g.medium",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="not-a-real-password",
        DBSubnetGroupName="webmodel-prod-db",
        PubliclyAccessible=drift.rds_public,
        StorageEncrypted=drift.rds_encrypted,
        MultiAZ=drift.rds_multi_az,
    )
    return Account(
        vpc_id=vpc_id,
        igw_id=igw_id,
        public_route_table=public_rt,
        public_subnets=public,
        private_subnets=private,
        isolated_subnets=isolated,
        web_instances=web,
        model_instances=model,
        public_ips=public_ips,
        web_lb_arn=web_lb,
        model_lb_arn=model_lb,
    )


def stub_beanstalk(eb: ElasticBeanstalkClient, account: Account, drift: Drift) -> Stubber:
    """Queue EB answers in the order verify asks: per environment (web, then model)
    describe_environments, describe_environment_resources, describe_configuration_settings."""
    stubber = Stubber(eb)
    envs: list[tuple[str, tuple[str, str], list[str], str, dict[str, str], bool]] = [
        (WEB_ENV, drift.web_status, account.web_instances, account.web_lb_arn,
         drift.web_env_props, False),
        (MODEL_ENV, ("Ready", "Green"), account.model_instances, account.model_lb_arn,
         {"TRITON_MODEL_REPOSITORY": "s3://models/prod"}, drift.model_missing),
    ]  # fmt: skip
    for name, status, instances, lb, props, missing in envs:
        queue_environment(stubber, name, status, instances, lb, props, missing=missing)
    stubber.activate()
    return stubber


def queue_environment(
    stubber: Stubber,
    name: str,
    status: tuple[str, str],
    instances: list[str],
    lb: str,
    props: Mapping[str, str],
    *,
    missing: bool = False,
    settings: bool = True,
    version: str | None = None,
) -> None:
    """EB's answers about one environment, in the order verify asks: describe_environments,
    describe_environment_resources, then (with `settings`) describe_configuration_settings."""
    described = {"Status": status[0], "Health": status[1]}
    described.update({"VersionLabel": version} if version else {})
    queue_described(stubber, name, None if missing else described)
    if missing:
        return
    queue_resources(stubber, name, instances, [{"Name": lb}])
    if not settings:
        return
    imds = {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "DisableIMDSv1"}
    options = [{**imds, "Value": "true"}]
    options += [{"Namespace": ENV_NS, "OptionName": k, "Value": v} for k, v in props.items()]
    queue_settings(stubber, name, options)


def queue_described(stubber: Stubber, name: str, described: dict[str, Any] | None) -> None:
    """describe_environments of `name`: the environment with `described`'s fields, or none."""
    environment = {"EnvironmentName": name, "ApplicationName": APP, **(described or {})}
    found = [] if described is None else [environment]
    stubber.add_response(
        "describe_environments",
        {"Environments": found},
        {"ApplicationName": APP, "EnvironmentNames": [name], "IncludeDeleted": False},
    )


def queue_resources(
    stubber: Stubber, name: str, instances: list[str], balancers: list[dict[str, str]]
) -> None:
    """describe_environment_resources of `name`: its instances and load balancers."""
    resources = {"EnvironmentName": name, "Instances": [{"Id": i} for i in instances]}
    stubber.add_response(
        "describe_environment_resources",
        {"EnvironmentResources": {**resources, "LoadBalancers": balancers}},
        {"EnvironmentName": name},
    )


def queue_settings(stubber: Stubber, name: str, options: list[dict[str, str]]) -> None:
    """describe_configuration_settings of `name`: its option settings."""
    settings = {"ApplicationName": APP, "EnvironmentName": name, "OptionSettings": options}
    stubber.add_response(
        "describe_configuration_settings",
        {"ConfigurationSettings": [settings]},
        {"ApplicationName": APP, "EnvironmentName": name},
    )


def stack_outputs(account: Account) -> dict[str, object]:
    """What `pulumi stack output --json --show-secrets` prints for this account."""
    return {
        "webUrl": "http://webmodel-prod-web.ap-northeast-2.elasticbeanstalk.com",
        "modelInternalUrl": "http://internal-awseb-model.ap-northeast-2.elb.amazonaws.com",
        "webEnvironmentName": WEB_ENV,
        "modelEnvironmentName": MODEL_ENV,
        "applicationName": APP,
        "dbEndpoint": f"{DB_ID}.abc123.{REGION}.rds.amazonaws.com:5432",
        "dbInstanceIdentifier": DB_ID,
        "vpcId": account.vpc_id,
        "publicSubnetIds": account.public_subnets,
        "privateSubnetIds": account.private_subnets,
        "isolatedSubnetIds": account.isolated_subnets,
    }


def make_clients(endpoint_url: str | None = None) -> Clients:
    session = boto3.Session(region_name=REGION)
    return Clients(
        elasticbeanstalk=session.client("elasticbeanstalk"),
        ec2=session.client("ec2", endpoint_url=endpoint_url),
        elbv2=session.client("elbv2", endpoint_url=endpoint_url),
        rds=session.client("rds", endpoint_url=endpoint_url),
    )


@dataclass
class Run:
    code: int
    out: str
    err: str
    account: Account
    clients: Clients

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def failures(self) -> list[str]:
        return [line for line in self.lines if line.startswith("FAIL")]


def run_verify(
    tmp_path: Path,
    drift: Drift | None = None,
    stack: str = "prod",
    endpoint_url: str | None = None,
    extra: tuple[str, ...] = (),
) -> Run:
    """Build the account on whatever moto backs the clients, then run `main` as the CLI
    does, with those clients injected; every queued EB answer must be consumed."""
    drift = drift or Drift()
    clients = make_clients(endpoint_url)
    account = build_account(clients.ec2, clients.elbv2, clients.rds, drift)
    return rerun(tmp_path, clients, account, drift, stack, extra)


def rerun(
    tmp_path: Path,
    clients: Clients,
    account: Account,
    drift: Drift,
    stack: str = "prod",
    extra: tuple[str, ...] = (),
    *,
    more_outputs: Mapping[str, object] | None = None,
    more_answers: Callable[[Stubber], None] | None = None,
) -> Run:
    """Run `main` again on an account already built (EB answers queued afresh, then
    `more_answers`; `more_outputs` join the stack's outputs); every answer must be used."""
    stubber = stub_beanstalk(clients.elasticbeanstalk, account, drift)
    if more_answers is not None:
        more_answers(stubber)
    outputs = tmp_path / "outputs.json"
    all_outputs = {**stack_outputs(account), **(more_outputs or {})}
    outputs.write_text(json.dumps(all_outputs), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--stack", stack, "--outputs", str(outputs), "--region", REGION, *extra],
        make_clients=lambda region: clients,
        out=out,
        err=err,
    )
    stubber.assert_no_pending_responses()
    stubber.deactivate()
    return Run(code, out.getvalue(), err.getvalue(), account, clients)


HEALTHY_CHECKS = [
    "web-env-ready-green",
    "web-instances-no-public-ip",
    "web-instances-private-subnets",
    "web-env-properties-size",
    "model-env-ready-green",
    "model-instances-no-public-ip",
    "model-instances-private-subnets",
    "model-env-properties-size",
    "model-lb-internal",
    "rds-not-public",
    "rds-encrypted",
    "rds-multi-az",
]
"""The checks of a stack without a worker tier, in report order."""
