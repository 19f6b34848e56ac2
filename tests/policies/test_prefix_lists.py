"""Managed prefix lists in security-group rules: a rule that names a list admits what the
list's entries hold (inline `entries`, `ManagedPrefixListEntry` resources), in each form that
names one (inline `prefixListIds`, `SecurityGroupRule.prefixListIds`,
`SecurityGroupIngressRule.prefixListId`), found by ID or by dependency during preview; lists not
in the stack and entries not known yet are advisory. Judged by sg-no-world-ingress and by the
worker tier's rule (eb-worker-no-load-balancer). Mirrors policies/guardrails/prefix_lists.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policies.messages import ARE_NOT_KNOWN, ENCRYPTED, IS_NOT_KNOWN
from tests.policies.stacks import CIPHERTEXT, INGRESS_RULE, LEGACY_RULE, SECRET, SG, UNKNOWN
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided, urn
from tests.policies.test_queues import PLAIN_WORKER, group, world_ingress

PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
OPEN = f"prefix list pl-open ({PREFIX_LIST} 'open')"
WORLD_TAIL = (
    "; only TCP 80 and 443 may be open to the world. Remove the world entry from the prefix "
    "list, or name a security group or a known CIDR instead (use SSM Session Manager instead "
    "of SSH)"
)
FORMS = (SG, INGRESS_RULE, LEGACY_RULE)
WHERE = {SG: "ingress[0]", INGRESS_RULE: "the rule", LEGACY_RULE: "the ingress rule"}


def plist(name: str, pid: Any, *cidrs: str, entries: Any = None) -> Res:
    given = entries if entries is not None else [{"cidr": c} for c in cidrs]
    return Res(PREFIX_LIST, name, {"id": pid, "addressFamily": "IPv4", "entries": given})


def entry(cidr: Any, pid: Any, deps: list[Res] | None = None) -> Res:
    return Res(ENTRY, "added", {"cidr": cidr, "prefixListId": pid}, {"prefixListId": deps or []})


WORLD_LIST = plist("open", "pl-open", "203.0.113.0/24", "0.0.0.0/0")
OFFICE_LIST = plist("office", "pl-office", "203.0.113.0/24")
PREVIEW_LIST = plist("open", UNKNOWN, "0.0.0.0/0")


def rule(kind: str, pid: Any, port: int = 22, deps: list[Res] | None = None) -> Res:
    """A rule of form `kind` admitting TCP `port` from prefix list `pid`, on group sg-1;
    `deps`: what its prefix list IDs were built from."""
    ports = {"fromPort": port, "toPort": port}
    if kind == SG:
        inline = {"protocol": "tcp", "prefixListIds": [pid], **ports}
        return Res(SG, "sg", {"ingress": [inline]}, {"ingress": deps or []})
    if kind == INGRESS_RULE:
        props = {"ipProtocol": "tcp", "prefixListId": pid}
        field = "prefixListId"
    else:
        props = {"type": "ingress", "protocol": "tcp", "prefixListIds": [pid]}
        field = "prefixListIds"
    return Res(kind, "sg", {"securityGroupId": "sg-1", **ports, **props}, {field: deps or []})


def admits(kind: str, source: str = f"0.0.0.0/0 (an entry of {OPEN})") -> Outcome:
    return fails(
        f"{kind} 'sg': {WHERE[kind]} admits TCP port(s) 22 from {source}{WORLD_TAIL}",
        at=urn(kind, "sg"),
    )


def cannot(kind: str, fact: str) -> Outcome:
    return undecided(f"{kind} 'sg': {WHERE[kind]}: {fact}")


def cases(kind: str) -> list[Any]:
    """The table for one form of rule."""
    return [
        pytest.param([WORLD_LIST, rule(kind, "pl-open")], admits(kind), id="a-world-entry"),
        pytest.param([OFFICE_LIST, rule(kind, "pl-office")], PASS, id="office-entries-only"),
        pytest.param([WORLD_LIST, rule(kind, "pl-open", 443)], PASS, id="https-from-the-world"),
        pytest.param(
            [OFFICE_LIST, entry("0:0:0:0:0:0:0:0/0", "pl-office"), rule(kind, "pl-office")],
            admits(
                kind,
                f"0:0:0:0:0:0:0:0/0 (an entry of prefix list pl-office ({PREFIX_LIST} 'office'))",
            ),
            id="the-world-in-another-spelling-added-by-an-entry-resource",
        ),
        pytest.param(
            [rule(kind, "pl-0aws")],
            undecided(
                f"{kind} 'sg': {WHERE[kind]} admits TCP port(s) 22 from prefix list pl-0aws, "
                "which is not in this stack, so whether it holds the world cannot be checked"
            ),
            id="a-list-outside-the-stack",
        ),
        pytest.param(
            [plist("open", "pl-open", entries=UNKNOWN), rule(kind, "pl-open")],
            cannot(kind, f"the entries of {OPEN} {ARE_NOT_KNOWN}"),
            id="entries-not-known-yet",
        ),
        pytest.param(
            [OFFICE_LIST, entry(UNKNOWN, "pl-office"), rule(kind, "pl-office")],
            cannot(kind, f"the cidr of {ENTRY} 'added' {IS_NOT_KNOWN}"),
            id="an-entry-resource-not-known-yet",
        ),
        pytest.param(
            [rule(kind, UNKNOWN)],
            cannot(
                kind,
                f"its prefix list ID {IS_NOT_KNOWN} and depends on no prefix list of this stack",
            ),
            id="an-id-not-known-yet-without-a-dependency",
        ),
        pytest.param(
            [
                plist("open", "pl-open", entries={**SECRET, "value": [{"cidr": "0.0.0.0/0"}]}),
                rule(kind, "pl-open"),
            ],
            admits(kind),
            id="secret-entries",
        ),
    ]


EVERY_FORM = [
    pytest.param(*case.values, id=f"{kind.rsplit(':', 1)[-1]}-{case.id}")
    for kind in FORMS
    for case in cases(kind)
]


@pytest.mark.parametrize(("stack", "expected"), EVERY_FORM)
def test_a_rule_admits_what_its_prefix_lists_hold(stack: list[Res], expected: Outcome) -> None:
    assert check("sg-no-world-ingress", *stack) == expected


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param(
            [PREVIEW_LIST, rule(kind, UNKNOWN, deps=[PREVIEW_LIST])],
            admits(kind, f"0.0.0.0/0 (an entry of prefix list ({PREFIX_LIST} 'open'))"),
            id=f"{kind}-found-by-dependency",
        )
        for kind in (INGRESS_RULE, LEGACY_RULE)
    ]
    + [
        pytest.param(
            [PREVIEW_LIST, rule(SG, UNKNOWN, deps=[PREVIEW_LIST])],
            cannot(
                SG,
                "its prefix list IDs are not known yet and it may name prefix list "
                f"({PREFIX_LIST} 'open'), which holds 0.0.0.0/0",
            ),
            id="inline-rules-share-their-dependencies-so-it-is-advisory",
        ),
        pytest.param(
            [
                PREVIEW_LIST,
                entry("::/0", UNKNOWN),
                rule(INGRESS_RULE, UNKNOWN, deps=[PREVIEW_LIST]),
            ],
            admits(INGRESS_RULE, f"0.0.0.0/0 (an entry of prefix list ({PREFIX_LIST} 'open'))"),
            id="a-definite-world-entry-wins-over-an-entry-of-an-unknown-list",
        ),
        pytest.param(
            [OFFICE_LIST, entry("::/0", UNKNOWN), rule(INGRESS_RULE, "pl-office")],
            cannot(
                INGRESS_RULE,
                f"{ENTRY} 'added' adds ::/0 to a prefix list not known yet (maybe prefix list "
                f"pl-office ({PREFIX_LIST} 'office'))",
            ),
            id="a-world-entry-for-a-list-not-known-yet",
        ),
        pytest.param(
            [
                OFFICE_LIST,
                entry("::/0", UNKNOWN, deps=[OFFICE_LIST]),
                rule(INGRESS_RULE, "pl-office"),
            ],
            admits(
                INGRESS_RULE, f"::/0 (an entry of prefix list pl-office ({PREFIX_LIST} 'office'))"
            ),
            id="an-entry-resource-found-by-dependency",
        ),
    ],
)
def test_prefix_lists_during_preview(stack: list[Res], expected: Outcome) -> None:
    assert check("sg-no-world-ingress", *stack) == expected


def test_encrypted_entries_in_a_saved_state_say_so() -> None:
    stack = [plist("open", "pl-open", entries=CIPHERTEXT), rule(INGRESS_RULE, "pl-open")]
    assert check("sg-no-world-ingress", *stack, raw=True) == cannot(
        INGRESS_RULE, f"the entries of {OPEN} {ENCRYPTED}"
    )


# -- the worker tier: any ingress from the world, whatever the port --------------------------


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        pytest.param(
            [
                WORLD_LIST,
                group(
                    ingress=[
                        {
                            "protocol": "tcp",
                            "fromPort": 443,
                            "toPort": 443,
                            "prefixListIds": ["pl-open"],
                        }
                    ]
                ),
                PLAIN_WORKER,
            ],
            world_ingress(f"{SG} 'worker-sg' ingress[0]", f"0.0.0.0/0 (an entry of {OPEN})"),
            id="inline-https-from-a-world-list",
        ),
        pytest.param(
            [
                WORLD_LIST,
                group(ingress=[]),
                Res(
                    INGRESS_RULE,
                    "open",
                    {
                        "securityGroupId": "sg-worker",
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "prefixListId": "pl-open",
                    },
                ),
                PLAIN_WORKER,
            ],
            world_ingress(f"{INGRESS_RULE} 'open'", f"0.0.0.0/0 (an entry of {OPEN})"),
            id="a-separate-rule-from-a-world-list",
        ),
        pytest.param(
            [
                OFFICE_LIST,
                group(
                    ingress=[
                        {
                            "protocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "prefixListIds": ["pl-office"],
                        }
                    ]
                ),
                PLAIN_WORKER,
            ],
            PASS,
            id="an-office-list",
        ),
        pytest.param(
            [
                group(
                    ingress=[
                        {
                            "protocol": "tcp",
                            "fromPort": 22,
                            "toPort": 22,
                            "prefixListIds": ["pl-0aws"],
                        }
                    ]
                ),
                PLAIN_WORKER,
            ],
            undecided(
                "aws:elasticbeanstalk/environment:Environment 'worker': "
                f"{SG} 'worker-sg' ingress[0] names prefix list pl-0aws, which is not in this "
                "stack, so whether it holds the world cannot be checked"
            ),
            id="a-list-outside-the-stack",
        ),
    ],
)
def test_a_workers_group_admits_no_world_through_a_prefix_list(
    stack: list[Res], expected: Outcome
) -> None:
    assert check("eb-worker-no-load-balancer", *stack) == expected
