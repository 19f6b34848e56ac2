"""Rebuild policies/pricing/prices.json, the price table of the pack's cost estimator.

    python -m scripts.refresh_prices [--feeds DIR] [--out PATH] [--offline]

Two sources, each figure keeping its own:
- AWS's public pricing-page feeds in `../shared/pricing` (read, never copied): EC2 on-demand
  Linux for every instance type of every region, NAT gateways, public IPv4 and VPC endpoints,
  S3, CloudWatch, KMS and DynamoDB. Their README names the mirror and each feed's publication
  date; a region's feed name is its display name (botocore's region list, as the AWS Price
  List spells it).
- Where AWS credentials exist (and `--offline` is not given), the AWS Price List API
  (`scripts/price_list_api.py`) for the services without a feed: RDS, Elastic Load Balancing,
  EBS, SQS and Secrets Manager. Without credentials the rates an earlier refresh fetched are
  kept as they are; a service nobody fetched is recorded under `unavailable` with the reason,
  and the estimator lists what needs it as unpriced. No price is ever typed in by hand.

The output is deterministic: the same feeds (and kept rates) give the same bytes, which is
what the test that regenerates the committed table relies on.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

from scripts import price_list_api
from scripts.price_list_api import price_text

ROOT: Final = Path(__file__).resolve().parent.parent
FEEDS: Final = ROOT.parent / "shared" / "pricing"
OUT: Final = ROOT / "policies" / "pricing" / "prices.json"
EC2_FEED: Final = "ec2-transformed.json.gz"
API_SERVICES: Final = {
    "rds": "Amazon RDS",
    "elb": "Elastic Load Balancing",
    "ebs": "Amazon EBS",
    "sqs": "Amazon SQS",
    "secretsManager": "AWS Secrets Manager",
}
"""Rate prefixes with no feed here, filled only from the Price List API."""


class FeedRate(NamedTuple):
    """One figure of a regional feed: `regions[<display name>][key]["price"]`."""

    name: str
    feed: str
    key: str
    unit: str


FEED_KEYS: Final = Path(__file__).with_name("price_feeds.json")
"""Which figure of which feed makes which rate of the table, and its unit."""


def feed_rates_wanted() -> tuple[FeedRate, ...]:
    feeds = json.loads(FEED_KEYS.read_text(encoding="utf-8"))["feeds"]
    return tuple(
        FeedRate(name, feed, key, unit)
        for feed, rates in feeds.items()
        for name, (key, unit) in rates.items()
    )


class Provenance(NamedTuple):
    """What the feeds' README says: the mirror, its commit and date, and each file's date."""

    mirror: str
    """The public repository the feeds were mirrored from."""
    commit: str
    date: str
    published: dict[str, str]
    """File name -> the publication date the README gives it."""


_MIRROR = re.compile(r"mirrored in the public repository (\S+) at commit ([0-9a-f]{40}) \((\S+)\)")
_ROW = re.compile(r"^\| (\S+\.json\.gz) \|[^|]*?(\d{4}-\d{2}-\d{2})", re.MULTILINE)


def read_provenance(feeds: Path) -> Provenance:
    text = (feeds / "README.md").read_text(encoding="utf-8")
    mirror = _MIRROR.search(" ".join(text.split()))
    if mirror is None:
        raise SystemExit(f"{feeds}/README.md: no 'mirrored in ... at commit ... (date)' line")
    return Provenance(mirror.group(1), mirror.group(2), mirror.group(3), dict(_ROW.findall(text)))


def _load(feeds: Path, name: str) -> Any:
    with gzip.open(feeds / name, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def region_names() -> dict[str, str]:
    """Region code -> the name AWS's price data uses for it (botocore's region list; the Price
    List says "EU (...)" where botocore says "Europe (...)", and "AWS GovCloud (US)" for
    us-gov-west-1)."""
    import botocore  # the refresh script's own dependency; the pack never imports it

    endpoints = Path(botocore.__file__).parent / "data" / "endpoints.json"
    names: dict[str, str] = {}
    for partition in json.loads(endpoints.read_text(encoding="utf-8"))["partitions"]:
        for code, info in partition["regions"].items():
            name = str(info.get("description", "")).replace("Europe (", "EU (")
            names[code] = "AWS GovCloud (US)" if name == "AWS GovCloud (US-West)" else name
    return names


def _ec2_slug(name: str) -> str:
    """How ec2-transformed spells a region it does not give by code: "asia-pacific-(seoul)"."""
    return name.lower().replace(" ", "-")


def ec2_rates(feeds: Path, names: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Region code -> instance type -> hourly Linux on-demand price, for every region the feed
    covers (Local and Wavelength Zones, which are not regions, are left out)."""
    by_feed_region: dict[str, dict[str, str]] = {}
    for entry in _load(feeds, EC2_FEED):
        attributes = entry["attributes"]
        if attributes.get("operatingSystem") != "Linux" or entry.get("unit") != "USD per hour":
            continue
        prices = by_feed_region.setdefault(entry["region"], {})
        prices[attributes["instanceType"]] = price_text(entry["pricePerUnit"])
    rates: dict[str, dict[str, str]] = {}
    for code, name in sorted(names.items()):
        found = by_feed_region.get(code) or by_feed_region.get(_ec2_slug(name))
        if found:
            rates[code] = dict(sorted(found.items()))
    return rates


def feed_rates(
    feeds: Path, names: Mapping[str, str], regions: Sequence[str]
) -> dict[str, dict[str, Any]]:
    rates: dict[str, dict[str, Any]] = {}
    loaded: dict[str, Any] = {}
    for rate in feed_rates_wanted():
        if rate.feed not in loaded:
            loaded[rate.feed] = _load(feeds, f"{rate.feed}.json.gz")["regions"]
        prices: dict[str, str] = {}
        for code in regions:
            entry = loaded[rate.feed].get(names[code], {}).get(rate.key)
            if entry is not None:
                prices[code] = price_text(entry["price"])
        rates[rate.name] = {
            "source": f"feed:{rate.feed}",
            "unit": rate.unit,
            "feedKey": rate.key,
            "prices": prices,
        }
    return rates


def feed_sources(feeds: Path, provenance: Provenance) -> dict[str, dict[str, str]]:
    """One source per feed file: what it is and when AWS published it (the file's own manifest
    where it has one, else the README's date for it)."""
    sources: dict[str, dict[str, str]] = {}
    for name in sorted({rate.feed for rate in feed_rates_wanted()} | {"ec2"}):
        file = EC2_FEED if name == "ec2" else f"{name}.json.gz"
        published = provenance.published.get(file)
        if name != "ec2":
            manifest = _load(feeds, file).get("manifest", {})
            published = str(manifest.get("hawkFilePublicationDate", ""))[:10] or published
        if not published:
            raise SystemExit(f"{feeds}: no publication date for {file}")
        sources[f"feed:{name}"] = {
            "what": f"AWS pricing-page feed {file.removesuffix('.gz')}",
            "origin": f"{provenance.mirror}@{provenance.commit} lib/data/pricing/",
            "published": published,
        }
    return sources


def kept_api_part(previous: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Price List rates (and their sources) of the table being replaced: a refresh without
    credentials keeps what an earlier one fetched."""
    if not previous:
        return {}, {}
    rates = {
        name: rate
        for name, rate in previous.get("rates", {}).items()
        if str(rate.get("source", "")).startswith("pricelist:")
    }
    used = {rate["source"] for rate in rates.values()}
    sources = {k: v for k, v in previous.get("sources", {}).items() if k in used}
    return rates, sources


def unavailable(rates: Mapping[str, Any]) -> dict[str, str]:
    """Why each service without a feed has no rates, for the estimator's `unpriced` reasons."""
    missing: dict[str, str] = {}
    for prefix, service in API_SERVICES.items():
        if not any(name.startswith(f"{prefix}.") for name in rates):
            missing[prefix] = (
                f"no {service} price in the table (no feed for it can be read offline; "
                "`python -m scripts.refresh_prices` adds them from the AWS Price List API where "
                "AWS credentials exist)"
            )
    return missing


def build_table(
    feeds: Path,
    previous: Mapping[str, Any] | None = None,
    api: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The whole table: feed rates, plus the Price List part (`api`, fetched now; else kept)."""
    provenance = read_provenance(feeds)
    names = region_names()
    ec2 = ec2_rates(feeds, names)
    regions = sorted(ec2)
    sources = feed_sources(feeds, provenance)
    rates: dict[str, Any] = {
        "ec2.instanceHour": {
            "source": "feed:ec2",
            "unit": "instance-hour",
            "by": "instanceType",
            "prices": ec2,
        },
        **feed_rates(feeds, names, regions),
    }
    api_rates, api_sources = api if api is not None else kept_api_part(previous)
    for name, rate in sorted(api_rates.items()):
        rates[name] = {**rate, "prices": {r: p for r, p in rate["prices"].items() if r in ec2}}
    sources.update(sorted(api_sources.items()))
    return {
        "about": (
            "Generated by `python -m scripts.refresh_prices`; do not edit. Every rate names "
            "its source, every source its publication date. USD."
        ),
        "currency": "USD",
        "date": max(source["published"] for source in sources.values()),
        "source": (
            f"AWS pricing-page feeds ({provenance.mirror}@{provenance.commit[:7]}, "
            f"{provenance.date})" + ("; AWS Price List API" if api_sources else "")
        ),
        "sources": sources,
        "unavailable": unavailable(rates),
        "regions": {code: names[code] for code in regions},
        "rates": rates,
    }


def dumps(table: Mapping[str, Any]) -> str:
    """The table as committed: one figure a line, so a refresh's diff shows what moved."""
    return json.dumps(table, indent=1, ensure_ascii=False) + "\n"


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.refresh_prices",
        description="Rebuild policies/pricing/prices.json from AWS's own price data.",
    )
    parser.add_argument("--feeds", type=Path, default=FEEDS, help="the pricing feeds (read only)")
    parser.add_argument("--out", type=Path, default=OUT, help="the table to write")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="never call the AWS Price List API (keep the rates an earlier refresh fetched)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    if not (args.feeds / "README.md").is_file():
        print(f"{args.feeds}: no pricing feeds there (README.md missing)", file=sys.stderr)
        return 2
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else None
    api = None
    if not args.offline:
        client = price_list_api.client_if_credentials()
        if client is not None:
            api = price_list_api.fetch(client)
    table = build_table(args.feeds, previous, api)
    args.out.write_text(dumps(table), encoding="utf-8")
    print(f"{args.out}: {len(table['rates'])} rates, {len(table['regions'])} regions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
