"""IAM policy documents the components share, built as JSON strings (no resources)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def trust_policy(service: str, condition: Mapping[str, Any] | None = None) -> str:
    """A role trust policy letting one AWS service principal assume the role."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = dict(condition)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def policy_document(*statements: Mapping[str, Any]) -> str:
    """An identity policy from its statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": [dict(s) for s in statements]})


def arn(partition: str, service: str, region: str, account_id: str, resource: str) -> str:
    """`arn:<partition>:<service>:<region>:<account>:<resource>`."""
    return f"arn:{partition}:{service}:{region}:{account_id}:{resource}"
