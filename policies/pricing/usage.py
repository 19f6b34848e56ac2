"""Usage assumptions: the traffic-dependent quantities a price is multiplied by, per stage.

This module is the one home of every assumption (docs/costs.md explains them): each key, what
it measures, its unit, the default, and what dev and prod assume instead. A stage with no
entry of its own takes the defaults. A usage file (JSON, `{"natDataGbPerMonth": 120, ...}`)
overrides keys for one estimate; an unknown key is refused with the closest valid one named,
a value that is not a non-negative number is refused with its key.

The numbers are starting assumptions, not measurements: replace them with what the bill
or CloudWatch says once a stage has run for a month.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final


@dataclass(frozen=True)
class UsageKey:
    meaning: str
    unit: str
    default: int
    stages: Mapping[str, int]
    """Stage name -> what that stage assumes instead of the default."""


KEYS: Final = {
    "natDataGbPerMonth": UsageKey(
        "GB processed by the stack's NAT gateways in a month, all of them together (the "
        "estimate splits it evenly across them)",
        "GB",
        50,
        {"dev": 10, "prod": 300},
    ),
    "loadBalancerCapacityUnits": UsageKey(
        "average load balancer capacity units (LCUs; NLCUs for a network load balancer) each "
        "load balancer uses in an hour",
        "LCU",
        1,
        {"dev": 1, "prod": 4},
    ),
    "publicLoadBalancerAddressesPerZone": UsageKey(
        "public IPv4 addresses an internet-facing load balancer holds in each of its "
        "availability zones (one node a zone; more under heavy load)",
        "addresses",
        1,
        {},
    ),
    "instanceLogGbPerMonth": UsageKey(
        "GB of instance and health logs each Elastic Beanstalk environment that streams logs "
        "(aws:elasticbeanstalk:cloudwatch:logs StreamLogs) sends to CloudWatch Logs in a month",
        "GB",
        5,
        {"dev": 1, "prod": 20},
    ),
    "logGroupGbPerMonth": UsageKey(
        "GB ingested in a month by each CloudWatch log group of the stack that no flow log "
        "writes to",
        "GB",
        1,
        {},
    ),
    "flowLogGbPerMonth": UsageKey(
        "GB of records each VPC flow log delivers in a month", "GB", 5, {"dev": 1, "prod": 30}
    ),
    "queueRequestsPerMonth": UsageKey(
        "SQS requests each queue serves in a month (sends, receives and deletes; an idle "
        "long-polling worker still receives)",
        "requests",
        1_000_000,
        {"dev": 100_000, "prod": 10_000_000},
    ),
    "bucketStoredGb": UsageKey(
        "GB each S3 bucket holds in S3 Standard, averaged over the month",
        "GB",
        10,
        {"dev": 5, "prod": 100},
    ),
    "tableReadRequestsPerMonth": UsageKey(
        "read request units each on-demand DynamoDB table serves in a month",
        "requests",
        1_000_000,
        {"dev": 100_000, "prod": 10_000_000},
    ),
    "tableWriteRequestsPerMonth": UsageKey(
        "write request units each on-demand DynamoDB table serves in a month",
        "requests",
        1_000_000,
        {"dev": 100_000, "prod": 10_000_000},
    ),
    "tableStoredGb": UsageKey("GB each DynamoDB table holds", "GB", 1, {"prod": 5}),
    "endpointDataGbPerMonth": UsageKey(
        "GB each interface VPC endpoint processes in a month", "GB", 10, {}
    ),
}
"""Every usage key: what it measures, its unit, its default and the stages' own values."""


class UsageError(ValueError):
    """A usage file or override that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Usage:
    stage: str | None
    values: Mapping[str, Decimal]
    given: frozenset[str] = frozenset()
    """The keys a usage file set (the rest are the stage's assumptions)."""

    def __getitem__(self, key: str) -> Decimal:
        return self.values[key]


def closest_key(key: str) -> str:
    """The valid key most like `key` (there always is one to name)."""
    return difflib.get_close_matches(key, KEYS, n=1, cutoff=0.0)[0]


def check_overrides(overrides: Any, where: str = "usage") -> dict[str, Decimal]:
    """Usage overrides as exact numbers, or a UsageError naming the offending key."""
    if not isinstance(overrides, Mapping):
        raise UsageError(f"{where}: expected a JSON object of usage key to number")
    checked: dict[str, Decimal] = {}
    for key, value in overrides.items():
        if key not in KEYS:
            raise UsageError(
                f"{where}: unknown usage key {key!r}; did you mean {closest_key(str(key))!r}?"
            )
        number_like = isinstance(value, int | float) and not isinstance(value, bool)
        if not number_like or not math.isfinite(value) or value < 0:
            raise UsageError(
                f"{where}: {key}: expected a non-negative number of {KEYS[key].unit}, "
                f"got {json.dumps(value)}"
            )
        checked[key] = Decimal(str(value))
    return checked


def read_usage_file(path: Path) -> dict[str, Decimal]:
    """A usage file's overrides; a UsageError names the file and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        raw = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise UsageError(f"{path}: not JSON ({exc})") from None
    return check_overrides(raw, str(path))


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def usage_for(stage: str | None, overrides: Mapping[str, Any] | None = None) -> Usage:
    """The assumptions of `stage` (the defaults for a stage without its own), with `overrides`
    (already read from a usage file, or a plain mapping, checked here) on top."""
    values = {
        key: Decimal(spec.stages.get(stage or "", spec.default)) for key, spec in KEYS.items()
    }
    given = check_overrides(overrides) if overrides else {}
    return Usage(stage, {**values, **given}, frozenset(given))
