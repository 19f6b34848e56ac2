"""The stack outputs verify starts from: a `pulumi stack output --json` file or the
Automation API, validated by one pydantic model (the contract between `__main__.py`'s
exports and verify). Anything missing or malformed is a `BadInput` (exit 2) naming the
output and what it must be."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictStr,
    StringConstraints,
    ValidationError,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

REPO_ROOT = Path(__file__).resolve().parent.parent


class BadInput(Exception):
    """Input verify cannot work with; the message is the one line shown to the user."""


_SECRET_PLACEHOLDER = "[secret]"


def _not_a_secret_placeholder(value: object) -> object:
    if value == _SECRET_PLACEHOLDER:
        raise PydanticCustomError("secret_placeholder", "is a secret shown as [secret]")
    return value


NonEmptyString = Annotated[
    StrictStr, BeforeValidator(_not_a_secret_placeholder), StringConstraints(min_length=1)
]
SubnetIds = Annotated[tuple[StrictStr, ...], BeforeValidator(_not_a_secret_placeholder)]


class StackOutputs(BaseModel):
    """The stack outputs verify reads, under the exact names `__main__.py` exports (the
    aliases); other outputs are ignored. Built through `from_mapping`, which turns a
    validation error into one `BadInput` line."""

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

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], source: str) -> StackOutputs:
        """Validate raw output values (names as exported) from `source` (for messages)."""
        try:
            return cls.model_validate(data, by_alias=True, by_name=False)
        except ValidationError as invalid:
            raise BadInput(_one_line(invalid, source)) from None


REQUIRED_OUTPUTS: tuple[str, ...] = tuple(
    field.alias or name for name, field in StackOutputs.model_fields.items() if field.is_required()
)
"""The exact output names `__main__.py` exports; verify needs every one of them."""


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
    name = str(error["loc"][0]) if error["loc"] else "?"
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
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"outputs file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise BadInput(f"cannot read outputs file {path}: {err}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadInput(
            f"outputs file {path} is not JSON (line {err.lineno}: {err.msg}); "
            "make it with `pulumi stack output --json --show-secrets > FILE`"
        ) from None
    if not isinstance(data, dict):
        raise BadInput(f"outputs file {path} must hold a JSON object of stack outputs")
    return StackOutputs.from_mapping(data, str(path))


def load_outputs_automation(stack_name: str, work_dir: Path = REPO_ROOT) -> StackOutputs:
    """Read the outputs of a deployed stack through the Pulumi Automation API (needs the CLI)."""
    from pulumi.automation import select_stack
    from pulumi.automation.errors import CommandError

    try:
        stack = select_stack(stack_name=stack_name, work_dir=str(work_dir))
        raw = stack.outputs()
    except FileNotFoundError:
        raise BadInput(
            "the Pulumi CLI (`pulumi`) is not installed, so stack outputs cannot be read; "
            "pass --outputs FILE made with `pulumi stack output --json --show-secrets`"
        ) from None
    except CommandError as err:
        raise BadInput(
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
