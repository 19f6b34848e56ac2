"""The AWS Price List API part of `scripts.refresh_prices`: the services with no feed here.

`fetch` runs one `pricing.get_products` query per `Query` (TERM_MATCH filters, every page) and
files each product's on-demand USD price under a rate of the table, keyed by the product's
`regionCode` and the dimension its attributes give (an engine and instance class, a volume
type, a load balancer type, a queue type). A product whose attributes this module does not map
is skipped; a tiered price takes its first non-free tier. Every rate's source is the service's
Price List, dated by the newest `publicationDate` of the products read.

Tested with botocore's Stubber: no call leaves the machine in the tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Protocol

Classify = Callable[[Mapping[str, str]], tuple[str, str] | None]
"""Product attributes -> (rate name, dimension key; "" for none), or None to skip it."""


def price_text(raw: str) -> str:
    """A feed's price ("0.0590000000") as the shortest exact decimal ("0.059")."""
    text = format(Decimal(raw).normalize(), "f")
    return text if text != "-0" else "0"


class PricingClient(Protocol):
    def get_products(self, **kwargs: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Query:
    service: str
    filters: tuple[tuple[str, str], ...]
    classify: Classify


RDS_ENGINES: Final = {"PostgreSQL": "postgres", "MySQL": "mysql", "MariaDB": "mariadb"}
"""Price List `databaseEngine` -> the `engine` of `aws:rds/instance:Instance`."""
RDS_VOLUMES: Final = {
    "General Purpose": "gp2",
    "General Purpose-GP3": "gp3",
    "Provisioned IOPS": "io1",
    "Provisioned IOPS-IO2": "io2",
    "Magnetic": "standard",
}
"""Price List `volumeType` of RDS storage -> `storageType` of the instance."""
ELB_FAMILIES: Final = {
    "Load Balancer-Application": "application",
    "Load Balancer-Network": "network",
    "Load Balancer-Gateway": "gateway",
    "Load Balancer": "classic",
}
UNITS: Final = {
    "rds.instanceHour": "instance-hour",
    "rds.storageGbMonth": "GB-month",
    "ebs.gbMonth": "GB-month",
    "elb.hour": "hour",
    "elb.capacityUnitHour": "LCU-hour",
    "sqs.request": "request",
    "secretsManager.secretMonth": "secret-month",
}


def _rds_instance(attributes: Mapping[str, str]) -> tuple[str, str] | None:
    engine = RDS_ENGINES.get(attributes.get("databaseEngine", ""))
    instance_class = attributes.get("instanceType", "")
    if engine is None or not instance_class.startswith("db."):
        return None
    return "rds.instanceHour", f"{engine}/{instance_class}"


def _rds_storage(attributes: Mapping[str, str]) -> tuple[str, str] | None:
    volume = RDS_VOLUMES.get(attributes.get("volumeType", ""))
    engine = attributes.get("databaseEngine", "")
    if volume is None or engine not in (*RDS_ENGINES, "Any", ""):
        return None
    return "rds.storageGbMonth", volume


def _ebs(attributes: Mapping[str, str]) -> tuple[str, str] | None:
    volume = attributes.get("volumeApiName", "")
    if not volume or "EBS:VolumeUsage" not in attributes.get("usagetype", ""):
        return None
    return "ebs.gbMonth", volume


def _elb(attributes: Mapping[str, str]) -> tuple[str, str] | None:
    kind = ELB_FAMILIES.get(attributes.get("productFamily", ""))
    usage = attributes.get("usagetype", "")
    if kind is None:
        return None
    if usage.endswith("LoadBalancerUsage"):
        return "elb.hour", kind
    if usage.endswith("LCUUsage"):
        return "elb.capacityUnitHour", kind
    return None


def _sqs(attributes: Mapping[str, str]) -> tuple[str, str] | None:
    queue = attributes.get("queueType", "").lower()
    for kind in ("standard", "fifo"):
        if queue.startswith(kind):
            return "sqs.request", kind
    return None


QUERIES: Final = (
    Query(
        "AmazonRDS",
        (
            ("productFamily", "Database Instance"),
            ("deploymentOption", "Single-AZ"),
            ("licenseModel", "No license required"),
        ),
        _rds_instance,
    ),
    Query(
        "AmazonRDS",
        (("productFamily", "Database Storage"), ("deploymentOption", "Single-AZ")),
        _rds_storage,
    ),
    Query("AmazonEC2", (("productFamily", "Storage"),), _ebs),
    Query("AWSELB", (), _elb),
    Query("AWSQueueService", (("productFamily", "API Request"),), _sqs),
    Query(
        "AWSSecretsManager",
        (("productFamily", "Secret"),),
        lambda attributes: ("secretsManager.secretMonth", ""),
    ),
)


def on_demand_usd(product: Mapping[str, Any]) -> str | None:
    """The product's on-demand USD price: its first non-free tier (the lowest `beginRange`)."""
    tiers: list[tuple[Decimal, str]] = []
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None and Decimal(usd) > 0:
                tiers.append((Decimal(dimension.get("beginRange", "0")), price_text(usd)))
    return min(tiers)[1] if tiers else None


def products(client: PricingClient, query: Query) -> list[dict[str, Any]]:
    """Every product of one query, page after page."""
    arguments: dict[str, Any] = {
        "ServiceCode": query.service,
        "Filters": [{"Type": "TERM_MATCH", "Field": f, "Value": v} for f, v in query.filters],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    found: list[dict[str, Any]] = []
    while True:
        page = client.get_products(**arguments)
        found.extend(json.loads(item) for item in page.get("PriceList", []))
        token = page.get("NextToken")
        if not token:
            return found
        arguments["NextToken"] = token


def fetch(client: PricingClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """(rates, sources) for the table, from every query; a dimension two products price
    differently keeps the higher price (an estimate errs on the side of cost)."""
    rates: dict[str, Any] = {}
    dates: dict[str, str] = {}
    for query in QUERIES:
        source = f"pricelist:{query.service}"
        for product in products(client, query):
            described = product.get("product", {})
            family = {"productFamily": described.get("productFamily", "")}
            attributes = {**described.get("attributes", {}), **family}
            found, price = query.classify(attributes), on_demand_usd(product)
            region = attributes.get("regionCode")
            if found is None or price is None or not region:
                continue
            name, key = found
            rate = rates.setdefault(name, {"source": source, "unit": UNITS[name], "prices": {}})
            _file(rate["prices"], region, key, price)
            dates[source] = max(dates.get(source, ""), str(product.get("publicationDate", ""))[:10])
    for rate in rates.values():
        rate["prices"] = {r: _sorted(p) for r, p in sorted(rate["prices"].items())}
    sources = {
        source: {
            "what": f"AWS Price List API, service {source.split(':', 1)[1]}",
            "published": date,
        }
        for source, date in sorted(dates.items())
    }
    return rates, sources


def _file(prices: dict[str, Any], region: str, key: str, price: str) -> None:
    if not key:
        old = prices.get(region)
        prices[region] = price if old is None else max(old, price, key=Decimal)
        return
    regional = prices.setdefault(region, {})
    old = regional.get(key)
    regional[key] = price if old is None else max(old, price, key=Decimal)


def _sorted(prices: Any) -> Any:
    return dict(sorted(prices.items())) if isinstance(prices, dict) else prices


def client_if_credentials() -> PricingClient | None:
    """A Price List client when boto3 finds AWS credentials, else None (nothing is called)."""
    import boto3

    session = boto3.session.Session()
    if session.get_credentials() is None:
        print("no AWS credentials: the Price List rates are kept as they are")
        return None
    client: PricingClient = session.client("pricing", region_name="us-east-1")
    return client
