"""The pack's pure helpers: sizes, names, option settings, values and subnet classification."""

from __future__ import annotations

from guardrails.envprops import (
    LIMIT_BYTES,
    describe_biggest,
    invalid_keys,
    looks_secret,
    measure,
    nonportable_keys,
    portable_name,
)
from guardrails.resources import Resource
from guardrails.settings import parse_settings
from guardrails.subnets import Network, Status, split_ids
from guardrails.values import CIPHERTEXT, UNKNOWN, as_bool, as_int, plain
from hypothesis import given
from hypothesis import strategies as st

from tests.policy_support import SECRET

SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@given(st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=200), max_size=30))
def test_measure_is_the_utf8_size_of_key_equals_value(props: dict[str, str]) -> None:
    size = measure(props)
    assert size.known_bytes == sum(len(f"{k}={v}".encode()) for k, v in props.items())
    assert [b for _, b in size.entries] == sorted((b for _, b in size.entries), reverse=True)
    assert size.complete


def test_measure_counts_keys_of_unknown_values_and_names_them() -> None:
    size = measure({"A": "bc", "URL": UNKNOWN})
    assert (size.known_bytes, size.unknown_keys, size.complete) == (8, ("URL",), False)
    assert not size.over(LIMIT_BYTES)


def test_describe_biggest() -> None:
    assert describe_biggest(measure({"A": "x" * 2000, "B": "y", "C": "zz"}), 2) == (
        "A (2,002 B), C (4 B)"
    )


def test_key_rules() -> None:
    keys = ["GOOD_1", "app.name", "a/b:c+d-e@f\\g", "BAD KEY", "ÜBER", ""]
    assert invalid_keys(keys) == ["BAD KEY", "ÜBER", ""]
    assert nonportable_keys(keys) == ["app.name", "a/b:c+d-e@f\\g"]
    assert portable_name("app.name") == "app_name"
    assert portable_name("1st") == "_1st"


def test_looks_secret_whole_words_only() -> None:
    assert looks_secret("DB_PASSWORD")
    assert looks_secret("stripe-api-key")
    assert not looks_secret("TOKENIZER_PATH")
    assert not looks_secret("SECRET_ARN", "arn:aws:secretsmanager:ap-northeast-2:1:secret:x")


def test_values_plain_and_scalars() -> None:
    assert plain(
        {"a": [SENTINEL, {**SECRET, "value": "s"}], "b": {**SECRET, "ciphertext": "x"}}
    ) == {
        "a": [UNKNOWN, "s"],
        "b": CIPHERTEXT,
    }
    assert plain({**SECRET, "plaintext": '["x", 1]'}) == ["x", 1]
    assert [as_bool(v) for v in (True, "TRUE", "false", "yes", None)] == [
        True,
        True,
        False,
        None,
        None,
    ]
    assert [as_int(v) for v in ("2", 3, 4.0, True, "x")] == [2, 3, 4, None, None]


def test_parse_settings_in_every_form() -> None:
    items = [
        {"namespace": "aws:ec2:vpc", "name": "Subnets", "value": "subnet-a,subnet-b"},
        {"namespace": "aws:autoscaling:asg", "name": "MinSize", "value": 2},
        {"namespace": "aws:autoscaling:asg", "name": "MinSize", "value": "3"},
        {"namespace": "aws:elbv2:listener", "name": "Protocol", "value": "HTTPS", "resource": "L"},
    ]
    settings = parse_settings(items)
    assert settings.get("aws:ec2:vpc", "Subnets") == "subnet-a,subnet-b"
    assert (
        settings.get("AWS:AUTOSCALING:ASG", "MinSize") == "3"
    )  # namespaces ignore case; last wins
    assert settings.get("aws:elbv2:listener", "Protocol") is None  # resource-scoped
    assert parse_settings({**SECRET, "value": items}).get("aws:ec2:vpc", "Subnets") == (
        "subnet-a,subnet-b"
    )
    assert parse_settings(SENTINEL).unreadable is UNKNOWN
    assert parse_settings({**SECRET, "ciphertext": "v1:x"}).unreadable is CIPHERTEXT
    partly = parse_settings([{"namespace": "aws:ec2:vpc", "name": "Subnets", "value": SENTINEL}])
    assert partly.get("aws:ec2:vpc", "Subnets") is UNKNOWN


def test_split_ids() -> None:
    assert split_ids("subnet-a, subnet-b,") == ["subnet-a", "subnet-b"]
    assert split_ids(["subnet-a"]) == ["subnet-a"]
    assert split_ids(UNKNOWN) is None
    assert split_ids(["subnet-a", UNKNOWN]) is None


def _r(type_token: str, name: str, props: dict[str, object], **deps: tuple[str, ...]) -> Resource:
    return Resource(type_token, name, f"urn:pulumi:s::p::{type_token}::{name}", props, dict(deps))


def test_classify_public_private_unknown_and_unmanaged() -> None:
    vpc = _r("aws:ec2/vpc:Vpc", "vpc", {"id": "vpc-1", "mainRouteTableId": "rtb-main"})
    igw = _r("aws:ec2/internetGateway:InternetGateway", "igw", {"id": "gw-custom"})
    pub = _r("aws:ec2/subnet:Subnet", "pub", {"id": "subnet-p", "vpcId": "vpc-1"})
    priv = _r("aws:ec2/subnet:Subnet", "priv", {"id": "subnet-q", "vpcId": "vpc-1"})
    later = _r("aws:ec2/subnet:Subnet", "later", {"id": "subnet-l", "vpcId": "vpc-1"})
    rt = _r(
        "aws:ec2/routeTable:RouteTable",
        "rt",
        {"id": "rtb-1", "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "gw-custom"}]},
    )
    nat_rt = _r(
        "aws:ec2/routeTable:RouteTable",
        "nat-rt",
        {"id": "rtb-2", "routes": [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]},
    )
    assoc = _r(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "a1",
        {"subnetId": "subnet-p", "routeTableId": "rtb-1"},
    )
    assoc2 = _r(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "a2",
        {"subnetId": "subnet-q", "routeTableId": "rtb-2"},
    )
    pending = _r(
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "a3",
        {"subnetId": "subnet-l", "routeTableId": UNKNOWN},
    )
    network = Network([vpc, igw, pub, priv, later, rt, nat_rt, assoc, assoc2, pending])
    # An IGW recognised by being an InternetGateway of the stack, not by its prefix.
    assert network.classify(pub).status is Status.PUBLIC
    assert network.classify(priv).status is Status.PRIVATE
    verdict = network.classify(later)
    assert verdict.status is Status.UNKNOWN
    assert "is not known yet" in verdict.reason
    found = network.subnets("subnet-q,subnet-elsewhere", ())
    assert [v.status for v in found.verdicts] == [Status.PRIVATE, Status.UNMANAGED]
    assert found.undecided[0].reason == "subnet subnet-elsewhere is not in this stack"
