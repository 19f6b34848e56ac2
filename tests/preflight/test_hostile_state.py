"""Malformed or hostile `pulumi stack export` files: exit 2 with one line, never a traceback.

Each class of bad structure is generated (hypothesis or parametrize) and read in-process through
`read_export`, which must raise `InputError` with a one-line message naming the resource and
property: nesting beyond the bound or beyond recursion, numbers Pulumi cannot store, resource
fields of the wrong type or shape, lone surrogates, keys with newlines. A representative subset
runs `python -m preflight analyze` as a subprocess. Signature envelopes:
test_hostile_envelopes.py; values that pass reading, and secrets: test_hostile_values.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from preflight.export.read import parse_export
from preflight.export.values import MAX_DEPTH
from tests.preflight.export_support import (
    SECRET,
    SETTINGS,
    SIG,
    URN,
    document,
    refused,
    with_output,
)
from tests.preflight_support import preflight

pytestmark = pytest.mark.usefixtures("no_garbage_from_earlier_tests")


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


@pytest.mark.parametrize("field", ["propertyDependencies", "outputs"])
def test_a_key_with_a_newline_is_named_on_one_line(field: str) -> None:
    """Hypothesis found `{"\\n": 0}` in propertyDependencies: keys are escaped in messages."""
    bad_envelope = {SIG: "not-a-known-signature"}
    value: dict[str, Any] = {"\n": 0} if field == "propertyDependencies" else {"a\nb": bad_envelope}
    message = refused(json.dumps(document(**{field: value})))
    assert "\\n" in message
