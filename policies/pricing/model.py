"""The estimator's vocabulary: records in, priced lines and unpriced parts out.

A `Record` is one resource as plain data (a `pulumi stack export` entry, or what the pack sees):
its URN, type token, properties and, when known, property dependencies. Price rules (one per
resource type, in `beanstalk`, `network` and `services`) turn a record into `Line`s: an `Item`
(a quantity of a priced unit, as a min..max range over autoscaling) or a `Gap` (a part that
could not be priced, with the reason). Reading a property that is not known yet (during a
preview, or encrypted in a state) or that has the wrong shape raises `Unreadable`, which the
rule's caller turns into a `Gap` for that part only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, NamedTuple

from .table import HOURS_PER_MONTH, NoPrice, PriceTable
from .usage import Usage

ONE: Final = Decimal(1)
NO_DEPENDENCIES: Final[Mapping[str, Sequence[str]]] = MappingProxyType({})


class Record(NamedTuple):
    """One resource: URN, type token, plain properties (secrets already unwrapped; anything
    unreadable may be any non-JSON value), and property dependencies when known."""

    urn: str
    type: str
    """The type token, e.g. `aws:ec2/natGateway:NatGateway`."""
    props: Mapping[str, Any]
    deps: Mapping[str, Sequence[str]] = NO_DEPENDENCIES
    """Property name -> the URNs its value was built from (`propertyDependencies`)."""

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Range:
    """A monthly quantity or amount from the autoscaling minimum to the maximum."""

    min: Decimal
    max: Decimal

    @classmethod
    def of(cls, value: Decimal | int) -> Range:
        return cls(Decimal(value), Decimal(value))

    def __add__(self, other: Range) -> Range:
        return Range(self.min + other.min, self.max + other.max)

    def __sub__(self, other: Range) -> Range:
        return Range(self.min - other.min, self.max - other.max)

    def times(self, factor: Decimal | int) -> Range:
        return Range(self.min * factor, self.max * factor)


ZERO: Final = Range.of(0)


@dataclass(frozen=True)
class Item:
    """A priced line: `quantity` units of `unit` at `usd_per_unit` (rate `rate` of the table)."""

    what: str
    quantity: Range
    unit: str
    usd_per_unit: Decimal
    rate: str

    @property
    def monthly(self) -> Range:
        return self.quantity.times(self.usd_per_unit)


@dataclass(frozen=True)
class Gap:
    """A part of a resource that is not priced, and why. `unknown`: the reason is a value not
    known yet (or encrypted), not a missing price, so the estimate may still move."""

    what: str
    why: str
    unknown: bool = False


Line = Item | Gap


class Unreadable(Exception):
    def __init__(self, why: str, *, unknown: bool) -> None:
        super().__init__(why)
        self.why = why
        self.unknown = unknown


_PLAIN: Final = (str, int, float, bool, list, dict, type(None))
_SHOWN: Final = 60
"""How much of a malformed value a reason shows."""


def _holds_unknown(value: Any) -> bool:
    """A value not known yet, or a list or object with one inside."""
    if isinstance(value, list):
        return any(_holds_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_unknown(item) for item in value.values())
    return not isinstance(value, _PLAIN)


def unreadable(name: str, value: Any, expected: str) -> Unreadable:
    """`name` holds something other than `expected`: not known yet, or the wrong shape."""
    if _holds_unknown(value):
        return Unreadable(
            f"{name} is not known yet (unknown during preview, or encrypted in the state)",
            unknown=True,
        )
    shown = json.dumps(value, default=lambda _: "<not known yet>")
    shown = shown if len(shown) <= _SHOWN else f"{shown[:_SHOWN]}..."
    return Unreadable(f"{name} is {shown}, not {expected}", unknown=False)


def text(value: Any, name: str) -> str | None:
    """A string property or option value; None when unset or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    raise unreadable(name, value, "a string")


def count(value: Any, name: str) -> int | None:
    """A non-negative whole number ("2", 2, 2.0); None when unset."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    whole = isinstance(value, int | float) and not isinstance(value, bool)
    if whole and value >= 0 and float(value).is_integer():
        return int(value)
    raise unreadable(name, value, "a whole number")


def flag(value: Any, name: str) -> bool | None:
    """A boolean property or option value (true/false in any case); None when unset."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise unreadable(name, value, "true or false")


def items_of(value: Any, name: str) -> list[str] | None:
    """A list of strings, or EB's comma-separated form; None when unset."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return list(value)
    raise unreadable(name, value, "a list of strings")


@dataclass(frozen=True)
class Pricer:
    """Prices lines in one region with one set of usage assumptions."""

    table: PriceTable
    region: str | None
    usage: Usage

    def line(self, what: str, rate: str, quantity: Range, key: str = "", label: str = "") -> Line:
        price = self.table.price(rate, self.region, key, label)
        if isinstance(price, NoPrice):
            return Gap(what, price.why, price.unknown)
        return Item(what, quantity, price.unit, price.usd, rate)

    def hourly(self, what: str, rate: str, running: Range, key: str = "", label: str = "") -> Line:
        """`running` things billed by the hour, all month."""
        return self.line(what, rate, running.times(HOURS_PER_MONTH), key, label)

    def per_usage(
        self, what: str, rate: str, usage_key: str, share: Decimal = ONE, key: str = ""
    ) -> Line:
        """A usage assumption (times `share`) at `rate`; the line names the assumption."""
        amount = self.usage[usage_key]
        shown = f"{what} (usage {usage_key} = {amount:,f})"
        return self.line(shown, rate, Range.of(amount * share), key)

    def unpriced(self, what: str, rate: str) -> Gap | None:
        """The Gap of `what` when `rate` has no price in this region at all, checked before
        reading the properties a line of it needs (a missing price is the reason to report)."""
        regional = self.table.rates.get(rate, {}).get("prices", {}).get(self.region or "")
        if regional is not None:
            return None
        found = self.table.price(rate, self.region)
        return Gap(what, found.why, found.unknown) if isinstance(found, NoPrice) else None


class Stack:
    """The records of one stack, with lookups the price rules share (built once, on demand)."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = records
        self.by_urn = {record.urn: record for record in records}
        self._by_type: dict[str, list[Record]] = {}
        for record in records:
            self._by_type.setdefault(record.type, []).append(record)
        self._memo: dict[str, Any] = {}

    def of_type(self, *types: str) -> list[Record]:
        return [record for t in types for record in self._by_type.get(t, ())]

    def deps_of_type(self, record: Record, prop: str, *types: str) -> list[Record]:
        found = (self.by_urn.get(urn) for urn in record.deps.get(prop, ()))
        return [r for r in found if r is not None and r.type in types]

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """A stack-wide fact computed once (an index, a count)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]


@dataclass(frozen=True)
class Context:
    pricer: Pricer
    stack: Stack


Rule = Callable[[Record, Context], list[Line]]
"""A resource type's price rule."""
Part = Callable[[], Sequence[Line]]


def guarded(what: str, part: Part) -> list[Line]:
    """The lines of one part of a resource; a value the part cannot read becomes its Gap."""
    try:
        return list(part())
    except Unreadable as problem:
        return [Gap(what, problem.why, problem.unknown)]
