"""The typed stack configuration: every `webmodel:*` key, validated once, at construction.

`__main__.py` hands `load_stack_config` the whole raw config map (strings, with objects as
JSON, exactly what the Pulumi language host provides) and the keys it marks secret; everything
else in the program takes the frozen models of components/config_models.py, re-exported here.
An invalid value raises `ConfigError` whose message names the full key
(`webmodel:web.env.FOO`) and says what would be valid. Stage differences live in
`Pulumi.<stack>.yaml`, never in code: there is no notion of "prod" here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from components.config_errors import allowed_keys, closest, describe
from components.config_models import (
    PROJECT,
    ConfigError,
    DatabaseConfig,
    EnvironmentConfig,
    EnvValue,
    LoadBalancedConfig,
    LogRetentionDays,
    NetworkConfig,
    PlatformConfig,
    ScalingConfig,
)
from components.roles import (
    CONFIG_KEYS,
    MODEL_DEFAULTS,
    ROLES,
    ModelConfig,
    Role,
    RoleSpec,
    StackConfig,
    WebConfig,
    WorkerConfig,
)
from components.rules import (
    AMI_PATTERN,
    CERTIFICATE_ARN_PATTERN,
    ENV_KEY_PATTERN,
    ENV_PROPERTY_LIMIT_BYTES,
    INSTANCE_TYPE_PATTERN,
    LOG_RETENTION_DAYS,
    SECRET_ARN_PATTERN,
    budget_problem,
    domain_problem,
    property_bytes,
    property_name_problem,
    secret_arn_problem,
    visibility_problem,
)

__all__ = [
    "AMI_PATTERN",
    "CERTIFICATE_ARN_PATTERN",
    "CONFIG_KEYS",
    "ENV_KEY_PATTERN",
    "ENV_PROPERTY_LIMIT_BYTES",
    "INSTANCE_TYPE_PATTERN",
    "LOG_RETENTION_DAYS",
    "MODEL_DEFAULTS",
    "PROJECT",
    "ROLES",
    "SECRET_ARN_PATTERN",
    "ConfigError",
    "DatabaseConfig",
    "EnvValue",
    "EnvironmentConfig",
    "LoadBalancedConfig",
    "LogRetentionDays",
    "ModelConfig",
    "NetworkConfig",
    "PlatformConfig",
    "Role",
    "RoleSpec",
    "ScalingConfig",
    "StackConfig",
    "WebConfig",
    "WorkerConfig",
    "budget_problem",
    "property_bytes",
]


# -- secrets: which values may be `secure:` -----------------------------------------------

SECRET_FIELDS: Mapping[str, frozenset[str]] = {
    "database": frozenset({"snapshotIdentifier", "masterUsername"}),
    **{
        role: frozenset({"secrets", "certificateArn"} & {f.alias for f in fields.values()})
        for role, fields in ((role, spec.config.model_fields) for role, spec in ROLES.items())
    },
}
"""Per `webmodel:` key, the fields that may hold a `secure:` value. The program passes their
values on as secrets (`pulumi.Output.secret`), so every resource input, output and stack
output derived from them is encrypted in the checkpoint and shown as `[secret]`. Any other
field (CIDRs, counts, sizes, names, regexes) can never sensibly be secret and is refused;
`env` is refused with the advice to use `secrets` instead. docs/configuration.md lists it."""

AWS_REGION_PATTERN = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}")
"""An AWS region code: ap-northeast-2, us-gov-west-1, cn-north-1, eusc-de-east-1."""
AWS_REGION_MAX_LENGTH = 25


def region_problem(value: object) -> str | None:
    """Why `aws:region` is not a region code, or None. Checked before anything derives from
    it (ARNs, RDS and EB host names in the 4 KB budget), so the error names `aws:region`."""
    if not isinstance(value, str):
        return "must be a string, an AWS region code like ap-northeast-2"
    if len(value) > AWS_REGION_MAX_LENGTH or not AWS_REGION_PATTERN.fullmatch(value):
        shown = value if len(value) <= 40 else f"{value[:40]}... ({len(value):,} characters)"
        return f"must be an AWS region code like ap-northeast-2 (got {shown!r})"
    return None


def never_secret_problem(full_key: str) -> str:
    return (
        f"{full_key}: cannot be secret (secure:); it is not sensitive and the program and "
        "the policies need its plain value. Set it with `pulumi config set` (no --secret)"
    )


def _path_label(path: Sequence[str]) -> str:
    return "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in path)


def secure_value_problem(section: str, path: Sequence[str]) -> str | None:
    """Why a `secure:` value at `webmodel:<section><path>` is refused, or None when allowed.

    Only the stack file says which leaf of an object is secure (the CLI hands the program
    just "this key holds a secret"), so preflight applies this rule when it reads the file.
    """
    full_key = f"{PROJECT}:{section}{_path_label(path)}"
    if section not in CONFIG_KEYS:
        return None  # an unknown key: refused by name when the config is parsed
    if section in ROLES and path[:1] == ("env",):
        return (
            f"{full_key}: a secret must not be a plain environment property (anyone with "
            "elasticbeanstalk:Describe* can read those); put it in Secrets Manager or SSM "
            f"Parameter Store and list its ARN under {PROJECT}:{section}.secrets"
        )
    allowed = SECRET_FIELDS.get(section, frozenset())
    if not path:
        if not allowed:
            return never_secret_problem(full_key)
        fields = ", ".join(f"{full_key}.{name}" for name in sorted(allowed))
        return (
            f"{full_key}: the whole object cannot be one secret; make only the fields that may "
            f"be secret secure ({fields}), e.g. `pulumi config set --secret --path "
            f"'{full_key}.{sorted(allowed)[0]}' VALUE`"
        )
    if path[0] in allowed:
        return None
    return never_secret_problem(full_key)


def secret_stand_in(section: str, path: Sequence[str], digest: str, region: str) -> str:
    """A deterministic value of the right shape for a secret that is known only as ciphertext
    (preflight has no secrets provider), so the rest of the config can still be checked."""
    field = path[0] if path else ""
    if field == "certificateArn":
        uuid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        return f"arn:aws:acm:{region}:000000000000:certificate/{uuid}"
    if field == "secrets":
        return f"arn:aws:secretsmanager:{region}:000000000000:secret:preflight-{digest[:16]}"
    if field == "masterUsername":
        return f"u{digest[:15]}"
    return f"preflight-secret-{digest[:16]}"


# -- cross-field rules ----------------------------------------------------------------------


def _check_environment(role: str, env: EnvironmentConfig, *, redact: bool) -> list[str]:
    """Cross-field rules for one environment: key names, collisions, the 4 KB budget."""
    base = f"{PROJECT}:{role}"
    spec: RoleSpec = ROLES[role]  # type: ignore[index]
    problems: list[str] = []
    for section in ("env", "secrets"):
        names: Mapping[str, Any] = getattr(env, section)
        problems += _named(f"{base}.{section}", {key: property_name_problem(key) for key in names})
    problems += _named(
        f"{base}.secrets",
        {key: secret_arn_problem(arn, redact=redact) for key, arn in env.secrets.items()},
    )
    program_names = set(spec.program_properties) | set(spec.program_secrets)
    for section in ("env", "secrets"):
        for key in sorted(set(getattr(env, section)) & program_names):
            problems.append(
                f"{base}.{section}.{key}: {key} is set by the program itself; choose another name"
            )
    for key in sorted(set(env.env) & set(env.secrets)):
        problems.append(
            f"{base}.env.{key}: {key} is also in {base}.secrets; keep it in one of the two "
            "(secrets for anything sensitive)"
        )
    if isinstance(env, WebConfig):
        problems += _check_domain(base, env)
    if isinstance(env, WorkerConfig):
        problems += _check_worker(base, env)
    uri = env.model_repository if isinstance(env, ModelConfig) else None
    if uri is not None and len(uri.encode()) > spec.program_properties["MODEL_REPOSITORY"]:
        limit = spec.program_properties["MODEL_REPOSITORY"]
        problems.append(f"{base}.modelRepository: longer than {limit} bytes; use a shorter prefix")
    problem = budget_problem(f"{base}.env", env.env, spec.program_properties)
    if problem:
        problems.append(problem)
    return problems


def _named(base: str, problems: Mapping[str, str | None]) -> list[str]:
    """`<base>.<name>: <problem>` for every name with a problem."""
    return [f"{base}.{name}: {problem}" for name, problem in problems.items() if problem]


def _check_worker(base: str, env: WorkerConfig) -> list[str]:
    """The queue's timing rule (components/sqs.py) and an alarm pair that cannot overlap."""
    problems: list[str] = []
    timing = visibility_problem(
        env.visibility_timeout_seconds,
        env.processing_timeout_seconds,
        f"{base}.visibilityTimeoutSeconds",
        f"{base}.processingTimeoutSeconds",
    )
    if timing:
        problems.append(timing)
    if env.scale_out_backlog <= env.scale_in_backlog:
        problems.append(
            f"{base}.scaleOutBacklog: {env.scale_out_backlog} must be above "
            f"{base}.scaleInBacklog ({env.scale_in_backlog}): both alarms would fire at once"
        )
    return problems


def _check_domain(base: str, env: WebConfig) -> list[str]:
    """`domain` needs its `hostedZone`, lies inside it, and replaces `certificateArn`."""
    problems: list[str] = []
    if env.domain is not None:
        zone = env.hosted_zone
        if zone is None:
            problems.append(f"{base}.domain: needs hostedZone, the Route 53 zone that holds it")
        elif outside := domain_problem(env.domain, zone):
            problems.append(f"{base}.domain: {outside}")
        if env.certificate_arn is not None:
            problems.append(
                f"{base}.certificateArn: with domain set the program issues the certificate; "
                "set certificateArn to null"
            )
    elif env.hosted_zone is not None:
        problems.append(f"{base}.hostedZone: set only together with domain; remove it")
    return problems


# -- loading ------------------------------------------------------------------------------


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


def section_model(key: str) -> type[BaseModel]:
    """The model of `webmodel:<key>` (a role's config model for an optional role too)."""
    if key in ROLES:
        return ROLES[key].config  # type: ignore[index]
    model: type[BaseModel] = StackConfig.model_fields[key].annotation  # type: ignore[assignment]
    return model


def _unknown_key(key: str) -> str:
    valid = [f"{PROJECT}:{k}" for k in CONFIG_KEYS]
    suggestion = closest(key, CONFIG_KEYS).replace("'", f"'{PROJECT}:", 1)
    return f"{PROJECT}:{key}: unknown config key{suggestion}; valid keys: {', '.join(valid)}"


def parse_stack_config(
    raw: Mapping[str, Any], *, secret_sections: Collection[str] = ()
) -> StackConfig:
    """Validate already-parsed config objects (`{"web": {...}, ...}`, keys without namespace).

    A missing key takes its defaults (the same as the defaults declared in `Pulumi.yaml`).
    Errors about a key in `secret_sections` name the key and the rule, never the value.
    """
    problems: list[str] = []
    sections: dict[str, BaseModel] = {}
    for key in CONFIG_KEYS:
        value = raw.get(key)
        model = section_model(key)
        redact = key in secret_sections
        spec = ROLES.get(key)  # type: ignore[call-overload]
        if value is None:
            if spec is not None and spec.optional:
                continue  # an optional role left out: no such environment
            value = {}
        if not isinstance(value, Mapping):
            got = "" if redact else f" (got {json.dumps(value, default=str)[:80]})"
            problems.append(
                f"{PROJECT}:{key}: must be an object with keys "
                f"{', '.join(allowed_keys(model, ()))}{got}"
            )
            continue
        try:
            defaults = spec.defaults if spec is not None else {}
            sections[key] = model.model_validate(_merged(defaults, value))
        except ValidationError as exc:
            problems.extend(describe(f"{PROJECT}:{key}", model, exc, redact=redact))
    problems.extend(_unknown_key(key) for key in sorted(set(raw) - set(CONFIG_KEYS)))
    for role in ROLES:
        env = sections.get(role)
        if isinstance(env, EnvironmentConfig):
            problems.extend(_check_environment(role, env, redact=role in secret_sections))
    if problems:
        raise ConfigError("invalid stack configuration:\n  " + "\n  ".join(problems))
    config = StackConfig.model_validate(sections)
    config._secret_sections = frozenset(secret_sections) & set(CONFIG_KEYS)
    return config


def load_stack_config(values: Mapping[str, Any], secret_keys: Collection[str] = ()) -> StackConfig:
    """Build the StackConfig from the whole flat config map the language host provides.

    `values` maps every full key (`webmodel:web`, `aws:region`) to its raw string (objects as
    JSON), as `pulumi.runtime` holds it; `secret_keys` are the keys the CLI marks secret (an
    object is secret as a whole when any of its leaves is `secure:`). Unknown `webmodel:`
    keys, a malformed `aws:region` and secrets where none may be are refused by key.
    """
    raw: dict[str, Any] = {}
    problems: list[str] = []
    secret_sections: set[str] = set()
    if "aws:region" in values:
        if "aws:region" in secret_keys:
            problems.append(never_secret_problem("aws:region"))
        else:
            region = region_problem(values["aws:region"])
            if region:
                problems.append(f"aws:region: {region}")
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
    if problems:
        raise ConfigError("invalid stack configuration:\n  " + "\n  ".join(problems))
    return parse_stack_config(raw, secret_sections=secret_sections)
