"""verify's web, model and database checks against a fake AWS account: moto for EC2, ELBv2
and RDS (in process, and once through a real HTTP `ThreadedMotoServer`), `Stubber` for the
Elastic Beanstalk calls moto does not implement (tests/verify/account.py). One healthy
account, then one kind of drift per case, each asserting the exact FAIL line verify prints;
and the route rule verify shares with the pack. Mirrors verify/checks.py and database.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from awsfacts.ec2 import is_internet_gateway_id, is_world
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verify.account import (
    DB_ID,
    HEALTHY_CHECKS,
    REGION,
    Drift,
    Run,
    build_account,
    make_clients,
    rerun,
    run_verify,
)
from verify import pack
from verify.checks import check_runs_stack_version, subnet_public_reason


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


NOT_CHECKED = "not checked: model environment 'webmodel-prod-model' does not exist"

DRIFTS = [
    pytest.param(
        # key=value UTF-8 bytes: 9 + 3100, 5 + 1000 (é is two bytes), 12
        Drift(web_env_props={"BIG_JSON": "x" * 3100, "CERT": "é" * 500, "APP_ENV": "prod"}),
        [
            "FAIL  web-env-properties-size: web environment properties use 4,126 bytes, over "
            "the 4,096-byte limit; biggest: BIG_JSON (3,109 B), CERT (1,005 B), APP_ENV (12 B)"
        ],
        id="environment-properties-over-4kb-report-size-and-biggest",
    ),
    pytest.param(
        Drift(model_lb_scheme="internet-facing"),
        [
            "FAIL  model-lb-internal: model load balancer not internal: awseb-model is "
            "internet-facing"
        ],
        id="internet-facing-model-load-balancer",
    ),
    pytest.param(
        Drift(rds_public=True),
        ["FAIL  rds-not-public: DB instance 'webmodel-prod-db' is publicly accessible"],
        id="public-rds",
    ),
    pytest.param(
        Drift(rds_encrypted=False),
        ["FAIL  rds-encrypted: DB instance 'webmodel-prod-db' storage is not encrypted"],
        id="unencrypted-rds",
    ),
    pytest.param(
        Drift(web_status=("Ready", "Red")),
        [
            "FAIL  web-env-ready-green: web environment 'webmodel-prod-web' is Ready/Red, "
            "expected Ready/Green"
        ],
        id="environment-not-green",
    ),
    pytest.param(
        Drift(model_missing=True),
        [
            "FAIL  model-env-ready-green: model environment 'webmodel-prod-model' not found in "
            "application 'webmodel-prod'",
            f"FAIL  model-instances-no-public-ip: {NOT_CHECKED}",
            f"FAIL  model-instances-private-subnets: {NOT_CHECKED}",
            f"FAIL  model-env-properties-size: {NOT_CHECKED}",
            f"FAIL  model-lb-internal: {NOT_CHECKED}",
        ],
        id="missing-environment-fails-and-its-checks-are-not-passed",
    ),
]


@pytest.mark.usefixtures("moto")
@pytest.mark.parametrize(("drift", "failures"), DRIFTS)
def test_each_drift_fails_its_check(tmp_path: Path, drift: Drift, failures: list[str]) -> None:
    run = run_verify(tmp_path, drift)
    assert run.code == 1
    assert run.failures == failures


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
def test_missing_db_instance_fails_every_database_check(tmp_path: Path) -> None:
    clients = make_clients()
    account = build_account(clients.ec2, clients.elbv2, clients.rds, Drift())
    clients.rds.delete_db_instance(DBInstanceIdentifier=DB_ID, SkipFinalSnapshot=True)
    run = rerun(tmp_path, clients, account, Drift())
    assert run.code == 1
    assert run.failures == [
        f"FAIL  {check}: DB instance 'webmodel-prod-db' not found"
        for check in ("rds-not-public", "rds-encrypted", "rds-multi-az")
    ]


@pytest.mark.parametrize(
    ("running", "passed", "detail"),
    [
        ("web-c533e7499708", True, "web environment 'env-web' runs 'web-c533e7499708'"),
        (
            "web-000000000000",
            False,
            "web environment 'env-web' runs 'web-000000000000', but the stack deployed "
            "'web-c533e7499708'",
        ),
        (
            None,
            False,
            "web environment 'env-web' runs 'no version (the sample application)', but the "
            "stack deployed 'web-c533e7499708'",
        ),
    ],
)
def test_each_environment_runs_the_version_the_stack_deployed(
    running: str | None, passed: bool, detail: str
) -> None:
    description = {"EnvironmentName": "env-web", **({"VersionLabel": running} if running else {})}
    result = check_runs_stack_version("web", "env-web", description, "web-c533e7499708")  # type: ignore[arg-type]
    assert (result.check_id, result.passed, result.detail) == (
        "web-runs-stack-version",
        passed,
        detail,
    )
    assert result.policy == "eb-runs-stack-version"


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
    public = rerun(tmp_path, clients, healthy.account, Drift())
    assert public.code == 1
    assert "FAIL  rds-not-public: DB instance 'webmodel-prod-db' is publicly accessible" in (
        public.failures
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


def test_verify_uses_the_packs_internet_gateway_fact_not_a_copy() -> None:
    assert pack.is_internet_gateway_id is is_internet_gateway_id


@settings(max_examples=150, deadline=None)
@given(st.one_of(_ipv6_zero_spellings(), st.just("0.0.0.0/0")))
def test_a_route_to_the_world_in_any_spelling_makes_a_subnet_public(destination: str) -> None:
    assert is_world(destination)
    assert subnet_public_reason(SUBNET, [_route_table(destination)]) == (
        f"route {destination} -> igw-1 in rtb-1"
    )


@settings(max_examples=150, deadline=None)
@given(NOT_THE_WORLD)
def test_a_narrower_route_to_an_igw_makes_a_subnet_public_too(destination: str) -> None:
    """AWS: a public subnet has a route to an internet gateway, whatever the destination."""
    assert not is_world(destination)
    assert subnet_public_reason(SUBNET, [_route_table(destination)]) == (
        f"route {destination or '?'} -> igw-1 in rtb-1"
    )


def _table(table_id: str, *routes: tuple[str, str, str, str]) -> Any:
    """A route table of (destination key, destination, target key, target) routes."""
    return {
        "RouteTableId": table_id,
        "Routes": [{key: value, target: gateway} for key, value, target, gateway in routes],
    }


def test_the_world_in_two_halves_or_a_prefix_list_to_an_igw_is_public() -> None:
    halves = _table(
        "rtb-h",
        ("DestinationCidrBlock", "0.0.0.0/1", "GatewayId", "igw-1"),
        ("DestinationCidrBlock", "128.0.0.0/1", "GatewayId", "igw-1"),
    )
    listed = _table("rtb-p", ("DestinationPrefixListId", "pl-1", "GatewayId", "igw-1"))
    assert subnet_public_reason(SUBNET, [halves]) == "route 0.0.0.0/1 -> igw-1 in rtb-h"
    assert subnet_public_reason(SUBNET, [listed]) == "route pl-1 -> igw-1 in rtb-p"


def test_egress_only_transit_and_peering_routes_leave_a_subnet_private() -> None:
    table = _table(
        "rtb-x",
        ("DestinationIpv6CidrBlock", "::/0", "EgressOnlyInternetGatewayId", "eigw-1"),
        ("DestinationCidrBlock", "0.0.0.0/0", "TransitGatewayId", "tgw-1"),
        ("DestinationCidrBlock", "10.9.0.0/16", "VpcPeeringConnectionId", "pcx-1"),
        ("DestinationCidrBlock", "10.0.0.0/16", "GatewayId", "local"),
        ("DestinationCidrBlock", "172.16.0.0/12", "GatewayId", "vgw-1"),
    )
    assert subnet_public_reason(SUBNET, [table]) is None
