"""Value equivalences the AWS provider applies before it reports a difference: IAM policy
documents (hashicorp/awspolicyequivalence, `PoliciesAreEquivalent`), JSON strings
(terraform-plugin-sdk `structure.NormalizeJsonString`), CIDR blocks, IP protocols, and an
Elastic Beanstalk option setting's set key (`optionSettingValueHash`). Pure functions."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any

_PROTOCOLS = {"-1": "-1", "all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def normalize_json(value: Any) -> Any:
    """NormalizeJsonString: a JSON string re-encoded compactly with sorted keys; else as is."""
    if not isinstance(value, str) or not value:
        return value
    try:
        return json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return value


def protocol(value: Any) -> Any:
    """An IP protocol as the EC2 API compares it: case-insensitive, numbers as names."""
    if not isinstance(value, str):
        return value
    lowered = value.lower()
    return _PROTOCOLS.get(lowered, lowered)


def cidr_equal(old: Any, new: Any) -> bool:
    """Two CIDR blocks naming the same network (`::0/0` and `::/0`)."""
    try:
        return ipaddress.ip_network(str(old), strict=False) == ipaddress.ip_network(
            str(new), strict=False
        )
    except ValueError:
        return bool(old == new)


def eb_setting_key(setting: Any) -> str:
    """`optionSettingValueHash`'s key: namespace:name+resource=value, the value's JSON
    normalised and its comma-separated parts sorted."""
    if not isinstance(setting, dict):
        return json.dumps(setting, sort_keys=True)
    value = normalize_json(str(setting.get("value") or ""))
    parts = ",".join(sorted(str(value).split(",")))
    return (
        f"{setting.get('namespace', '')}:{setting.get('name', '')}"
        f"{setting.get('resource') or ''}={parts}"
    )


# -- IAM policy documents ---------------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return sorted(_scalar(v) for v in items)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _principal(value: Any) -> Any:
    if not isinstance(value, dict):
        return _strings(value)
    out: dict[str, list[str]] = {}
    for kind, ids in value.items():
        names = []
        for item in _strings(ids):
            if item.isdigit() and len(item) == 12:
                item = f"arn:aws:iam::{item}:root"
            names.append(item)
        out[kind] = sorted(names)
    return out


def _condition(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {
        op: {k: _strings(v) for k, v in keys.items()} if isinstance(keys, dict) else keys
        for op, keys in value.items()
    }


def _statement(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    out: dict[str, Any] = {"Sid": raw.get("Sid", ""), "Effect": str(raw.get("Effect", "")).lower()}
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in raw:
            out[key] = _strings(raw[key])
    for key in ("Principal", "NotPrincipal"):
        if key in raw:
            out[key] = _principal(raw[key])
    if "Condition" in raw:
        out["Condition"] = _condition(raw["Condition"])
    return out


def _document(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    if text.strip() in ("", "{}"):
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    if isinstance(parsed, list) and len(parsed) == 1:
        parsed = parsed[0]
    if not isinstance(parsed, dict):
        return None
    statements = parsed.get("Statement", [])
    return {
        "Version": parsed.get("Version", ""),
        "Id": parsed.get("Id", ""),
        "Statement": [_statement(s) for s in _as_list(statements)],
    }


def _as_list(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else [value]


def policies_equivalent(old: Any, new: Any) -> bool:
    """awspolicyequivalence's verdict: same Version and Id, as many statements, each of ours
    equal to one of theirs (order, single-vs-list and account-ID-vs-root-ARN ignored)."""
    ours, theirs = _document(old), _document(new)
    if ours is None or theirs is None:
        return bool(old == new)
    if ours == {} or theirs == {}:
        return ours == theirs
    if (ours["Version"], ours["Id"]) != (theirs["Version"], theirs["Id"]):
        return False
    if len(ours["Statement"]) != len(theirs["Statement"]):
        return False
    return all(any(s == t for t in theirs["Statement"]) for s in ours["Statement"])
