"""What the config tests share: the project's root, a Secrets Manager and an SSM Parameter
Store ARN a config may name, and the message of a config `parse_stack_config` refuses
(`error_of`). Used by tests/components/test_config*.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.config import ConfigError, parse_stack_config

ROOT = Path(__file__).resolve().parents[2]
SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webmodel/dev/x-Ab12Cd"
PARAMETER_ARN = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/webmodel/dev/x"


def error_of(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    return str(caught.value)
