"""The stack outputs verify reads (its pydantic contract): a file read into typed outputs,
each missing, secret or wrongly typed output refused by name, others ignored; the version
labels optional. Mirrors verify/outputs.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from preflight.inputs.errors import InputError
from tests.verify.support import DEV_OUTPUTS, write_outputs
from verify.outputs import REQUIRED_OUTPUTS, StackOutputs, load_outputs_file


def test_outputs_file_is_read_into_typed_outputs(tmp_path: Path) -> None:
    outputs = load_outputs_file(write_outputs(tmp_path))
    assert outputs == StackOutputs.from_mapping(DEV_OUTPUTS, "x")
    assert outputs.private_subnet_ids == ("subnet-a1", "subnet-a2")
    assert outputs.model_environment_name == "webmodel-dev-model"


def test_from_mapping_rejects_non_string_list_items() -> None:
    with pytest.raises(InputError, match="publicSubnetIds in src must be a list of strings"):
        StackOutputs.from_mapping({**DEV_OUTPUTS, "publicSubnetIds": [1]}, "src")


LIST_OUTPUTS = [name for name in REQUIRED_OUTPUTS if name.endswith("SubnetIds")]


STRING_OUTPUTS = [name for name in REQUIRED_OUTPUTS if name not in LIST_OUTPUTS]


def test_the_contract_names_every_output_verify_reads() -> None:
    assert tuple(DEV_OUTPUTS) == REQUIRED_OUTPUTS
    assert LIST_OUTPUTS == ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"]


@pytest.mark.parametrize("name", REQUIRED_OUTPUTS)
def test_each_missing_output_is_named(name: str) -> None:
    data = {k: v for k, v in DEV_OUTPUTS.items() if k != name}
    with pytest.raises(InputError) as raised:
        StackOutputs.from_mapping(data, "src")
    assert str(raised.value) == (
        f"src lacks stack output(s) {name}; expected all of: {', '.join(REQUIRED_OUTPUTS)}"
    )


@pytest.mark.parametrize("name", REQUIRED_OUTPUTS)
def test_each_secret_placeholder_is_refused(name: str) -> None:
    with pytest.raises(InputError) as raised:
        StackOutputs.from_mapping({**DEV_OUTPUTS, name: "[secret]"}, "src")
    assert str(raised.value) == (
        f"stack output {name} in src is a secret shown as [secret]; "
        "export with `pulumi stack output --json --show-secrets`"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [(n, v) for n in STRING_OUTPUTS for v in ("", 7, None, ["x"], {"a": "b"}, True)]
    + [(n, v) for n in LIST_OUTPUTS for v in ("subnet-1", [1], ["a", None], {"a": 1}, 3, None)],
)
def test_each_wrongly_typed_output_is_refused(name: str, value: object) -> None:
    wanted = "a list of strings" if name in LIST_OUTPUTS else "a non-empty string"
    with pytest.raises(InputError) as raised:
        StackOutputs.from_mapping({**DEV_OUTPUTS, name: value}, "src")
    assert str(raised.value) == f"stack output {name} in src must be {wanted}"


def test_other_outputs_are_ignored_and_the_model_is_frozen() -> None:
    outputs = StackOutputs.from_mapping({**DEV_OUTPUTS, "extra": {"any": 1}}, "src")
    assert outputs.vpc_id == "vpc-1"
    assert outputs.public_subnet_ids == ("subnet-p1", "subnet-p2")
    with pytest.raises(ValidationError):
        outputs.vpc_id = "vpc-2"


def test_version_labels_are_optional_outputs_but_never_a_secret_stand_in() -> None:
    assert "webVersionLabel" not in REQUIRED_OUTPUTS
    outputs = StackOutputs.from_mapping({**DEV_OUTPUTS, "webVersionLabel": "web-1"}, "src")
    assert (outputs.web_version_label, outputs.model_version_label) == ("web-1", None)
    with pytest.raises(InputError, match="webVersionLabel"):
        StackOutputs.from_mapping({**DEV_OUTPUTS, "webVersionLabel": "[secret]"}, "src")
