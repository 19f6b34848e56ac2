"""Monthly on-demand cost estimates, offline: the price table, the usage assumptions and the
estimator the pack's `stack-monthly-cost` policy and `python -m preflight cost` share.

Standard library only (importable without pulumi-policy). The API:

    records = [Record(urn, type, props, deps) for each resource]   # props plain, secrets unwrapped
    usage = usage_for(stage, read_usage_file(path))                 # UsageError: bad file or key
    estimate = estimate_stack(records, region or stack_region(records), usage)
    estimate.to_json(stack)                                         # the issue's JSON shape
    compare(base_estimate, estimate).to_json()      # + base, deltaMonthlyUsd, deltas

Modules: `table` (prices.json), `usage` (assumptions per stage), `model` (records, lines,
readers), `beanstalk`, `network`, `services` (price rules by type), `coverage` (priced, free and
unpriced types), `estimate` (totals, roles, JSON), `diff` (against a base).
"""

from __future__ import annotations

from .coverage import FREE, RULES, UNPRICED, classify, components
from .diff import CostDiff, Delta, compare
from .estimate import (
    Estimate,
    ResourceCost,
    Unpriced,
    estimate_stack,
    format_usd,
    role_of,
    stack_name,
    stack_region,
)
from .model import Item, Range, Record
from .table import HOURS_PER_MONTH, PriceTable, load_table
from .usage import KEYS, Usage, UsageError, read_usage_file, usage_for

__all__ = [
    "FREE",
    "HOURS_PER_MONTH",
    "KEYS",
    "RULES",
    "UNPRICED",
    "CostDiff",
    "Delta",
    "Estimate",
    "Item",
    "PriceTable",
    "Range",
    "Record",
    "ResourceCost",
    "Unpriced",
    "Usage",
    "UsageError",
    "classify",
    "compare",
    "components",
    "estimate_stack",
    "format_usd",
    "load_table",
    "read_usage_file",
    "role_of",
    "stack_name",
    "stack_region",
    "usage_for",
]
