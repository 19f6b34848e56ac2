"""The stack outputs verify starts from: a `pulumi stack output --json` file or the
Automation API. Anything missing or malformed is a `BadInput` (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# The exact output names `__main__.py` exports; verify needs every one of them.
REQUIRED_OUTPUTS: tuple[str, ...] = (
    "webUrl",
    "modelInternalUrl",
    "webEnvironmentName",
    "modelEnvironmentName",
    "applicationName",
    "dbEndpoint",
    "dbInstanceIdentifier",
    "vpcId",
    "publicSubnetIds",
    "privateSubnetIds",
    "isolatedSubnetIds",
)
_LIST_OUTPUTS = frozenset({"publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"})
_SECRET_PLACEHOLDER = "[secret]"


class BadInput(Exception):
    """Input verify cannot work with; the message is the one line shown to the user."""


@dataclass(frozen=True)
class StackOutputs:
    """The stack outputs, typed; built only through `from_mapping`, which validates."""

    web_url: str
    model_internal_url: str
    web_environment_name: str
    model_environment_name: str
    application_name: str
    db_endpoint: str
    db_instance_identifier: str
    vpc_id: str
    public_subnet_ids: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]
    isolated_subnet_ids: tuple[str, ...]

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], source: str) -> StackOutputs:
        """Validate raw output values (names as exported) from `source` (for messages)."""
        missing = [name for name in REQUIRED_OUTPUTS if name not in data]
        if missing:
            raise BadInput(
                f"{source} lacks stack output(s) {', '.join(missing)}; "
                f"expected all of: {', '.join(REQUIRED_OUTPUTS)}"
            )
        strings: dict[str, str] = {}
        lists: dict[str, tuple[str, ...]] = {}
        for name in REQUIRED_OUTPUTS:
            value = data[name]
            if value == _SECRET_PLACEHOLDER:
                raise BadInput(
                    f"stack output {name} in {source} is a secret shown as [secret]; "
                    "export with `pulumi stack output --json --show-secrets`"
                )
            if name in _LIST_OUTPUTS:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise BadInput(f"stack output {name} in {source} must be a list of strings")
                lists[name] = tuple(value)
            else:
                if not isinstance(value, str) or not value:
                    raise BadInput(f"stack output {name} in {source} must be a non-empty string")
                strings[name] = value
        return cls(
            web_url=strings["webUrl"],
            model_internal_url=strings["modelInternalUrl"],
            web_environment_name=strings["webEnvironmentName"],
            model_environment_name=strings["modelEnvironmentName"],
            application_name=strings["applicationName"],
            db_endpoint=strings["dbEndpoint"],
            db_instance_identifier=strings["dbInstanceIdentifier"],
            vpc_id=strings["vpcId"],
            public_subnet_ids=lists["publicSubnetIds"],
            private_subnet_ids=lists["privateSubnetIds"],
            isolated_subnet_ids=lists["isolatedSubnetIds"],
        )


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
