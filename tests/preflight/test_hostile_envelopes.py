"""Signature envelopes in a `pulumi stack export`: an unknown or null signature, a malformed
secret envelope, a secret's plaintext that is not JSON, an asset or archive with fields of the
wrong type or no content are each refused by `read_export` with one InputError line (generated
by hypothesis); resource references and output values are read as the policy pack expects them.
Other hostile structure: test_hostile_state.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from preflight.export.read import parse_export
from preflight.export.values import (
    ARCHIVE_SIG,
    ASSET_SIG,
    OUTPUT_VALUE_SIG,
    RESOURCE_REFERENCE_SIG,
    UNKNOWN_STRING,
)
from tests.preflight.export_support import (
    SECRET,
    SETTINGS,
    SIG,
    URN,
    json_scalars,
    refused,
    with_output,
)

pytestmark = pytest.mark.usefixtures("no_garbage_from_earlier_tests")

KNOWN_SIGS = {SECRET, ASSET_SIG, ARCHIVE_SIG, RESOURCE_REFERENCE_SIG, OUTPUT_VALUE_SIG}


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
