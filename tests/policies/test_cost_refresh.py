"""The price table is exactly what the refresh script makes; its Price List part, stubbed."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import botocore.session
import pytest
from botocore.stub import Stubber
from pricing import PriceTable, Record, estimate_stack, usage_for
from pricing.table import TABLE

from scripts import refresh_prices
from scripts.price_list_api import QUERIES, PricingClient, fetch

FEEDS = refresh_prices.FEEDS
needs_feeds = pytest.mark.skipif(
    not (FEEDS / "README.md").is_file(), reason=f"{FEEDS} (the pricing feeds) is not here"
)


@needs_feeds
def test_the_committed_table_is_what_the_script_writes(tmp_path: Path) -> None:
    out = tmp_path / "prices.json"
    assert refresh_prices.main(["--offline", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == TABLE.read_text(encoding="utf-8"), (
        "policies/pricing/prices.json is stale: run `python -m scripts.refresh_prices --offline`"
    )


@needs_feeds
def test_every_figure_has_a_source_with_a_publication_date() -> None:
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    for name, rate in table["rates"].items():
        assert table["sources"][rate["source"]]["published"], name
    assert len(table["rates"]["ec2.instanceHour"]["prices"]["ap-northeast-2"]) > 500
    assert set(table["unavailable"]) == {"rds", "elb", "ebs", "sqs", "secretsManager"}


def _product(family: str, attributes: dict[str, str], *tiers: tuple[str, str]) -> str:
    dimensions = {
        f"SKU.TERM.{n}": {"unit": "Hrs", "beginRange": begin, "pricePerUnit": {"USD": usd}}
        for n, (begin, usd) in enumerate(tiers)
    }
    return json.dumps(
        {
            "product": {"productFamily": family, "attributes": attributes},
            "terms": {"OnDemand": {"SKU.TERM": {"priceDimensions": dimensions}}},
            "publicationDate": "2025-11-20T08:00:00Z",
        }
    )


SEOUL = {"regionCode": "ap-northeast-2"}
PAGES: dict[str, list[list[str]]] = {
    "AmazonRDS:Database Instance": [
        [
            _product(
                "Database Instance",
                {**SEOUL, "databaseEngine": "PostgreSQL", "instanceType": "db.t4g.micro"},
                ("0", "0.0250000000"),
            )
        ],
        [  # a second page; and a region the table does not cover
            _product(
                "Database Instance",
                {
                    "regionCode": "cn-north-1",
                    "databaseEngine": "MySQL",
                    "instanceType": "db.m5.large",
                },
                ("0", "1.0"),
            ),
            _product(
                "Database Instance",
                {**SEOUL, "databaseEngine": "Oracle", "instanceType": "db.m5.large"},
                ("0", "2.0"),
            ),
        ],
    ],
    "AmazonRDS:Database Storage": [
        [
            _product(
                "Database Storage", {**SEOUL, "volumeType": "General Purpose-GP3"}, ("0", "0.131")
            )
        ]
    ],
    "AmazonEC2:Storage": [
        [
            _product(
                "Storage",
                {**SEOUL, "volumeApiName": "gp3", "usagetype": "APN2-EBS:VolumeUsage.gp3"},
                ("0", "0.0912"),
            )
        ]
    ],
    "AWSELB:": [
        [
            _product(
                "Load Balancer-Application",
                {**SEOUL, "usagetype": "APN2-LoadBalancerUsage"},
                ("0", "0.0225"),
            ),
            _product(
                "Load Balancer-Application", {**SEOUL, "usagetype": "APN2-LCUUsage"}, ("0", "0.008")
            ),
        ]
    ],
    "AWSQueueService:API Request": [
        [
            _product(
                "API Request",
                {**SEOUL, "queueType": "Standard"},
                ("1000000", "0.0000004"),
                ("0", "0.0000000000"),  # the free tier is not the price
            )
        ]
    ],
    "AWSSecretsManager:Secret": [[_product("Secret", SEOUL, ("0", "0.40"))]],
}
"""Invented figures in the API's own format: the test checks parsing, not AWS's prices."""


def _stubbed_fetch() -> tuple[dict[str, Any], dict[str, Any]]:
    client = botocore.session.get_session().create_client(
        "pricing",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    with Stubber(client) as stub:
        for query in QUERIES:
            family = dict(query.filters).get("productFamily", "")
            pages = PAGES[f"{query.service}:{family}"]
            for number, page in enumerate(pages):
                expected = {
                    "ServiceCode": query.service,
                    "Filters": [
                        {"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in query.filters
                    ],
                    "FormatVersion": "aws_v1",
                    "MaxResults": 100,
                    **({"NextToken": f"page-{number}"} if number else {}),
                }
                response: dict[str, Any] = {"PriceList": page, "FormatVersion": "aws_v1"}
                if number + 1 < len(pages):
                    response["NextToken"] = f"page-{number + 1}"
                stub.add_response("get_products", response, expected)
        found = fetch(cast(PricingClient, client))
        stub.assert_no_pending_responses()
    return found


def test_the_price_list_part_reads_every_page_with_term_match_filters() -> None:
    rates, sources = _stubbed_fetch()
    assert rates["rds.instanceHour"]["prices"] == {
        "ap-northeast-2": {"postgres/db.t4g.micro": "0.025"},
        "cn-north-1": {"mysql/db.m5.large": "1"},
    }
    assert rates["rds.storageGbMonth"]["prices"] == {"ap-northeast-2": {"gp3": "0.131"}}
    assert rates["ebs.gbMonth"]["prices"] == {"ap-northeast-2": {"gp3": "0.0912"}}
    assert rates["elb.hour"]["prices"] == {"ap-northeast-2": {"application": "0.0225"}}
    assert rates["elb.capacityUnitHour"]["prices"] == {"ap-northeast-2": {"application": "0.008"}}
    assert rates["sqs.request"]["prices"] == {"ap-northeast-2": {"standard": "0.0000004"}}
    assert rates["secretsManager.secretMonth"]["prices"] == {"ap-northeast-2": "0.4"}
    assert sources["pricelist:AmazonRDS"] == {
        "what": "AWS Price List API, service AmazonRDS",
        "published": "2025-11-20",
    }


@needs_feeds
def test_a_refresh_with_credentials_fills_the_services_and_a_later_one_without_keeps_them() -> None:
    table = refresh_prices.build_table(FEEDS, None, _stubbed_fetch())
    assert table["unavailable"] == {}
    assert table["date"] == "2025-11-20"
    assert table["source"].endswith("; AWS Price List API")
    assert "cn-north-1" not in table["rates"]["rds.instanceHour"]["prices"]  # not a covered region
    assert refresh_prices.build_table(FEEDS, table) == table  # offline: the fetched part is kept
    database = Record(
        "urn:pulumi:prod::shop::aws:rds/instance:Instance::db",
        "aws:rds/instance:Instance",
        {"engine": "postgres", "instanceClass": "db.t4g.micro", "multiAz": True},
    )
    estimate = estimate_stack([database], "ap-northeast-2", usage_for("prod"), PriceTable(table))
    assert estimate.resources[0].items[0].monthly.max == 2 * 730 * Decimal("0.025")  # multi-AZ
