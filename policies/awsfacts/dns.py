"""Which Elastic Beanstalk environment a Route 53 record points at: the blue/green switch.

A record reaches an environment through an alias whose target is the environment's load
balancer (its DNS name is the environment's `endpointUrl`) or the environment's own CNAME
(`<name>.<id>.<region>.elasticbeanstalk.com`), or through a CNAME record holding either name.
Route 53 compares names without case, without the final dot, and an alias target may carry
the `dualstack.` prefix the console adds.

Standard library only, over plain data (a resource's type, URN, properties and property
dependencies), so the pack's rules, preflight's plan gate and verify decide "which slot is
live" the same way, for any stack: nothing here knows the program's resource names. While a
value is not known yet (during a preview, or a created resource in a plan: Pulumi's unknown
string in an export, any non-string in the pack), the record is related to an environment
through the property dependencies of its `aliases` or `records`, which the engine records for
every stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

ROUTE53_RECORD: Final = "aws:route53/record:Record"
EB_ENVIRONMENT: Final = "aws:elasticbeanstalk/environment:Environment"
EB_CNAME_SUFFIX: Final = ".elasticbeanstalk.com"
"""Every Elastic Beanstalk environment's own name ends so."""
ELB_SUFFIX: Final = ".elb.amazonaws.com"
EB_BALANCER_PREFIX: Final = "awseb"
"""Elastic Beanstalk names the load balancers it creates `awseb-...` (internal ones get the
`internal-` DNS prefix in front)."""
PULUMI_UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How a value not known yet is written in an export or a `pulumi preview --json` plan."""
_TARGET_PROPS: Final = ("aliases", "records")


@dataclass(frozen=True)
class PlainResource:
    """A resource as plain data: its type, URN, properties and property dependencies."""

    type: str
    urn: str
    props: Mapping[str, Any]
    deps: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """What a record points at."""

    environment: str | None
    """The URN of the Elastic Beanstalk environment it points at, or None."""
    known: bool
    """False when that cannot be decided yet (a name not known, no single dependency)."""
    names: tuple[str, ...] = ()
    """The DNS names it points at, as Route 53 compares them (empty when not known)."""


def dns_name(value: object) -> str | None:
    """`value` as Route 53 compares names (lower case, no final dot, no `dualstack.`); None
    for a value that is not a known name."""
    if not isinstance(value, str) or not value or value == PULUMI_UNKNOWN:
        return None
    return value.strip().rstrip(".").lower().removeprefix("dualstack.")


def record_targets(props: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The names a record points at: its alias targets, else a CNAME's values; None when one
    of them is not known yet, () for a record that points at no name (an A record of IPs)."""
    aliases, records = props.get("aliases"), props.get("records")
    if aliases is not None and not isinstance(aliases, list):
        return None  # the whole list is not known yet
    if aliases:
        found = [dns_name(a.get("name")) if isinstance(a, Mapping) else None for a in aliases]
    elif str(props.get("type", "")).upper() != "CNAME" or records is None:
        return ()
    elif not isinstance(records, list):
        return None
    else:
        found = [dns_name(value) for value in records]
    if any(name is None for name in found):
        return None
    return tuple(name for name in found if name is not None)


def environment_names(props: Mapping[str, Any]) -> tuple[str, ...]:
    """The known names that reach an environment: its load balancer's (`endpointUrl`) and its
    own CNAME."""
    names = (dns_name(props.get("endpointUrl")), dns_name(props.get("cname")))
    return tuple(name for name in names if name is not None)


def looks_like_beanstalk(name: str) -> bool:
    """A name only Elastic Beanstalk hands out: an environment's CNAME or its load balancer."""
    if name.endswith(EB_CNAME_SUFFIX):
        return True
    label = name.split(".", 1)[0].removeprefix("internal-")
    return name.endswith(ELB_SUFFIX) and label.startswith(EB_BALANCER_PREFIX)


def names_index(environments: Mapping[str, PlainResource]) -> dict[str, str]:
    """Every known name that reaches an environment -> its URN (built once per stack)."""
    return {
        name: urn
        for urn, environment in environments.items()
        for name in environment_names(environment.props)
    }


def pointed_environment(
    record: PlainResource,
    environments: Mapping[str, PlainResource],
    by_name: Mapping[str, str] | None = None,
) -> Target:
    """The environment (by URN, among `environments`) `record` points at: by name when its
    target is known, else by the dependencies of its `aliases`/`records`. `by_name`:
    `names_index(environments)`, when the caller relates many records."""
    names = record_targets(record.props)
    depended = sorted(
        {urn for prop in _TARGET_PROPS for urn in record.deps.get(prop, ()) if urn in environments}
    )
    if names is None:
        if len(depended) == 1:
            return Target(depended[0], True)
        return Target(None, False)
    index = names_index(environments) if by_name is None else by_name
    found = next((index[name] for name in names if name in index), None)
    if found is not None:
        return Target(found, True, names)
    undecided = [urn for urn in depended if not environment_names(environments[urn].props)]
    if undecided:  # a known name, and the environment it depends on has none known yet
        return Target(None, False, names)
    return Target(None, True, names)


def is_switch(record: PlainResource, environments: Mapping[str, PlainResource]) -> bool:
    """A record that points at an Elastic Beanstalk environment, or is meant to: a name only
    EB hands out, or a dependency on an environment of the stack."""
    names = record_targets(record.props) or ()
    if any(looks_like_beanstalk(name) for name in names):
        return True
    return any(urn in environments for prop in _TARGET_PROPS for urn in record.deps.get(prop, ()))


def switches(resources: Iterable[PlainResource]) -> dict[str, Target]:
    """Every switch record of a stack (by URN) and the environment it points at."""
    listed = list(resources)
    environments = {r.urn: r for r in listed if r.type == EB_ENVIRONMENT}
    by_name = names_index(environments)
    return {
        r.urn: pointed_environment(r, environments, by_name)
        for r in listed
        if r.type == ROUTE53_RECORD and is_switch(r, environments)
    }


def from_export(resource: Mapping[str, Any]) -> PlainResource:
    """A resource of a `pulumi stack export` (or a plan's `newState`/`oldState`): its outputs,
    falling back to its inputs for a property missing there."""
    props = {**(resource.get("inputs") or {}), **(resource.get("outputs") or {})}
    deps = resource.get("propertyDependencies") or {}
    return PlainResource(str(resource.get("type", "")), str(resource.get("urn", "")), props, deps)
