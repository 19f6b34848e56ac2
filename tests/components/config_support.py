"""What the config tests share: the project's root, a Secrets Manager and an SSM Parameter
Store ARN a config may name, the message of a config `parse_stack_config` refuses (`error_of`),
the hypothesis settings of the hardening tests (`FAST`), a stack file written as text or bytes
(`write`) and the one-line message `read_yaml` refuses it with (`refused`). Used by
tests/components/test_config*.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from components.config import ConfigError, parse_stack_config
from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import read_yaml

ROOT = Path(__file__).resolve().parents[2]
SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webmodel/dev/x-Ab12Cd"
PARAMETER_ARN = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/webmodel/dev/x"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def error_of(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    return str(caught.value)


def write(tmp_path: Path, text: str | bytes, name: str = "Pulumi.dev.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name}: "), message
    assert "\n" not in message
    return message
