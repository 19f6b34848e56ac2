"""Mistaken keys and secrets, over every key and field of the config models (so a new field is
covered): a typo in a key, top-level or nested, names the closest valid one; each leaf has a
secret rule (it may be secure, or is refused naming its key); a stand-in for a secure value has
the shape of the value it replaces; and no message ever shows a secret value.

In-process and fast; tests/preflight/test_stack_input.py runs the same classes through the CLI.
"""

from __future__ import annotations

import json
import re
import shutil
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
    load_stack_config,
    parse_stack_config,
    section_model,
    secure_value_problem,
)
from preflight.inputs.errors import InputError
from preflight.stackfiles.project import read_program_config
from tests.components.config_support import FAST, ROOT

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
