"""A resource's diff as the bridged AWS provider computes it, from the old inputs (the base) and
the new ones (the program's, after Check): which top-level properties differ, which force a
replacement and why, and which outputs an update leaves unknown.

Facts come from two generated tables: `forcenew.json` (scripts/gen_forcenew.py) and
`diffrules.json` (scripts/gen_diffrules.py: Optional+Computed properties, sets, suppressions,
normalisers, conditional replacements), with the models in `provider_rules`. One hand-written
rule stands beside them: pulumi-aws 7 (over terraform-provider-aws 6) replaces a regional
resource whose `region` changes, unless the old one had none and the new one is the provider's
(`forceNewIfRegionChanges`); the generated tree predates it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from preflight.plan import provider_rules as model
from preflight.plan.provider_rules import Sides
from preflight.plan.values import Sealed, Unknown, diff_paths, equal
from preflight.simulate.check import AUTONAMED, DEFAULTS_KEY

DELETE_BEFORE_REPLACE_TYPES = frozenset({"aws:iam/rolePolicyAttachment:RolePolicyAttachment"})
"""Types pulumi-aws marks `DeleteBeforeReplace` (provider/resource_overrides.go)."""

_ABSENT = None


def _table(name: str) -> dict[str, Any]:
    text = resources.files("preflight.plan").joinpath(name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class TypeRules:
    force_new: frozenset[str] = frozenset()
    optional_computed: frozenset[str] = frozenset()
    defaults: frozenset[str] = frozenset()
    """Properties with a schema default (Check fills them in)."""
    sets: Mapping[str, str] = field(default_factory=dict)
    suppress: Mapping[str, str] = field(default_factory=dict)
    normalise: Mapping[str, str] = field(default_factory=dict)
    conditional: tuple[str, ...] = ()
    """Keys `kind property function` of the type's conditional rules."""


@cache
def rules_for(type_token: str) -> TypeRules:
    force_new = _table("forcenew.json")["forceNew"].get(type_token, [])
    entry = _table("diffrules.json")["types"].get(type_token, {})
    normalise = dict(entry.get("normalise", {}))
    for key, modifiers in entry.get("planModifiers", {}).items():
        for modifier in modifiers:
            if modifier in model.NORMALISE:
                normalise[key] = modifier
    conditional = tuple(
        f"{c['kind']} {c['attribute']} {c['function']}" for c in entry.get("conditional", [])
    )
    conditioned = {c.split()[1] for c in conditional if c in model.REPLACE_IF}
    return TypeRules(
        force_new=frozenset(force_new) - conditioned,
        optional_computed=frozenset(entry.get("optionalComputed", [])),
        defaults=frozenset(entry.get("defaults", [])),
        sets=entry.get("sets", {}),
        suppress=entry.get("suppress", {}),
        normalise=normalise,
        conditional=conditional,
    )


@dataclass
class ProviderDiff:
    changed: list[str] = field(default_factory=list)
    detailed: dict[str, str] = field(default_factory=dict)
    replace: list[str] = field(default_factory=list)
    unknown_outputs: list[str] = field(default_factory=list)


def _same(rules: TypeRules, key: str, old: Any, new: Any, sides: Sides) -> bool:
    if isinstance(old, Sealed | Unknown) or isinstance(new, Sealed | Unknown):
        return equal(old, new)
    suppress = model.SUPPRESS.get(rules.suppress.get(key, ""))
    if suppress is not None and suppress(old, new, sides):
        return True
    if old is _ABSENT or new is _ABSENT:
        return False
    normalise = model.NORMALISE.get(rules.normalise.get(key, ""))
    if normalise is not None:
        old, new = normalise(old), normalise(new)
    set_key = model.SET_KEYS.get(rules.sets.get(key, ""))
    if set_key is not None and isinstance(old, list) and isinstance(new, list):
        return sorted(map(set_key, old)) == sorted(map(set_key, new))
    return equal(old, new)


def _region_same(old: Any, new: Any, region: str) -> bool:
    return bool(old == new or (not old and new == region) or (old == region and not new))


def diff(
    type_token: str, old: Mapping[str, Any], new: Mapping[str, Any], region: str
) -> ProviderDiff:
    """The provider's diff of one resource; inputs opened (`values.open_secrets`)."""
    rules = rules_for(type_token)
    sides = Sides(old, new)
    cleared = {c.split()[1] for c in rules.conditional if model.CLEAR_IF.get(c, _never)(sides)}
    result = ProviderDiff()
    for key in sorted(old.keys() | new.keys()):
        if key.startswith("__") or key in cleared:
            continue
        o, n = old.get(key, _ABSENT), new.get(key, _ABSENT)
        if n is _ABSENT and key in rules.optional_computed:
            continue  # left out of the program: the provider keeps the deployed value
        if key == "region" and _region_same(o, n, region):
            continue
        if not _same(rules, key, o, n, sides):
            result.changed.append(key)
    replace = {k for k in result.changed if k in rules.force_new or k == "region"}
    for rule in rules.conditional:
        decide = model.REPLACE_IF.get(rule)
        if decide is not None and rule.split()[1] in result.changed and decide(sides):
            replace.add(rule.split()[1])
        if rule == model.SOURCE_TYPE_RULE:
            replace.update(model.source_type_changed(sides))
    result.replace = sorted(replace)
    for key in result.changed:
        _detail(key, old.get(key, _ABSENT), new.get(key, _ABSENT), result.detailed)
    result.unknown_outputs = sorted(
        rule.split()[1] for rule in rules.conditional if model.COMPUTED_IF.get(rule, _never)(sides)
    )
    return result


def _never(sides: Sides) -> bool:
    return False


def _detail(key: str, old: Any, new: Any, out: dict[str, str]) -> None:
    if new is _ABSENT:
        out[key] = "delete"
    elif old is _ABSENT:
        out[key] = "add"
    else:
        diff_paths(old, new, key, out)
        if not any(p == key or p.startswith((f"{key}.", f"{key}[")) for p in out):
            out[key] = "update"  # equal element by element, different as the provider sees it


def defaultable(type_token: str) -> list[str]:
    """The properties Check may fill in for this type: its auto-name and schema defaults. An
    old state without `__defaults` lets Check reuse any of them (`applyDefaults`)."""
    autonamed = [AUTONAMED[type_token]] if type_token in AUTONAMED else []
    return sorted({*autonamed, *rules_for(type_token).defaults})


def delete_before_replace(type_token: str, new: Mapping[str, Any]) -> bool:
    """The provider's choice: its override, or a name the program set that Check would have
    generated (`nameRequiresDeleteBeforeReplace`: the new resource would take the old name)."""
    if type_token in DELETE_BEFORE_REPLACE_TYPES:
        return True
    key = AUTONAMED.get(type_token)
    defaults = new.get(DEFAULTS_KEY)
    return bool(key and key in new and isinstance(defaults, list) and key not in defaults)
