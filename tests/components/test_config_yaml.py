"""YAML that is not plain data, by class: aliases that expand without bound, tags, bytes that are
not UTF-8, numbers beyond range, nesting deeper than any config, recursive aliases, keys defined
twice or that are lists, files larger than any config. Each class is generated; each is refused
at its root with the file and key named, in bounded time and memory, or read as the Pulumi CLI
reads it.

In-process and fast; tests/preflight/test_stack_input.py runs the same classes through the CLI.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import MAX_YAML_DEPTH, MAX_YAML_VALUES, read_yaml
from tests.components.config_support import FAST, ROOT, refused, write

# -- YAML that is not plain data ---------------------------------------------------------


def _laughs(width: int, levels: int) -> str:
    lines = ["config:", f"  l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"  l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(width=st.integers(2, 12), extra_levels=st.integers(0, 6))
def test_alias_expansion_is_bounded_in_time(
    tmp_path_factory: pytest.TempPathFactory, width: int, extra_levels: int
) -> None:
    levels = 1
    while width**levels <= MAX_YAML_VALUES:
        levels += 1
    path = write(tmp_path_factory.mktemp("laughs"), _laughs(width, levels + extra_levels))
    started = time.perf_counter()
    message = refused(path)
    assert time.perf_counter() - started < 5
    assert f"expands to more than {MAX_YAML_VALUES:,} values through aliases" in message
    assert re.search(r"key config\.l\d+(\[\d+\])* \(line \d+, column \d+\)", message), message


def test_a_billion_laughs_file_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = write(tmp_path, _laughs(12, 12))  # 12**12 values if it were expanded
    assert path.stat().st_size < 1000
    tracemalloc.start()
    try:
        refused(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024


def test_a_few_aliases_within_the_bound_are_plain_data(tmp_path: Path) -> None:
    path = write(tmp_path, "config:\n  a: &a {x: 1}\n  b: *a\n  c: {<<: *a, y: 2}\n")
    assert read_yaml(path) == {"config": {"a": {"x": 1}, "b": {"x": 1}, "c": {"x": 1, "y": 2}}}


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("!!set {a, b}", {"a": None, "b": None}),
        ("!!binary aGVsbG8=", "hello"),
        ("!!timestamp 2024-01-01", "2024-01-01 00:00:00 +0000 UTC"),
        ("!!omap [a: 1]", [{"a": 1}]),
        ("!!pairs [a: 1]", [{"a": 1}]),
        ("!!python/object/apply:os.system [echo]", ["echo"]),
        ("!custom thing", "thing"),
        ("!!python/name:os.system ''", ""),
    ],
)
def test_tags_build_only_the_plain_data_the_pulumi_cli_reads(
    tmp_path: Path, value: str, read: Any
) -> None:
    """yaml.v3 (the CLI's library) decodes `!!binary` and timestamps, keeps a custom tag's
    scalar a string and its collection a collection; nothing else is ever constructed."""
    path = write(tmp_path, f"config:\n  webmodel:web:\n    env:\n      WHEN: {value}\n")
    assert read_yaml(path) == {"config": {"webmodel:web": {"env": {"WHEN": read}}}}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("!!int abc", "cannot decode !!str `abc` as a !!int"),
        ("!!bool yes", "cannot decode !!str `yes` as a !!bool"),
        ("!!binary not*base64", "!!binary value is not valid base64"),
    ],
)
def test_a_value_its_explicit_tag_cannot_hold_is_refused(
    tmp_path: Path, value: str, problem: str
) -> None:
    message = refused(write(tmp_path, f"config:\n  webmodel:web:\n    env:\n      X: {value}\n"))
    assert "key config.webmodel:web.env.X (line 4, column 10)" in message
    assert problem in message


def _first_invalid_utf8(data: bytes) -> int | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None


@FAST
@given(st.binary(min_size=1, max_size=40))
def test_files_that_are_not_utf8_are_refused(
    tmp_path_factory: pytest.TempPathFactory, tail: bytes
) -> None:
    data = b"config:\n  aws:region: " + tail + b"\n"
    bad = _first_invalid_utf8(data)
    if bad is not None:
        message = refused(write(tmp_path_factory.mktemp("bytes"), data))
        line = data[:bad].count(b"\n") + 1
        assert f"is not UTF-8 text (byte 0x{data[bad]:02x} on line {line})" in message
        return
    path = write(tmp_path_factory.mktemp("bytes"), data)
    try:  # valid UTF-8: read, or refused as YAML, never a traceback
        read_yaml(path)
    except InputError:
        refused(path)


@FAST
@given(st.integers(21, 6000), st.sampled_from(["", "-", "+"]))
def test_integers_beyond_64_bits_are_read_as_the_cli_reads_them_fast(
    tmp_path_factory: pytest.TempPathFactory, digits: int, sign: str
) -> None:
    """Go reads them as a float while one holds them, else as a string (ParseFloat's ErrRange);
    either way without converting thousands of digits."""
    number = sign + "9" * digits
    path = write(tmp_path_factory.mktemp("int"), f"x: {number}\n")
    started = time.perf_counter()
    value = read_yaml(path)["x"]
    assert time.perf_counter() - started < 1
    assert value == (float(number) if digits <= 308 else number)


def test_integers_and_floats_within_range_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 9223372036854775807\nb: -12\nc: 0.25\nd: 1e3\ne: 1.0e+999\n")
    assert read_yaml(path) == {"a": 2**63 - 1, "b": -12, "c": 0.25, "d": 1000, "e": "1.0e+999"}


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", "+.INF"])
def test_non_finite_numbers_are_refused(tmp_path: Path, value: str) -> None:
    message = refused(write(tmp_path, f"config:\n  x: {value}\n"))
    assert "key config.x" in message
    assert "not a finite number" in message


def _nested(depth: int, style: str) -> str:
    if style == "flow-list":
        return "[" * depth + "1" + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    return (
        "\n"
        + "".join("  " * (i + 2) + "a:\n" for i in range(depth - 1))
        + "  " * (depth + 1)
        + "a: 1"
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(MAX_YAML_DEPTH, 3000), st.sampled_from(["flow-list", "flow-map", "block"]))
def test_nesting_deeper_than_any_config_is_refused(
    tmp_path_factory: pytest.TempPathFactory, depth: int, style: str
) -> None:
    if style == "block":
        depth = min(depth, 200)  # block style grows quadratically in bytes
    path = write(
        tmp_path_factory.mktemp("deep"), "config:\n  deep: " + _nested(depth, style) + "\n"
    )
    message = refused(path)
    assert f"nested more than {MAX_YAML_DEPTH} levels deep" in message
    assert "key config.deep" in message


def test_nesting_within_the_bound_is_read(tmp_path: Path) -> None:
    depth = MAX_YAML_DEPTH - 3
    data = read_yaml(write(tmp_path, "config:\n  deep: " + _nested(depth, "flow-list") + "\n"))
    inner: Any = data["config"]["deep"]
    for _ in range(depth):
        inner = inner[0]
    assert inner == 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: &a [*a]\n", "key a[0]: an alias refers to itself"),
        ("a: &a {b: *a}\n", "key a.b: an alias refers to itself"),
        ("config:\n  x: 1\n  x: 2\n", "key config.x (line 3, column 3): is defined twice"),
        ("config:\n  [1, 2]: x\n", "key config (line 2, column 3): has a key that is a list"),
        ("config:\n  {a: 1}: x\n", "key config (line 2, column 3): has a key that is a list"),
    ],
)
def test_recursive_aliases_duplicate_and_non_string_keys_are_refused(
    tmp_path: Path, text: str, fragment: str
) -> None:
    assert fragment in refused(write(tmp_path, text))


def test_files_larger_than_any_config_are_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "a: " + "x" * (1024 * 1024) + "\n")
    assert "larger than any real configuration" in refused(path)


def test_the_committed_files_are_plain_data() -> None:
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"):
        assert isinstance(read_yaml(ROOT / name)["config"], dict)
