"""Evaluate the real policy pack on a state, configured exactly as the Pulumi CLI configures it.

The pack is loaded by running `policies/__main__.py` itself, with `PolicyPack` standing in
as a recorder instead of a gRPC server, so the policies evaluated here are the very objects
the CLI would get. The recorded arguments build pulumi-policy's own analyzer servicer; the
stage's `--policy-pack-config` file is reconciled with the pack's defaults the way the CLI
does it and sent through the servicer's `Configure`. Validation then calls each policy's
own `validate` with pulumi-policy's argument types, once per resource (the servicer's
`Analyze` would re-deserialize every resource once per policy).
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from preflight.export.state import State, StateResource
from preflight.pack.load import PROTO_TO_LEVEL, LoadedPack, configure, read_pack_config
from preflight.pack.servicer import NotApplicableError


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    message: str
    urn: str

    @property
    def resource_name(self) -> str:
        return self.urn.split("::")[-1] if self.urn else "(stack)"

    @property
    def resource_type(self) -> str:
        return self.urn.split("::")[-2].split("$")[-1] if self.urn else ""


@dataclass
class Report:
    pack: str
    pack_version: str
    stage: str
    config_file: str | None
    violations: list[Violation] = field(default_factory=list)
    not_applicable: list[tuple[str, str]] = field(default_factory=list)
    unreadable_secrets: list[tuple[str, str]] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.level != "mandatory"]

    @property
    def passed(self) -> bool:
        return not self.mandatory


def _options(resource: StateResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        resource.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], resource.parent
    )


def evaluate(
    pack: LoadedPack,
    state: State,
    *,
    stage: str,
    config_file: Path | None,
    during: str = "during preview",
) -> Report:
    """Run every enabled policy on `state`, as the CLI's analyzer would.

    The cyclic garbage collector is paused meanwhile: evaluation allocates many short-lived,
    acyclic objects, and on large states the collector's repeated passes over everything
    alive cost about a third of the time and grow faster than the state.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(pack, state, stage=stage, config_file=config_file, during=during)
    finally:
        if was_enabled:
            gc.enable()


def _evaluate(
    pack: LoadedPack, state: State, *, stage: str, config_file: Path | None, during: str
) -> Report:
    file_config = read_pack_config(config_file) if config_file else {}
    configure(pack, file_config)
    servicer = pack.servicer
    report = Report(
        pack=pack.name,
        pack_version=pack.version,
        stage=stage,
        config_file=str(config_file) if config_file else None,
    )
    response = analyzer_pb2.AnalyzeResponse()
    active: list[tuple[Policy, EnforcementLevel]] = []
    for policy in pack.policies:
        level = servicer.enforcement_level(policy)
        if level == EnforcementLevel.DISABLED:
            continue
        if level == EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        active.append((policy, level))

    resources = [r for r in state.resources if r.type != "pulumi:pulumi:Stack"]
    props = {r.urn: unknown_checking_proxy(deserialize_properties(r.properties)) for r in resources}
    for r in resources:
        for key in r.unreadable_secrets:
            report.unreadable_secrets.append((r.urn, key))

    resource_policies = [
        (
            policy,
            servicer.report_violation(response, policy, level),
            servicer.policy_config(policy.name),
        )
        for policy, level in active
        if isinstance(policy, ResourceValidationPolicy)
    ]
    options = {r.urn: _options(r) for r in resources}
    for r in resources:
        resource_options, resource_props = options[r.urn], props[r.urn]
        before = len(response.diagnostics)
        for policy, report_violation, config in resource_policies:
            args = ResourceValidationArgs(
                r.type, resource_props, r.urn, r.name, resource_options, None, config, {}
            )
            _validate(policy, args, report_violation, pack, report, r.urn, during)
        for diagnostic in response.diagnostics[before:]:
            if not diagnostic.urn:  # a resource policy's violation is about its resource
                diagnostic.urn = r.urn

    stack_policies = [(p, lv) for p, lv in active if isinstance(p, StackValidationPolicy)]
    if stack_policies:
        policy_resources = _policy_resources(resources, props, options)
        for policy, level in stack_policies:
            report_violation = servicer.report_violation(response, policy, level)
            stack_args = StackValidationArgs(
                policy_resources, servicer.policy_config(policy.name), {}
            )
            _validate(policy, stack_args, report_violation, pack, report, "", during)

    for diagnostic in response.diagnostics:
        report.violations.append(
            Violation(
                policy=diagnostic.policyName,
                level=PROTO_TO_LEVEL[diagnostic.enforcementLevel],
                message=diagnostic.message,
                urn=diagnostic.urn,
            )
        )
    redact = secret_redactor(state.resources)
    report.violations = [
        Violation(v.policy, v.level, redact(v.message), v.urn) for v in report.violations
    ]
    report.not_applicable = [(name, redact(reason)) for name, reason in report.not_applicable]
    report.violations.sort(key=lambda v: (v.level != "mandatory", v.policy, v.urn, v.message))
    return report


SECRET_SHOWN = "[secret]"
_MIN_BARE_SECRET = 4
_WORD = "A-Za-z0-9_"


def secret_redactor(resources: Iterable[StateResource]) -> Callable[[str], str]:
    """A function that replaces every secret value of `resources` in a message by `[secret]`.

    Rules embed property values in their messages (`show()`), and they see secrets unwrapped,
    so this is the one place where values that were secret get hidden again, for preview and
    analyze alike. Every secret counts, whether the export held it as ciphertext or, after
    `pulumi stack export --show-secrets`, as a plaintext envelope: the messages end up in CI
    logs and PR comments, which are often public, so a plaintext envelope is no permission to
    print. A value is matched quoted (`'v'`, `"v"`) at any length and bare when it has at
    least four characters and stands as a whole word (shorter bare matches would hit ordinary
    text such as ports or flags).
    """
    quoted: set[str] = set()
    bare: set[str] = set()
    for resource in resources:
        for value in resource.secret_values:
            if not value:
                continue
            quoted.update((repr(value), json.dumps(value), json.dumps(value, ensure_ascii=False)))
            if len(value) >= _MIN_BARE_SECRET:
                bare.add(value)
    if not quoted:
        return lambda text: text
    longest_first = sorted(quoted | bare, key=len, reverse=True)
    alternatives = [
        re.escape(form) if form in quoted else f"(?<![{_WORD}]){re.escape(form)}(?![{_WORD}])"
        for form in longest_first
    ]
    pattern = re.compile("|".join(alternatives))
    return lambda text: pattern.sub(SECRET_SHOWN, text)


def _validate(
    policy: Any,
    args: ResourceValidationArgs | StackValidationArgs,
    report_violation: Callable[..., None],
    pack: LoadedPack,
    report: Report,
    urn: str,
    during: str,
) -> None:
    """Run one validation with the servicer's handling of unknowns and not-applicable.

    `during` says when the value could not be read, in the servicer's own sentence: "during
    preview" for a preview (its wording), "on this state" for `analyze` of a saved state."""
    try:
        result = policy.validate(args, report_violation)
        if result is not None and isawaitable(result):
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(result)
            finally:
                loop.close()
    except UnknownValueError as exc:
        report.violations.append(
            Violation(
                policy=policy.name,
                level="advisory",
                message=(
                    f"can't run policy '{policy.name}' from policy pack "
                    f"'{pack.name}@v{pack.version}' {during}: {exc.message}"
                ),
                urn=urn,
            )
        )
    except NotApplicableError as exc:
        report.not_applicable.append((policy.name, getattr(exc, "reason", None) or ""))


def _policy_resources(
    resources: list[StateResource],
    props: Mapping[str, Any],
    options: Mapping[str, PolicyResourceOptions],
) -> list[PolicyResource]:
    by_urn: dict[str, PolicyResource] = {}
    for r in resources:
        by_urn[r.urn] = PolicyResource(
            r.type, props[r.urn], r.urn, r.name, options[r.urn], None, None, [], {}
        )
    for r in resources:
        resource = by_urn[r.urn]
        if r.parent and r.parent in by_urn:
            resource.parent = by_urn[r.parent]
        resource.dependencies = [by_urn[d] for d in r.dependencies if d in by_urn]
        resource.property_dependencies = {
            key: [by_urn[d] for d in deps if d in by_urn]
            for key, deps in r.property_dependencies.items()
        }
    return list(by_urn.values())
