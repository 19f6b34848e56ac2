"""The stateful-change gate: which steps of a plan replace or delete stateful data (the types in
`STATEFUL_TYPES` and anything protected). Reads the `pulumi preview --json` shape, so it judges
preflight's plan and the real CLI's alike."""

from __future__ import annotations

from typing import Any

from preflight.plan.steps import STATEFUL_TYPES


def stateful_steps(digest: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for step in digest.get("steps") or []:
        if step.get("op") not in ("replace", "delete"):
            continue
        old = step.get("oldState") or {}
        type_token = old.get("type") or str(step.get("urn", "")).split("::")[-2].split("$")[-1]
        if type_token in STATEFUL_TYPES or old.get("protect"):
            found.append(step)
    return found


EB_ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
ROUTE53_RECORD = "aws:route53/record:Record"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How a plan's JSON writes a value not known yet."""
_SWITCH_PROPS = ("aliases", "records")


def _type_of(urn: str) -> str:
    return urn.split("::")[-2].split("$")[-1] if urn.count("::") >= 3 else ""


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _target(state: Any) -> tuple[str | None, str]:
    """Where a record points: ("<environment URN>", "environment") when its target was built
    from exactly one Elastic Beanstalk environment (the engine records the URNs a property was
    built from), else (None, kind): "unknown" (a name not known yet: an environment this plan
    creates or replaces), "names" (names it cannot relate), "none" (no target at all)."""
    if not isinstance(state, dict):
        return None, "none"
    deps = state.get("propertyDependencies")
    deps = deps if isinstance(deps, dict) else {}
    built_from = {
        urn
        for prop in _SWITCH_PROPS
        for urn in (deps.get(prop) or [])
        if isinstance(urn, str) and _type_of(urn) == EB_ENVIRONMENT
    }
    if len(built_from) == 1:
        return built_from.pop(), "environment"
    props = {**(state.get("inputs") or {}), **(state.get("outputs") or {})}
    aliases, records = props.get("aliases"), props.get("records")
    if UNKNOWN in (aliases, records):
        return None, "unknown"
    names = [a.get("name") for a in aliases or [] if isinstance(a, dict)]
    names += list(records) if isinstance(records, list) else []
    if UNKNOWN in names:
        return None, "unknown"
    return None, "names" if names else "none"


def slot_problems(digest: dict[str, Any]) -> list[str]:
    """Blue/green guards on a plan: a switch record (a Route 53 record whose target is built from
    an Elastic Beanstalk environment) must not flip to an environment this plan creates, must
    not lose the environment it points at now (deleting the live slot), and must point at one."""
    steps = [s for s in digest.get("steps") or [] if isinstance(s, dict)]
    ops = {str(s.get("urn")): str(s.get("op")) for s in steps}
    fresh = sorted(
        u for u, op in ops.items() if _type_of(u) == EB_ENVIRONMENT and op in ("create", "replace")
    )
    problems: list[str] = []
    for step in steps:
        urn, op = str(step.get("urn")), str(step.get("op"))
        if _type_of(urn) != ROUTE53_RECORD or op == "same":
            continue
        (before, _), (after, kind) = _target(step.get("oldState")), _target(step.get("newState"))
        if before is None and after is None:
            continue  # not a switch between environments
        problems += _guards(_name(urn), op, before, (after, kind), ops, fresh)
    return problems


def _guards(
    record: str,
    op: str,
    before: str | None,
    target: tuple[str | None, str],
    ops: dict[str, str],
    fresh: list[str],
) -> list[str]:
    after, kind = target
    found: list[str] = []
    if after is not None and ops.get(after) in ("create", "replace"):
        found.append(_flip_to_fresh(record, _name(after), ops[after]))
    elif kind == "unknown" and len(fresh) == 1:  # its name is not known yet: it is that one
        found.append(_flip_to_fresh(record, _name(fresh[0]), ops[fresh[0]]))
    elif kind == "unknown" and fresh:
        names = ", ".join(_name(u) for u in fresh)
        found.append(
            _flip_to_fresh(record, f"one of the environments this plan creates ({names})", "")
        )
    elif op != "delete" and kind == "none":
        found.append(f"{record}: would point at no environment of the stack (live names no slot)")
    if before is not None and ops.get(before) in ("delete", "replace"):
        found.append(
            f"{record}: points at {_name(before)} now, which this plan {ops[before]}s (the "
            "live slot); flip `live` first, and remove the old slot after the bake time"
        )
    return found


def _flip_to_fresh(record: str, environment: str, op: str) -> str:
    which = f"{environment}, which this plan {op}s" if op else environment
    return (
        f"{record}: flips to {which}; add the slot in one pull request, check it with "
        "`verify --slot`, flip `live` in the next"
    )
