"""Run the real Pulumi program under Pulumi's own SDK machinery, against a simulated AWS.

The program is executed exactly as the Python language host executes it
(`pulumi.runtime.run_in_stack`), but the resource monitor is Pulumi's `MockMonitor`, extended
here to keep what a real engine keeps in its checkpoint: parent, dependencies, property
dependencies, `protect`, provider and which properties are secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import graphlib
import hashlib
import heapq
import logging
import runpy
import sys
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi.runtime
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockEngine, MockMonitor, MockSettings
from pulumi_policy.deserialize import SPECIAL_ASSET_SIG

from preflight.inputs.errors import InputError
from preflight.simulate.account import SimulatedAws
from preflight.simulate.deployment import (
    SECRET_SIG,
    SECRET_SIG_KEY,
    STACK_TYPE,
    Deployment,
    SimResource,
)
from preflight.stackfiles.project import StackConfig, load_stack_config

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ProgramError(Exception):
    """The program raised while it ran: usually invalid configuration it rejected."""


def _unwrap_secrets(value: Any) -> tuple[Any, bool]:
    """Strip Pulumi's secret envelopes; say whether any was found."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            inner, _ = _unwrap_secrets(value.get("value"))
            return inner, True
        if value.get(SECRET_SIG_KEY) == SPECIAL_ASSET_SIG and "hash" not in value:
            return {**value, **_asset_hash(value)}, False
        found = False
        out: dict[str, Any] = {}
        for key, item in value.items():
            out[key], secret = _unwrap_secrets(item)
            found = found or secret
        return out, found
    if isinstance(value, list):
        items = []
        found = False
        for item in value:
            plain, secret = _unwrap_secrets(item)
            items.append(plain)
            found = found or secret
        return items, found
    if isinstance(value, float) and value.is_integer():
        return int(value), False  # protobuf Structs carry every number as a double
    return value, False


def _asset_hash(asset: dict[str, Any]) -> dict[str, str]:
    """The `hash` the engine records for an asset (SHA-256 of its bytes): Pulumi compares
    assets by it, not by path, so an unchanged file read from another checkout is no change."""
    if isinstance(asset.get("text"), str):
        return {"hash": hashlib.sha256(asset["text"].encode()).hexdigest()}
    if isinstance(asset.get("path"), str):
        try:
            return {"hash": hashlib.sha256(Path(asset["path"]).read_bytes()).hexdigest()}
        except OSError:
            return {}
    return {}


def _plain_properties(struct: Any) -> tuple[dict[str, Any], frozenset[str]]:
    raw = json_format.MessageToDict(struct) if struct is not None else {}
    plain: dict[str, Any] = {}
    secret: set[str] = set()
    for key, value in raw.items():
        plain[key], is_secret = _unwrap_secrets(value)
        if is_secret:
            secret.add(key)
    return plain, frozenset(secret)


@dataclass
class _Registration:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    provider: str | None
    inputs: dict[str, Any]
    secret_inputs: frozenset[str]
    additional_secret_outputs: frozenset[str]
    replace_on_changes: tuple[str, ...] = ()
    delete_before_replace: bool = False
    aliases: tuple[str, ...] = ()
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)


class RecordingMonitor(MockMonitor):
    """Pulumi's mock monitor, keeping the checkpoint facts the base class drops."""

    def __init__(self, mocks: SimulatedAws) -> None:
        super().__init__(mocks)
        self.registrations: dict[str, _Registration] = {}
        self.stack_outputs: dict[str, Any] = {}
        self.stack_secret_outputs: frozenset[str] = frozenset()
        self.default_providers: dict[str, str] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine makes them: a child of the root stack has no parent type in its
        URN (`...::aws:ec2/vpc:Vpc::name`); Pulumi's mock would write `pulumi:pulumi:Stack$`,
        and then no URN would match a real `pulumi stack export` for `--base`."""
        if parent and parent.split("::")[2] == STACK_TYPE:
            parent = ""
        return super().make_urn(parent, type_, name)

    def _provider_ref(self, type_token: str, version: str, explicit: str) -> str | None:
        if explicit:
            return explicit
        package = type_token.split(":", 1)[0]
        if package == "pulumi":
            return None
        label = f"default_{version.replace('.', '_')}" if version else "default"
        urn = "urn:pulumi:" + "::".join(
            [pulumi.get_stack(), pulumi.get_project(), f"pulumi:providers:{package}", label]
        )
        ref = f"{urn}::{_provider_uuid(urn)}"
        self.default_providers[ref] = version
        return ref

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        inputs, secret_inputs = _plain_properties(request.object)
        registration = _Registration(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            dependencies=list(request.dependencies),
            property_dependencies={
                key: list(deps.urns) for key, deps in request.propertyDependencies.items()
            },
            protect=bool(request.protect),
            provider=(
                self._provider_ref(request.type, request.version, request.provider)
                if request.custom
                else None
            ),
            inputs=inputs,
            secret_inputs=secret_inputs,
            additional_secret_outputs=frozenset(request.additionalSecretOutputs),
            replace_on_changes=tuple(request.replaceOnChanges),
            delete_before_replace=bool(request.deleteBeforeReplace),
            aliases=_alias_urns(request, response.urn),
        )
        if request.type != STACK_TYPE:
            registration.id = response.id
            registration.outputs, _ = _plain_properties(response.object)
        self.registrations[response.urn] = registration
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        registration = self.registrations.get(request.urn)
        if registration is not None and registration.type == STACK_TYPE:
            self.stack_outputs, self.stack_secret_outputs = _plain_properties(request.outputs)
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


def _alias_urns(request: Any, urn: str) -> tuple[str, ...]:
    """The old URNs named by the `aliases` option: URNs as given, specs resolved on this URN.

    A spec keeps whatever it does not name: the new URN's stack, project, parent chain, type
    and name (the engine's rule), so the old URN is spelled as the monitor spells URNs.
    """
    urns: list[str] = list(request.aliasURNs)
    prefix, project, chain, _ = urn.split("::", 3)
    for alias in request.aliases:
        if alias.WhichOneof("alias") == "urn":
            urns.append(alias.urn)
            continue
        spec = alias.spec
        parents = chain.split("$")[:-1]
        if spec.noParent:
            parents = []
        elif spec.parentUrn and spec.parentUrn.split("::")[2] != STACK_TYPE:
            parents = spec.parentUrn.split("::")[2].split("$")
        elif spec.parentUrn:
            parents = []  # the root stack's type is never part of a URN
        types = [*parents, spec.type or request.type]
        stack = f"urn:pulumi:{spec.stack}" if spec.stack else prefix
        urns.append(
            f"{stack}::{spec.project or project}::{'$'.join(types)}::{spec.name or request.name}"
        )
    return tuple(dict.fromkeys(urns))


def _provider_uuid(urn: str) -> str:
    """A provider's ID, stable for its URN (real ones are random UUIDs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, urn))


class _DiagnosticsHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


def _dependency_order(registrations: Mapping[str, _Registration]) -> list[str]:
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


def _run_program(config: StackConfig, monitor: RecordingMonitor) -> list[str]:
    """Execute the program in this (fresh) context the way the language host does."""
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
        dry_run=False,
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
    config: StackConfig | None = None,
) -> Deployment:
    """Run the program for `stack` and return what a `pulumi up` would have recorded.

    `config_overrides` replaces whole keys (e.g. `{"webmodel:web": {...}}`) after the stack
    file is read, the way `pulumi config set` would before a run.
    """
    if config is None:
        config = load_stack_config(project_dir or PROJECT_ROOT, stack)
    if config_overrides:
        values = dict(config.values)
        values.update(config_overrides)
        config = StackConfig(
            project=config.project,
            stack=config.stack,
            project_dir=config.project_dir,
            main=config.main,
            values=values,
            secret_keys=config.secret_keys,
            undecryptable=config.undecryptable,
        )
    monitor = RecordingMonitor(SimulatedAws(region=config.region))
    context = contextvars.Context()
    try:
        diagnostics = context.run(_run_program, config, monitor)
    except InputError:
        raise
    except Exception as exc:  # the program's own error, reported as one line by the CLI
        raise ProgramError(str(exc).strip() or type(exc).__name__) from exc
    return _deployment(config, monitor, diagnostics)


def _deployment(
    config: StackConfig, monitor: RecordingMonitor, diagnostics: Iterable[str]
) -> Deployment:
    registrations = monitor.registrations
    resources: list[SimResource] = []
    for urn in _dependency_order(registrations):
        reg = registrations[urn]
        secret_outputs = reg.secret_inputs | (reg.additional_secret_outputs & set(reg.outputs))
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
