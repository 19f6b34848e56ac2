"""The estimator on the program's own stacks: totals by hand, deltas, coverage of every type."""

from __future__ import annotations

from decimal import Decimal

import pytest
from awsfacts.eb import ASG_NS, INSTANCES_NS
from pricing import (
    HOURS_PER_MONTH,
    Estimate,
    Record,
    classify,
    compare,
    components,
    estimate_stack,
    stack_region,
    usage_for,
)

from tests.policies.cost_support import (
    REGION,
    named,
    price,
    replaced,
    setting,
    stack_export,
    stack_records,
)

H = HOURS_PER_MONTH
DEV_USAGE = {
    "natDataGbPerMonth": 40,
    "instanceLogGbPerMonth": 3,
    "flowLogGbPerMonth": 2,
    "bucketStoredGb": 7,
    "publicLoadBalancerAddressesPerZone": 1,
}


def _dev() -> tuple[list[Record], Estimate]:
    records = stack_records("dev")
    return records, estimate_stack(records, REGION, usage_for("dev", DEV_USAGE))


def test_dev_totals_by_hand_from_the_tables_figures() -> None:
    """Dev: web t3.small 1..2, model g4dn.xlarge 1..1, one NAT gateway with its Elastic IP, a
    public web load balancer in 2 subnets, 2 trigger alarms and streamed logs per environment,
    one flow log, two buckets. (RDS, load balancers and EBS have no price data offline.)"""
    _, estimate = _dev()
    web, model = price("ec2.instanceHour", "t3.small"), price("ec2.instanceHour", "g4dn.xlarge")
    ipv4, alarm, ingest = (
        price("publicIpv4.hour"),
        price("cloudwatch.alarmMonth"),
        price("logs.ingestGb"),
    )
    fixed = (
        model * H  # one model instance
        + 2 * H * ipv4  # the web load balancer's public addresses, one per subnet
        + H * ipv4  # the NAT gateway's Elastic IP
        + H * price("natGateway.hour")
        + 40 * price("natGateway.gb")
        + 2 * 2 * alarm  # each environment's Auto Scaling trigger: a high and a low alarm
        + 2 * 3 * ingest  # each environment streams 3 GB of logs
        + 2 * price("logs.vendedGb")  # the flow log's 2 GB, delivered to CloudWatch Logs
        + 2 * 7 * price("s3.standardGbMonth")  # two buckets of 7 GB
    )
    assert estimate.monthly.min == fixed + 1 * H * web
    assert estimate.monthly.max == fixed + 2 * H * web
    assert estimate.by_role["web"].max == 2 * H * web + 2 * H * ipv4 + 2 * alarm + 3 * ingest
    models_bucket = 7 * price("s3.standardGbMonth")  # tagged role=model; bundles stay shared
    assert estimate.by_role["model"].min == model * H + 2 * alarm + 3 * ingest + models_bucket
    assert set(estimate.by_role) == {"web", "model", "network", "shared"}
    assert estimate.to_json("dev")["monthlyUsd"] == {
        "min": float(round(fixed + H * web, 2)),
        "max": float(round(fixed + 2 * H * web, 2)),
    }


def test_dev_json_has_the_issues_shape() -> None:
    _, estimate = _dev()
    document = estimate.to_json("dev")
    assert list(document) == [
        "stack", "region", "currency", "prices", "monthlyUsd", "byRole", "resources", "unpriced"
    ]  # fmt: skip
    assert document["prices"] == {
        "date": "2025-11-04",
        "source": "AWS pricing-page feeds (lamngockhuong/aws-price@508fb45, 2025-11-05)",
    }
    web = next(r for r in document["resources"] if r["urn"].endswith("::webmodel-dev-web"))
    first = web["items"][0]
    assert first == {
        "what": "t3.small instances, Linux on-demand (1 to 2 running; the first of InstanceTypes)",
        "quantity": {"min": 730, "max": 1460},
        "unit": "instance-hour",
        "usdPerUnit": 0.026,
        "monthlyUsd": {"min": 18.98, "max": 37.96},
    }
    whys = {(u["urn"].rsplit("::", 1)[-1], u["why"].split(":", 1)[0]) for u in document["unpriced"]}
    assert ("database-postgres", "db.t4g.micro postgres instance") in whys
    assert ("webmodel-dev-web", "application load balancer") in whys
    assert ("webmodel-dev-model", "root volumes") in whys


def test_a_min_size_change_moves_the_minimum_by_the_hours_times_the_price() -> None:
    records, base = _dev()
    web = named(records, "webmodel-dev-web")
    head = estimate_stack(
        replaced(records, setting(web, ASG_NS, "MinSize", "2")), REGION, base.usage
    )
    diff = compare(base, head)
    assert diff.change.min == 1 * H * price("ec2.instanceHour", "t3.small")
    assert diff.change.max == 0
    assert [d.urn for d in diff.deltas] == [web.urn]


def test_an_instance_type_change_moves_the_estimate_by_the_price_difference() -> None:
    records, base = _dev()
    web = named(records, "webmodel-dev-web")
    bigger = setting(web, INSTANCES_NS, "InstanceTypes", "t3.large,t3.small")
    head = estimate_stack(replaced(records, bigger), REGION, base.usage)
    step = H * (price("ec2.instanceHour", "t3.large") - price("ec2.instanceHour", "t3.small"))
    diff = compare(base, head)
    assert (diff.change.min, diff.change.max) == (1 * step, 2 * step)  # MinSize 1, MaxSize 2
    assert diff.to_json()["deltas"][0]["urn"] == web.urn


def test_an_unknown_instance_type_and_region_are_unpriced_with_the_reason() -> None:
    records, base = _dev()
    model = named(records, "webmodel-dev-model")
    odd = setting(model, INSTANCES_NS, "InstanceTypes", "g9.mega")
    estimate = estimate_stack(replaced(records, odd), REGION, base.usage)
    why = [u.why for u in estimate.unpriced if u.urn == model.urn]
    assert (
        "g9.mega instances, Linux on-demand (1 running; the first of InstanceTypes): instance "
        "type 'g9.mega' has no price in ap-northeast-2 in the price table (AWS's prices of "
        "2025-11-03)"
    ) in why
    elsewhere = estimate_stack(records, "xx-moon-1", base.usage)
    assert elsewhere.monthly.max == 0
    assert {u.why.split(": ", 1)[1] for u in elsewhere.unpriced if u.urn == model.urn} >= {
        "region 'xx-moon-1' is not in the price table (it covers 36 regions: AWS's prices of "
        "2025-11-04)"
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_type_the_program_creates_is_priced_free_or_deliberately_unpriced(
    stack: str,
) -> None:
    resources = stack_export(stack)["deployment"]["resources"]
    parents = components(r["urn"] for r in resources)
    verdicts = {r["type"]: classify(r["type"], parents) for r in resources}
    undecided = {t: v for t, v in verdicts.items() if v[0] not in ("priced", "free", "unpriced")}
    assert not undecided, f"types with no price rule, free or unpriced entry: {undecided}"
    assert all(why for kind, why in verdicts.values() if kind != "priced")
    assert {t for t, (kind, _) in verdicts.items() if kind == "priced"} >= {
        "aws:elasticbeanstalk/environment:Environment",
        "aws:ec2/natGateway:NatGateway",
        "aws:rds/instance:Instance",
    }


def test_prod_is_priced_per_role_and_its_region_read_from_the_provider() -> None:
    records = stack_records("prod")
    assert stack_region(records) == REGION
    estimate = estimate_stack(records, REGION, usage_for("prod"))
    # The worker's queue and table carry role=worker; RDS (the database role) has no price
    # offline, so that role has nothing priced until a refresh with credentials.
    assert set(estimate.by_role) == {"web", "model", "worker", "network", "shared"}
    table = next(r for r in estimate.resources if r.type == "aws:dynamodb/table:Table")
    assert table.role == "worker"
    g5 = price("ec2.instanceHour", "g5.xlarge")
    model = next(r for r in estimate.resources if r.urn.endswith("::webmodel-prod-model"))
    assert model.items[0].monthly.max == 6 * H * g5  # maxSize 6 of the first type, g5.xlarge
    nat = [r for r in estimate.resources if r.type == "aws:ec2/natGateway:NatGateway"]
    assert len(nat) == 3
    shares = sum(r.items[1].quantity.max for r in nat)
    assert abs(shares - Decimal(300)) < Decimal("1e-20")  # the stack's NAT data, split in three
    worker = next(r for r in estimate.resources if r.urn.endswith("::webmodel-prod-worker"))
    assert not any("load balancer" in item.what for item in worker.items)  # a worker tier has none
