"""Elastic Beanstalk rules: placement, the 4 KB property budget, IMDSv2, and prod safety."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from .common import (
    ADVISORY,
    EB_ENVIRONMENT,
    EB_TEMPLATE,
    EB_TYPES,
    CannotCheck,
    ResourceCheck,
    cannot_check,
    resource_policy,
    stack_policy,
)
from .envprops import (
    LIMIT_BYTES,
    describe_biggest,
    invalid_keys,
    looks_secret,
    measure,
    nonportable_keys,
    portable_name,
)
from .resources import Resource
from .settings import (
    ASG_NS,
    COMMAND_NS,
    ENV_NS,
    ENV_PROPERTIES_NS,
    ENV_SECRETS_NS,
    HEALTH_NS,
    LAUNCH_NS,
    MANAGED_ACTIONS_NS,
    VPC_NS,
    OptionSettings,
    parse_settings,
)
from .subnets import Network, SubnetSet, Verdict
from .values import UNKNOWN, as_bool, as_int, is_unreadable, show

_MIN_INSTANCES: Final = 2
_MIN_ZONES: Final = 2


_parsed: dict[int, tuple[Resource, OptionSettings]] = {}


def parsed_settings(resource: Resource) -> OptionSettings:
    """`parse_settings` once per resource, however many rules read it."""
    hit = _parsed.get(id(resource))
    if hit is not None and hit[0] is resource:
        return hit[1]
    if len(_parsed) > 4096:
        _parsed.clear()
    settings = parse_settings(resource.props.get("settings"))
    _parsed[id(resource)] = (resource, settings)  # keeps `resource` alive, so ids stay unique
    return settings


def _settings(resource: Resource) -> OptionSettings:
    """The resource's option settings; CannotCheck when the whole list is unreadable."""
    settings = parsed_settings(resource)
    if not settings.readable:
        why = (
            "an encrypted secret (export with --show-secrets to check it)"
            if settings.unreadable is not UNKNOWN
            else "not known yet"
        )
        raise CannotCheck(f"{resource.label}: its option settings are {why}")
    return settings


def _is_template(resource: Resource) -> bool:
    return resource.type != EB_ENVIRONMENT


def _uses_template(resource: Resource) -> bool:
    """An environment launched from a configuration template (`templateName`)."""
    name = resource.props.get("templateName")
    return resource.type == EB_ENVIRONMENT and (is_unreadable(name) or bool(name))


def _unset_on_environment(resource: Resource, namespace: str, name: str) -> CannotCheck:
    """An option the environment leaves to its template: a resource rule cannot see it."""
    template = resource.props.get("templateName")
    return CannotCheck(
        f"{resource.label}: {namespace} {name} is not set on the environment and may come "
        f"from its configuration template {show(template)}, which this rule cannot see; set "
        "it on the environment to have it checked"
    )


# -- the 4 KB budget and property names ------------------------------------------------


def _properties(resource: Resource) -> dict[str, object]:
    """The environment properties whose names are known ({name: value or UNKNOWN})."""
    return _settings(resource).namespace(ENV_PROPERTIES_NS)


def _nameless_entries(resource: Resource) -> tuple[int, list[str]]:
    """Entries that may be environment properties but whose name (or namespace) is unknown:
    the bytes they certainly add to the budget, and how to describe each one."""
    floor = 0
    described: list[str] = []
    for item in _settings(resource).items:
        if item.resource:
            continue
        if is_unreadable(item.namespace):
            described.append("an option whose namespace is not known yet")
        elif (
            isinstance(item.namespace, str)
            and item.namespace.lower() == ENV_PROPERTIES_NS
            and is_unreadable(item.name)
        ):
            described.append("a property whose name is not known yet")
            # At least a one-byte name, the '=' and the value when it is known.
            value = item.value if isinstance(item.value, str) else ""
            floor += 2 + len(value.encode())
    return floor, described


def _check_size(resource: Resource) -> list[str]:
    size = measure(_properties(resource))
    floor, nameless = _nameless_entries(resource)
    total = size.known_bytes + floor
    complete = size.complete and not nameless
    if total > LIMIT_BYTES:
        known = "at least " if not complete else ""
        return [
            f"{resource.label}: environment properties ({ENV_PROPERTIES_NS}) take "
            f"{known}{total:,} bytes as key=value strings, over Elastic Beanstalk's "
            f"limit of {LIMIT_BYTES:,} bytes; biggest: {describe_biggest(size)}. Move large or "
            f"sensitive values to Secrets Manager or SSM Parameter Store and reference them "
            f"through {ENV_SECRETS_NS} (the stack config's `secrets:`), which does not count "
            "toward the limit."
        ]
    if not complete:
        open_items = [*size.unknown_keys, *nameless]
        raise CannotCheck(
            f"{resource.label}: {len(open_items)} environment properties are not known "
            f"yet ({', '.join(open_items)}); the known ones take "
            f"{total:,} of {LIMIT_BYTES:,} bytes"
        )
    return []


def _check_names(resource: Resource) -> list[str]:
    bad = invalid_keys(_properties(resource))
    return [
        f"{resource.label}: environment property name {key!r} has characters Elastic Beanstalk "
        "rejects (allowed: letters, digits and _ . : / + \\ - @); rename it, e.g. "
        f"{portable_name(key)!r}"
        for key in bad
    ]


def _check_portable_names(resource: Resource) -> list[str]:
    odd = nonportable_keys(_properties(resource))
    return [
        f"{resource.label}: environment property name {key!r} is accepted by Elastic Beanstalk "
        "but is not a shell identifier ([A-Za-z_][A-Za-z0-9_]*), so some platforms cannot "
        f"read it as an environment variable; rename it, e.g. {portable_name(key)!r}"
        for key in odd
    ]


def _check_secret_like(resource: Resource) -> list[str]:
    properties = _settings(resource).namespace(ENV_PROPERTIES_NS)
    return [
        f"{resource.label}: environment property {key!r} looks like a credential but is a "
        "plain property (visible in the console, the API and the stack state); store it in "
        f"Secrets Manager or SSM and reference it through {ENV_SECRETS_NS}"
        for key, value in sorted(properties.items())
        if looks_secret(key, value)
    ]


# -- single-setting rules ------------------------------------------------------------------


def _setting_rule(
    namespace: str, name: str, good: str, fix: str, *, default: str | None
) -> ResourceCheck:
    """A check that one option equals `good` (case-insensitive). `default` is EB's value
    when the option is unset; a configuration template may leave it to the environment."""

    def check(resource: Resource) -> list[str]:
        value = _settings(resource).get(namespace, name)
        if value is None and _is_template(resource):
            return []
        if value is None and _uses_template(resource):
            raise _unset_on_environment(resource, namespace, name)
        if is_unreadable(value):
            raise CannotCheck(f"{resource.label}: {namespace} {name} is not known yet")
        effective = value if value is not None else default
        if isinstance(effective, str) and effective.lower() == good.lower():
            return []
        shown = show(value) if value is not None else f"not set (EB uses {show(default)})"
        return [f"{resource.label}: {namespace} {name} is {shown}; {fix}"]

    return check


def _check_deployment_policy(resource: Resource) -> list[str]:
    value = _settings(resource).get(COMMAND_NS, "DeploymentPolicy")
    if value is None and _is_template(resource):
        return []
    if value is None and _uses_template(resource):
        raise _unset_on_environment(resource, COMMAND_NS, "DeploymentPolicy")
    if is_unreadable(value):
        raise CannotCheck(f"{resource.label}: {COMMAND_NS} DeploymentPolicy is not known yet")
    effective = value if value is not None else "AllAtOnce"
    if isinstance(effective, str) and effective.lower() != "allatonce":
        return []
    shown = show(value) if value is not None else "not set (EB uses 'AllAtOnce')"
    return [
        f"{resource.label}: {COMMAND_NS} DeploymentPolicy is {shown}: a failed deploy takes "
        "every instance down at once; use 'Immutable' or 'RollingWithAdditionalBatch' "
        "(or 'Rolling')"
    ]


# -- stack rules: placement and capacity ---------------------------------------------------


def _template_of(resource: Resource, network: Network) -> tuple[Resource | None, str | None]:
    """The ConfigurationTemplate an environment launches from (by name within its
    application, else by dependency), or why it cannot be seen."""
    name = resource.props.get("templateName")
    if not _uses_template(resource):
        return None, None
    by_dependency = network.deps_of_type(resource, "templateName", EB_TEMPLATE)
    if isinstance(name, str) and not is_unreadable(name):
        application = resource.props.get("application")
        for template in network.of_type(EB_TEMPLATE):
            other_app = template.props.get("application")
            same_app = not (isinstance(application, str) and isinstance(other_app, str)) or (
                application == other_app
            )
            if template.props.get("name") == name and same_app:
                return template, None
        if len(by_dependency) == 1:
            return by_dependency[0], None
        return None, f"its configuration template {name!r} is not in this stack"
    if len(by_dependency) == 1:
        return by_dependency[0], None
    return None, "its configuration template is not known yet"


def _environments(
    network: Network,
) -> Iterator[tuple[Resource, OptionSettings | None, str | None]]:
    """Each environment and template with its effective settings (an environment's own
    settings over its configuration template's, as EB applies them; None if unreadable) and
    why its template cannot be seen, if it cannot."""
    for resource in network.of_type(*EB_TYPES):
        settings = parsed_settings(resource)
        template, unseen = _template_of(resource, network)
        if template is not None:
            settings = settings.merged_over(parsed_settings(template))
        yield resource, settings if settings.readable else None, unseen


def _unset(
    resource: Resource, unseen: str | None, option: str, violation: tuple[str, str | None]
) -> tuple[str, str | None]:
    """`violation` for an unset option, unless a template we cannot see may set it."""
    if unseen:
        return cannot_check(
            f"{resource.label}: {option} is not set on the environment and {unseen}"
        )
    return violation


def _describe(verdicts: list[Verdict]) -> str:
    return "; ".join(f"{v.subnet}: {v.reason}" for v in verdicts)


def _subnet_findings(
    resource: Resource, network: Network, option: str, value: object
) -> tuple[SubnetSet, list[tuple[str, str | None]]]:
    found = network.subnets(value, resource.deps_of("settings"))
    results: list[tuple[str, str | None]] = []
    if found.unresolved:
        results.append(cannot_check(f"{resource.label}: {VPC_NS} {option}: {found.unresolved}"))
        return found, results
    public = found.public
    if public and not found.from_dependencies:
        results.append(
            (
                f"{resource.label}: {VPC_NS} {option} includes public subnets: "
                f"{_describe(public)}. Put the instances in private subnets (a default route "
                "to a NAT gateway, not an internet gateway, and mapPublicIpOnLaunch false).",
                resource.urn,
            )
        )
    elif public:
        results.append(
            cannot_check(
                f"{resource.label}: {VPC_NS} {option} is not known yet and the settings "
                f"depend on public subnets ({_describe(public)}); it is checked again on up"
            )
        )
    undecided = found.undecided
    if undecided:
        results.append(cannot_check(f"{resource.label}: {VPC_NS} {option}: {_describe(undecided)}"))
    return found, results


def _instances_private(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    for resource, settings, unseen in _environments(network):
        if settings is None:
            results.append(cannot_check(f"{resource.label}: its option settings are unreadable"))
            continue
        subnets = settings.get(VPC_NS, "Subnets")
        if subnets is None:
            if not _is_template(resource):
                results.append(
                    _unset(
                        resource,
                        unseen,
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
            results.extend(_subnet_findings(resource, network, "Subnets", subnets)[1])
        public_ip = settings.get(VPC_NS, "AssociatePublicIpAddress")
        if as_bool(public_ip) is True:
            results.append(
                (
                    f"{resource.label}: {VPC_NS} AssociatePublicIpAddress is 'true'; "
                    "instances in private subnets need no public IP: remove it or set 'false'",
                    resource.urn,
                )
            )
        elif is_unreadable(public_ip):
            results.append(
                cannot_check(f"{resource.label}: {VPC_NS} AssociatePublicIpAddress is unknown")
            )
    return results


def _model_internal(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    for resource, settings, unseen in _environments(network):
        if resource.type != EB_ENVIRONMENT:
            continue
        tags = resource.props.get("tags")
        if not (isinstance(tags, dict) and "role" in tags):
            # A role set through the provider's default tags shows only in tagsAll.
            tags = resource.props.get("tagsAll", tags)
        role = tags.get("role") if isinstance(tags, dict) else None
        if is_unreadable(role) or is_unreadable(tags):
            results.append(cannot_check(f"{resource.label}: its role tag is not known yet"))
            continue
        if role != "model":
            continue
        if settings is None:
            results.append(cannot_check(f"{resource.label}: its option settings are unreadable"))
            continue
        if settings.get(ENV_NS, "EnvironmentType") == "SingleInstance":
            results.append(
                (
                    f"{resource.label} (role=model): {ENV_NS} EnvironmentType is "
                    "'SingleInstance', which gives the instance an Elastic IP and a public "
                    "endpoint; use 'LoadBalanced' with an internal load balancer",
                    resource.urn,
                )
            )
            continue
        scheme = settings.get(VPC_NS, "ELBScheme")
        if is_unreadable(scheme):
            results.append(cannot_check(f"{resource.label}: {VPC_NS} ELBScheme is unknown"))
        elif not (isinstance(scheme, str) and scheme.lower() == "internal"):
            shown = show(scheme) if scheme is not None else "not set (EB uses 'public')"
            violation = (
                f"{resource.label} (role=model): {VPC_NS} ELBScheme is {shown}; the model "
                "server must only be reachable inside the VPC: set ELBScheme to 'internal'",
                resource.urn,
            )
            results.append(
                violation
                if scheme is not None
                else _unset(resource, unseen, f"{VPC_NS} ELBScheme", violation)
            )
        elb_subnets = settings.get(VPC_NS, "ELBSubnets")
        if elb_subnets is None:
            results.append(
                _unset(
                    resource,
                    unseen,
                    f"{VPC_NS} ELBSubnets",
                    (
                        f"{resource.label} (role=model): {VPC_NS} ELBSubnets is not set; place "
                        "the internal load balancer in private subnets explicitly",
                        resource.urn,
                    ),
                )
            )
        else:
            results.extend(_subnet_findings(resource, network, "ELBSubnets", elb_subnets)[1])
    return results


def _capacity(network: Network) -> list[tuple[str, str | None]]:
    results: list[tuple[str, str | None]] = []
    for resource, settings, unseen in _environments(network):
        if resource.type != EB_ENVIRONMENT:
            continue
        if settings is None:
            results.append(cannot_check(f"{resource.label}: its option settings are unreadable"))
            continue
        raw_min = settings.get(ASG_NS, "MinSize")
        if is_unreadable(raw_min):
            results.append(cannot_check(f"{resource.label}: {ASG_NS} MinSize is unknown"))
        else:
            minimum = as_int(raw_min) if raw_min is not None else 1
            if minimum is None or minimum < _MIN_INSTANCES:
                shown = show(raw_min) if raw_min is not None else "not set (EB uses 1)"
                violation = (
                    f"{resource.label}: {ASG_NS} MinSize is {shown}; run at least "
                    f"{_MIN_INSTANCES} instances so one AZ or instance can fail",
                    resource.urn,
                )
                results.append(
                    violation
                    if raw_min is not None
                    else _unset(resource, unseen, f"{ASG_NS} MinSize", violation)
                )
        subnets = settings.get(VPC_NS, "Subnets")
        if subnets is None:
            continue  # reported by eb-instances-in-private-subnets
        found = network.subnets(subnets, resource.deps_of("settings"))
        if found.from_dependencies or found.unresolved:
            results.append(cannot_check(f"{resource.label}: its subnets are not known yet"))
            continue
        zones = {v.availability_zone for v in found.verdicts if v.availability_zone}
        unknown = [v for v in found.verdicts if not v.availability_zone]
        if len(zones) < _MIN_ZONES and not unknown:
            results.append(
                (
                    f"{resource.label}: {VPC_NS} Subnets span {len(zones)} availability "
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
    resource_policy(
        "eb-env-properties-size-limit",
        "Elastic Beanstalk environment properties fit the 4,096-byte limit (key=value, UTF-8).",
        EB_TYPES,
        _check_size,
    ),
    resource_policy(
        "eb-env-property-names",
        "Elastic Beanstalk environment property names use only characters EB accepts.",
        EB_TYPES,
        _check_names,
    ),
    resource_policy(
        "eb-env-property-names-portable",
        "Environment property names are shell identifiers, readable on every platform.",
        EB_TYPES,
        _check_portable_names,
        ADVISORY,
    ),
    resource_policy(
        "eb-imdsv2-required",
        "Elastic Beanstalk instances require IMDSv2 (DisableIMDSv1 = true).",
        EB_TYPES,
        _setting_rule(
            LAUNCH_NS,
            "DisableIMDSv1",
            "true",
            "set it to 'true' so instance credentials need an IMDSv2 session token",
            default="false",
        ),
    ),
    stack_policy(
        "eb-multi-az-capacity",
        "Each Elastic Beanstalk environment spans at least 2 AZs with at least 2 instances.",
        _capacity,
    ),
    resource_policy(
        "eb-deployment-policy-safe",
        "Elastic Beanstalk deployments are not AllAtOnce.",
        EB_TYPES,
        _check_deployment_policy,
    ),
    resource_policy(
        "eb-enhanced-health",
        "Elastic Beanstalk environments use enhanced health reporting.",
        EB_TYPES,
        _setting_rule(
            HEALTH_NS,
            "SystemType",
            "enhanced",
            "set it to 'enhanced' for instance-level health and health-based rollouts",
            default="basic",
        ),
    ),
    resource_policy(
        "eb-managed-platform-updates",
        "Elastic Beanstalk managed platform updates are enabled.",
        EB_TYPES,
        _setting_rule(
            MANAGED_ACTIONS_NS,
            "ManagedActionsEnabled",
            "true",
            "set it to 'true' (with a PreferredStartTime) so security patches are applied",
            default="false",
        ),
    ),
    resource_policy(
        "eb-secret-like-plain-property",
        "Credentials are not plain environment properties.",
        EB_TYPES,
        _check_secret_like,
        ADVISORY,
    ),
]
