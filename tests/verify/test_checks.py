"""verify against a fake AWS account: moto for EC2, ELBv2 and RDS (in-process `mock_aws`,
and once through a real HTTP `ThreadedMotoServer`), `botocore.stub.Stubber` for the
Elastic Beanstalk calls moto does not implement (`describe_environment_resources`,
`describe_configuration_settings`). One healthy account, then one kind of drift per test,
each asserting the exact FAIL line verify prints."""

from __future__ import annotations

import io
import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.stub import Stubber
from guardrails.ec2_facts import is_world
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.server import ThreadedMotoServer

from verify import pack
from verify.aws import Clients
from verify.checks import subnet_public_reason
from verify.cli import main

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_elasticbeanstalk import ElasticBeanstalkClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_rds import RDSClient

REPO = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-2"
APP = "webmodel-prod"
WEB_ENV = "webmodel-prod-web"
MODEL_ENV = "webmodel-prod-model"
DB_ID = "webmodel-prod-db"
ENV_NS = "aws:elasticbeanstalk:application:environment"


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and no profile, metadata service or endpoint override: nothing
    in these tests can reach a real AWS account."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.chdir(REPO)  # reports name policies/config/<stage>.json relative to the project


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
    for name, (status, health), instances, lb, props, missing in envs:
        found: list[dict[str, Any]] = (
            []
            if missing
            else [
                {
                    "EnvironmentName": name,
                    "ApplicationName": APP,
                    "Status": status,
                    "Health": health,
                }
            ]
        )
        stubber.add_response(
            "describe_environments",
            {"Environments": found},
            {"ApplicationName": APP, "EnvironmentNames": [name], "IncludeDeleted": False},
        )
        if missing:
            continue
        stubber.add_response(
            "describe_environment_resources",
            {
                "EnvironmentResources": {
                    "EnvironmentName": name,
                    "Instances": [{"Id": i} for i in instances],
                    "LoadBalancers": [{"Name": lb}],
                }
            },
            {"EnvironmentName": name},
        )
        imds = {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "DisableIMDSv1"}
        options = [{**imds, "Value": "true"}]
        options += [{"Namespace": ENV_NS, "OptionName": k, "Value": v} for k, v in props.items()]
        stubber.add_response(
            "describe_configuration_settings",
            {
                "ConfigurationSettings": [
                    {"ApplicationName": APP, "EnvironmentName": name, "OptionSettings": options}
                ]
            },
            {"ApplicationName": APP, "EnvironmentName": name},
        )
    stubber.activate()
    return stubber


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
) -> Run:
    """Run `main` again on an account already built (EB answers queued afresh)."""
    stubber = stub_beanstalk(clients.elasticbeanstalk, account, drift)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(stack_outputs(account)), encoding="utf-8")
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


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        yield


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


@pytest.mark.usefixtures("moto")
def test_healthy_account_passes_every_check(tmp_path: Path) -> None:
    run = run_verify(tmp_path)
    assert run.code == 0, run.out
    assert run.err == ""
    assert [line.split(":")[0] for line in run.lines[1:-1]] == [
        f"PASS  {check}" for check in HEALTHY_CHECKS
    ]
    assert run.lines[0] == f"verify: stack prod in {REGION}"
    assert "PASS  model-lb-internal: model load balancer awseb-model is internal" in run.lines
    assert "PASS  rds-multi-az: DB instance 'webmodel-prod-db' is multi-AZ" in run.lines
    web_subnets = ", ".join(sorted(run.account.private_subnets))
    assert (
        f"PASS  web-instances-private-subnets: 2 web instance(s) in private subnets {web_subnets}"
        in run.lines
    )
    size = len("APP_ENV=prod") + len("MODEL_URL=http://model.internal:8000")
    assert (
        f"PASS  web-env-properties-size: web environment properties use {size} of 4,096 bytes "
        "(2 properties)" in run.lines
    )
    assert run.lines[-1] == ("stack prod: 12 of 12 checks passed; every guarantee holds (exit 0)")


@pytest.mark.usefixtures("moto")
def test_instance_with_public_ip_fails(tmp_path: Path) -> None:
    run = run_verify(tmp_path, Drift(web_public_ip=True))
    first, second = run.account.web_instances
    ips = run.account.public_ips
    assert run.code == 1
    assert run.failures == [
        "FAIL  web-instances-no-public-ip: web instance(s) with a public IP: "
        f"{first} has {ips[first]}; {second} has {ips[second]}"
    ]
    fix_line = run.lines[run.lines.index(run.failures[0]) + 1]
    assert fix_line.startswith("      fix: set aws:ec2:vpc AssociatePublicIpAddress=false")


@pytest.mark.usefixtures("moto")
def test_instance_in_public_subnet_fails(tmp_path: Path) -> None:
    run = run_verify(tmp_path, Drift(web_in_public_subnet=True))
    acct = run.account
    route = f"route 0.0.0.0/0 -> {acct.igw_id} in {acct.public_route_table}"
    assert run.code == 1
    assert run.failures == [
        "FAIL  web-instances-private-subnets: web instance(s) in public subnets: "
        + "; ".join(
            f"{i} in {s} ({route})"
            for i, s in zip(acct.web_instances, acct.public_subnets, strict=True)
        )
    ]


@pytest.mark.usefixtures("moto")
def test_subnet_that_maps_public_ips_counts_as_public(tmp_path: Path) -> None:
    run = run_verify(tmp_path, Drift(private_subnets_map_public_ip=True))
    assert run.code == 1
    model = run.account.model_instances[0]
    subnet = run.account.private_subnets[0]
    assert (
        "FAIL  model-instances-private-subnets: model instance(s) in public subnets: "
        f"{model} in {subnet} (mapPublicIpOnLaunch is true)"
    ) in run.failures


@pytest.mark.usefixtures("moto")
def test_environment_properties_over_4kb_report_size_and_biggest(tmp_path: Path) -> None:
    props = {"BIG_JSON": "x" * 3100, "CERT": "é" * 500, "APP_ENV": "prod"}
    # key=value UTF-8 bytes: 9 + 3100, 5 + 1000 (é is two bytes), 12
    run = run_verify(tmp_path, Drift(web_env_props=props))
    assert run.code == 1
    assert run.failures == [
        "FAIL  web-env-properties-size: web environment properties use 4,126 bytes, over the "
        "4,096-byte limit; biggest: BIG_JSON (3,109 B), CERT (1,005 B), APP_ENV (12 B)"
    ]


@pytest.mark.usefixtures("moto")
def test_internet_facing_model_load_balancer_fails(tmp_path: Path) -> None:
    run = run_verify(tmp_path, Drift(model_lb_scheme="internet-facing"))
    assert run.code == 1
    assert run.failures == [
        "FAIL  model-lb-internal: model load balancer not internal: awseb-model is internet-facing"
    ]


@pytest.mark.usefixtures("moto")
def test_public_rds_fails(tmp_path: Path) -> None:
    run = run_verify(tmp_path, Drift(rds_public=True))
    assert run.code == 1
    assert run.failures == [
        "FAIL  rds-not-public: DB instance 'webmodel-prod-db' is publicly accessible"
    ]


@pytest.mark.usefixtures("moto")
def test_unencrypted_rds_fails(tmp_path: Path) -> None:
    run = run_verify(tmp_path, Drift(rds_encrypted=False))
    assert run.code == 1
    assert run.failures == [
        "FAIL  rds-encrypted: DB instance 'webmodel-prod-db' storage is not encrypted"
    ]


@pytest.mark.usefixtures("moto")
def test_the_stage_config_decides_how_a_single_az_database_counts(tmp_path: Path) -> None:
    """One account with a single-AZ database, judged under four pack configs: the level of
    rds-multi-az in the file, not the stage's name, makes it FAIL, WARN or SKIP."""
    drift = Drift(rds_multi_az=False)
    prod = run_verify(tmp_path, drift, stack="acme/webmodel/prod")  # prod.json: mandatory
    assert prod.code == 1
    assert prod.failures == ["FAIL  rds-multi-az: DB instance 'webmodel-prod-db' is single-AZ"]
    fix = prod.lines[prod.lines.index(prod.failures[0]) + 1]
    assert fix.startswith("      fix: set webmodel:database multiAz: true in Pulumi.<stage>.yaml")

    def again(stack: str, *extra: str) -> Run:
        return rerun(tmp_path, prod.clients, prod.account, drift, stack, extra)

    dev = again("dev")  # dev.json: advisory
    assert dev.code == 0, dev.out
    assert dev.failures == []
    assert (
        "WARN  rds-multi-az: DB instance 'webmodel-prod-db' is single-AZ "
        "(rds-multi-az is advisory in policies/config/dev.json)"
    ) in dev.lines
    assert dev.lines[-1] == (
        "stack dev: 11 of 12 checks passed, 1 warning(s); every guarantee holds (exit 0)"
    )

    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps({"rds-multi-az": {"enforcementLevel": "mandatory"}}))
    strict_dev = again("dev", "--policy-pack-config", str(strict))
    assert strict_dev.code == 1
    assert strict_dev.failures == prod.failures

    off = tmp_path / "off.json"
    off.write_text(json.dumps({"all": "mandatory", "rds-multi-az": "disabled"}))
    relaxed_prod = again("prod", "--policy-pack-config", str(off))
    assert relaxed_prod.code == 0, relaxed_prod.out
    assert (
        "SKIP  rds-multi-az: DB instance 'webmodel-prod-db' is single-AZ "
        f"(rds-multi-az is disabled in {off})"
    ) in relaxed_prod.lines
    assert relaxed_prod.lines[-1] == (
        "stack prod: 11 of 12 checks passed, 1 skipped; every guarantee holds (exit 0)"
    )


@pytest.mark.usefixtures("moto")
def test_environment_not_green_fails(tmp_path: Path) -> None:
    run = run_verify(tmp_path, Drift(web_status=("Ready", "Red")))
    assert run.code == 1
    assert run.failures == [
        "FAIL  web-env-ready-green: web environment 'webmodel-prod-web' is Ready/Red, "
        "expected Ready/Green"
    ]


@pytest.mark.usefixtures("moto")
def test_missing_environment_fails_and_its_checks_are_not_passed(tmp_path: Path) -> None:
    run = run_verify(tmp_path, Drift(model_missing=True))
    assert run.code == 1
    reason = "not checked: model environment 'webmodel-prod-model' does not exist"
    assert run.failures == [
        "FAIL  model-env-ready-green: model environment 'webmodel-prod-model' not found in "
        "application 'webmodel-prod'",
        f"FAIL  model-instances-no-public-ip: {reason}",
        f"FAIL  model-instances-private-subnets: {reason}",
        f"FAIL  model-env-properties-size: {reason}",
        f"FAIL  model-lb-internal: {reason}",
    ]


@pytest.mark.usefixtures("moto")
def test_missing_db_instance_fails_every_database_check(tmp_path: Path) -> None:
    clients = make_clients()
    account = build_account(clients.ec2, clients.elbv2, clients.rds, Drift())
    clients.rds.delete_db_instance(DBInstanceIdentifier=DB_ID, SkipFinalSnapshot=True)
    stubber = stub_beanstalk(clients.elasticbeanstalk, account, Drift())
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(stack_outputs(account)), encoding="utf-8")
    out = io.StringIO()
    code = main(
        ["--stack", "prod", "--outputs", str(outputs), "--region", REGION],
        make_clients=lambda region: clients,
        out=out,
        err=io.StringIO(),
    )
    stubber.assert_no_pending_responses()
    assert code == 1
    assert [line for line in out.getvalue().splitlines() if line.startswith("FAIL")] == [
        f"FAIL  {check}: DB instance 'webmodel-prod-db' not found"
        for check in ("rds-not-public", "rds-encrypted", "rds-multi-az")
    ]


def test_subnet_public_reason_ignores_nat_routes_and_sees_ipv6_igw_routes() -> None:
    subnet: Any = {"SubnetId": "subnet-1", "VpcId": "vpc-1", "MapPublicIpOnLaunch": False}
    nat: Any = {
        "RouteTableId": "rtb-nat",
        "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}],
    }
    ipv6: Any = {
        "RouteTableId": "rtb-v6",
        "Routes": [{"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-6"}],
    }
    local: Any = {"RouteTableId": "rtb-l", "Routes": [{"DestinationCidrBlock": "10.0.0.0/16",
                                                       "GatewayId": "local"}]}  # fmt: skip
    assert subnet_public_reason(subnet, [nat, local]) is None
    assert subnet_public_reason(subnet, [ipv6]) == "route ::/0 -> igw-6 in rtb-v6"


@pytest.fixture
def moto_server() -> Iterator[str]:
    """A real moto HTTP server on a free loopback port, with fresh state."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        reset = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(reset, timeout=10):  # loopback only
            pass
        yield url
    finally:
        server.stop()


def test_verify_over_http_against_moto_server(tmp_path: Path, moto_server: str) -> None:
    """EC2, ELBv2 and RDS requests go through botocore's endpoint handling, signing and
    HTTP to the server; a healthy account passes, then a database made public fails."""
    healthy = run_verify(tmp_path, endpoint_url=moto_server)
    assert healthy.code == 0, healthy.out
    assert healthy.failures == []

    clients = make_clients(moto_server)
    clients.rds.modify_db_instance(
        DBInstanceIdentifier=DB_ID, PubliclyAccessible=True, ApplyImmediately=True
    )
    stubber = stub_beanstalk(clients.elasticbeanstalk, healthy.account, Drift())
    outputs = tmp_path / "outputs.json"
    out = io.StringIO()
    code = main(
        ["--stack", "prod", "--outputs", str(outputs), "--region", REGION],
        make_clients=lambda region: clients,
        out=out,
        err=io.StringIO(),
    )
    stubber.assert_no_pending_responses()
    assert code == 1
    assert "FAIL  rds-not-public: DB instance 'webmodel-prod-db' is publicly accessible" in (
        out.getvalue().splitlines()
    )


def _ipv6_zero_spellings() -> st.SearchStrategy[str]:
    """`::/0` written every way: eight groups of one to four zeros, any run compressed."""

    @st.composite
    def spelling(draw: st.DrawFn) -> str:
        groups = [draw(st.sampled_from(["0", "00", "000", "0000"])) for _ in range(8)]
        start = draw(st.integers(0, 8))
        end = draw(st.integers(start, 8))
        if end - start >= 1 and draw(st.booleans()):
            address = ":".join(groups[:start]) + "::" + ":".join(groups[end:])
        else:
            address = ":".join(groups)
        return f"{address}/0"

    return spelling()


NOT_THE_WORLD = st.one_of(
    st.integers(1, 32).map(lambda n: f"0.0.0.0/{n}"),
    st.integers(1, 128).map(lambda n: f"::/{n}"),
    st.sampled_from(["10.0.0.0/8", "0.0.0.0", "::", "any", "", "0.0.0.0/-0", "::/00x"]),
)


def _route_table(destination: str) -> Any:
    key = "DestinationIpv6CidrBlock" if ":" in destination else "DestinationCidrBlock"
    return {"RouteTableId": "rtb-1", "Routes": [{key: destination, "GatewayId": "igw-1"}]}


SUBNET: Any = {"SubnetId": "subnet-1", "VpcId": "vpc-1", "MapPublicIpOnLaunch": False}


def test_verify_uses_the_packs_world_predicate_not_a_copy() -> None:
    assert pack.is_world is is_world


@settings(max_examples=150, deadline=None)
@given(st.one_of(_ipv6_zero_spellings(), st.just("0.0.0.0/0")))
def test_a_route_to_the_world_in_any_spelling_makes_a_subnet_public(destination: str) -> None:
    assert is_world(destination)
    assert subnet_public_reason(SUBNET, [_route_table(destination)]) == (
        f"route {destination} -> igw-1 in rtb-1"
    )


@settings(max_examples=150, deadline=None)
@given(NOT_THE_WORLD)
def test_a_narrower_route_to_an_igw_leaves_a_subnet_private(destination: str) -> None:
    assert not is_world(destination)
    assert subnet_public_reason(SUBNET, [_route_table(destination)]) is None
