"""Pulumi's mock resource monitor, extended to keep what a real engine keeps in its checkpoint:
parent, dependencies, property dependencies, the resource options, provider, aliases, which
properties are secret and what the provider's Check adds to the inputs; URNs spelled as the
engine spells them. A `Responder` may answer a registration in place of the simulated account
(the plan's preview run answers from the base state)."""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pulumi
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi.runtime.mocks import MockMonitor
from pulumi_policy.deserialize import SPECIAL_ASSET_SIG

from preflight.simulate.account import SimulatedAws
from preflight.simulate.check import Checked
from preflight.simulate.deployment import SECRET_SIG, SECRET_SIG_KEY, STACK_TYPE


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
class Registration:
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
    delete_before_replace: bool | None = None
    """The option when the program set it (True or False); None lets the provider decide."""
    aliases: tuple[str, ...] = ()
    ignore_changes: tuple[str, ...] = ()
    retain_on_delete: bool = False
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    checked: Checked = field(default_factory=Checked)
    answered_secrets: frozenset[str] = frozenset()
    """Outputs a responder answered as secrets."""


class Responder(Protocol):
    """Answers a custom resource's registration: (ID, outputs), or None for the simulated one.

    Called with the registration as the simulated account answered it (`id`, `outputs`); the
    outputs may hold `rpc.UNKNOWN` (a value a preview cannot know) and secret envelopes.
    """

    def respond(self, registration: Registration) -> tuple[str, dict[str, Any]] | None: ...


class _Answering(pulumi.runtime.Mocks):
    """What the mock monitor asks for a new resource's state: the simulated account, whose
    answer (and the provider's Check) is recorded on the registration under way; a responder
    may answer in its place, serialized once with the rest of the response."""

    def __init__(self, monitor: RecordingMonitor) -> None:
        self.monitor = monitor

    def call(self, args: Any) -> Any:
        return self.monitor.account.call(args)

    def register_transform(self, transform: Any) -> None:
        self.monitor.account.register_transform(transform)

    def register_invoke_transform(self, transform: Any) -> None:
        self.monitor.account.register_invoke_transform(transform)

    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        account = self.monitor.account
        resource_id, state = account.new_resource(args)
        registration: Registration | None = getattr(self.monitor.pending, "registration", None)
        if registration is None:
            return resource_id, state
        registration.id = resource_id
        registration.outputs = {k: _unwrap_secrets(v)[0] for k, v in state.items()}
        registration.checked = account.check(
            registration.type, registration.name, registration.inputs, registration.outputs
        )
        # What Check set (`region`, `tagsAll`) is state too: the provider reads it back, so a
        # real export's outputs hold it, and a pack judging an unchanged resource sees it.
        state = {**state, **registration.checked.extras}
        registration.outputs.update(registration.checked.extras)
        responder = self.monitor.responder
        answer = responder.respond(registration) if responder is not None else None
        return answer if answer is not None else (resource_id, state)


class RecordingMonitor(MockMonitor):
    """Pulumi's mock monitor, keeping the checkpoint facts the base class drops."""

    def __init__(self, mocks: SimulatedAws, responder: Responder | None = None) -> None:
        self.account = mocks
        self.responder = responder
        self.pending = threading.local()
        """The custom resource whose registration this thread is answering."""
        super().__init__(_Answering(self))
        self.registrations: dict[str, Registration] = {}
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
        registration = self._registration(request)
        custom = bool(request.custom) and request.type != STACK_TYPE
        self.pending.registration = registration if custom else None
        try:
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        finally:
            self.pending.registration = None
        if request.type != STACK_TYPE:
            registration.id = response.id
            outputs, secrets = _plain_properties(response.object)
            registration.outputs = outputs
            if self.responder is not None:
                registration.answered_secrets = secrets
        self.registrations[registration.urn] = registration
        return response

    def _registration(self, request: Any) -> Registration:
        inputs, secret_inputs = _plain_properties(request.object)
        urn = self.make_urn(request.parent, request.type, request.name)
        return Registration(
            urn=urn,
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
            delete_before_replace=(
                bool(request.deleteBeforeReplace) if request.deleteBeforeReplaceDefined else None
            ),
            aliases=_alias_urns(request, urn),
            ignore_changes=tuple(request.ignoreChanges),
            retain_on_delete=bool(request.retainOnDelete),
        )

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
