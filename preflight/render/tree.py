"""The deployment as rows a reader scans: the resource tree under its parents, counts by type and
by component, and the stack outputs (secrets shown as `[secret]`)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from preflight.export.values import UNKNOWN_STRING
from preflight.simulate.deployment import STACK_TYPE, Deployment, SimResource

SECRET_MARK = "[secret]"


def display_type(type_token: str) -> str:
    """Pulumi's display form: `aws:ec2/subnet:Subnet` is shown as `aws:ec2:Subnet`."""
    parts = type_token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        module = parts[1].split("/")[0]
        if parts[1].split("/")[1].lower() == parts[2].lower():
            return f"{parts[0]}:{module}:{parts[2]}"
    return type_token


def _children(deployment: Deployment) -> dict[str | None, list[SimResource]]:
    children: dict[str | None, list[SimResource]] = defaultdict(list)
    for resource in deployment.resources:
        children[resource.parent].append(resource)
    return children


def tree_lines(deployment: Deployment) -> list[tuple[str, SimResource]]:
    """(prefix, resource) rows in tree order: components first, then by name."""
    children = _children(deployment)
    rows: list[tuple[str, SimResource]] = []

    def key(r: SimResource) -> tuple[bool, str, str]:
        return (r.custom, r.type, r.name)

    def walk(resource: SimResource, prefix: str, last: bool, root: bool) -> None:
        branch = "" if root else ("└─ " if last else "├─ ")
        rows.append((prefix + branch, resource))
        kids = sorted(children.get(resource.urn, []), key=key)
        extension = "" if root else ("   " if last else "│  ")
        for index, child in enumerate(kids):
            walk(child, prefix + extension, index == len(kids) - 1, False)

    for root in sorted(children.get(None, []), key=key):
        walk(root, "", True, True)
    return rows


def counts_by_type(deployment: Deployment) -> list[tuple[str, int]]:
    counter = Counter(r.type for r in deployment.resources if r.type != STACK_TYPE)
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def counts_by_component(deployment: Deployment) -> list[tuple[str, str, int]]:
    """(component type, name, number of resources beneath it), components in tree order."""
    children = _children(deployment)

    def size(urn: str) -> int:
        return sum(1 + size(child.urn) for child in children.get(urn, []))

    return [
        (r.type, r.name, size(r.urn))
        for _, r in tree_lines(deployment)
        if not r.custom and r.type != STACK_TYPE
    ]


UNKNOWN_MARK = "[unknown]"
"""What `pulumi preview` (CLI 3.163 and later) prints for a value it cannot know yet."""


def format_value(value: Any) -> str:
    if value == UNKNOWN_STRING:
        return UNKNOWN_MARK
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace(
        json.dumps(UNKNOWN_STRING), UNKNOWN_MARK
    )


def output_rows(deployment: Deployment) -> list[tuple[str, str]]:
    """(key, value shown): secrets as `[secret]`, what a preview cannot know as `[unknown]`."""
    return [
        (key, SECRET_MARK if key in deployment.secret_outputs else format_value(value))
        for key, value in sorted(deployment.outputs.items())
    ]
