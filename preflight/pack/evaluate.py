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
import dataclasses
from collections.abc import Callable, Mapping
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

from preflight.export.read import cyclic_gc_paused
from preflight.export.state import State, StateResource
from preflight.pack.load import PROTO_TO_LEVEL, LoadedPack, configure, read_pack_config
from preflight.pack.redact import secret_redactor
from preflight.pack.servicer import NotApplicableError


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    message: str
    urn: str
    config_key: str = ""
    """The project's config key that sets what the rule judges, when the project owns it."""

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
    with cyclic_gc_paused():
        return _evaluate(pack, state, stage=stage, config_file=config_file, during=during)


def _active_policies(pack: LoadedPack) -> list[tuple[Policy, EnforcementLevel]]:
    """Enabled policies at their configured level (`remediate` runs as mandatory)."""
    active: list[tuple[Policy, EnforcementLevel]] = []
    for policy in pack.policies:
        level = pack.servicer.enforcement_level(policy)
        if level == EnforcementLevel.DISABLED:
            continue
        if level == EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        active.append((policy, level))
    return active


@dataclass
class _Run:
    """One evaluation: the pack, the resources' deserialized views, where violations go."""

    pack: LoadedPack
    report: Report
    during: str
    resources: list[StateResource]
    response: Any = field(default_factory=analyzer_pb2.AnalyzeResponse)

    def __post_init__(self) -> None:
        self.props = {
            r.urn: unknown_checking_proxy(deserialize_properties(r.properties))
            for r in self.resources
        }
        self.options = {r.urn: _options(r) for r in self.resources}

    def resource_policies(self, active: list[tuple[Policy, EnforcementLevel]]) -> None:
        servicer = self.pack.servicer
        policies = [
            (policy, servicer.report_violation(self.response, policy, level))
            for policy, level in active
            if isinstance(policy, ResourceValidationPolicy)
        ]
        configs = [servicer.policy_config(policy.name) for policy, _ in policies]
        for r in self.resources:
            before = len(self.response.diagnostics)
            for (policy, report_violation), config in zip(policies, configs, strict=True):
                args = ResourceValidationArgs(
                    r.type, self.props[r.urn], r.urn, r.name, self.options[r.urn], None, config, {}
                )
                _validate(
                    policy, args, report_violation, self.pack, self.report, r.urn, self.during
                )
            for diagnostic in self.response.diagnostics[before:]:
                if not diagnostic.urn:  # a resource policy's violation is about its resource
                    diagnostic.urn = r.urn

    def stack_policies(self, active: list[tuple[Policy, EnforcementLevel]]) -> None:
        stack_policies = [(p, lv) for p, lv in active if isinstance(p, StackValidationPolicy)]
        if not stack_policies:
            return
        servicer = self.pack.servicer
        policy_resources = _policy_resources(self.resources, self.props, self.options)
        for policy, level in stack_policies:
            report_violation = servicer.report_violation(self.response, policy, level)
            args = StackValidationArgs(policy_resources, servicer.policy_config(policy.name), {})
            self.validate(policy, args, report_violation, "")

    def validate(
        self,
        policy: Policy,
        args: ResourceValidationArgs | StackValidationArgs,
        report_violation: Callable[..., None],
        urn: str,
    ) -> None:
        _validate(policy, args, report_violation, self.pack, self.report, urn, self.during)

    def violations(self) -> list[Violation]:
        return [
            Violation(
                policy=diagnostic.policyName,
                level=PROTO_TO_LEVEL[diagnostic.enforcementLevel],
                message=diagnostic.message,
                urn=diagnostic.urn,
            )
            for diagnostic in self.response.diagnostics
        ]


def _evaluate(
    pack: LoadedPack, state: State, *, stage: str, config_file: Path | None, during: str
) -> Report:
    configure(pack, read_pack_config(config_file) if config_file else {})
    report = Report(
        pack=pack.name,
        pack_version=pack.version,
        stage=stage,
        config_file=str(config_file) if config_file else None,
    )
    active = _active_policies(pack)
    resources = [r for r in state.resources if r.type != "pulumi:pulumi:Stack"]
    report.unreadable_secrets = [(r.urn, key) for r in resources for key in r.unreadable_secrets]
    run = _Run(pack, report, during, resources)
    run.resource_policies(active)
    run.stack_policies(active)
    report.violations.extend(run.violations())
    redact = secret_redactor(state.resources)
    report.violations = [
        Violation(v.policy, v.level, redact(v.message), v.urn) for v in report.violations
    ]
    report.not_applicable = [(name, redact(reason)) for name, reason in report.not_applicable]
    report.violations.sort(key=lambda v: (v.level != "mandatory", v.policy, v.urn, v.message))
    return report


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


def name_config_keys(
    report: Report, state: State, config_key: Callable[[str, Mapping[str, Any]], str | None]
) -> None:
    """Attach to each violation the config key that sets what it judged, where the project
    owns one (`config_key(policy, tags)`: the project's rules)."""
    tags = {r.urn: r.properties.get("tags") for r in state.resources}
    for index, violation in enumerate(report.violations):
        resource_tags = tags.get(violation.urn)
        key = config_key(violation.policy, resource_tags if isinstance(resource_tags, dict) else {})
        if key:
            report.violations[index] = dataclasses.replace(violation, config_key=key)
