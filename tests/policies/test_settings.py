"""How the pack reads what the engine hands it, called directly: values (secrets, unknowns,
ciphertext, hostile plaintext), `settings` lists in every form, and the wire signatures.
Mirrors policies/guardrails/values.py and settings.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from guardrails.settings import parse_settings
from guardrails.values import CIPHERTEXT, UNKNOWN, as_bool, as_int, plain
from pulumi_policy import Secret
from pulumi_policy.proxy import unknown_checking_proxy

SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

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

    from preflight.export import values as export_values
    from preflight.simulate import deployment

    assert values.SIG_KEY == deployment.SECRET_SIG_KEY == SIG
    assert values.SECRET_SIG == deployment.SECRET_SIG == SECRET_SIG
    assert export_values.UNKNOWN_STRING == UNKNOWN_STRING
    assert (export_values.ASSET_SIG, export_values.ARCHIVE_SIG) == (
        "c44067f5952c0a294b673a41bacd8c17",
        "0def7320c3a5731c473e5ecbe6d01bc7",
    )
