"""The committed config files: Pulumi.yaml declares every key with exactly the code's defaults,
the stack files are valid, differ where the stages should and hold only what differs from the
defaults, and the per-stage table in docs/program.md shows their values; how values are read
(JSON strings as the language host passes them, YAML scalars, a partial nested object).

Pure pydantic: no Pulumi runtime here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from components.config import (
    CONFIG_KEYS,
    ROLES,
    ConfigError,
    ScalingConfig,
    StackConfig,
    load_stack_config,
    parse_stack_config,
)
from tests.components.config_support import ROOT


def stack_values(stack: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {
        key.split(":", 1)[1]: value for key, value in data.items() if key.startswith("webmodel:")
    }


# -- the files themselves -----------------------------------------------------------------


def test_project_declares_every_key_with_description_and_default():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == "webmodel"
    assert project["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": ".venv"},
    }
    declared = project["config"]
    optional = {role for role, spec in ROLES.items() if spec.optional}
    required = [key for key in CONFIG_KEYS if key not in optional]
    assert required == ["network", "database", "platform", "web", "model"]
    assert sorted(declared) == sorted(f"webmodel:{key}" for key in required)
    for key, declaration in declared.items():
        assert declaration["description"].strip(), key
        assert isinstance(declaration["default"], dict), key


def test_project_defaults_are_exactly_the_code_defaults():
    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    defaults = {key.split(":", 1)[1]: value["default"] for key, value in declared.items()}
    assert parse_stack_config(defaults) == StackConfig()
    assert StackConfig().model_dump(by_alias=True, exclude={"worker"}) == json.loads(
        json.dumps(defaults)
    )
    assert StackConfig().worker is None


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_are_valid_and_in_seoul(stack: str):
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert data["aws:region"] == "ap-northeast-2"
    # dev runs without the optional worker tier, prod with it
    assert set(stack_values(stack)) == set(CONFIG_KEYS) - ({"worker"} if stack == "dev" else set())
    parse_stack_config(stack_values(stack))


def test_stage_differences_live_in_the_stack_files():
    dev = parse_stack_config(stack_values("dev"))
    prod = parse_stack_config(stack_values("prod"))
    assert (dev.network.availability_zones, dev.network.nat_gateways) == (2, "single")
    assert (prod.network.availability_zones, prod.network.nat_gateways) == (3, "per_az")
    for env in (dev.web, dev.model):
        assert env.deployment_policy == "AllAtOnce"
        assert env.min_size == 1
    for env in (prod.web, prod.model):
        assert env.deployment_policy in {"Immutable", "RollingWithAdditionalBatch"}
        assert env.min_size >= 2
    assert not dev.database.multi_az
    assert not dev.database.protect
    assert prod.database.multi_az
    assert prod.database.deletion_protection
    assert prod.database.protect
    assert prod.database.backup_retention_days >= 7
    assert not prod.database.skip_final_snapshot


def test_missing_model_fields_take_the_model_defaults_not_the_web_ones():
    config = parse_stack_config({"model": {"minSize": 2, "maxSize": 3}})
    assert config.model.instance_types == ["g5.xlarge"]
    assert config.model.health_check_path == "/v2/health/ready"
    assert config.web.instance_types == ["t3.small"]


def test_load_reads_json_strings_like_the_language_host():
    raw = {"webmodel:web": json.dumps({"minSize": 2, "maxSize": 4}), "aws:region": "us-east-1"}
    config = load_stack_config(raw)
    assert config.web.min_size == 2
    with pytest.raises(ConfigError, match=r"webmodel:web: must be an object"):
        load_stack_config({"webmodel:web": "not json"})


def test_yaml_scalars_become_strings():
    config = parse_stack_config({"web": {"env": {"A": 1, "B": True, "C": 1.5, "D": "x"}}})
    assert config.web.env == {"A": "1", "B": "true", "C": "1.5", "D": "x"}


# -- the documented per-stage table ----------------------------------------------------------


def _stage_table() -> list[list[str]]:
    """Rows of the per-stage table (README.md once merged there, else docs/program.md)."""
    for name in ("README.md", "docs/program.md"):
        path = ROOT / name
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        match = re.search(r"<!-- stage-table:start -->(.*?)<!-- stage-table:end -->", text, re.S)
        if match:
            lines = [line for line in match.group(1).strip().splitlines()[2:] if line.strip()]
            return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    pytest.fail("no per-stage table between <!-- stage-table:start/end --> markers")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def test_documented_stage_table_matches_the_stack_files():
    rows = _stage_table()
    assert len(rows) >= 15
    # the effective values: a stack file holds only what differs from the defaults
    stacks = {
        stack: parse_stack_config(stack_values(stack)).model_dump(by_alias=True, mode="json")
        for stack in ("dev", "prod")
    }
    for _, keys, *values in rows:
        paths = [part.strip(" `") for part in keys.split("/")]
        section, first = paths[0].removeprefix("webmodel:").split(".", 1)
        fields = [first, *paths[1:]]
        for stack, shown in zip(("dev", "prod"), values, strict=True):
            actual = " / ".join(_shown(stacks[stack][section][field]) for field in fields)
            assert actual == shown, f"{keys} for {stack}: table says {shown}, YAML says {actual}"


def _repeated_defaults(given: Any, default: Any, path: str) -> list[str]:
    if isinstance(given, dict) and isinstance(default, dict) and path.count(".") < 2:
        return [
            found
            for key, value in given.items()
            if key in default
            for found in _repeated_defaults(value, default[key], f"{path}.{key}")
        ]
    return [path] if given == default else []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_files_hold_only_what_differs_from_the_defaults(stack: str):
    from components.config.reference import all_defaults

    defaults = all_defaults()
    repeated = [
        found
        for key, value in stack_values(stack).items()
        for found in _repeated_defaults(value, defaults[key], f"webmodel:{key}")
    ]
    assert repeated == []


def test_a_nested_object_left_partial_keeps_the_roles_other_defaults():
    config = parse_stack_config({"model": {"scaling": {"upperThreshold": 0.8}}})
    assert config.model.scaling.model_dump(by_alias=True) == {
        "measureName": "TargetResponseTime",
        "statistic": "Average",
        "unit": "Seconds",
        "lowerThreshold": 0.2,
        "upperThreshold": 0.8,
    }
    assert parse_stack_config({"web": {"scaling": {"upperThreshold": 65}}}).web.scaling == (
        ScalingConfig(upper_threshold=65)
    )
