"""`python -m verify --slot NAME`: a slot's environments before a flip, and each switch record
resolving to the live slot after it, on a prod account in moto (VPC, instances, load balancers,
a public and a private Route 53 zone) with botocore's Stubber answering the Elastic Beanstalk
calls moto lacks. Mirrors verify/slots.py and the slot parts of verify/runner.py."""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tests.verify.account import (
    HEALTHY_CHECKS,
    REGION,
    Account,
    Drift,
    build_account,
    make_clients,
    queue_environment,
    stack_outputs,
)
from verify.aws import Clients
from verify.cli import main

ROLES = ("web", "model")
RECORDS = {"web": "app.example.com", "model": "model.webmodel.internal"}
VERSIONS = {"web": "web-0123456789ab", "model": "model-0123456789ab"}


@dataclass
class Slots:
    """Both tiers as slots blue (the account's environments) and green (built here)."""

    clients: Clients
    account: Account
    instances: dict[tuple[str, str], list[str]]
    balancers: dict[tuple[str, str], dict[str, Any]]
    zones: dict[str, str]

    def env(self, role: str, slot: str) -> str:
        return f"webmodel-prod-{role}-{slot}"

    def point(self, role: str, slot: str) -> None:
        """The role's switch record: an alias of `slot`'s load balancer."""
        lb = self.balancers[(role, slot)]
        assert self.clients.route53 is not None
        self.clients.route53.change_resource_record_sets(
            HostedZoneId=self.zones[role],
            ChangeBatch={
                "Changes": [
                    {
                        "Action": "UPSERT",
                        "ResourceRecordSet": {
                            "Name": RECORDS[role],
                            "Type": "A",
                            "AliasTarget": {
                                "HostedZoneId": lb["CanonicalHostedZoneId"],
                                "DNSName": f"dualstack.{lb['DNSName']}",
                                "EvaluateTargetHealth": True,
                            },
                        },
                    }
                ]
            },
        )

    def outputs(self, live: str) -> dict[str, object]:
        found = {
            **stack_outputs(self.account),
            "webEnvironmentName": self.env("web", live),
            "modelEnvironmentName": self.env("model", live),
            "webDomain": RECORDS["web"],
        }
        for role in ROLES:
            found[f"{role}Slots"] = {
                "live": live,
                "record": RECORDS[role],
                "zoneId": self.zones[role],
                "slots": {
                    slot: {"environmentName": self.env(role, slot), "versionLabel": VERSIONS[role]}
                    for slot in ("blue", "green")
                },
            }
        return found


@pytest.fixture
def slots(moto: None) -> Slots:
    clients = dataclasses.replace(
        make_clients(), route53=boto3.client("route53", region_name=REGION)
    )
    account = build_account(clients.ec2, clients.elbv2, clients.rds, Drift())
    ec2, elbv2 = clients.ec2, clients.elbv2

    def launch(subnet: str) -> str:
        return ec2.run_instances(
            ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, SubnetId=subnet
        )["Instances"][0]["InstanceId"]

    instances = {
        ("web", "blue"): account.web_instances,
        ("model", "blue"): account.model_instances,
        ("web", "green"): [launch(s) for s in account.private_subnets],
        ("model", "green"): [launch(account.private_subnets[0])],
    }
    arns = {("web", "blue"): account.web_lb_arn, ("model", "blue"): account.model_lb_arn}
    arns[("web", "green")] = elbv2.create_load_balancer(
        Name="awseb-web-green", Subnets=account.public_subnets, Scheme="internet-facing"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    arns[("model", "green")] = elbv2.create_load_balancer(
        Name="awseb-model-green", Subnets=account.private_subnets, Scheme="internal"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    described = elbv2.describe_load_balancers(LoadBalancerArns=list(arns.values()))
    by_arn = {lb["LoadBalancerArn"]: lb for lb in described["LoadBalancers"]}
    route53 = clients.route53
    assert route53 is not None
    public = route53.create_hosted_zone(Name="example.com", CallerReference="public")
    private = route53.create_hosted_zone(
        Name="webmodel.internal",
        CallerReference="private",
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": "ap-northeast-2", "VPCId": account.vpc_id},
    )
    zones = {
        role: zone["HostedZone"]["Id"].removeprefix("/hostedzone/")
        for role, zone in (("web", public), ("model", private))
    }
    balancers: dict[tuple[str, str], dict[str, Any]] = {k: dict(by_arn[v]) for k, v in arns.items()}
    found = Slots(clients, account, instances, balancers, zones)
    for role in ROLES:
        found.point(role, "blue")
    return found


def queue_slot(stubber: Stubber, slots: Slots, role: str, slot: str, **kwargs: Any) -> None:
    queue_environment(
        stubber,
        slots.env(role, slot),
        kwargs.pop("status", ("Ready", "Green")),
        slots.instances[(role, slot)],
        slots.balancers[(role, slot)]["LoadBalancerArn"],
        {"APP_ENV": "prod"},
        version=VERSIONS[role],
        **kwargs,
    )


def queue_switches(stubber: Stubber, slots: Slots, live: str) -> None:
    """The switch checks' lookups: per role, the live slot's environment first."""
    for role in ROLES:
        for slot in sorted(("blue", "green"), key=lambda s: s != live):
            queue_slot(stubber, slots, role, slot, settings=False)


def verify(
    tmp_path: Path, slots: Slots, live: str, stubbed: Stubber, *args: str
) -> tuple[int, str, str]:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(slots.outputs(live)), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    stubbed.activate()
    code = main(
        ["--stack", "prod", "--outputs", str(path), "--region", REGION, *args],
        make_clients=lambda region: slots.clients,
        out=out,
        err=err,
    )
    stubbed.assert_no_pending_responses()
    stubbed.deactivate()
    return code, out.getvalue(), err.getvalue()


def lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line[:4] in ("PASS", "FAIL", "WARN")]


def dns(slots: Slots, role: str, slot: str) -> str:
    return str(slots.balancers[(role, slot)]["DNSName"]).lower()


def test_before_a_flip_green_is_checked_and_the_switches_point_at_blue(
    tmp_path: Path, slots: Slots
) -> None:
    stubber = Stubber(slots.clients.elasticbeanstalk)
    for role in ROLES:
        queue_slot(stubber, slots, role, "green")
    queue_switches(stubber, slots, live="blue")
    code, out, _ = verify(tmp_path, slots, "blue", stubber, "--slot", "green")
    assert [line.split(":")[0] for line in lines(out)] == [
        "PASS  web-green-env-ready-green",
        "PASS  web-green-runs-stack-version",
        "PASS  web-green-instances-no-public-ip",
        "PASS  web-green-instances-private-subnets",
        "PASS  web-green-env-properties-size",
        "PASS  model-green-env-ready-green",
        "PASS  model-green-runs-stack-version",
        "PASS  model-green-instances-no-public-ip",
        "PASS  model-green-instances-private-subnets",
        "PASS  model-green-env-properties-size",
        "PASS  model-green-lb-internal",
        "PASS  web-switch-live",
        "PASS  model-switch-live",
    ]
    assert lines(out)[-2:] == [
        "PASS  web-switch-live: app.example.com is an alias of the live web slot 'blue' "
        "(webmodel-prod-web-blue)",
        "PASS  model-switch-live: model.webmodel.internal is an alias of the live model slot "
        "'blue' (webmodel-prod-model-blue)",
    ]
    assert code == 0


def test_after_a_flip_a_record_still_on_the_old_slot_fails(tmp_path: Path, slots: Slots) -> None:
    slots.point("model", "green")  # the model's record moved, the web's did not
    stubber = Stubber(slots.clients.elasticbeanstalk)
    for role in ROLES:
        queue_slot(stubber, slots, role, "green")
    queue_switches(stubber, slots, live="green")
    code, out, _ = verify(tmp_path, slots, "green", stubber, "--slot", "green")
    assert lines(out)[-2:] == [
        f"FAIL  web-switch-live: app.example.com is an alias of {dns(slots, 'web', 'blue')} "
        f"(slot 'blue'), not of the live web slot 'green' ({dns(slots, 'web', 'green')})",
        "PASS  model-switch-live: model.webmodel.internal is an alias of the live model slot "
        "'green' (webmodel-prod-model-green)",
    ]
    assert "fix: run `pulumi up`: the record follows webmodel:web.live ('green')" in out
    assert code == 1


def test_an_unhealthy_slot_fails_before_anyone_flips_to_it(tmp_path: Path, slots: Slots) -> None:
    stubber = Stubber(slots.clients.elasticbeanstalk)
    queue_slot(stubber, slots, "web", "green", status=("Ready", "Red"))
    queue_slot(stubber, slots, "model", "green")
    queue_switches(stubber, slots, live="blue")
    code, out, _ = verify(tmp_path, slots, "blue", stubber, "--slot", "green")
    assert lines(out)[0] == (
        "FAIL  web-green-env-ready-green: web environment 'webmodel-prod-web-green' is "
        "Ready/Red, expected Ready/Green"
    )
    assert code == 1


def test_the_whole_stack_checks_the_live_slots_and_the_switches(
    tmp_path: Path, slots: Slots
) -> None:
    """Without --slot: the live environments (webEnvironmentName, modelEnvironmentName) as
    always, each switch instead of the web domain's alias check, then the database."""
    stubber = Stubber(slots.clients.elasticbeanstalk)
    for role in ROLES:
        queue_slot(stubber, slots, role, "blue")
    queue_switches(stubber, slots, live="blue")
    code, out, _ = verify(tmp_path, slots, "blue", stubber)
    checks = [line.split(":")[0].split()[1] for line in lines(out)]
    assert checks == [
        *HEALTHY_CHECKS[:9],
        "web-switch-live",
        "model-switch-live",
        *HEALTHY_CHECKS[9:],
    ]
    assert "web-domain-alias" not in checks
    assert code == 0


def test_a_slot_no_role_has_is_bad_input(tmp_path: Path, slots: Slots) -> None:
    code, _, err = verify(
        tmp_path, slots, "blue", Stubber(slots.clients.elasticbeanstalk), "--slot", "purple"
    )
    assert (code, err) == (
        2,
        "verify: error: --slot purple: no role of the stack has a slot 'purple' "
        "(web: blue, green; model: blue, green)\n",
    )


def test_slot_outputs_that_name_no_live_slot_are_bad_input(tmp_path: Path, slots: Slots) -> None:
    path = tmp_path / "outputs.json"
    outputs = slots.outputs("blue")
    outputs["modelSlots"] = {**outputs["modelSlots"], "live": "red"}  # type: ignore[dict-item]
    path.write_text(json.dumps(outputs), encoding="utf-8")
    err = io.StringIO()
    code = main(
        ["--stack", "prod", "--outputs", str(path), "--region", REGION],
        make_clients=lambda region: slots.clients,
        out=io.StringIO(),
        err=err,
    )
    assert (code, err.getvalue()) == (
        2,
        f"verify: error: stack output modelSlots in {path} names live slot red but its slots are "
        'blue, green; modelSlots is {"live", "record", "zoneId", "slots": {NAME: '
        '{"environmentName", "versionLabel"}}}\n',
    )
