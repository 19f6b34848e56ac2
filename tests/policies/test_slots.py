"""Blue/green: "eb-slots-same-tier-and-subnets" (two environments of one application with the
same role tag run the same tier in the same subnets) and "eb-switch-points-at-stack-environment"
(a DNS record switching between environments points at one of this stack), on hand-written
stacks; and the rules every environment already gets, applied to each slot. Mirrors
policies/guardrails/slots.py and policies/awsfacts/dns.py."""

from __future__ import annotations

from typing import Any

import pytest
from awsfacts.dns import PlainResource, Target, pointed_environment, record_targets, switches

from tests.policies.messages import IS_NOT_KNOWN, PUBLIC_SUBNETS
from tests.policies.stacks import BASE, ENV, PRIV_A, PRIV_B, PRIVATE_IDS, UNKNOWN, setting, vpc
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

ALIKE = "eb-slots-same-tier-and-subnets"
SWITCH = "eb-switch-points-at-stack-environment"
RECORD = "aws:route53/record:Record"
BLUE_LB = "awseb-e-blue-1234.ap-northeast-2.elb.amazonaws.com"
GREEN_LB = "awseb-e-green-5678.ap-northeast-2.elb.amazonaws.com"
BLUE_CNAME = "shop-web-blue.abc123.ap-northeast-2.elasticbeanstalk.com"


def slot(
    name: str,
    subnets: Any = PRIVATE_IDS,
    elb_subnets: Any = "subnet-pub",
    role: str = "web",
    **props: Any,
) -> Res:
    """One slot: an environment of application `shop` tagged with `role`."""
    settings = vpc(subnets, elb_subnets)
    return Res(
        ENV,
        name,
        {"application": "shop", "tags": {"role": role}, "settings": settings, **props},
    )


def served(environment: Res, lb: str, cname: str = "") -> Res:
    """`environment` as deployed: its load balancer's DNS name and its own CNAME."""
    props = {**environment.props, "endpointUrl": lb, "cname": cname or f"{environment.name}.eb"}
    return Res(environment.type, environment.name, props, environment.deps)


BLUE = served(slot("blue"), BLUE_LB, BLUE_CNAME)
GREEN = served(slot("green"), GREEN_LB)


def alias(target: Any, deps: list[Res] | None = None, name: str = "app.shop.com") -> Res:
    aliases = target if target is UNKNOWN else [{"name": target, "zoneId": "ZWKZPGTI48KDX"}]
    props = {"name": name, "type": "A", "zoneId": "Z0SHOP", "aliases": aliases}
    return Res(RECORD, "switch", props, {"aliases": deps} if deps else {})


def cname(value: Any) -> Res:
    props = {"name": "app.shop.com", "type": "CNAME", "zoneId": "Z0SHOP", "records": [value]}
    return Res(RECORD, "switch", props)


def _differ(option: str, green: str, blue: str) -> str:
    return (
        f"{ENV} 'green' (role=web): aws:ec2:vpc {option} is {green!r}, but {ENV} 'blue', "
        f"another slot of role web, has {blue!r}; blue/green slots must sit in the same "
        "subnets, so a flip changes which environment serves, not where"
    )


GREEN_URN = urn(ENV, "green")


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param([slot("blue"), slot("green")], PASS, id="alike"),
        pytest.param(
            [slot("blue"), slot("green", subnets="subnet-privb,subnet-priva")],
            PASS,
            id="the-same-subnets-in-another-order",
        ),
        pytest.param(
            [slot("blue"), slot("green", subnets="subnet-priva")],
            fails(_differ("Subnets", "subnet-priva", PRIVATE_IDS), at=GREEN_URN),
            id="instances-in-fewer-subnets",
        ),
        pytest.param(
            [slot("blue"), slot("green", elb_subnets="subnet-priva")],
            fails(_differ("ELBSubnets", "subnet-priva", "subnet-pub"), at=GREEN_URN),
            id="the-load-balancer-elsewhere",
        ),
        pytest.param(
            [slot("blue"), slot("green", tier="Worker")],
            fails(
                f"{ENV} 'green' (role=web) runs tier 'Worker', but {ENV} 'blue', another slot of "
                "role web, runs 'WebServer'; blue/green slots take the same traffic in turn, so "
                "they must be the same tier",
                at=GREEN_URN,
            ),
            id="another-tier",
        ),
        pytest.param(
            [slot("blue"), slot("green", subnets="subnet-priva", role="model")],
            PASS,
            id="two-roles-are-not-slots",
        ),
        pytest.param(
            [slot("blue"), slot("green", subnets="subnet-priva", application="other")],
            PASS,
            id="two-applications-are-not-slots",
        ),
        pytest.param(
            [
                slot("blue"),
                Res(ENV, "green", {**slot("green").props, "tags": {}, "tagsAll": {"role": "web"}}),
            ],
            PASS,
            id="a-role-from-default-tags",
        ),
    ],
)
def test_slots_run_the_same_tier_in_the_same_subnets(stack: list[Res], expected: Outcome) -> None:
    assert check(ALIKE, *BASE, *stack) == expected


def _unknown_slot(name: str, deps: list[Res]) -> Res:
    found = slot(name, subnets=UNKNOWN, elb_subnets=UNKNOWN)
    return Res(ENV, name, found.props, {"settings": deps})


def test_unknown_subnets_compare_by_dependency() -> None:
    same = [_unknown_slot("blue", [PRIV_A, PRIV_B]), _unknown_slot("green", [PRIV_B, PRIV_A])]
    assert check(ALIKE, *BASE, *same) == PASS
    other = [_unknown_slot("blue", [PRIV_A, PRIV_B]), _unknown_slot("green", [PRIV_A])]
    assert check(ALIKE, *BASE, *other) == undecided(
        f"{ENV} 'green': aws:ec2:vpc Subnets {IS_NOT_KNOWN}; "
        f"{ENV} 'green': aws:ec2:vpc ELBSubnets {IS_NOT_KNOWN}"
    )


RECORD_URN = urn(RECORD, "switch")
OTHER_STACK = "shop-old.xyz.ap-northeast-2.elasticbeanstalk.com"


def not_served(target: str) -> Outcome:
    return fails(
        f"{RECORD} 'switch': 'app.shop.com' points at {target}, which no Elastic Beanstalk "
        "environment of this stack serves (a slot that was removed, or another stack's "
        "environment); point it at the load balancer of the live slot's environment",
        at=RECORD_URN,
    )


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param([BLUE, GREEN, alias(BLUE_LB)], PASS, id="the-live-slots-load-balancer"),
        pytest.param(
            [BLUE, GREEN, alias(f"dualstack.{GREEN_LB.upper()}.")], PASS, id="as-route53-compares"
        ),
        pytest.param([BLUE, cname(BLUE_CNAME)], PASS, id="a-cname-to-the-environments-name"),
        pytest.param([BLUE, alias(UNKNOWN, deps=[BLUE])], PASS, id="unknown-by-its-dependency"),
        pytest.param([GREEN, alias(BLUE_LB)], not_served(BLUE_LB), id="a-removed-slot"),
        pytest.param(
            [BLUE, cname(OTHER_STACK)], not_served(OTHER_STACK), id="another-stacks-environment"
        ),
        pytest.param([BLUE, alias("d111.cloudfront.net")], PASS, id="not-a-switch-a-cdn-in-front"),
        pytest.param(
            [BLUE, alias(UNKNOWN)],
            PASS,
            id="an-unknown-target-depending-on-no-environment-is-no-switch",
        ),
        pytest.param(
            [BLUE, GREEN, alias(UNKNOWN, deps=[BLUE, GREEN])],
            undecided(
                f"{RECORD} 'switch': the Elastic Beanstalk environment 'app.shop.com' points at "
                f"{IS_NOT_KNOWN}"
            ),
            id="unknown-between-two-environments",
        ),
        pytest.param(
            [slot("green"), alias(GREEN_LB, deps=[slot("green")])],
            undecided(
                f"{RECORD} 'switch': the Elastic Beanstalk environment 'app.shop.com' points at "
                f"{IS_NOT_KNOWN}"
            ),
            id="a-known-name-and-an-environment-not-deployed-yet",
        ),
    ],
)
def test_a_switch_points_at_an_environment_of_the_stack(
    stack: list[Res], expected: Outcome
) -> None:
    assert check(SWITCH, *stack) == expected


def test_every_environment_rule_judges_each_slot() -> None:
    """A slot is an environment like any other: green's public subnets and public model load
    balancer are found as they would be on the role's only environment."""
    green = slot("green", subnets="subnet-pub")
    assert check("eb-instances-in-private-subnets", *BASE, slot("blue"), green) == fails(
        f"{ENV} 'green': aws:ec2:vpc Subnets {PUBLIC_SUBNETS}", at=GREEN_URN
    )
    model = [setting("aws:ec2:vpc", "ELBScheme", "internal")]
    blue = Res(ENV, "blue", {**slot("blue", role="model", elb_subnets=PRIVATE_IDS).props})
    blue.props["settings"] = blue.props["settings"] + model
    public = slot("green", role="model", elb_subnets=PRIVATE_IDS)
    outcome = check("eb-model-environment-internal", *BASE, blue, public)
    assert outcome.messages == [
        f"{ENV} 'green' (role=model): aws:ec2:vpc ELBScheme is not set (EB uses 'public'); the "
        "model server must only be reachable inside the VPC: set ELBScheme to 'internal'"
    ]


def _plain(resource: Res) -> PlainResource:
    deps = {key: [d.urn for d in found] for key, found in resource.deps.items()}
    return PlainResource(resource.type, resource.urn, resource.props, deps)


def test_the_helper_the_plan_gate_shares() -> None:
    """awsfacts.dns over plain data (an export's or a plan's resources): which environment a
    record points at, and which records are switches."""
    environments = {r.urn: _plain(r) for r in (BLUE, GREEN)}
    assert pointed_environment(_plain(alias(GREEN_LB)), environments) == Target(
        GREEN.urn, True, (GREEN_LB,)
    )
    assert pointed_environment(_plain(alias(BLUE_LB)), {GREEN.urn: _plain(GREEN)}) == Target(
        None, True, (BLUE_LB,)
    )
    unknown_name = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # Pulumi's unknown, as a plan writes it
    assert record_targets({"aliases": [{"name": unknown_name}]}) is None
    assert record_targets({"type": "A", "records": ["10.0.0.1"]}) == ()
    cdn = Res(RECORD, "cdn", alias("x.cloudfront.net").props)
    assert switches([_plain(BLUE), _plain(alias(BLUE_LB)), _plain(cdn)]) == {
        RECORD_URN: Target(BLUE.urn, True, (BLUE_LB,))
    }
