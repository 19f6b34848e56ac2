"""Stack exports shaped like `pulumi stack export` of a deployed stack, for `make bench` and the
plan's tests: written here
from pulumi/pulumi's apitype schema (`sdk/go/common/apitype/core.go`: UntypedDeployment,
DeploymentV3, ResourceV3 in their Go field order, maps with sorted keys) and from what the AWS
provider's Check records, not by preflight's export writer.

From a simulation this takes only what the program itself decides: the resources' URNs, types,
parents, dependencies and options, and the inputs the program passes. The rest is written as a
deployed stack holds it: the default provider with a random UUID, a manifest with its plugins, a
passphrase secrets provider, secrets as ciphertext, `created`/`modified` times, inputs after
Check (auto-names and Terraform schema defaults listed under `__defaults`, `region`, `tagsAll`)
and every ID, auto-name suffix and ARN part the simulation derived from its seeds replaced by
another, so nothing in the file equals preflight's own values except what the program chose.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from preflight.export.values import sorted_keys
from preflight.simulate.check import DEFAULTS_KEY
from preflight.simulate.deployment import (
    SECRET_SIG,
    SECRET_SIG_KEY,
    STACK_TYPE,
    Deployment,
    SimResource,
)
from preflight.simulate.naming import digest

PULUMI_VERSION = "v3.272.0"
AWS_VERSION = "7.51.1"
CREATED = "2026-11-19T08:41:27.118204Z"
CIPHERTEXT_PREFIX = "v1:Rg8pT2qwZc7y9Xk0:"
"""The shape of a passphrase provider's ciphertext (`v1:<nonce>:<sealed bytes>`)."""

TF_DEFAULTS: dict[str, dict[str, Any]] = {
    "aws:iam/role:Role": {"forceDetachPolicies": False, "maxSessionDuration": 3600, "path": "/"},
    "aws:iam/instanceProfile:InstanceProfile": {"path": "/"},
    "aws:s3/bucket:Bucket": {"forceDestroy": False},
    "aws:sqs/queue:Queue": {"delaySeconds": 0, "fifoQueue": False, "maxMessageSize": 262144},
    "aws:ec2/securityGroup:SecurityGroup": {
        "description": "Managed by Pulumi",
        "revokeRulesOnDelete": False,
    },
    "aws:elasticbeanstalk/environment:Environment": {"waitForReadyTimeout": "20m"},
    "aws:s3/bucketObjectv2:BucketObjectv2": {"forceDestroy": False},
}
"""Terraform schema defaults Check writes when the program leaves them out (a sample per type:
preflight does not know them, so a plan must reuse them from `__defaults`)."""

_HEX = re.compile(r"[0-9a-f]{6,}|[0-9A-F]{6,}")


def _ciphertext(value: Any) -> dict[str, str]:
    sealed = hashlib.sha512(json.dumps(value, sort_keys=True).encode()).hexdigest()[:48]
    return {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": CIPHERTEXT_PREFIX + sealed}


def _properties(values: dict[str, Any], secret: frozenset[str]) -> dict[str, Any]:
    return {
        k: _ciphertext(values[k]) if k in secret else sorted_keys(values[k]) for k in sorted(values)
    }


def _checked(resource: SimResource, region: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(inputs after Check, the values Check added that also land among the outputs)."""
    inputs = dict(resource.inputs)
    defaults = {k: v for k, v in TF_DEFAULTS.get(resource.type, {}).items() if k not in inputs}
    defaults.update(resource.checked.defaults)  # the auto-name Check generated
    added = {**defaults, **resource.checked.extras}
    inputs.update(added)
    inputs[DEFAULTS_KEY] = sorted(defaults)
    return inputs, added


def _provider(urn: str, region: str) -> dict[str, Any]:
    props = {"region": region, "skipCredentialsValidation": "false", "version": AWS_VERSION}
    return {
        "urn": urn,
        "custom": True,
        "id": "3f2c9a4e-8b1d-4e7a-9c6f-2d5b8e1a7c40",
        "type": "pulumi:providers:aws",
        "inputs": {"__internal": {}, **props},
        "outputs": props,
        "created": CREATED,
        "modified": CREATED,
    }


def _entry(resource: SimResource, region: str, provider_ids: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"urn": resource.urn, "custom": resource.custom}
    if resource.custom and resource.id:
        entry["id"] = resource.id
    entry["type"] = resource.type
    inputs, added = _checked(resource, region) if resource.custom else (dict(resource.inputs), {})
    entry["inputs"] = _properties(inputs, resource.secret_inputs)
    outputs = {**resource.outputs, **added}
    entry["outputs"] = _properties(outputs, resource.secret_outputs)
    if resource.parent:
        entry["parent"] = resource.parent
    if resource.protect:
        entry["protect"] = True
    if resource.dependencies:
        entry["dependencies"] = sorted(set(resource.dependencies))
    if resource.provider:
        urn = resource.provider.rpartition("::")[0]
        entry["provider"] = f"{urn}::{provider_ids[urn]}"
    deps = {k: sorted(set(v)) for k, v in resource.property_dependencies.items() if v}
    if deps:
        entry["propertyDependencies"] = sorted_keys(deps)
    if resource.retain_on_delete:
        entry["retainOnDelete"] = True
    entry["created"] = entry["modified"] = CREATED
    return entry


def _remapped(document: dict[str, Any], seeds: list[str]) -> dict[str, Any]:
    """Every hex run the simulation took from a resource's seed replaced by another."""
    joined = "\n".join(seeds)

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.lower() not in joined:
            return token
        fresh = hashlib.sha256(f"deployed:{token.lower()}".encode()).hexdigest()[: len(token)]
        return fresh.upper() if token.isupper() else fresh

    remapped: dict[str, Any] = json.loads(_HEX.sub(swap, json.dumps(document)))
    return remapped


def real_export(deployment: Deployment, region: str) -> dict[str, Any]:
    """The deployed stack's `pulumi stack export` (an UntypedDeployment of version 3)."""
    resources: list[dict[str, Any]] = []
    provider_ids: dict[str, str] = {}
    for resource in deployment.resources:
        if resource.type == STACK_TYPE:
            outputs = _properties(deployment.outputs, deployment.secret_outputs)
            resources.append(
                {
                    "urn": resource.urn,
                    "custom": False,
                    "type": STACK_TYPE,
                    "outputs": outputs,
                    "created": CREATED,
                    "modified": CREATED,
                }
            )
            continue
        if resource.provider and resource.provider.rpartition("::")[0] not in provider_ids:
            urn = resource.provider.rpartition("::")[0]
            resources.append(_provider(urn, region))
            provider_ids[urn] = resources[-1]["id"]
        resources.append(_entry(resource, region, provider_ids))
    seeds = [digest(deployment.stack, r.type, r.name) for r in deployment.resources]
    document = {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": CREATED,
                "magic": hashlib.sha256(PULUMI_VERSION.encode()).hexdigest(),
                "version": PULUMI_VERSION,
                "plugins": [
                    {"name": "aws", "path": "", "type": "resource", "version": AWS_VERSION},
                    {"name": "python", "path": "", "type": "language", "version": ""},
                ],
            },
            "secrets_providers": {
                "type": "passphrase",
                "state": {"salt": "v1:yJ0xvE3n3cU=:v1:3k9Wm2x8Qv6t0pYc:Zm9yLXRlc3Rz"},
            },
            "resources": resources,
            "metadata": {},
        },
    }
    return _remapped(document, seeds)


def resource(document: dict[str, Any], type_token: str, name: str) -> dict[str, Any]:
    """The entry of `document` with this type and name (for a test to edit)."""
    for entry in document["deployment"]["resources"]:
        if entry["type"] == type_token and entry["urn"].endswith(f"::{name}"):
            found: dict[str, Any] = entry
            return found
    raise KeyError(f"{type_token} {name}")


def with_extra(document: dict[str, Any], count: int) -> dict[str, Any]:
    """`document` and `count` more resources of its stack that no program registers (copies of
    its custom resources under new names): a base of any size for the scaling test."""
    result = copy.deepcopy(document)
    resources = result["deployment"]["resources"]
    custom = [r for r in resources if r["custom"] and not r["type"].startswith("pulumi:")]
    for index in range(count):
        entry = copy.deepcopy(custom[index % len(custom)])
        entry["urn"] = f"{entry['urn']}-extra{index}"
        entry["id"] = f"{entry.get('id', '')}-extra{index}"
        resources.append(entry)
    return result
