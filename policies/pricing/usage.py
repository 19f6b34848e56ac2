"""Usage assumptions: the traffic-dependent quantities a price is multiplied by, per stage.

`usage.json`, beside this module, is the one home of every assumption (docs/costs.md explains
them): each key, what it measures, its unit, the default, and what dev and prod assume
instead. A stage with no value of its own takes the default. A usage file (JSON,
`{"natDataGbPerMonth": 120, ...}`) overrides keys for one estimate; an unknown key is refused
with the closest valid one named, a value that is not a non-negative number with its key.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, NamedTuple

ASSUMPTIONS: Final = Path(__file__).with_name("usage.json")


class UsageKey(NamedTuple):
    meaning: str
    """What the key measures, as docs/costs.md states it."""
    unit: str
    default: int
    stages: Mapping[str, int]
    """Stage name -> what that stage assumes instead of the default."""


def _keys() -> dict[str, UsageKey]:
    data = json.loads(ASSUMPTIONS.read_text(encoding="utf-8"))
    return {
        key: UsageKey(spec["meaning"], spec["unit"], spec["default"], spec.get("stages", {}))
        for key, spec in data["keys"].items()
    }


KEYS: Final = _keys()
"""Every usage key (from usage.json): what it measures, its unit, default and stages' values."""


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
    """How to put `key` right: the valid key most like it (difflib's default cutoff), or the
    list of valid keys when none is close enough to be a likely typo."""
    match = difflib.get_close_matches(key, KEYS, n=1)
    if match:
        return f"did you mean {match[0]!r}?"
    return "the keys: " + ", ".join(KEYS)


def check_overrides(overrides: Any, where: str = "usage") -> dict[str, Decimal]:
    """Usage overrides as exact numbers, or a UsageError naming the offending key."""
    if not isinstance(overrides, Mapping):
        raise UsageError(f"{where}: expected a JSON object of usage key to number")
    checked: dict[str, Decimal] = {}
    for key, value in overrides.items():
        if key not in KEYS:
            raise UsageError(f"{where}: unknown usage key {key!r}; {closest_key(str(key))}")
        number_like = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        if not number_like or not math.isfinite(value) or value < 0:
            raise UsageError(
                f"{where}: {key}: expected a non-negative number of {KEYS[key].unit}, "
                f"got {json.dumps(value, default=str)}"
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
