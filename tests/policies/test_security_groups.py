"""sg-no-world-ingress in its three AWS forms (inline ingress on a SecurityGroup, a
SecurityGroupIngressRule, a legacy SecurityGroupRule): only TCP 80 and 443 may be open to the
world, in any spelling of the world; ICMP and other protocols are described in their own
terms; an unknown or encrypted source is advisory.
Mirrors policies/guardrails/security_groups.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.messages import ARE_NOT_KNOWN, ENCRYPTED
from tests.policies.stacks import CIPHERTEXT, INGRESS_RULE, LEGACY_RULE, SG, UNKNOWN
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn

WORLD_TAIL = (
    "; only TCP 80 and 443 may be open to the world. Restrict the source to a security group "
    "or a known CIDR (use SSM Session Manager instead of SSH)"
)


def sg_check(resource: Res, *, raw: bool = False) -> Outcome:
    return check("sg-no-world-ingress", resource, raw=raw)


def rule(protocol: str, low: int, high: int, cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    key = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
    return {"protocol": protocol, "fromPort": low, "toPort": high, key: [cidr]}


def group(*ingress: dict[str, Any], egress: tuple[dict[str, Any], ...] = ()) -> Res:
    """A security group with inline rules."""
    return Res(SG, "sg", {"ingress": list(ingress)} | ({"egress": list(egress)} if egress else {}))


def ingress_rule(protocol: str, low: int, high: int, **source: Any) -> Res:
    """A SecurityGroupIngressRule; `source`: cidrIpv4 or cidrIpv6."""
    props = {"ipProtocol": protocol, "fromPort": low, "toPort": high, **source}
    return Res(INGRESS_RULE, "sg", props)


def legacy(kind: str, *rule_args: Any) -> Res:
    """A SecurityGroupRule of `kind` ingress or egress."""
    return Res(LEGACY_RULE, "sg", {"type": kind, **rule(*rule_args)})


def admits(
    what: str, source: str = "0.0.0.0/0", where: str = "the rule", kind: str = INGRESS_RULE
) -> Outcome:
    return fails(
        f"{kind} 'sg': {where} admits {what} from {source}{WORLD_TAIL}", at=urn(kind, "sg")
    )


ZERO_V6 = "0:0:0:0:0:0:0:0/0"
WORLD_WIDE_WEB = group(
    rule("tcp", 80, 80),
    rule("tcp", 443, 443, "::/0"),
    egress=(rule("-1", 0, 0), rule("-1", 0, 0, "::/0")),
)
CASES = [
    pytest.param(WORLD_WIDE_WEB, PASS, id="inline-http-https-from-the-world-and-egress-anywhere"),
    pytest.param(
        group(rule("tcp", 443, 443), rule("tcp", 22, 22)),
        admits("TCP port(s) 22", where="ingress[1]", kind=SG),
        id="inline-ssh-from-the-world",
    ),
    pytest.param(
        Res(
            INGRESS_RULE, "sg", {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv6": "::/0"}
        ),
        admits("all traffic", "::/0"),
        id="ingress-rule-all-traffic-from-the-ipv6-world",
    ),
    pytest.param(
        ingress_rule("tcp", 22, 22, cidrIpv6=ZERO_V6),
        admits("TCP port(s) 22", ZERO_V6),
        id="the-world-in-another-spelling",
    ),
    pytest.param(
        ingress_rule("tcp", 22, 22, cidrIpv6="2001:db8::/32"), PASS, id="a-narrow-ipv6-source"
    ),
    pytest.param(
        ingress_rule("tcp", 443, 443, cidrIpv4="0.0.0.0/0"),
        PASS,
        id="ingress-rule-https-from-the-world",
    ),
    pytest.param(
        ingress_rule("tcp", 22, 22, cidrIpv4="10.0.0.0/16"),
        PASS,
        id="ingress-rule-ssh-from-a-private-range",
    ),
    pytest.param(
        legacy("ingress", "tcp", 22, 22),
        admits("TCP port(s) 22", where="the ingress rule", kind=LEGACY_RULE),
        id="legacy-rule-ingress-ssh",
    ),
    pytest.param(legacy("egress", "-1", 0, 0), PASS, id="legacy-rule-egress"),
    pytest.param(legacy("ingress", "tcp", 80, 80), PASS, id="legacy-rule-ingress-http"),
    pytest.param(
        ingress_rule("tcp", 22, 22, cidrIpv4=UNKNOWN),
        undecided(f"{INGRESS_RULE} 'sg': the source or ports of the rule {ARE_NOT_KNOWN}"),
        id="unknown-ingress-source",
    ),
]


@pytest.mark.parametrize(("resource", "expected"), CASES)
def test_no_world_ingress(resource: Res, expected: Outcome) -> None:
    assert sg_check(resource) == expected


ENCRYPTED_SOURCES = [
    pytest.param(
        ingress_rule("tcp", 22, 22, cidrIpv4=CIPHERTEXT),
        undecided(f"{INGRESS_RULE} 'sg': the source or ports of the rule {ENCRYPTED}"),
        id="ingress-rule",
    ),
    pytest.param(
        group({**rule("tcp", 22, 22), "cidrBlocks": CIPHERTEXT}, rule("tcp", 80, 80)),
        undecided(f"{SG} 'sg': the source or ports of ingress[0] {ENCRYPTED}"),
        id="inline",
    ),
]


@pytest.mark.parametrize(("resource", "expected"), ENCRYPTED_SOURCES)
def test_an_encrypted_ingress_source_in_a_saved_state_says_so(
    resource: Res, expected: Outcome
) -> None:
    """A stack export without --show-secrets: nothing is 'unknown', the value is ciphertext."""
    assert sg_check(resource, raw=True) == expected


# ICMP rules: fromPort is the ICMP type and toPort the code; -1 means all.
ICMP_CASES = [
    ("icmp", 8, 0, "ICMP type 8 code 0"),
    ("ICMP", 3, 4, "ICMP type 3 code 4"),
    ("1", 8, -1, "ICMP type 8 (all codes)"),
    ("icmp", -1, -1, "all ICMP types and codes"),
    ("icmpv6", 128, 0, "ICMPv6 type 128 code 0"),
    ("58", -1, -1, "all ICMPv6 types and codes"),
    ("58", 135, -1, "ICMPv6 type 135 (all codes)"),
]


@pytest.mark.parametrize(("protocol", "icmp_type", "code", "what"), ICMP_CASES)
@pytest.mark.parametrize("form", ["inline", "ingress-rule", "legacy-rule"])
def test_icmp_rules_are_described_by_type_and_code(
    form: str, protocol: str, icmp_type: int, code: int, what: str
) -> None:
    cidr = "::/0" if protocol.lower() in ("icmpv6", "58") else "0.0.0.0/0"
    if form == "inline":
        resource, where = group(rule(protocol, icmp_type, code, cidr)), "ingress[0]"
    elif form == "ingress-rule":
        field = "cidrIpv6" if ":" in cidr else "cidrIpv4"
        resource, where = ingress_rule(protocol, icmp_type, code, **{field: cidr}), "the rule"
    else:
        resource, where = legacy("ingress", protocol, icmp_type, code, cidr), "the ingress rule"
    assert sg_check(resource) == admits(what, cidr, where, resource.type)
    if form == "inline":
        assert sg_check(group(rule(protocol, icmp_type, code, "10.0.0.0/8"))) == PASS


@pytest.mark.parametrize(
    ("protocol", "low", "high", "what"),
    [
        ("udp", 53, 53, "UDP port(s) 53"),
        ("17", 1000, 2000, "UDP port(s) 1000-2000"),
        ("6", 22, 22, "TCP port(s) 22"),
        ("tcp", 0, 65535, "TCP port(s) 0-65535"),
        ("50", 0, 0, "all traffic of IP protocol 50"),
        ("all", 0, 0, "all traffic"),
    ],
)
def test_other_protocols_are_described_in_their_own_terms(
    protocol: str, low: int, high: int, what: str
) -> None:
    resource = ingress_rule(protocol, low, high, cidrIpv4="0.0.0.0/0")
    assert sg_check(resource) == admits(what)
