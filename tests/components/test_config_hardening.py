"""Hostile and mistaken configuration, by class: each class is generated, each is refused at
its root with the file and key named, in bounded time, and secrets never reach a message.

In-process and fast; tests/preflight/test_stack_input.py runs the same classes through the CLI.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from components.config import (
    CONFIG_KEYS,
    PROJECT,
    SECRET_FIELDS,
    ConfigError,
    StackConfig,
    load_stack_config,
    parse_stack_config,
    section_model,
    secure_value_problem,
)
from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import MAX_YAML_DEPTH, MAX_YAML_VALUES, read_yaml
from preflight.stackfiles.project import read_program_config

ROOT = Path(__file__).resolve().parents[2]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webmodel/dev/x-Ab12Cd"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pulumi.yaml and the program of this project, and a stack file tests rewrite."""
    into = tmp_path_factory.mktemp("project")
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.dev.yaml", "pyproject.toml"):
        shutil.copy2(ROOT / name, into / name)
    return into


def write(tmp_path: Path, text: str | bytes, name: str = "Pulumi.dev.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name}: "), message
    assert "\n" not in message
    return message


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


# -- stack names ---------------------------------------------------------------------------


def _valid_stack_name(name: str) -> bool:
    """Pulumi's ParseStackName, written independently: ASCII [A-Za-z0-9_.-], 1-100 bytes."""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
    return 0 < len(name.encode()) <= 100 and all(ch in allowed for ch in name)


STACK_NAMES = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="ab._-/\\ \x00é", max_size=12),
    st.integers(95, 400).map(lambda n: "s" * n),
    st.sampled_from(["dev", "../dev", "dev/", "/etc/passwd", "a/b/c/d", ".", "..", "dev\n"]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STACK_NAMES)
def test_stack_names_follow_pulumis_rules_before_becoming_a_path(project: Path, name: str) -> None:
    parts = name.split("/")
    try:
        config = read_program_config(project, name)
    except InputError as exc:
        message = str(exc)
    else:
        assert config.stack == "dev"
        assert parts[-1] == "dev"
        assert len(parts) < 3 or parts[1] == PROJECT
        assert all(_valid_stack_name(part) for part in parts)
        return
    stack = parts[-1]
    if len(parts) > 3:
        assert "a stack reference is <stack>, <org>/<stack> or <org>/<project>/<stack>" in message
    elif not all(_valid_stack_name(part) for part in parts[:-1]):
        assert "organization and project names follow the same rule as stack names" in message
    elif len(parts) == 3 and parts[1] != PROJECT:
        assert f"names project {parts[1]!r}, but Pulumi.yaml is project {PROJECT!r}" in message
    elif not stack:
        assert "a stack name may not be empty" in message
    elif len(stack.encode()) > 100:
        assert "a stack name cannot exceed 100 characters" in message
    elif not _valid_stack_name(stack):
        assert "a stack name may only contain alphanumeric, hyphens, underscores, or " in message
        assert "invalid character" in message
    else:
        assert message.startswith(f"unknown stack {stack!r}: Pulumi.{stack}.yaml does not exist")


@pytest.mark.parametrize("name", ["dev", "org/dev", f"org/{PROJECT}/dev"])
def test_qualified_stack_references_read_the_stack_file(project: Path, name: str) -> None:
    assert read_program_config(project, name).stack == "dev"


def test_a_qualified_reference_to_another_project_is_refused(project: Path) -> None:
    with pytest.raises(InputError, match=r"names project 'other', but Pulumi\.yaml is project"):
        read_program_config(project, "org/other/dev")


# -- unknown keys, anywhere in the namespace --------------------------------------------------


def _typos(word: str) -> st.SearchStrategy[str]:
    """One edit away from `word`: a deleted, doubled, swapped or replaced character."""
    index = st.integers(0, len(word) - 1)
    return st.one_of(
        index.map(lambda i: word[:i] + word[i + 1 :]),
        index.map(lambda i: word[:i] + word[i] + word[i:]),
        index.map(lambda i: word[:i] + word[i + 1 : i + 2] + word[i : i + 1] + word[i + 2 :]),
        st.tuples(index, st.sampled_from("xqz_")).map(
            lambda p: word[: p[0]] + p[1] + word[p[0] + 1 :]
        ),
    )


@FAST
@given(st.sampled_from(CONFIG_KEYS).flatmap(lambda key: st.tuples(st.just(key), _typos(key))))
def test_a_typo_in_a_top_level_key_names_the_closest_valid_key(pair: tuple[str, str]) -> None:
    _, typo = pair
    if typo in CONFIG_KEYS:
        return
    with pytest.raises(ConfigError) as caught:
        load_stack_config({f"{PROJECT}:{typo}": "{}", "aws:region": "ap-northeast-2"})
    message = str(caught.value)
    assert f"{PROJECT}:{typo}: unknown config key" in message
    assert "(did you mean " in message
    assert f"valid keys: {PROJECT}:network" in message


def test_a_key_nothing_resembles_is_refused_with_all_valid_keys_and_no_guess() -> None:
    with pytest.raises(ConfigError) as caught:
        load_stack_config({f"{PROJECT}:debug": "true"})
    assert str(caught.value).splitlines()[1] == (
        f"  {PROJECT}:debug: unknown config key; valid keys: "
        f"{PROJECT}:network, {PROJECT}:database, {PROJECT}:platform, {PROJECT}:web, "
        f"{PROJECT}:model, {PROJECT}:worker"
    )


def _fields(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


NESTED = [
    (key, field) for key in CONFIG_KEYS for field in _fields(section_model(key)) if len(field) > 4
]


@FAST
@given(st.sampled_from(NESTED).flatmap(lambda p: st.tuples(st.just(p), _typos(p[1]))))
def test_a_typo_in_a_nested_key_names_the_closest_valid_field(
    case: tuple[tuple[str, str], str],
) -> None:
    (key, _), typo = case
    valid = _fields(section_model(key))
    if typo in valid:
        return
    with pytest.raises(ConfigError) as caught:
        load_stack_config({f"{PROJECT}:{key}": json.dumps({typo: 1})})
    message = str(caught.value)
    assert f"{PROJECT}:{key}.{typo}: unknown key (did you mean " in message
    assert "valid keys here: " in message


# -- secrets: which leaves may be secure, and that messages never show them ---------------------


def _leaf_paths() -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every field of every key (from the models, so new fields are covered), plus map entries."""
    for key in CONFIG_KEYS:
        model: type[BaseModel] = section_model(key)
        for field in _fields(model):
            if field in {"env", "secrets"}:
                yield key, (field, "SOME_NAME")
            elif field == "scaling":
                yield key, (field, "upperThreshold")
            else:
                yield key, (field,)
        yield key, ()


LEAVES = sorted(set(_leaf_paths()))


@pytest.mark.parametrize(
    ("key", "path"), LEAVES, ids=lambda v: ".".join(v) if isinstance(v, tuple) else v
)
def test_every_leaf_has_a_secret_rule(key: str, path: tuple[str, ...]) -> None:
    problem = secure_value_problem(key, path)
    full = f"{PROJECT}:{key}" + "".join(f".{p}" for p in path)
    if path and path[0] in SECRET_FIELDS.get(key, frozenset()):
        assert problem is None
    elif path[:1] == ("env",):
        assert problem is not None
        assert problem.startswith(f"{full}: a secret must not be a plain environment property")
        assert "Secrets Manager or SSM Parameter Store" in problem
        assert f"list its ARN under {PROJECT}:{key}.secrets" in problem
    elif not path and SECRET_FIELDS.get(key):
        assert problem is not None
        assert "the whole object cannot be one secret" in problem
    else:
        assert problem == (
            f"{full}: cannot be secret (secure:); it is not sensitive and the program and the "
            "policies need its plain value. Set it with `pulumi config set` (no --secret)"
        )


def _stack_file(key: str, path: tuple[str, ...], ciphertext: str) -> str:
    """A stack file with a secure leaf at webmodel:<key><path> (other fields from dev)."""
    value: Any = {"secure": ciphertext}
    for part in reversed(path):
        value = {part: value}
    return json.dumps({"config": {"aws:region": "ap-northeast-2", f"{PROJECT}:{key}": value}})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(LEAVES),
    st.text(st.characters(codec="utf-8", exclude_characters="\r"), min_size=6, max_size=40).map(
        lambda s: "v1:" + s
    ),
)
def test_secure_leaves_are_refused_or_kept_secret_by_rule(
    tmp_path_factory: pytest.TempPathFactory, leaf: tuple[str, tuple[str, ...]], ciphertext: str
) -> None:
    key, path = leaf
    project = tmp_path_factory.getbasetemp() / "secure-leaves"
    if not project.exists():
        project.mkdir()
        for name in ("Pulumi.yaml", "__main__.py", "pyproject.toml"):
            shutil.copy2(ROOT / name, project / name)
    (project / "Pulumi.dev.yaml").write_text(_stack_file(key, path, ciphertext), encoding="utf-8")
    try:
        config = read_program_config(project, "dev")
    except InputError as exc:
        message = str(exc)
        assert secure_value_problem(key, path) is not None
        assert message.startswith("Pulumi.dev.yaml: ")
        assert f"{PROJECT}:{key}" in message
        assert ciphertext not in message
        return
    assert secure_value_problem(key, path) is None
    assert f"{PROJECT}:{key}" in config.secret_keys
    assert ciphertext not in json.dumps(config.values)


def test_stand_ins_have_the_shape_of_the_values_they_replace(tmp_path: Path) -> None:
    """A secure certificate or secret ARN still passes the config's own format checks."""
    for name in ("Pulumi.yaml", "__main__.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    stack = {
        "aws:region": "eu-west-1",
        f"{PROJECT}:web": {
            "certificateArn": {"secure": "v1:a"},
            "secrets": {"TOKEN": {"secure": "v1:b"}},
        },
        f"{PROJECT}:database": {
            "snapshotIdentifier": {"secure": "v1:c"},
            "masterUsername": {"secure": "v1:d"},
        },
    }
    (tmp_path / "Pulumi.dev.yaml").write_text(json.dumps({"config": stack}))
    loaded = read_program_config(tmp_path, "dev")
    runtime = loaded.as_runtime_config()
    config = load_stack_config(runtime, loaded.secret_keys)
    assert config.is_secret("web")
    assert config.is_secret("database")
    assert not config.is_secret("model")
    assert config.web.certificate_arn is not None
    assert config.web.certificate_arn.startswith("arn:aws:acm:eu-west-1:000000000000:certificate/")
    assert config.web.secrets["TOKEN"].startswith("arn:aws:secretsmanager:eu-west-1:")
    assert config.database.snapshot_identifier is not None
    assert config.database.snapshot_identifier.startswith("preflight-secret-")
    assert re.fullmatch(r"u[0-9a-f]{15}", config.database.master_username)


SECRET_TEXT = st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ0123456789", min_size=12, max_size=30).map(
    lambda s: "S3CR3T" + s
)


@FAST
@given(
    SECRET_TEXT,
    st.sampled_from(
        [
            ("web", "certificateArn"),
            ("model", "certificateArn"),
            ("database", "snapshotIdentifier"),
            ("database", "masterUsername"),
            ("web", "secrets"),
            ("model", "secrets"),
        ]
    ),
)
def test_an_invalid_secret_value_is_named_by_key_and_rule_never_shown(
    secret: str, field: tuple[str, str]
) -> None:
    key, name = field
    value: Any = {"TOKEN": secret} if name == "secrets" else secret + "--"
    with pytest.raises(ConfigError) as caught:
        parse_stack_config({key: {name: value}}, secret_sections={key})
    message = str(caught.value)
    assert f"{PROJECT}:{key}.{name}" in message
    assert secret not in message
    assert "(got" not in message
    with pytest.raises(ConfigError) as plain:
        parse_stack_config({key: {name: value}})
    assert secret in str(plain.value)  # the same error shows the value when it is not secret


@FAST
@given(SECRET_TEXT, st.sampled_from(["network", "platform"]))
def test_a_secret_where_no_field_may_be_secret_is_refused_without_the_value(
    secret: str, key: str
) -> None:
    full = f"{PROJECT}:{key}"
    with pytest.raises(ConfigError) as caught:
        load_stack_config({full: json.dumps({"x": secret})}, {full})
    message = str(caught.value)
    assert f"{full}: cannot be secret (secure:)" in message
    assert secret not in message


def test_a_secret_object_that_is_not_json_is_refused_without_the_value() -> None:
    with pytest.raises(ConfigError) as caught:
        load_stack_config({f"{PROJECT}:web": "S3CR3TVALUE"}, {f"{PROJECT}:web"})
    assert str(caught.value).endswith(f"{PROJECT}:web: must be an object")


# -- a value detected late is reported against the key the user wrote --------------------------

REGIONS = st.one_of(
    st.text(max_size=60),
    st.integers(26, 12000).map(lambda n: "ap-northeast-" + "2" * n),
    st.integers(1, 12000).map(lambda n: "x" * n),
)


@FAST
@given(REGIONS)
def test_aws_region_is_checked_before_anything_derives_from_it(region: str) -> None:
    valid = re.fullmatch(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}", region) and len(region) <= 25
    values = {"aws:region": region}
    if valid:
        assert load_stack_config(values) == StackConfig()
        return
    with pytest.raises(ConfigError) as caught:
        load_stack_config(values)
    message = str(caught.value)
    assert "aws:region: must be an AWS region code like ap-northeast-2" in message
    assert len(message) < 300


def test_a_10000_character_region_is_refused_by_preflight_naming_aws_region(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    text = (ROOT / "Pulumi.dev.yaml").read_text().replace("ap-northeast-2", "a" * 10_000, 1)
    (tmp_path / "Pulumi.dev.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        read_program_config(tmp_path, "dev")
    message = str(caught.value)
    assert message.startswith("Pulumi.dev.yaml: aws:region: must be an AWS region code")
    assert "(10,000 characters)" in message


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d"])
@pytest.mark.parametrize("where", ["value", "key"])
def test_escapes_that_are_not_characters_are_refused(
    tmp_path: Path, escape: str, where: str
) -> None:
    text = f'config:\n  k: "a{escape}b"\n' if where == "value" else f'config:\n  "k{escape}": 1\n'
    message = refused(write(tmp_path, text))
    assert "key config.k" in message
    assert "a lone surrogate" in message
    message.encode("utf-8")  # printable: the message itself holds no surrogate


# -- the configuration reference is generated from the models -----------------------------------


def test_the_configuration_reference_is_current() -> None:
    """docs/configuration.md's key tables are `python -m components.config.reference` output."""
    from components.config.reference import DOC, current_block, render

    assert current_block(DOC.read_text(encoding="utf-8")) == render()
    for key in CONFIG_KEYS:
        for field, secret_capable in [(f, True) for f in sorted(SECRET_FIELDS.get(key, ()))]:
            row = next(line for line in render().splitlines() if line.startswith(f"| `{field}`"))
            assert ("**may be secret**" in row) is secret_capable


def test_pulumi_yaml_config_block_is_generated_from_the_models() -> None:
    """Pulumi.yaml's `config:` block is `python -m components.config.reference` output."""
    from components.config.reference import (
        PROJECT_FILE,
        current_pulumi_config,
        pulumi_config,
        render_pulumi_config,
    )

    text = PROJECT_FILE.read_text(encoding="utf-8")
    assert current_pulumi_config(text) == render_pulumi_config()
    declared = read_yaml(PROJECT_FILE)["config"]
    assert declared == pulumi_config()
    assert (
        parse_stack_config(
            {key.split(":", 1)[1]: value["default"] for key, value in declared.items()}
        )
        == StackConfig()
    )
    for key, declaration in declared.items():
        assert set(declaration) == {"description", "default"}, key  # no `type`: see project.json
        assert "docs/configuration.md" in declaration["description"]


def test_a_wired_value_that_outgrows_its_reservation_names_its_source_key() -> None:
    from components.beanstalk.args import EnvironmentArgs, WiredProperty
    from tests.components.beanstalk_support import environment, environment_args

    args = environment_args("web")
    too_long = EnvironmentArgs(
        **{
            **args.__dict__,
            "wired_properties": {
                "DB_HOST": WiredProperty(
                    "db." + "r" * 200 + ".rds.amazonaws.com", 128, "aws:region"
                )
            },
        }
    )
    with pytest.raises(Exception, match=r"DB_HOST is 221 bytes, more than the 128 reserved") as e:
        environment(too_long)
    assert str(e.value).endswith("; it derives from aws:region, check that value")
