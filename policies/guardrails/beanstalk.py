"""Elastic Beanstalk rules: placement and capacity here, and the pack's EB policy list.

Every rule that reads option settings is a stack rule over `templates.effective_settings`,
so an environment launched from a configuration template is judged on the settings it runs
with (its own over the template's). Property rules live in `eb_properties`, single-option
rules in `eb_options`, template merging in `templates`, EB facts in `awsfacts.eb`.
"""

from __future__ import annotations

from typing import Final

from awsfacts.eb import (
    ASG_NS,
    COMMAND_NS,
    DEFAULTS,
    ENV_NS,
    HEALTH_NS,
    LAUNCH_NS,
    MANAGED_ACTIONS_NS,
    VPC_NS,
)

from .common import ADVISORY, EB_TYPES, cannot_check, resource_policy, stack_policy, unreadable
from .eb_options import equals, not_all_at_once, option_rule
from .eb_properties import check_names, check_portable_names, check_secret_like, check_size
from .resources import Resource
from .subnets import Network, SubnetSet, Verdict
from .templates import Effective, effective_settings, readable_settings
from .values import as_bool, as_int, is_unreadable, show

_MIN_INSTANCES: Final = 2
_MIN_ZONES: Final = 2


def _describe(verdicts: list[Verdict]) -> str:
    return "; ".join(f"{v.subnet}: {v.reason}" for v in verdicts)


def _subnet_findings(
    found: Effective, network: Network, option: str, value: object
) -> tuple[SubnetSet, list[tuple[str, str | None]]]:
    label = found.resource.label
    where = found.origin(VPC_NS, option)
    subnets = network.subnets(value, found.settings_deps())
    results: list[tuple[str, str | None]] = []
    if subnets.unresolved:
        why = (
            f"{unreadable(value)} and the settings depend on no subnet"
            if is_unreadable(value)
            else subnets.unresolved
        )
        results.append(cannot_check(f"{label}: {VPC_NS} {option}{where} {why}"))
        return subnets, results
    public = subnets.public
    if public and not subnets.from_dependencies:
        results.append(
            (
                f"{label}: {VPC_NS} {option}{where} includes public subnets: "
                f"{_describe(public)}. Put the instances in private subnets (a default route "
                "to a NAT gateway, not an internet gateway, and mapPublicIpOnLaunch false).",
                found.resource.urn,
            )
        )
    elif public:
        results.append(
            cannot_check(
                f"{label}: {VPC_NS} {option}{where} {unreadable(value)} and the settings "
                f"depend on public subnets ({_describe(public)}); it is checked again on up"
            )
        )
    undecided = subnets.undecided
    if undecided:
        results.append(cannot_check(f"{label}: {VPC_NS} {option}{where}: {_describe(undecided)}"))
    return subnets, results


def _instances_private(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    for found in readable_settings(network, results):
        resource = found.resource
        settings = found.settings
        subnets = settings.get(VPC_NS, "Subnets")
        if subnets is None:
            if not found.is_template:
                results.append(
                    found.unset(
                        f"{VPC_NS} Subnets",
                        (
                            f"{resource.label}: {VPC_NS} Subnets is not set, so Elastic "
                            "Beanstalk launches the instances in the default VPC's public "
                            "subnets; set VPCId and Subnets to private subnets",
                            resource.urn,
                        ),
                    )
                )
        else:
            results.extend(_subnet_findings(found, network, "Subnets", subnets)[1])
        public_ip = settings.get(VPC_NS, "AssociatePublicIpAddress")
        where = found.origin(VPC_NS, "AssociatePublicIpAddress")
        if as_bool(public_ip) is True:
            results.append(
                (
                    f"{resource.label}: {VPC_NS} AssociatePublicIpAddress is 'true'{where}; "
                    "instances in private subnets need no public IP: remove it or set 'false'",
                    resource.urn,
                )
            )
        elif is_unreadable(public_ip):
            results.append(
                cannot_check(
                    f"{resource.label}: {VPC_NS} AssociatePublicIpAddress{where} "
                    f"{unreadable(public_ip)}"
                )
            )
        elif public_ip is None:
            results.extend(found.may_come_from_template(f"{VPC_NS} AssociatePublicIpAddress"))
    return results


def _role(resource: Resource) -> object:
    tags = resource.props.get("tags")
    if not (isinstance(tags, dict) and "role" in tags):
        # A role set through the provider's default tags shows only in tagsAll.
        tags = resource.props.get("tagsAll", tags)
    if is_unreadable(tags):
        return tags
    return tags.get("role") if isinstance(tags, dict) else None


def _is_model(found: Effective, results: list[tuple[str, str | None]]) -> bool:
    """An environment tagged role=model; the advisory goes to `results` when its role tag
    cannot be read."""
    if found.is_template:
        return False
    role = _role(found.resource)
    if is_unreadable(role):
        results.append(cannot_check(f"{found.resource.label}: its role tag {unreadable(role)}"))
        return False
    return role == "model"


def _single_instance(found: Effective, label: str) -> tuple[str, str | None] | None:
    if found.settings.get(ENV_NS, "EnvironmentType") != "SingleInstance":
        return None
    return (
        f"{label}: {ENV_NS} EnvironmentType is 'SingleInstance'"
        f"{found.origin(ENV_NS, 'EnvironmentType')}, which gives the instance an "
        "Elastic IP and a public endpoint; use 'LoadBalanced' with an internal load "
        "balancer",
        found.resource.urn,
    )


def _internal_scheme(found: Effective, label: str) -> list[tuple[str, str | None]]:
    resource = found.resource
    scheme = found.settings.get(VPC_NS, "ELBScheme")
    where = found.origin(VPC_NS, "ELBScheme")
    if is_unreadable(scheme):
        return [cannot_check(f"{resource.label}: {VPC_NS} ELBScheme{where} {unreadable(scheme)}")]
    if isinstance(scheme, str) and scheme.lower() == "internal":
        return []
    default = DEFAULTS[(VPC_NS, "ELBScheme")]
    shown = show(scheme) if scheme is not None else f"not set (EB uses {show(default)})"
    violation = (
        f"{label}: {VPC_NS} ELBScheme is {shown}{where}; the model server must only "
        "be reachable inside the VPC: set ELBScheme to 'internal'",
        resource.urn,
    )
    return [violation if scheme is not None else found.unset(f"{VPC_NS} ELBScheme", violation)]


def _elb_subnets_private(
    found: Effective, network: Network, label: str
) -> list[tuple[str, str | None]]:
    elb_subnets = found.settings.get(VPC_NS, "ELBSubnets")
    if elb_subnets is not None:
        return _subnet_findings(found, network, "ELBSubnets", elb_subnets)[1]
    violation = (
        f"{label}: {VPC_NS} ELBSubnets is not set; place the internal load "
        "balancer in private subnets explicitly",
        found.resource.urn,
    )
    return [found.unset(f"{VPC_NS} ELBSubnets", violation)]


def _model_internal(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    for found in effective_settings(network):
        if not _is_model(found, results):
            continue
        if not found.readable:
            results.append(cannot_check(found.why_unreadable()))
            continue
        label = f"{found.resource.label} (role=model)"
        single = _single_instance(found, label)
        if single is not None:
            results.append(single)
            continue
        if found.settings.get(ENV_NS, "EnvironmentType") is None:
            results.extend(found.may_come_from_template(f"{ENV_NS} EnvironmentType"))
        results.extend(_internal_scheme(found, label))
        results.extend(_elb_subnets_private(found, network, label))
    return results


def _min_size(found: Effective) -> tuple[str, str | None] | None:
    resource = found.resource
    raw_min = found.settings.get(ASG_NS, "MinSize")
    where = found.origin(ASG_NS, "MinSize")
    if is_unreadable(raw_min):
        return cannot_check(f"{resource.label}: {ASG_NS} MinSize{where} {unreadable(raw_min)}")
    default = DEFAULTS[(ASG_NS, "MinSize")]
    minimum = as_int(raw_min if raw_min is not None else default)
    if minimum is not None and minimum >= _MIN_INSTANCES:
        return None
    shown = show(raw_min) if raw_min is not None else f"not set (EB uses {default})"
    violation = (
        f"{resource.label}: {ASG_NS} MinSize is {shown}{where}; run at least "
        f"{_MIN_INSTANCES} instances so one AZ or instance can fail",
        resource.urn,
    )
    return violation if raw_min is not None else found.unset(f"{ASG_NS} MinSize", violation)


def _capacity(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    for found in readable_settings(network, results, templates=False):
        resource = found.resource
        judged = _min_size(found)
        if judged is not None:
            results.append(judged)
        subnets = found.settings.get(VPC_NS, "Subnets")
        if subnets is None:
            continue  # reported by eb-instances-in-private-subnets
        where = found.origin(VPC_NS, "Subnets")
        in_use = network.subnets(subnets, found.settings_deps())
        if in_use.from_dependencies or in_use.unresolved:
            results.append(
                cannot_check(f"{resource.label}: {VPC_NS} Subnets{where} {unreadable(subnets)}")
            )
            continue
        zones = {v.availability_zone for v in in_use.verdicts if v.availability_zone}
        unknown = [v for v in in_use.verdicts if not v.availability_zone]
        if len(zones) < _MIN_ZONES and not unknown:
            results.append(
                (
                    f"{resource.label}: {VPC_NS} Subnets{where} span {len(zones)} availability "
                    f"zone(s) ({', '.join(sorted(zones)) or 'none'}); use subnets in at least "
                    f"{_MIN_ZONES} AZs",
                    resource.urn,
                )
            )
        elif len(zones) < _MIN_ZONES:
            results.append(
                cannot_check(f"{resource.label}: the AZs of {_describe(unknown)} are not known")
            )
    return results


POLICIES = [
    stack_policy(
        "eb-instances-in-private-subnets",
        "Elastic Beanstalk instances run only in private subnets, without public IPs.",
        _instances_private,
    ),
    stack_policy(
        "eb-model-environment-internal",
        "The model environment (tag role=model) has an internal load balancer in private subnets.",
        _model_internal,
    ),
    stack_policy(
        "eb-env-properties-size-limit",
        "Elastic Beanstalk environment properties fit the 4,096-byte limit (key=value, UTF-8).",
        check_size,
    ),
    resource_policy(
        "eb-env-property-names",
        "Elastic Beanstalk environment property names use only characters EB accepts.",
        EB_TYPES,
        check_names,
    ),
    resource_policy(
        "eb-env-property-names-portable",
        "Environment property names are shell identifiers, readable on every platform.",
        EB_TYPES,
        check_portable_names,
        ADVISORY,
    ),
    stack_policy(
        "eb-imdsv2-required",
        "Elastic Beanstalk instances require IMDSv2 (DisableIMDSv1 = true).",
        option_rule(
            LAUNCH_NS,
            "DisableIMDSv1",
            equals("true"),
            "; set it to 'true' so instance credentials need an IMDSv2 session token",
        ),
    ),
    stack_policy(
        "eb-multi-az-capacity",
        "Each Elastic Beanstalk environment spans at least 2 AZs with at least 2 instances.",
        _capacity,
    ),
    stack_policy(
        "eb-deployment-policy-safe",
        "Elastic Beanstalk deployments are not AllAtOnce.",
        option_rule(
            COMMAND_NS,
            "DeploymentPolicy",
            not_all_at_once,
            ": a failed deploy takes every instance down at once; use 'Immutable' or "
            "'RollingWithAdditionalBatch' (or 'Rolling')",
        ),
    ),
    stack_policy(
        "eb-enhanced-health",
        "Elastic Beanstalk environments use enhanced health reporting.",
        option_rule(
            HEALTH_NS,
            "SystemType",
            equals("enhanced"),
            "; set it to 'enhanced' for instance-level health and health-based rollouts",
        ),
    ),
    stack_policy(
        "eb-managed-platform-updates",
        "Elastic Beanstalk managed platform updates are enabled.",
        option_rule(
            MANAGED_ACTIONS_NS,
            "ManagedActionsEnabled",
            equals("true"),
            "; set it to 'true' (with a PreferredStartTime) so security patches are applied",
        ),
    ),
    resource_policy(
        "eb-secret-like-plain-property",
        "Credentials are not plain environment properties.",
        EB_TYPES,
        check_secret_like,
        ADVISORY,
    ),
]
