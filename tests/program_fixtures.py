"""Run components under the simulated AWS account and record what they register.

Component tests build one component (or a few) inside `run(...)` and get back every resource
the component registered, with its inputs as the engine saw them, and the values of any
outputs they asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml

from preflight.simulate.account import SimulatedAws

ROOT = Path(__file__).resolve().parent.parent

LISTENER_TOKEN = "aws:lb/getListener:getListener"


@dataclass(frozen=True)
class Registered:
    type: str
    name: str
    inputs: dict[str, Any]
    state: dict[str, Any]
    id: str


class Recording(SimulatedAws):
    """SimulatedAws that also keeps every registration and invoke."""

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[Registered] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        self.resources.append(
            Registered(args.typ, args.name, dict(args.inputs), dict(state), resource_id)
        )
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        self.calls.append((args.token, dict(args.args)))
        return super().call(args)

    def of_type(self, type_token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> Registered:
        found = [r for r in self.of_type(type_token) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {type_token} {name or ''}, got {len(found)}"
        return found[0]

    def by_id(self, resource_id: str) -> Registered:
        return next(r for r in self.resources if r.id == resource_id)


@dataclass
class Run:
    aws: Recording
    values: dict[str, Any]


def run(build: Callable[[], Mapping[str, pulumi.Input[Any]] | None], *, stack: str = "dev") -> Run:
    """Build resources under fresh mocks; resolve the outputs `build` returns by name."""
    # A fresh loop per run, set before the mocks create their futures: the offline engine
    # (which may run in the same worker) leaves no loop behind.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    aws = Recording()
    pulumi.runtime.set_mocks(aws, project="webmodel", stack=stack, preview=False)
    values: dict[str, Any] = {}

    def body() -> pulumi.Output[None]:
        outputs = build() or {}
        return pulumi.Output.all(**dict(outputs)).apply(lambda resolved: values.update(resolved))

    # pulumi.runtime.test runs `body` in the engine's loop and waits for every registration.
    waited: Callable[[], None] = pulumi.runtime.test(body)  # type: ignore[no-untyped-call]
    try:
        waited()
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return Run(aws, values)


def settings_map(settings: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """EB option settings as {(namespace, name): value}; a duplicate is a bug."""
    result: dict[tuple[str, str], str] = {}
    for item in settings:
        key = (item["namespace"], item["name"])
        assert key not in result, f"option set twice: {key}"
        result[key] = item["value"]
    return result


def stack_file_values(stack: str) -> dict[str, Any]:
    """The `webmodel:*` objects of Pulumi.<stack>.yaml, keyed without the namespace."""
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    return {
        key.split(":", 1)[1]: value for key, value in data.items() if key.startswith("webmodel:")
    }
