"""The stack outputs verify starts from: a `pulumi stack output --json` file or the
Automation API, validated by one pydantic model (the contract between `__main__.py`'s
exports and verify). Anything missing or malformed is a `InputError` (exit 2) naming the
output and what it must be."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from preflight.inputs.errors import InputError
from preflight.inputs.files import read_text
from verify.checks import Role

REPO_ROOT = Path(__file__).resolve().parent.parent


_SECRET_PLACEHOLDER = "[secret]"


def _not_a_secret_placeholder(value: object) -> object:
    if value == _SECRET_PLACEHOLDER:
        raise PydanticCustomError("secret_placeholder", "is a secret shown as [secret]")
    return value


NonEmptyString = Annotated[
    StrictStr, BeforeValidator(_not_a_secret_placeholder), StringConstraints(min_length=1)
]
SubnetIds = Annotated[tuple[StrictStr, ...], BeforeValidator(_not_a_secret_placeholder)]


@dataclass(frozen=True)
class WorkerOutputs:
    """A stack's worker tier, as its outputs name it (see `StackOutputs.worker`)."""

    environment_name: str
    version_label: str
    queue_url: str
    dead_letter_queue_url: str


class SlotOutput(BaseModel):
    """One blue/green slot of a role: its environment and the version it should run."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    environment_name: NonEmptyString
    version_label: NonEmptyString | None = None


class SlotsOutput(BaseModel):
    """`webSlots` / `modelSlots`: a role's slots, which is live, and the record (in its hosted
    zone) that switches between them."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel)

    live: NonEmptyString
    record: NonEmptyString
    zone_id: NonEmptyString
    slots: dict[str, SlotOutput]

    @model_validator(mode="after")
    def _live_is_a_slot(self) -> SlotsOutput:
        if self.live not in self.slots:
            raise PydanticCustomError(
                "live_not_a_slot",
                "names live slot {live} but its slots are {slots}",
                {"live": self.live, "slots": ", ".join(sorted(self.slots)) or "none"},
            )
        return self

    @property
    def live_environment(self) -> str:
        return self.slots[self.live].environment_name


class StackOutputs(BaseModel):
    """The stack outputs verify reads, under the exact names `__main__.py` exports (the
    aliases); other outputs are ignored. Built through `from_mapping`, which turns a
    validation error into one `InputError` line."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", alias_generator=to_camel, validate_by_name=True
    )

    web_url: NonEmptyString
    model_internal_url: NonEmptyString
    web_environment_name: NonEmptyString
    model_environment_name: NonEmptyString
    application_name: NonEmptyString
    db_endpoint: NonEmptyString
    db_instance_identifier: NonEmptyString
    vpc_id: NonEmptyString
    public_subnet_ids: SubnetIds
    private_subnet_ids: SubnetIds
    isolated_subnet_ids: SubnetIds
    web_version_label: NonEmptyString | None = None
    """The application version each environment should run (stacks before versions had none)."""
    model_version_label: NonEmptyString | None = None
    web_domain: NonEmptyString | None = None
    """Set when the stack serves web on its own name (`webmodel:web.domain`)."""
    worker_environment_name: NonEmptyString | None = None
    """The worker tier's outputs: all four when the stack has one (`webmodel:worker`), else none."""
    worker_version_label: NonEmptyString | None = None
    work_queue_url: NonEmptyString | None = None
    dead_letter_queue_url: NonEmptyString | None = None
    web_slots: SlotsOutput | None = None
    """A role that runs as blue/green slots (`webmodel:<role>.slots`): its slots and switch."""
    model_slots: SlotsOutput | None = None

    @model_validator(mode="after")
    def _worker_all_or_none(self) -> StackOutputs:
        given = {name: getattr(self, field) is not None for field, name in _WORKER_FIELDS}
        if any(given.values()) and not all(given.values()):
            raise PydanticCustomError(
                "partial_worker",
                "has worker output(s) {present} but lacks {missing}",
                {
                    "present": ", ".join(name for name, found in given.items() if found),
                    "missing": ", ".join(name for name, found in given.items() if not found),
                },
            )
        return self

    @property
    def worker(self) -> WorkerOutputs | None:
        """The worker tier, or None for a stack without one."""
        if (
            self.worker_environment_name is None
            or self.worker_version_label is None
            or self.work_queue_url is None
            or self.dead_letter_queue_url is None
        ):
            return None
        return WorkerOutputs(
            environment_name=self.worker_environment_name,
            version_label=self.worker_version_label,
            queue_url=self.work_queue_url,
            dead_letter_queue_url=self.dead_letter_queue_url,
        )

    def slotted(self) -> list[tuple[Role, SlotsOutput]]:
        """The roles that run as blue/green slots, web first."""
        pairs: list[tuple[Role, SlotsOutput | None]] = [
            ("web", self.web_slots),
            ("model", self.model_slots),
        ]
        return [(role, slots) for role, slots in pairs if slots is not None]

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], source: str) -> StackOutputs:
        """Validate raw output values (names as exported) from `source` (for messages)."""
        try:
            return cls.model_validate(data, by_alias=True, by_name=False)
        except ValidationError as invalid:
            raise InputError(_one_line(invalid, source)) from None


REQUIRED_OUTPUTS: tuple[str, ...] = tuple(
    field.alias or name for name, field in StackOutputs.model_fields.items() if field.is_required()
)
"""The exact output names `__main__.py` exports; verify needs every one of them."""

_WORKER_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (name, StackOutputs.model_fields[name].alias or name)
    for name in (
        "worker_environment_name",
        "worker_version_label",
        "work_queue_url",
        "dead_letter_queue_url",
    )
)
WORKER_OUTPUTS: tuple[str, ...] = tuple(alias for _, alias in _WORKER_FIELDS)
"""The outputs of a stack with a worker tier: all of them, or none without one."""


_SLOT_OUTPUTS = ("webSlots", "modelSlots")


def _one_line(invalid: ValidationError, source: str) -> str:
    """The first problem in words: every missing output at once, else the first bad one."""
    errors = invalid.errors()
    missing = [str(e["loc"][0]) for e in errors if e["type"] == "missing"]
    if missing:
        return (
            f"{source} lacks stack output(s) {', '.join(missing)}; "
            f"expected all of: {', '.join(REQUIRED_OUTPUTS)}"
        )
    error = errors[0]
    if error["type"] == "partial_worker":
        return (
            f"{source} {error['msg']}; a stack with a worker tier exports all of: "
            f"{', '.join(WORKER_OUTPUTS)} (a stack without one exports none of them)"
        )
    name = str(error["loc"][0]) if error["loc"] else "?"
    if name in _SLOT_OUTPUTS:
        where = ".".join(str(part) for part in error["loc"])
        return (
            f"stack output {where} in {source} {error['msg'].lower()}; {name} is "
            '{"live", "record", "zoneId", "slots": {NAME: {"environmentName", "versionLabel"}}}'
        )
    if error["type"] == "secret_placeholder":
        return (
            f"stack output {name} in {source} is a secret shown as [secret]; "
            "export with `pulumi stack output --json --show-secrets`"
        )
    if error["type"] == "model_type":
        return f"{source} must hold a JSON object of stack outputs"
    wanted = "a list of strings" if name.endswith("SubnetIds") else "a non-empty string"
    return f"stack output {name} in {source} must be {wanted}"


def load_outputs_file(path: Path) -> StackOutputs:
    """Read a `pulumi stack output --json [--show-secrets]` file."""
    text = read_text(
        path,
        f"outputs file {path} does not exist",
        lambda err: f"cannot read outputs file {path}: {err}",
    )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"outputs file {path} is not JSON (line {err.lineno}: {err.msg}); "
            "make it with `pulumi stack output --json --show-secrets > FILE`"
        ) from None
    if not isinstance(data, dict):
        raise InputError(f"outputs file {path} must hold a JSON object of stack outputs")
    return StackOutputs.from_mapping(data, str(path))


def load_outputs_automation(stack_name: str, work_dir: Path = REPO_ROOT) -> StackOutputs:
    """Read the outputs of a deployed stack through the Pulumi Automation API (needs the CLI)."""
    from pulumi.automation import select_stack
    from pulumi.automation.errors import CommandError

    try:
        stack = select_stack(stack_name=stack_name, work_dir=str(work_dir))
        raw = stack.outputs()
    except FileNotFoundError:
        raise InputError(
            "the Pulumi CLI (`pulumi`) is not installed, so stack outputs cannot be read; "
            "pass --outputs FILE made with `pulumi stack output --json --show-secrets`"
        ) from None
    except CommandError as err:
        raise InputError(
            f"pulumi could not read stack {stack_name!r}: {_cli_error_line(err)}"
        ) from None
    return StackOutputs.from_mapping(
        {name: item.value for name, item in raw.items()}, f"stack {stack_name}"
    )


def _cli_error_line(err: Exception) -> str:
    """The first line the CLI wrote to stderr (CommandError's text carries code/stdout/stderr)."""
    _, _, stderr = str(err).partition(" stderr: ")
    for line in stderr.splitlines():
        if line.strip():
            return line.strip().removeprefix("error: ")
    return "the pulumi command failed with no message"
