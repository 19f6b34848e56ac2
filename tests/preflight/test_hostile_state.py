"""Malformed or hostile `pulumi stack export` files: exit 2 with one line, never a traceback.

Each class of bad input is generated (hypothesis or parametrize) and read in-process through
`read_export`, which must raise `InputError` with a one-line message naming the resource and
property; a representative subset runs `python -m preflight analyze` as a subprocess. Valid but
unusual values (assets, archives, resource references, output values, secrets) must reach the
real policy pack without it raising.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.export.read import parse_export, read_export
from preflight.export.state import from_deployment
from preflight.export.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    MAX_DEPTH,
    OUTPUT_VALUE_SIG,
    RESOURCE_REFERENCE_SIG,
    UNKNOWN_STRING,
)
from preflight.inputs.errors import InputError
from preflight.pack.evaluate import evaluate
from preflight.pack.load import LoadedPack, load_pack
from preflight.pack.redact import secret_redactor
from preflight.simulate.deployment import Deployment, SimResource
from tests.preflight_support import ROOT, preflight

SIG = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"
KNOWN_SIGS = {SECRET, ASSET_SIG, ARCHIVE_SIG, RESOURCE_REFERENCE_SIG, OUTPUT_VALUE_SIG}
URN = "urn:pulumi:prod::webmodel::aws:ec2/subnet:Subnet::app-a"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def document(**fields: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "urn": URN,
        "type": "aws:ec2/subnet:Subnet",
        "custom": True,
        "id": "subnet-1",
        "outputs": {"cidrBlock": "10.0.0.0/24"},
    }
    resource.update(fields)
    return {"version": 3, "deployment": {"resources": [resource]}}


def with_output(value: Any) -> dict[str, Any]:
    return document(outputs={"cidrBlock": "10.0.0.0/24", "tags": value})


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def nested_text(depth: int) -> str:
    """JSON text of `depth` alternating objects and lists (too deep for json.dumps)."""
    openers = ['{"k":' if level % 2 == 0 else "[" for level in range(depth)]
    closers = ["}" if level % 2 == 0 else "]" for level in reversed(range(depth))]
    return "".join(openers) + "1" + "".join(closers)


def with_raw_output(raw: str) -> str:
    """An export whose `tags` output is the JSON text `raw`."""
    return json.dumps(with_output("PLACEHOLDER")).replace('"PLACEHOLDER"', raw)


@pytest.fixture(autouse=True, scope="module")
def no_garbage_from_earlier_tests() -> None:
    """Earlier tests in this worker (previews run in process) leave cyclic garbage; collected
    deep inside these parsers' recursion, a finalizer can run out of stack and raise an
    unraisable RecursionError. Collect it once, at a shallow stack, before this module."""
    gc.collect()


def refused(text: str) -> str:
    """read_export's error for `text`; fails unless it is one InputError line."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with pytest.raises(InputError) as caught:
            read_export(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


# -- nesting --------------------------------------------------------------------------------


@SETTINGS
@given(st.integers(MAX_DEPTH + 1, 600))
def test_a_property_nested_beyond_the_bound_is_refused(depth: int) -> None:
    message = refused(with_raw_output(nested_text(depth)))
    assert f"{URN}): outputs.tags: nested more than {MAX_DEPTH} levels deep" in message


@SETTINGS
@given(st.integers(1, MAX_DEPTH - 1))
def test_nesting_within_the_bound_is_read(depth: int) -> None:
    state = parse_export(with_output(nested(depth, "x")))
    assert state.resources[0].properties["tags"] == nested(depth, "x")


@pytest.mark.parametrize("opener", ["[", '{"a":'])
@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_a_file_nested_beyond_recursion_is_refused(opener: str, depth: int) -> None:
    closer = "]" if opener == "[" else "}"
    message = refused(opener * depth + "1" + closer * depth)
    assert "nested too deeply to be a Pulumi export" in message


@SETTINGS
@given(st.integers(MAX_DEPTH + 1, 200_000))
def test_a_secret_plaintext_nested_beyond_the_bound_is_refused(depth: int) -> None:
    plaintext = "[" * depth + "]" * depth
    message = refused(json.dumps(with_output({SIG: SECRET, "plaintext": plaintext})))
    assert f"{URN}): outputs.tags:" in message
    assert "nested" in message


# -- numbers ----------------------------------------------------------------------------------


@SETTINGS
@given(st.integers(23, 8_000), st.booleans(), st.sampled_from(["property", "secret", "version"]))
def test_huge_integers_are_refused_before_conversion(
    digits: int, negative: bool, where: str
) -> None:
    literal = ("-" if negative else "") + "9" * digits
    if where == "version":
        text = '{"version": ' + literal + ', "deployment": {}}'
    elif where == "secret":
        envelope = {SIG: SECRET, "plaintext": "[" + literal + "]"}
        text = json.dumps(with_output(envelope))
    else:
        text = with_raw_output(literal)
    message = refused(text)
    assert f"an integer of {digits} digits is out of range" in message


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_pulumi_cannot_store_are_refused(literal: str) -> None:
    text = with_raw_output(literal)
    message = refused(text)
    assert "outputs.tags" in message or "not a JSON number" in message


# -- envelopes --------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=8)
)


@SETTINGS
@given(json_scalars.filter(lambda s: s not in KNOWN_SIGS))
def test_unknown_or_null_signatures_are_refused(signature: Any) -> None:
    message = refused(json.dumps(with_output({SIG: signature, "value": "x"})))
    assert f"{URN}): outputs.tags: unknown signature" in message


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["plaintext", "ciphertext", "value", "other"]), json_scalars, max_size=4
    ).filter(
        lambda d: (
            len({"plaintext", "ciphertext", "value"} & set(d)) != 1
            or any(k in d and not isinstance(d[k], str) for k in ("plaintext", "ciphertext"))
        )
    )
)
def test_malformed_secret_envelopes_are_refused(fields: dict[str, Any]) -> None:
    message = refused(json.dumps(with_output({SIG: SECRET, **fields})))
    assert f"{URN}): outputs.tags: a secret" in message


@SETTINGS
@given(st.text(max_size=20).filter(lambda t: _not_json(t)))
def test_a_secret_plaintext_that_is_not_json_is_refused(text: str) -> None:
    message = refused(json.dumps(with_output({SIG: SECRET, "plaintext": text})))
    assert "the secret's plaintext is not JSON" in message


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


wrong_types: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.lists(st.integers(-(10**6), 10**6), max_size=2),
    st.just({}),
)


@SETTINGS
@given(st.sampled_from(["path", "text", "uri", "hash"]), wrong_types)
def test_assets_with_wrong_field_types_are_refused(field: str, value: Any) -> None:
    envelope = {SIG: ASSET_SIG, "text": "ok", field: value}
    message = refused(json.dumps(with_output(envelope)))
    assert f"an asset's '{field}' must be a string" in message


@SETTINGS
@given(st.sampled_from(["path", "uri", "hash", "assets", "member"]), wrong_types)
def test_archives_with_wrong_field_types_are_refused(field: str, value: Any) -> None:
    if field == "member":
        envelope = {SIG: ARCHIVE_SIG, "assets": {"a.txt": value}}
        expected = "an archive's assets must be assets or archives"
    elif field == "assets":
        if value == {}:
            return  # an empty AssetArchive is valid
        envelope = {SIG: ARCHIVE_SIG, "assets": value}
        expected = "an archive's 'assets' must be an object"
    else:
        envelope = {SIG: ARCHIVE_SIG, "path": "ok", field: value}
        expected = f"an archive's '{field}' must be a string"
    assert expected in refused(json.dumps(with_output(envelope)))


def test_an_asset_without_content_is_refused() -> None:
    assert "an asset needs a 'path', 'text' or 'uri'" in refused(
        json.dumps(with_output({SIG: ASSET_SIG, "hash": "abc"}))
    )


# -- resource fields ------------------------------------------------------------------------


@SETTINGS
@given(
    st.one_of(
        st.integers(-(10**6), 10**6),
        st.booleans(),
        st.lists(st.text(max_size=3), max_size=2),
        st.dictionaries(st.text(max_size=3), st.text(max_size=3), min_size=1, max_size=2),
    )
)
def test_a_parent_or_provider_that_is_not_a_string_is_refused(value: Any) -> None:
    for key in ("parent", "provider"):
        message = refused(json.dumps(document(**{key: value})))
        assert f"'{key}' must be a string, not {type(value).__name__}" in message


@SETTINGS
@given(
    st.one_of(
        st.integers(-(10**6), 10**6),
        st.text(min_size=1, max_size=3),
        st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=2),
        st.dictionaries(
            st.text(max_size=3),
            st.one_of(st.integers(-(10**6), 10**6), st.text(max_size=3)),
            min_size=1,
            max_size=2,
        ),
        st.dictionaries(
            st.text(max_size=3),
            st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=2),
            min_size=1,
            max_size=2,
        ),
    )
)
def test_property_dependencies_of_the_wrong_shape_are_refused(value: Any) -> None:
    message = refused(json.dumps(document(propertyDependencies=value)))
    assert "'propertyDependencies" in message


@SETTINGS
@given(
    st.one_of(
        st.integers(-(10**6), 10**6),
        st.text(max_size=3),
        st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=2),
    )
)
def test_dependencies_that_are_not_urn_lists_are_refused(value: Any) -> None:
    if value == "":
        return
    message = refused(json.dumps(document(dependencies=value)))
    assert "'dependencies' must be a list of URN strings" in message


surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)


@SETTINGS
@given(surrogates, st.sampled_from(["urn", "name", "key", "value", "parent", "type", "id"]))
def test_lone_surrogates_anywhere_are_refused(char: str, where: str) -> None:
    if where == "urn":
        doc = document(urn=URN.replace("app-a", "app" + char))
    elif where == "name":
        doc = document(urn=URN + char)
    elif where == "key":
        doc = document(outputs={"cidr" + char: "x"})
    elif where == "value":
        doc = with_output("a" + char)
    else:
        doc = document(**{where: "x" + char})
    message = refused(json.dumps(doc))  # ensure_ascii writes the lone surrogate as \udxxx
    assert "holds a lone surrogate (not valid UTF-8 text)" in message
    message.encode("utf-8")  # the message itself prints


# -- as the user runs it ---------------------------------------------------------------------


# One subprocess per class is slow (a fresh interpreter each); the rest run in-process above.
HOSTILE_FILES = {
    "deep file": "[" * 200_000 + "]" * 200_000,
    "deep secret": json.dumps(
        with_output({SIG: SECRET, "plaintext": "[" * 200_000 + "]" * 200_000})
    ),
    "huge integer": json.dumps(with_output("P")).replace('"P"', "7" * 5_000),
    "null signature": json.dumps(with_output({SIG: None})),
    "surrogate in URN": json.dumps(document(urn=URN + "\ud800")),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_FILES))
def test_analyze_exits_2_with_one_line(case: str, tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(HOSTILE_FILES[case], encoding="utf-8")
    run = preflight("analyze", path)
    assert run.code == 2, run.stderr
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"preflight: error: {path}: ")


# -- valid but unusual values reach the pack, which must not raise ---------------------------


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


def test_special_envelopes_are_read_as_the_pack_expects() -> None:
    state = parse_export(
        with_output(
            {
                "ref": {SIG: RESOURCE_REFERENCE_SIG, "urn": URN, "id": "subnet-9"},
                "pending": {SIG: OUTPUT_VALUE_SIG},
                "known": {SIG: OUTPUT_VALUE_SIG, "value": "v", "secret": True},
            }
        )
    )
    resource = state.resources[0]
    assert resource.properties["tags"] == {
        "ref": "subnet-9",
        "pending": UNKNOWN_STRING,
        "known": "v",
    }
    assert resource.secret_values == ("v",)


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


@pytest.mark.parametrize("field", ["propertyDependencies", "outputs"])
def test_a_key_with_a_newline_is_named_on_one_line(field: str) -> None:
    """Hypothesis found `{"\\n": 0}` in propertyDependencies: keys are escaped in messages."""
    bad_envelope = {SIG: "not-a-known-signature"}
    value: dict[str, Any] = {"\n": 0} if field == "propertyDependencies" else {"a\nb": bad_envelope}
    message = refused(json.dumps(document(**{field: value})))
    assert "\\n" in message
