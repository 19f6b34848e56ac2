"""sg-no-world-ingress in its three AWS forms (inline ingress on a SecurityGroup, a
SecurityGroupIngressRule, a legacy SecurityGroupRule): only TCP 80 and 443 may be open to the
world, in any spelling of the world; ICMP and other protocols are described in their own
terms; an unknown or encrypted source is advisory.
Mirrors policies/guardrails/security_groups.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.support import (
    ARE_NOT_KNOWN,
    CIPHERTEXT,
    INGRESS_RULE,
    LEGACY_RULE,
    PASS,
    SG,
    UNKNOWN,
    Outcome,
    check_resource,
    fails,
    passes,
    undecided,
)

WORLD_TAIL = (
    "; only TCP 80 and 443 may be open to the world. Restrict the source to a security group "
    "or a known CIDR (use SSM Session Manager instead of SSH)"
)


def sg_check(type_token: str, props: dict[str, Any], *, raw: bool = False) -> Outcome:
    return check_resource("sg-no-world-ingress", type_token, props, "sg", raw=raw)


def rule(protocol: str, low: int, high: int, cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    key = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
    return {"protocol": protocol, "fromPort": low, "toPort": high, key: [cidr]}


def ingress_rule(protocol: str, low: int, high: int, **source: Any) -> dict[str, Any]:
    return {"ipProtocol": protocol, "fromPort": low, "toPort": high, **source}


ZERO_V6 = "0:0:0:0:0:0:0:0/0"

CASES = [
    pytest.param(
        SG,
        {
            "ingress": [rule("tcp", 80, 80), rule("tcp", 443, 443, "::/0")],
            "egress": [rule("-1", 0, 0), rule("-1", 0, 0, "::/0")],
        },
        PASS,
        id="inline-http-https-from-the-world-and-egress-anywhere",
    ),
    pytest.param(
        SG,
        {"ingress": [rule("tcp", 443, 443), rule("tcp", 22, 22)]},
        fails(f"{SG} 'sg': ingress[1] admits TCP port(s) 22 from 0.0.0.0/0{WORLD_TAIL}"),
        id="inline-ssh-from-the-world",
    ),
    pytest.param(
        INGRESS_RULE,
        {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv6": "::/0"},
        fails(f"{INGRESS_RULE} 'sg': the rule admits all traffic from ::/0{WORLD_TAIL}"),
        id="ingress-rule-all-traffic-from-the-ipv6-world",
    ),
    pytest.param(
        INGRESS_RULE,
        ingress_rule("tcp", 22, 22, cidrIpv6=ZERO_V6),
        fails(f"{INGRESS_RULE} 'sg': the rule admits TCP port(s) 22 from {ZERO_V6}{WORLD_TAIL}"),
        id="the-world-in-another-spelling",
    ),
    pytest.param(
        INGRESS_RULE,
        ingress_rule("tcp", 22, 22, cidrIpv6="2001:db8::/32"),
        PASS,
        id="a-narrow-ipv6-source",
    ),
    pytest.param(
        INGRESS_RULE,
        ingress_rule("tcp", 443, 443, cidrIpv4="0.0.0.0/0"),
        PASS,
        id="ingress-rule-https-from-the-world",
    ),
    pytest.param(
        INGRESS_RULE,
        ingress_rule("tcp", 22, 22, cidrIpv4="10.0.0.0/16"),
        PASS,
        id="ingress-rule-ssh-from-a-private-range",
    ),
    pytest.param(
        LEGACY_RULE,
        {"type": "ingress", **rule("tcp", 22, 22)},
        fails(
            f"{LEGACY_RULE} 'sg': the ingress rule admits TCP port(s) 22 from 0.0.0.0/0{WORLD_TAIL}"
        ),
        id="legacy-rule-ingress-ssh",
    ),
    pytest.param(
        LEGACY_RULE, {"type": "egress", **rule("-1", 0, 0)}, PASS, id="legacy-rule-egress"
    ),
    pytest.param(
        LEGACY_RULE,
        {"type": "ingress", **rule("tcp", 80, 80)},
        PASS,
        id="legacy-rule-ingress-http",
    ),
    pytest.param(
        INGRESS_RULE,
        ingress_rule("tcp", 22, 22, cidrIpv4=UNKNOWN),
        undecided(f"{INGRESS_RULE} 'sg': the source or ports of the rule {ARE_NOT_KNOWN}"),
        id="unknown-ingress-source",
    ),
]


@pytest.mark.parametrize(("type_token", "props", "expected"), CASES)
def test_no_world_ingress(type_token: str, props: dict[str, Any], expected: Outcome) -> None:
    assert sg_check(type_token, props) == expected


ENCRYPTED_TAIL = "are encrypted in the state (export the stack with --show-secrets to check it)"


@pytest.mark.parametrize(
    ("type_token", "props", "expected"),
    [
        pytest.param(
            INGRESS_RULE,
            ingress_rule("tcp", 22, 22, cidrIpv4=CIPHERTEXT),
            undecided(f"{INGRESS_RULE} 'sg': the source or ports of the rule {ENCRYPTED_TAIL}"),
            id="ingress-rule",
        ),
        pytest.param(
            SG,
            {"ingress": [{**rule("tcp", 22, 22), "cidrBlocks": CIPHERTEXT}, rule("tcp", 80, 80)]},
            undecided(f"{SG} 'sg': the source or ports of ingress[0] {ENCRYPTED_TAIL}"),
            id="inline",
        ),
    ],
)
def test_an_encrypted_ingress_source_in_a_saved_state_says_so(
    type_token: str, props: dict[str, Any], expected: Outcome
) -> None:
    """A stack export without --show-secrets: nothing is 'unknown', the value is ciphertext."""
    assert sg_check(type_token, props, raw=True) == expected


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
        type_token, where = SG, "ingress[0]"
        props: dict[str, Any] = {"ingress": [rule(protocol, icmp_type, code, cidr)]}
    elif form == "ingress-rule":
        type_token, where = INGRESS_RULE, "the rule"
        field = "cidrIpv6" if ":" in cidr else "cidrIpv4"
        props = ingress_rule(protocol, icmp_type, code, **{field: cidr})
    else:
        type_token, where = LEGACY_RULE, "the ingress rule"
        props = {"type": "ingress", **rule(protocol, icmp_type, code, cidr)}
    assert sg_check(type_token, props) == fails(
        f"{type_token} 'sg': {where} admits {what} from {cidr}{WORLD_TAIL}"
    )
    if form == "inline":
        passes(sg_check(SG, {"ingress": [rule(protocol, icmp_type, code, "10.0.0.0/8")]}))


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
    props = ingress_rule(protocol, low, high, cidrIpv4="0.0.0.0/0")
    assert sg_check(INGRESS_RULE, props) == fails(
        f"{INGRESS_RULE} 'sg': the rule admits {what} from 0.0.0.0/0{WORLD_TAIL}"
    )
