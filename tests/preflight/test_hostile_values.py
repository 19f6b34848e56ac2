"""Valid but unusual values in a `pulumi stack export` (assets, archives, resource references,
output values, secrets, in generated trees) reach the real policy pack, which must not raise on
anything that passes reading; and a secret's value never reaches a violation's message, from
`analyze` on an export or from a preview, the redactor hiding quoted values and whole words only.
Refused input: test_hostile_state.py, test_hostile_envelopes.py."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.export.read import parse_export
from preflight.export.state import from_deployment
from preflight.export.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    OUTPUT_VALUE_SIG,
    RESOURCE_REFERENCE_SIG,
)
from preflight.pack.evaluate import evaluate
from preflight.pack.load import LoadedPack, load_pack
from preflight.pack.redact import secret_redactor
from preflight.simulate.deployment import Deployment, SimResource
from tests.preflight.export_support import SECRET, SETTINGS, SIG, URN, document, json_scalars
from tests.preflight_support import ROOT

pytestmark = pytest.mark.usefixtures("no_garbage_from_earlier_tests")


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_pack(ROOT / "policies")


special_values = st.sampled_from(
    [
        {SIG: ASSET_SIG, "text": "hello"},
        {SIG: ASSET_SIG, "path": "./a.txt", "hash": "00"},
        {SIG: ARCHIVE_SIG, "assets": {"a": {SIG: ASSET_SIG, "uri": "https://example.com/a"}}},
        {SIG: ARCHIVE_SIG, "path": "./dir"},
        {SIG: RESOURCE_REFERENCE_SIG, "urn": URN, "id": "subnet-9", "packageVersion": "6.0.0"},
        {SIG: OUTPUT_VALUE_SIG},
        {SIG: OUTPUT_VALUE_SIG, "value": "v", "secret": True},
        {SIG: SECRET, "ciphertext": "v1:abc"},
        {SIG: SECRET, "plaintext": '"10.0.0.0/16"'},
    ]
)
leaves = st.one_of(json_scalars, special_values)
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
TYPES = [
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:elasticbeanstalk/environment:Environment",
    "aws:rds/instance:Instance",
]
PROPS = ["id", "vpcId", "routes", "ingress", "settings", "storageEncrypted", "subnetId", "tags"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TYPES), st.dictionaries(st.sampled_from(PROPS), trees, max_size=4))
def test_the_pack_never_raises_on_values_that_pass_reading(
    pack: LoadedPack, type_token: str, outputs: dict[str, Any]
) -> None:
    urn = f"urn:pulumi:prod::webmodel::{type_token}::r"
    state = parse_export(document(urn=urn, type=type_token, outputs=outputs))
    report = evaluate(pack, state, stage="prod", config_file=None)
    assert {v.urn for v in report.violations} <= {urn, ""}


# -- secret values never reach a message -------------------------------------------------------

RDS_URN = "urn:pulumi:prod::webmodel::aws:rds/instance:Instance::db"
secret_texts = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=24
).filter(lambda t: t.strip().lower() not in ("true", "false"))


def rds_with_secret_flag(envelope: dict[str, Any]) -> dict[str, Any]:
    return document(
        urn=RDS_URN,
        type="aws:rds/instance:Instance",
        id="db-1",
        outputs={"storageEncrypted": envelope, "publiclyAccessible": False},
    )


def storage_message(report: Any) -> str:
    found = [v.message for v in report.violations if v.policy == "rds-storage-encrypted"]
    assert len(found) == 1
    return str(found[0])


@SETTINGS
@given(secret_texts, st.sampled_from(["plaintext", "value"]))
def test_analyze_shows_a_secret_value_as_secret(pack: LoadedPack, secret: str, form: str) -> None:
    inner = json.dumps(secret) if form == "plaintext" else secret
    state = parse_export(rds_with_secret_flag({SIG: SECRET, form: inner}))
    message = storage_message(evaluate(pack, state, stage="prod", config_file=None))
    assert "storageEncrypted is [secret]; set storageEncrypted to true" in message
    assert repr(secret) not in message
    assert json.dumps(secret) not in message


@SETTINGS
@given(secret_texts)
def test_preview_shows_a_secret_value_as_secret(pack: LoadedPack, secret: str) -> None:
    resource = SimResource(
        urn=RDS_URN,
        type="aws:rds/instance:Instance",
        name="db",
        custom=True,
        id="db-1",
        inputs={"storageEncrypted": secret, "publiclyAccessible": False},
        outputs={},
        parent=None,
        dependencies=[],
        property_dependencies={},
        protect=False,
        provider=None,
        secret_inputs=frozenset({"storageEncrypted"}),
    )
    state = from_deployment(Deployment("webmodel", "prod", [resource], {}))
    message = storage_message(evaluate(pack, state, stage="prod", config_file=None))
    assert "storageEncrypted is [secret];" in message
    assert repr(secret) not in message


def test_a_plain_value_is_still_shown() -> None:
    state = parse_export(rds_with_secret_flag("nope"))  # type: ignore[arg-type]
    assert state.resources[0].secret_values == ()
    pack = load_pack(ROOT / "policies")
    message = storage_message(evaluate(pack, state, stage="prod", config_file=None))
    assert "storageEncrypted is 'nope';" in message


@pytest.mark.parametrize(
    ("secrets", "text", "shown"),
    [
        (("ab",), "name 'ab' in table abc", "name [secret] in table abc"),
        (("hunter22",), "uses hunter22, not hunter222", "uses [secret], not hunter222"),
        (("5432",), 'port "5432" and 15432', "port [secret] and 15432"),
        (("a'b",), 'value "a\'b"', "value [secret]"),
        ((), "nothing 'secret' here", "nothing 'secret' here"),
    ],
)
def test_the_redactor_hides_quoted_values_and_whole_words(
    secrets: tuple[str, ...], text: str, shown: str
) -> None:
    resource = parse_export(document()).resources[0]
    redact = secret_redactor([dataclasses.replace(resource, secret_values=secrets)])
    assert redact(text) == shown
