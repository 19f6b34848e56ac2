"""Run the real Pulumi program under Pulumi's own SDK machinery, against a simulated AWS.

The program is executed exactly as the Python language host executes it
(`pulumi.runtime.run_in_stack`), but the resource monitor is Pulumi's `MockMonitor`, extended
in `monitor.py` to keep what a real engine keeps in its checkpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import graphlib
import heapq
import logging
import runpy
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pulumi.runtime
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockEngine, MockSettings

from preflight.inputs.errors import InputError
from preflight.simulate.account import SimulatedAws
from preflight.simulate.deployment import (
    Deployment,
    SimResource,
)
from preflight.simulate.monitor import RecordingMonitor, Registration, Responder
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.project import PROJECT_ROOT, read_program_config


class ProgramError(Exception):
    """The program raised while it ran: usually invalid configuration it rejected."""


class _DiagnosticsHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


def _dependency_order(registrations: Mapping[str, Registration]) -> list[str]:
    """Parents and dependencies first, ties broken by URN: stable across runs and threads."""
    graph: dict[str, set[str]] = {}
    for urn, reg in registrations.items():
        before = set(reg.dependencies)
        for property_deps in reg.property_dependencies.values():
            before.update(property_deps)
        if reg.parent:
            before.add(reg.parent)
        graph[urn] = {dep for dep in before if dep in registrations and dep != urn}
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError:  # cannot happen in a Pulumi program; keep every resource
        return sorted(registrations)
    ready = list(sorter.get_ready())
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        urn = heapq.heappop(ready)  # the smallest URN among those ready
        order.append(urn)
        sorter.done(urn)
        for now_ready in sorter.get_ready():
            heapq.heappush(ready, now_ready)
    return order


def _run_program(config: ProgramConfig, monitor: RecordingMonitor) -> list[str]:
    """Execute the program in this (fresh) context the way the language host does; as a
    preview (unknown values stay unknown) when a responder answers for the engine."""
    handler = _DiagnosticsHandler()
    logger = logging.getLogger(f"preflight.program.{config.stack}")
    logger.propagate = False
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)

    pulumi_settings.ROOT.set(None)
    settings = MockSettings(  # type: ignore[no-untyped-call]
        monitor=monitor,
        monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),  # type: ignore[no-untyped-call]
        engine=MockEngine(logger),
        project=config.project,
        stack=config.stack,
        dry_run=monitor.responder is not None,
        organization="organization",
        callbacks=None,
        outputs=set(),
        lock=pulumi_settings.SETTINGS.lock,
        package_refs={},
        base_providers_by_ref={},
        root_directory=str(config.project_dir),
        parallel=None,
        legacy_apply_enabled=False,
    )
    pulumi_settings.configure(settings)
    pulumi.runtime.set_all_config(config.as_runtime_config(), sorted(config.secret_keys))

    project_dir = str(config.project_dir)
    if project_dir not in sys.path:
        sys.path.insert(0, project_dir)

    def program() -> None:
        runpy.run_path(str(config.main), run_name="__main__")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(pulumi.runtime.run_in_stack(program))
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                loop.run_until_complete(task)
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
    return handler.messages


def simulate(
    stack: str,
    *,
    project_dir: Path | None = None,
    config_overrides: Mapping[str, Any] | None = None,
    config: ProgramConfig | None = None,
    account: SimulatedAws | None = None,
    responder: Responder | None = None,
) -> Deployment:
    """Run the program for `stack` and return what a `pulumi up` would have recorded.

    `config_overrides` replaces whole keys (e.g. `{"webmodel:web": {...}}`) after the stack
    file is read, the way `pulumi config set` would before a run. With a `responder`, the run
    is a preview whose registrations it answers (the plan's run against a base state).
    """
    if config is None:
        config = read_program_config(project_dir or PROJECT_ROOT, stack)
    if config_overrides:
        config = config.with_values(dict(config_overrides))
    if account is None:
        account = SimulatedAws(region=config.region, default_tags=default_tags(config))
    monitor = RecordingMonitor(account, responder)
    context = contextvars.Context()
    try:
        diagnostics = context.run(_run_program, config, monitor)
    except InputError:
        raise
    except Exception as exc:  # the program's own error, reported as one line by the CLI
        raise ProgramError(str(exc).strip() or type(exc).__name__) from exc
    return _deployment(config, monitor, diagnostics)


def default_tags(config: ProgramConfig) -> dict[str, Any]:
    """The AWS provider's `defaultTags.tags` from the stack's `aws:defaultTags`, if any."""
    value = config.values.get("aws:defaultTags")
    tags = value.get("tags") if isinstance(value, dict) else None
    return dict(tags) if isinstance(tags, dict) else {}


def _deployment(
    config: ProgramConfig, monitor: RecordingMonitor, diagnostics: Iterable[str]
) -> Deployment:
    registrations = monitor.registrations
    resources: list[SimResource] = []
    for urn in _dependency_order(registrations):
        reg = registrations[urn]
        secret_outputs = (
            reg.secret_inputs
            | (reg.additional_secret_outputs & set(reg.outputs))
            | reg.answered_secrets
        )
        resources.append(
            SimResource(
                urn=reg.urn,
                type=reg.type,
                name=reg.name,
                custom=reg.custom,
                id=reg.id,
                inputs=reg.inputs,
                outputs=reg.outputs,
                parent=reg.parent,
                dependencies=reg.dependencies,
                property_dependencies=reg.property_dependencies,
                protect=reg.protect,
                provider=reg.provider,
                secret_inputs=reg.secret_inputs,
                secret_outputs=frozenset(secret_outputs),
                replace_on_changes=reg.replace_on_changes,
                delete_before_replace=reg.delete_before_replace,
                aliases=reg.aliases,
                ignore_changes=reg.ignore_changes,
                retain_on_delete=reg.retain_on_delete,
                checked=reg.checked,
            )
        )
    return Deployment(
        project=config.project,
        stack=config.stack,
        resources=resources,
        outputs=monitor.stack_outputs,
        secret_outputs=monitor.stack_secret_outputs,
        diagnostics=list(diagnostics),
    )
