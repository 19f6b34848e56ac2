"""Reading the stack configuration: every `webmodel:*` key, validated once, at construction.

`__main__.py` hands `load_stack_config` the whole raw config map (strings, with objects as
JSON, exactly what the Pulumi language host provides) and the keys it marks secret; everything
else in the program takes the frozen models of models.py and roles.py. An invalid value raises
`ConfigError` whose message names the full key (`webmodel:web.env.FOO`) and says what would be
valid. Stage differences live in `Pulumi.<stack>.yaml`, never in code: there is no notion of
"prod" here.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from components.config.aws_provider import provider_key_problems
from components.config.checks import environment_problems
from components.config.errors import ConfigError, allowed_keys, closest, describe
from components.config.models import PROJECT, EnvironmentConfig
from components.config.roles import CONFIG_KEYS, ROLES, StackConfig
from components.config.secrets import SECRET_FIELDS, never_secret_problem, region_problem
from components.config.slots import SLOT_KEYS, SlottedConfig, refused_slot_keys, slot_problems


def section_model(key: str) -> type[BaseModel]:
    """The model of `webmodel:<key>` (a role's config model for an optional role too)."""
    if key in ROLES:
        return ROLES[key].config  # type: ignore[index]
    model: type[BaseModel] = StackConfig.model_fields[key].annotation  # type: ignore[assignment]
    return model


def load_stack_config(
    values: Mapping[str, Any], secret_keys: Collection[str] = (), *, name_prefix: str | None = None
) -> StackConfig:
    """Build the StackConfig from the whole flat config map the language host provides.

    `values` maps every full key (`webmodel:web`, `aws:region`) to its raw string (objects as
    JSON), as `pulumi.runtime` holds it; `secret_keys` are the keys the CLI marks secret (an
    object is secret as a whole when any of its leaves is `secure:`). Unknown `webmodel:`
    keys, a malformed `aws:region` and secrets where none may be are refused by key.
    `name_prefix` (`<project>-<stack>`, as the program names its resources) lets the
    environment-name rule of blue/green slots run too.
    """
    problems = _region_problems(values, secret_keys) + provider_key_problems(values)
    raw: dict[str, Any] = {}
    secret_sections: set[str] = set()
    prefix = f"{PROJECT}:"
    for full_key in sorted(k for k in values if k.startswith(prefix)):
        key = full_key.removeprefix(prefix)
        text = values[full_key]
        if text is None:
            continue
        secret = full_key in secret_keys
        if secret and key in CONFIG_KEYS and not SECRET_FIELDS.get(key):
            problems.append(never_secret_problem(full_key))
            continue
        if secret:
            secret_sections.add(key)
        try:
            raw[key] = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError:
            shown = "" if secret else f", got the string {text[:80]!r}"
            problems.append(f"{full_key}: must be an object{shown}")
    if not problems:
        return parse_stack_config(raw, secret_sections=secret_sections, name_prefix=name_prefix)
    try:  # the rest is checked too, so every problem shows at once
        parse_stack_config(raw, secret_sections=secret_sections, name_prefix=name_prefix)
    except ConfigError as error:
        problems += error.problems
    raise ConfigError.of(problems)


def _region_problems(values: Mapping[str, Any], secret_keys: Collection[str]) -> list[str]:
    """`aws:region`, when set, is a plain region code."""
    if "aws:region" not in values:
        return []
    if "aws:region" in secret_keys:
        return [never_secret_problem("aws:region")]
    region = region_problem(values["aws:region"])
    return [f"aws:region: {region}"] if region else []


def parse_stack_config(
    raw: Mapping[str, Any],
    *,
    secret_sections: Collection[str] = (),
    name_prefix: str | None = None,
) -> StackConfig:
    """Validate already-parsed config objects (`{"web": {...}, ...}`, keys without namespace).

    A missing key takes its defaults (the same as the defaults declared in `Pulumi.yaml`).
    Errors about a key in `secret_sections` name the key and the rule, never the value.
    """
    problems: list[str] = []
    sections: dict[str, BaseModel] = {}
    for key in CONFIG_KEYS:
        value = raw.get(key)
        if key in ROLES and isinstance(value, Mapping) and not _has_slots(key):
            problems += refused_slot_keys(key, value)
            value = {k: v for k, v in value.items() if k not in SLOT_KEYS}
        section = _section(key, value, redact=key in secret_sections)
        if isinstance(section, BaseModel):
            sections[key] = section
        elif section is not None:
            problems += section
    problems.extend(_unknown_key(key) for key in sorted(set(raw) - set(CONFIG_KEYS)))
    for role in ROLES:
        env = sections.get(role)
        if isinstance(env, EnvironmentConfig):
            problems += environment_problems(role, env, redact=role in secret_sections)
            problems += slot_problems(role, env, name_prefix)
    if problems:
        raise ConfigError.of(problems)
    config = StackConfig.model_validate(sections)
    config._secret_sections = frozenset(secret_sections) & set(CONFIG_KEYS)
    return config


def _has_slots(role: str) -> bool:
    """Whether the role's config has the blue/green keys (web and model; not the worker)."""
    return issubclass(ROLES[role].config, SlottedConfig)  # type: ignore[index]


def _section(key: str, value: Any, *, redact: bool) -> BaseModel | list[str] | None:
    """`webmodel:<key>` validated over its defaults, its problems, or None for an optional role
    the stack leaves out (no such environment)."""
    model = section_model(key)
    spec = ROLES.get(key)  # type: ignore[call-overload]
    if value is None:
        if spec is not None and spec.optional:
            return None
        value = {}
    if not isinstance(value, Mapping):
        keys = ", ".join(allowed_keys(model, ()))
        got = "" if redact else f" (got {json.dumps(value, default=str)[:80]})"
        return [f"{PROJECT}:{key}: must be an object with keys {keys}{got}"]
    try:
        return model.model_validate(_merged(spec.defaults if spec is not None else {}, value))
    except ValidationError as exc:
        return describe(f"{PROJECT}:{key}", model, exc, redact=redact)


def _merged(defaults: Mapping[str, Any], value: Mapping[str, Any]) -> dict[str, Any]:
    """`value` over a role's `defaults`, nested objects field by field (a stack that sets only
    `scaling.upperThreshold` keeps the role's other scaling defaults)."""
    merged = dict(defaults)
    for key, item in value.items():
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(item, Mapping):
            merged[key] = _merged(base, item)
        else:
            merged[key] = item
    return merged


def _unknown_key(key: str) -> str:
    valid = [f"{PROJECT}:{k}" for k in CONFIG_KEYS]
    suggestion = closest(key, CONFIG_KEYS).replace("'", f"'{PROJECT}:", 1)
    return f"{PROJECT}:{key}: unknown config key{suggestion}; valid keys: {', '.join(valid)}"
