"""Hostile and mistaken configuration, by class: each class is generated, each is refused at
its root with the file and key named, in bounded time, and secrets never reach a message.

Here stack names before they become a path, a value detected late (aws:region, an escape that is
no character, a wired value outgrowing its reservation) reported against the key the user
wrote, and the configuration reference generated from the models (docs/configuration.md and
Pulumi.yaml's `config:` block); YAML that is not plain data is in test_config_yaml.py, mistaken
keys and secrets in test_config_keys_and_secrets.py.

In-process and fast; tests/preflight/test_stack_input.py runs the same classes through the CLI.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config import (
    CONFIG_KEYS,
    PROJECT,
    SECRET_FIELDS,
    ConfigError,
    StackConfig,
    load_stack_config,
    parse_stack_config,
)
from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import read_yaml
from preflight.stackfiles.project import read_program_config
from tests.components.config_support import FAST, ROOT, refused, write


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pulumi.yaml and the program of this project, and a stack file tests rewrite."""
    into = tmp_path_factory.mktemp("project")
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.dev.yaml", "pyproject.toml"):
        shutil.copy2(ROOT / name, into / name)
    return into


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
