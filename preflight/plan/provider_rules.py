"""The AWS provider's diff rules that preflight models, keyed as scripts/gen_diffrules.py records
them in diffrules.json (an expression, or a function's name and source digest), and the rules
it knowingly does not model, each with why. tests/preflight/test_diffrules.py fails when the
generated table names a rule that is in neither, so an upstream change is looked at, not missed.

A suppression answers "is there no diff?" for (old, new) of one property, `None` meaning the
property is absent; a normaliser maps a value to the form the provider stores (StateFunc); a
set key is what identifies a set element; a conditional decides, for one resource, whether a
property forces a replacement (`ForceNew`...), has its diff cleared (`Clear`), or which outputs
a preview cannot know after the update (`SetNewComputed`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from preflight.plan.equivalence import (
    cidr_equal,
    eb_setting_key,
    normalize_json,
    policies_equivalent,
    protocol,
)


@dataclass(frozen=True)
class Sides:
    """One resource's old and new inputs (as the engine records them), for rules that look
    beyond the property they decide."""

    old: Mapping[str, Any]
    new: Mapping[str, Any]


Suppress = Callable[[Any, Any, Sides], bool]
Normalise = Callable[[Any], Any]
Conditional = Callable[[Sides], bool]

_JSON = "inline#4acc8ee25fea"  # func(v) { json, _ := structure.NormalizeJsonString(v) ... }


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _storage_autoscaling(old: Any, new: Any, sides: Sides) -> bool:
    """rds instance.go allocated_storage: the deployed size is above the configured one and
    storage autoscaling (max_allocated_storage) is above it too."""
    o, n, most = _int(old), _int(new), _int(sides.new.get("maxAllocatedStorage")) or 0
    return o is not None and n is not None and o > n and most > n


def _max_storage_unset(old: Any, new: Any, sides: Sides) -> bool:
    """rds instance.go max_allocated_storage: 0 deployed and configured equal to the size."""
    return (_int(old) or 0) == 0 and _int(new) == _int(sides.new.get("allocatedStorage"))


def _missing_block(old: Any, new: Any, sides: Sides) -> bool:
    """verify.SuppressMissingOptionalConfigurationBlock: a block deployed, none configured."""
    return isinstance(old, list) and len(old) == 1 and not new


def _disabled(value: Any) -> bool:
    """dynamodb isTableOptionDisabled: no block, or a block with enabled false."""
    if not isinstance(value, list) or not value:
        return True
    first = value[0]
    return not (isinstance(first, dict) and first.get("enabled") is True)


def _both_disabled(key: str) -> Conditional:
    return lambda sides: _disabled(sides.old.get(key)) and _disabled(sides.new.get(key))


def _tenancy(sides: Sides) -> bool:
    """vpc_.go resourceVPCCustomizeDiff: replace unless dedicated becomes default."""
    old, new = sides.old.get("instanceTenancy"), sides.new.get("instanceTenancy")
    return old != new and not (old == "dedicated" and new == "default")


def _source(values: Mapping[str, Any]) -> str:
    """vpc_security_group_ingress_rule.go sourceAttributeName: the first source set."""
    for key in ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"):
        if values.get(key) is not None:
            return key
    return ""


def source_type_changed(sides: Sides) -> list[str]:
    """The ModifyPlan of the VPC security group rules: a rule whose source changes type (a
    CIDR becomes a security group, ...) is replaced, both source properties named."""
    old, new = _source(sides.old), _source(sides.new)
    return sorted({old, new}) if old != new else []


_OBJECT_CONTENT = (
    "bucketKeyEnabled",
    "cacheControl",
    "contentBase64",
    "contentDisposition",
    "contentEncoding",
    "contentLanguage",
    "contentType",
    "content",
    "etag",
    "kmsKeyId",
    "metadata",
    "serverSideEncryption",
    "source",
    "sourceHash",
    "storageClass",
    "websiteRedirect",
)


def _object_content(sides: Sides) -> bool:
    """s3 object.go hasObjectContentChanges (and source_hash): a re-upload."""
    keys = _OBJECT_CONTENT
    return any(
        json.dumps(sides.old.get(k), sort_keys=True, default=str)
        != json.dumps(sides.new.get(k), sort_keys=True, default=str)
        for k in keys
    )


def _changed(key: str) -> Conditional:
    return lambda sides: sides.old.get(key) != sides.new.get(key)


SUPPRESS: dict[str, Suppress] = {
    "verify.SuppressEquivalentPolicyDiffs": lambda o, n, _: policies_equivalent(o, n),
    "verify.SuppressMissingOptionalConfigurationBlock": _missing_block,
    "suppressEqualCIDRBlockDiffs": lambda o, n, _: o is not None and cidr_equal(o, n),
    "inline#113f21ed3415": _storage_autoscaling,
    "inline#b03623f26299": _max_storage_unset,
    "inline#a08abdc8fd39": lambda o, n, _: not o and n == "STANDARD",  # dynamodb table_class
    "inline#c46e461b094e": lambda o, n, s: not n and s.new.get("serverSideEncryption") == "aws:kms",
}

NORMALISE: dict[str, Normalise] = {
    _JSON: normalize_json,
    "inline#1dea43c8fa97": normalize_json,  # verify.LegacyPolicyNormalize, as JSON (see docs)
    "inline#2bc4cc5201e9": lambda v: v.lower() if isinstance(v, str) else v,  # rds engine
    "inline#f1507794371b": lambda v: v.lower() if isinstance(v, str) else v,  # maintenance
    "inline#79a4d8f5b59c": lambda v: v.upper() if isinstance(v, str) else v,  # stream view
    "inline#c87308a421ab": lambda v: v.removesuffix(".").lower() if isinstance(v, str) else v,
    # route53 zone.go TrimTrailingPeriod: "." stays as it is, any other name loses its final dot
    "TrimTrailingPeriod#7507334f37da": lambda v: (
        v.removesuffix(".") if isinstance(v, str) and v != "." else v
    ),
    "NormalizeIPProtocol()": protocol,  # framework plan modifier of the VPC rules' ip_protocol
}


def _element(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


SET_KEYS: dict[str, Normalise] = {
    "schema.HashSchema": _element,
    "optionSettingValueHash#bdde465304fb": eb_setting_key,
    "inline#6555897da6b3": _element,  # dynamodb attribute: keyed by name, compared whole
    # route53 zone.go hostedZoneVPCHash: a private zone's VPC associations keyed by vpc_id
    "hostedZoneVPCHash#3cccd34831a2": lambda v: (
        str(v.get("vpcId")) if isinstance(v, dict) else _element(v)
    ),
}

REPLACE_IF: dict[str, Conditional] = {
    "ForceNew instanceTenancy resourceVPCCustomizeDiff#de6bce511586": _tenancy,
    "ForceNew cidrBlock resourceVPCCustomizeDiff#de6bce511586": lambda s: (
        not s.new.get("ipv4NetmaskLength")
    ),
    "ForceNewIfChange restoreSourceName customdiff.ForceNewIfChange#5b1854720560": lambda s: (
        s.old.get("restoreSourceName") != s.new.get("restoreSourceName")
        and bool(s.new.get("restoreSourceName"))
    ),
}
"""Conditional replacements: the property forces a replacement only when the rule says so."""

SOURCE_TYPE_RULE = "RequiresReplace * ModifyPlan#7f7c7e6bedb5"

CLEAR_IF: dict[str, Conditional] = {
    "Clear cidrBlock resourceVPCCustomizeDiff#de6bce511586": lambda s: bool(
        s.new.get("ipv4NetmaskLength")
    ),
    "Clear serverSideEncryption func#86c667b83998": _both_disabled("serverSideEncryption"),
    "Clear pointInTimeRecovery func#e3699e1e5c41": _both_disabled("pointInTimeRecovery"),
}

COMPUTED_IF: dict[str, Conditional] = {
    "SetNewComputed versionId resourceObjectCustomizeDiff#74db82f4ef42": _object_content,
    "SetNewComputed etag resourceObjectCustomizeDiff#74db82f4ef42": _changed("sourceHash"),
    "SetNewComputed streamArn func#8c09c21b3547": _changed("streamEnabled"),
    "SetNewComputed ipv6AssociationId resourceVPCCustomizeDiff#de6bce511586": _changed(
        "assignGeneratedIpv6CidrBlock"
    ),
    "SetNewComputed ipv6CidrBlock resourceVPCCustomizeDiff#de6bce511586": _changed(
        "assignGeneratedIpv6CidrBlock"
    ),
}

UNMODELLED: dict[str, str] = {
    "inline#63a2a8317b7d": "iam role inline_policy (deprecated) is compared as configured",
    "domainValidationOptionsHash#b2b57ae1ab1d": "an output of the certificate, never an input",
    "resourceScalingAdjustmentHash#b7118ddf6ee8": "step adjustments are compared element by "
    "element as a set",
    "resourceRouteTableHash#e4e4717b8165": "inline routes are compared element by element as a set",
    "SetNewComputed pendingRenewal func#539aee92ef25": "depends on the certificate's renewal "
    "state in AWS, which an export does not hold",
    "SetNewComputed secondaryPrivateIpAddressCount resourceNATGatewayCustomizeDiff#b8cb3ec10150": (
        "secondary NAT addresses are not modelled"
    ),
    "SetNewComputed secondaryPrivateIpAddresses resourceNATGatewayCustomizeDiff#b8cb3ec10150": (
        "secondary NAT addresses are not modelled"
    ),
}
"""Rules read from the provider that preflight does not model, with what it does instead; each
is listed in docs/pull-requests.md's known limits."""
