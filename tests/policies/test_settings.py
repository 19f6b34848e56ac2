"""The pack's pure helpers, called directly: sizes, key rules, settings parsing, subnets."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from guardrails.envprops import (
    LIMIT_BYTES,
    describe_biggest,
    invalid_keys,
    looks_secret,
    measure,
    nonportable_keys,
)
from guardrails.resources import Resource
from guardrails.routes import Status
from guardrails.settings import parse_settings
from guardrails.subnets import Network
from guardrails.values import CIPHERTEXT, UNKNOWN, as_bool, as_int, plain
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import Secret
from pulumi_policy.proxy import unknown_checking_proxy

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# -- envprops.measure ------------------------------------------------------------------------


def test_measure_counts_utf8_bytes_of_key_equals_value() -> None:
    size = measure({"GREETING": "héllo", "EMOJI": "🙂", "A": ""})
    # GREETING=héllo: 9 + 6 (é is 2 bytes); EMOJI=🙂: 6 + 4; A=: 2
    assert size.known_bytes == 15 + 10 + 2
    assert size.entries == (("GREETING", 15), ("EMOJI", 10), ("A", 2))
    assert size.complete


def test_measure_counts_only_the_key_of_unknown_values() -> None:
    size = measure({"DB_HOST": UNKNOWN, "LOG": "info"})
    assert size.known_bytes == len("DB_HOST=") + len("LOG=info")
    assert size.unknown_keys == ("DB_HOST",)
    assert not size.complete


def test_over_the_limit_is_strictly_more_than_4096_bytes() -> None:
    assert LIMIT_BYTES == 4096
    exactly = measure({"K": "x" * (4096 - 2)})
    assert exactly.known_bytes == 4096
    assert not exactly.over()
    assert measure({"K": "x" * (4096 - 1)}).over()


def test_describe_biggest_lists_the_top_three_biggest_first() -> None:
    size = measure({"A": "x" * 2000, "B": "y" * 10, "C": "z" * 1200, "D": "w" * 9})
    assert describe_biggest(size) == "A (2,002 B), C (1,202 B), B (12 B)"


keys = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20)
values = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@given(st.dictionaries(keys, values, max_size=20))
def test_measure_is_the_sum_of_utf8_key_value_lengths(properties: dict[str, str]) -> None:
    size = measure(properties)
    assert size.known_bytes == sum(len(f"{k}={v}".encode()) for k, v in properties.items())
    assert sorted(k for k, _ in size.entries) == sorted(properties)
    assert [b for _, b in size.entries] == sorted((b for _, b in size.entries), reverse=True)


# -- key rules -----------------------------------------------------------------------------


def test_invalid_keys_are_those_eb_rejects() -> None:
    assert invalid_keys(["DB_HOST", "a.b:c/d+e\\f-g@h", "has space", "é", "x=y", ""]) == [
        "has space",
        "é",
        "x=y",
        "",
    ]


def test_nonportable_keys_are_allowed_by_eb_but_not_shell_identifiers() -> None:
    assert nonportable_keys(["DB_HOST", "_private", "app.mode", "9LIVES", "has space"]) == [
        "app.mode",
        "9LIVES",
    ]


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}", fullmatch=True))
def test_shell_identifiers_are_valid_and_portable(key: str) -> None:
    assert invalid_keys([key]) == []
    assert nonportable_keys([key]) == []


# -- looks_secret ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("DB_PASSWORD", "hunter2", True),
        ("API_KEY", "k", True),
        ("auth-token", "t", True),
        ("GITHUB_PRIVATE_KEY", "k", True),
        ("TOKENIZER_PATH", "/models/tok", False),
        ("KEYBOARD_LAYOUT", "us", False),
        ("DB_HOST", "db", False),
        ("DB_PASSWORD", "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db", False),
    ],
)
def test_looks_secret(key: str, value: str, expected: bool) -> None:
    assert looks_secret(key, value) is expected


# -- values ------------------------------------------------------------------------------------


def test_plain_unwraps_secrets_and_marks_unknowns() -> None:
    assert plain({SIG: SECRET_SIG, "value": [1, "a"]}) == [1, "a"]
    assert plain({SIG: SECRET_SIG, "plaintext": '{"a": 1}'}) == {"a": 1}
    assert plain({SIG: SECRET_SIG, "ciphertext": "AAAA"}) is CIPHERTEXT
    assert plain(Secret({"x": UNKNOWN_STRING})) == {"x": UNKNOWN}
    assert plain(unknown_checking_proxy({"a": [UNKNOWN_STRING, "b"]})) == {"a": [UNKNOWN, "b"]}


@pytest.mark.parametrize(
    ("raw", "boolean", "integer"),
    [("true", True, None), (" False ", False, None), (True, True, None), ("2", None, 2),
     (7, None, 7), (2.0, None, 2), (None, None, None), ("x", None, None)],
)  # fmt: skip
def test_as_bool_and_as_int(raw: Any, boolean: bool | None, integer: int | None) -> None:
    assert as_bool(raw) is boolean
    assert as_int(raw) == integer


# -- settings.parse_settings -----------------------------------------------------------------

VPC_NS = "aws:ec2:vpc"
ITEMS = [
    {"namespace": VPC_NS, "name": "Subnets", "value": "subnet-a,subnet-b"},
    {"namespace": "aws:autoscaling:asg", "name": "MinSize", "value": 2},
    {"namespace": "aws:ec2:vpc", "name": "Subnets", "value": "subnet-c"},
    {"namespace": "aws:elbv2:listener", "name": "Protocol", "value": "HTTPS", "resource": "lb"},
]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(ITEMS, id="list"),
        pytest.param({SIG: SECRET_SIG, "value": ITEMS}, id="secret-envelope"),
        pytest.param({SIG: SECRET_SIG, "plaintext": json.dumps(ITEMS)}, id="plain"),
        pytest.param(Secret(ITEMS), id="Secret"),
        pytest.param(unknown_checking_proxy({"s": ITEMS})["s"], id="proxy"),
    ],
)
def test_parse_settings_reads_every_form(raw: Any) -> None:
    settings = parse_settings(raw)
    assert settings.readable
    assert settings.get(VPC_NS, "Subnets") == "subnet-c"  # the last one wins, as in EB
    assert settings.get("AWS:EC2:VPC", "Subnets") == "subnet-c"  # namespaces ignore case
    assert settings.get("aws:autoscaling:asg", "MinSize") == "2"  # values as EB stores them
    assert settings.get("aws:elbv2:listener", "Protocol") is None  # resource-scoped
    assert settings.namespace(VPC_NS) == {"Subnets": "subnet-c"}


def test_parse_settings_unknown_and_ciphertext_lists_are_unreadable() -> None:
    assert parse_settings(UNKNOWN_STRING).unreadable is UNKNOWN
    ciphertext = parse_settings({SIG: SECRET_SIG, "ciphertext": "AAAA"})
    assert not ciphertext.readable
    assert ciphertext.unreadable is CIPHERTEXT
    assert parse_settings(None).readable
    assert parse_settings(None).items == ()


def test_parse_settings_unknown_entries_stay_visible() -> None:
    settings = parse_settings(
        [
            {"namespace": VPC_NS, "name": "Subnets", "value": UNKNOWN_STRING},
            {"namespace": UNKNOWN_STRING, "name": "X", "value": "y"},
            UNKNOWN_STRING,
        ]
    )
    assert settings.readable
    assert settings.get(VPC_NS, "Subnets") is UNKNOWN
    assert settings.get("aws:autoscaling:asg", "MinSize") is UNKNOWN  # may be the unknown one
    assert settings.unreadable_entries("aws:elasticbeanstalk:application:environment") == 2


# -- subnets.Network.classify ----------------------------------------------------------------


def res(type_token: str, name: str, props: dict[str, Any], **deps: list[str]) -> Resource:
    return Resource(
        type=type_token,
        name=name,
        urn=f"urn:pulumi:dev::p::{type_token}::{name}",
        props=plain(props),
        property_dependencies={k: tuple(v) for k, v in deps.items()},
    )


VPC = res("aws:ec2/vpc:Vpc", "vpc", {"id": "vpc-1", "mainRouteTableId": "rtb-main"})
IGW = res("aws:ec2/internetGateway:InternetGateway", "igw", {"id": "gw-plain"})
NAT = res("aws:ec2/natGateway:NatGateway", "nat", {"id": "nat-1"})


def sub(name: str = "s", **props: Any) -> Resource:
    return res("aws:ec2/subnet:Subnet", name, {"id": f"subnet-{name}", "vpcId": "vpc-1", **props})


def rt(routes: list[dict[str, Any]] | None = None, route_deps: list[str] | None = None) -> Resource:
    return res(
        "aws:ec2/routeTable:RouteTable",
        "rt",
        {"id": "rtb-1", "vpcId": "vpc-1", "routes": routes or []},
        routes=route_deps or [],
    )


def assoc(subnet: Resource, table: Resource) -> Resource:
    return res(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        f"{subnet.name}-a",
        {"subnetId": subnet.props["id"], "routeTableId": table.props["id"]},
    )


def route(table_id: Any, gateway: Any, dest: str = "0.0.0.0/0", **deps: list[str]) -> Resource:
    key = "destinationIpv6CidrBlock" if ":" in dest else "destinationCidrBlock"
    return res(
        "aws:ec2/route:Route",
        "r",
        {"routeTableId": table_id, key: dest, "gatewayId": gateway},
        **deps,
    )


def status(*resources: Resource, subnet: Resource | None = None) -> Status:
    target = subnet or next(r for r in resources if r.type == "aws:ec2/subnet:Subnet")
    return Network(list(resources)).classify(target).status


def test_classify_inline_routes() -> None:
    s = sub()
    to_igw = rt([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0abc"}])
    assert status(VPC, s, to_igw, assoc(s, to_igw)) is Status.PUBLIC
    by_stack_id = rt([{"ipv6CidrBlock": "::/0", "gatewayId": "gw-plain"}])
    assert status(VPC, IGW, s, by_stack_id, assoc(s, by_stack_id)) is Status.PUBLIC
    to_nat = rt([{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}])
    assert status(VPC, NAT, s, to_nat, assoc(s, to_nat)) is Status.PRIVATE
    narrow = rt([{"cidrBlock": "10.1.0.0/16", "gatewayId": "igw-0abc"}])
    assert status(VPC, s, narrow, assoc(s, narrow)) is Status.PRIVATE


def test_classify_inline_route_with_unknown_gateway() -> None:
    s = sub()
    unknown_gw = [{"cidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN_STRING}]
    by_dep = rt(unknown_gw, [IGW.urn])
    assert status(VPC, IGW, s, by_dep, assoc(s, by_dep)) is Status.PUBLIC
    nat_dep = rt(unknown_gw, [NAT.urn])
    assert status(VPC, NAT, s, nat_dep, assoc(s, nat_dep)) is Status.PRIVATE
    no_dep = rt(unknown_gw)
    verdict = Network([VPC, s, no_dep, assoc(s, no_dep)]).classify(s)
    assert verdict.status is Status.UNKNOWN
    assert verdict.reason == (
        "aws:ec2/routeTable:RouteTable 'rt' (inline route 0) routes 0.0.0.0/0 to a gateway "
        "whose ID is not known yet"
    )


def test_classify_separate_route_resources() -> None:
    s, table = sub(), rt()
    base = [VPC, IGW, s, table, assoc(s, table)]
    assert status(*base) is Status.PRIVATE
    assert status(*base, route("rtb-1", "igw-1")) is Status.PUBLIC
    assert status(*base, route("rtb-1", "igw-1", "::/0")) is Status.PUBLIC
    assert status(*base, route("rtb-other", "igw-1")) is Status.PRIVATE
    dep_route = route(UNKNOWN_STRING, UNKNOWN_STRING, routeTableId=[table.urn], gatewayId=[IGW.urn])
    assert status(*base, dep_route) is Status.PUBLIC


def test_classify_without_association_uses_the_main_route_table() -> None:
    s = sub()
    assert status(VPC, s) is Status.PRIVATE
    assert status(VPC, s, route("rtb-main", "igw-1")) is Status.PUBLIC
    main = res(
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        "main",
        {"vpcId": "vpc-1", "routeTableId": "rtb-1"},
    )
    public_main = rt([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}])
    assert status(VPC, s, public_main, main) is Status.PUBLIC


def test_classify_map_public_ip_and_unknowns() -> None:
    assert status(VPC, sub(mapPublicIpOnLaunch=True)) is Status.PUBLIC
    unknown = Network([VPC, sub(mapPublicIpOnLaunch=UNKNOWN_STRING)]).classify(
        sub(mapPublicIpOnLaunch=UNKNOWN_STRING)
    )
    assert (unknown.status, unknown.reason) == (
        Status.UNKNOWN,
        "mapPublicIpOnLaunch is not known yet",
    )
    orphan = sub(vpcId="vpc-elsewhere")
    assert status(orphan) is Status.UNKNOWN


def test_network_subnets_from_ids_or_dependencies() -> None:
    a = sub("a", availabilityZone="ap-northeast-2a")
    net = Network([VPC, a])
    found = net.subnets("subnet-a, subnet-x", ())
    assert [(v.subnet, v.status) for v in found.verdicts] == [
        ("subnet-a ('a')", Status.PRIVATE),
        ("subnet-x", Status.UNMANAGED),
    ]
    assert found.verdicts[0].availability_zone == "ap-northeast-2a"
    by_deps = net.subnets(UNKNOWN, [a.urn, VPC.urn])
    assert by_deps.from_dependencies
    assert [v.status for v in by_deps.verdicts] == [Status.PRIVATE]
    assert net.subnets(UNKNOWN, []).unresolved == (
        "the subnet IDs are not known yet and depend on no subnet"
    )


def copies(resources: list[Resource], count: int) -> list[Resource]:
    """`count` copies of a stack under new URNs, AWS IDs shared (as `bench.shared_ids`)."""

    def renamed(urn: str, index: int) -> str:
        return urn.replace("::p::", f"::p{index}::")

    return [
        dataclasses.replace(
            r,
            urn=renamed(r.urn, index),
            property_dependencies={
                k: tuple(renamed(u, index) for u in v) for k, v in r.property_dependencies.items()
            },
        )
        for index in range(count)
        for r in resources
    ]


SHARED_ID_STACKS = {
    "inline route": lambda s: [
        VPC,
        s,
        (t := rt([{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0abc"}])),
        assoc(s, t),
    ],
    "route resource": lambda s: [VPC, IGW, s, (t := rt()), assoc(s, t), route("rtb-1", "igw-1")],
    "main table": lambda s: [VPC, s, route("rtb-main", "igw-1")],
    "private": lambda s: [VPC, NAT, s, (t := rt()), assoc(s, t), route("rtb-1", "nat-1")],
}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(SHARED_ID_STACKS)), st.integers(1, 12))
def test_copies_sharing_ids_classify_like_one_stack_and_say_it_once(shape: str, count: int) -> None:
    single = SHARED_ID_STACKS[shape](sub())
    expected = Network(single).classify(single[[r.type for r in single].index(sub().type)])
    stack = copies(single, count)
    network = Network(stack)
    for subnet in (r for r in stack if r.type == "aws:ec2/subnet:Subnet"):
        verdict = network.classify(subnet)
        assert (verdict.status, verdict.reason) == (expected.status, expected.reason)
        assert verdict.urn == subnet.urn


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, "9" * 5_000, "{not json", '"\\ud800'],
)
def test_plain_never_raises_on_a_hostile_plaintext(text: str) -> None:
    assert plain({SIG: SECRET_SIG, "plaintext": text}) == text


def test_the_wire_signatures_have_one_home_and_the_engine_s_values() -> None:
    """The pack, preflight and the test helpers take the envelope signatures and the unknown
    sentinel from pulumi-policy; this pins them to the engine's wire values
    (sdk/go/common/resource/properties.go), which the literals here repeat on purpose."""
    from guardrails import values

    from preflight import deployment, export_values

    assert values.SIG_KEY == deployment.SECRET_SIG_KEY == SIG
    assert values.SECRET_SIG == deployment.SECRET_SIG == SECRET_SIG
    assert export_values.UNKNOWN_STRING == UNKNOWN_STRING
    assert (export_values.ASSET_SIG, export_values.ARCHIVE_SIG) == (
        "c44067f5952c0a294b673a41bacd8c17",
        "0def7320c3a5731c473e5ecbe6d01bc7",
    )
