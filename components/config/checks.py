"""Rules across the fields of one environment's config, checked once every key has parsed:
property names and secret ARNs, names the program sets itself, the 4 KB budget, a web
environment's domain and a worker's queue timing. Each returns every problem, naming the full
key; a rule an Args class applies too is components/rules.py's.
"""

from __future__ import annotations

from collections.abc import Mapping

from components.config.models import PROJECT, EnvironmentConfig
from components.config.roles import ROLES, ModelConfig, Role, WebConfig, WorkerConfig
from components.rules import (
    budget_problem,
    domain_problem,
    property_name_problem,
    secret_arn_problem,
    visibility_problem,
)


def environment_problems(role: Role, env: EnvironmentConfig, *, redact: bool) -> list[str]:
    """Every cross-field problem of `webmodel:<role>`; values shown only when not `redact`."""
    base = f"{PROJECT}:{role}"
    spec = ROLES[role]
    problems = _property_problems(base, env, redact=redact)
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
        problems += _domain_problems(base, env)
    if isinstance(env, WorkerConfig):
        problems += _worker_problems(base, env)
    uri = env.model_repository if isinstance(env, ModelConfig) else None
    if uri is not None and len(uri.encode()) > spec.program_properties["MODEL_REPOSITORY"]:
        limit = spec.program_properties["MODEL_REPOSITORY"]
        problems.append(f"{base}.modelRepository: longer than {limit} bytes; use a shorter prefix")
    budget = budget_problem(f"{base}.env", env.env, spec.program_properties)
    return [*problems, budget] if budget else problems


def _property_problems(base: str, env: EnvironmentConfig, *, redact: bool) -> list[str]:
    """Names every platform can read, and secrets that are Secrets Manager or SSM ARNs."""
    return [
        *_named(f"{base}.env", {key: property_name_problem(key) for key in env.env}),
        *_named(f"{base}.secrets", {key: property_name_problem(key) for key in env.secrets}),
        *_named(
            f"{base}.secrets",
            {key: secret_arn_problem(arn, redact=redact) for key, arn in env.secrets.items()},
        ),
    ]


def _named(base: str, problems: Mapping[str, str | None]) -> list[str]:
    """`<base>.<name>: <problem>` for every name with a problem."""
    return [f"{base}.{name}: {problem}" for name, problem in problems.items() if problem]


def _worker_problems(base: str, env: WorkerConfig) -> list[str]:
    """The queue's timing rule and an alarm pair that cannot overlap."""
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


def _domain_problems(base: str, env: WebConfig) -> list[str]:
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
