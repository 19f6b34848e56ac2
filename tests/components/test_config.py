"""Stack config validation: every invalid value of every key names the key and what is valid.

Pure pydantic: no Pulumi runtime here, so the hundreds of generated configs stay fast.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from components.config import (
    CONFIG_KEYS,
    ENV_PROPERTY_LIMIT_BYTES,
    ROLES,
    ConfigError,
    ScalingConfig,
    StackConfig,
    budget_problem,
    load_stack_config,
    parse_stack_config,
    property_bytes,
    section_model,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:webmodel/dev/x-Ab12Cd"
PARAMETER_ARN = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/webmodel/dev/x"


def stack_values(stack: str) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {
        key.split(":", 1)[1]: value for key, value in data.items() if key.startswith("webmodel:")
    }


def error_of(raw: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_stack_config(raw)
    return str(caught.value)


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


# -- one invalid value per key --------------------------------------------------------------

INVALID: list[tuple[str, dict[str, Any], str]] = [
    # (section, fields, expected message fragment); the key is asserted separately
    ("network", {"cidrBlock": "10.0.0.0/8"}, "/16 to /20"),
    ("network", {"cidrBlock": "8.8.0.0/16"}, "private"),
    ("network", {"cidrBlock": "not-a-cidr"}, "IPv4 CIDR"),
    ("network", {"cidrBlock": 10}, "valid string"),
    ("network", {"availabilityZones": 1}, "greater than or equal to 2"),
    ("network", {"availabilityZones": 5}, "less than or equal to 4"),
    ("network", {"availabilityZones": "3"}, "valid integer"),
    ("network", {"subnetPrefixLength": 30}, "less than or equal to 27"),
    ("network", {"natGateways": "none"}, "'single' or 'per_az'"),
    ("network", {"flowLogRetentionDays": 10}, "retention periods"),
    ("database", {"instanceClass": "t3.micro"}, "pattern"),
    ("database", {"engineVersion": "sixteen"}, "pattern"),
    ("database", {"allocatedStorageGb": 5}, "greater than or equal to 20"),
    ("database", {"maxAllocatedStorageGb": -1}, "greater than or equal to 0"),
    ("database", {"databaseName": "1db"}, "pattern"),
    ("database", {"masterUsername": "a-b"}, "pattern"),
    ("database", {"multiAz": "yes"}, "valid boolean"),
    ("database", {"deletionProtection": 1}, "valid boolean"),
    ("database", {"backupRetentionDays": 36}, "less than or equal to 35"),
    ("database", {"skipFinalSnapshot": None}, "valid boolean"),
    ("database", {"protect": "true"}, "valid boolean"),
    ("database", {"snapshotIdentifier": "snap--1"}, "hyphen"),
    ("platform", {"solutionStackRegex": "(unclosed"}, "regular expression"),
    ("platform", {"managedUpdateWindow": "Sunday 3am"}, "pattern"),
    ("platform", {"updateLevel": "major"}, "'minor' or 'patch'"),
    ("platform", {"logRetentionDays": 2}, "retention periods"),
    ("web", {"instanceTypes": []}, "at least 1 item"),
    ("web", {"instanceTypes": ["T3 small"]}, "instance type"),
    ("web", {"minSize": 0}, "greater than or equal to 1"),
    ("web", {"maxSize": 10001}, "less than or equal to 10000"),
    ("web", {"deploymentPolicy": "BlueGreen"}, "'Immutable'"),
    ("web", {"batchSizePercent": 0}, "greater than or equal to 1"),
    ("web", {"configUpdateType": "Rolling"}, "'Health'"),
    ("web", {"healthCheckPath": "health"}, "pattern"),
    ("web", {"healthCheckGraceSeconds": 60}, "greater than or equal to 300"),
    ("web", {"rootVolumeSizeGb": 5}, "greater than or equal to 10"),
    ("model", {"imageId": "ami-xyz"}, "AMI id"),
    ("web", {"certificateArn": "arn:aws:iam::123:role/x"}, "ACM certificate ARN"),
    ("web", {"sslPolicy": "TLS1.3"}, "pattern"),
    ("web", {"scaling": {"measureName": "GPUUtilization"}}, "'CPUUtilization'"),
    ("web", {"scaling": {"statistic": "Median"}}, "'Average'"),
    ("web", {"scaling": {"unit": "Hours"}}, "'Percent'"),
    ("web", {"scaling": {"lowerThreshold": -1}}, "greater than or equal to 0"),
    ("web", {"scaling": {"upperThreshold": "high"}}, "valid"),
    ("web", {"env": {"LIST": [1]}}, "string, number or boolean"),
    ("web", {"env": ["A=1"]}, "valid dictionary"),
    ("web", {"secrets": {"TOKEN": 3}}, "valid string"),
    ("web", {"domain": "Not A Host"}, "pattern"),
    ("web", {"domain": "app.example.com"}, "needs hostedZone"),
    ("web", {"hostedZone": "example.com"}, "set only together with domain"),
    ("model", {"slots": ["blue", "green", "red"]}, "one or two slot names"),
    ("model", {"live": "blue"}, "needs slots"),
    ("model", {"slotSettings": {"blue": {"imageId": "ami-x"}}}, "AMI id"),
    ("model", {"domain": "m.example.com", "hostedZone": "example.com"}, "unknown key"),
    ("web", {"domain": "a.other.org", "hostedZone": "example.com"}, "is not inside hostedZone"),
    ("model", {"modelRepository": "http://bucket/models"}, "pattern"),
    ("web", {"modelRepository": "s3://bucket/models"}, "unknown key"),
    ("worker", {"healthCheckPath": "/health"}, "unknown key"),
    ("worker", {"processingTimeoutSeconds": 0}, "greater than or equal to 1"),
    ("worker", {"processingTimeoutSeconds": 36001}, "less than or equal to 36000"),
    ("worker", {"visibilityTimeoutSeconds": 43201}, "less than or equal to 43200"),
    (
        "worker",
        {"visibilityTimeoutSeconds": 300},
        "is not greater than webmodel:worker.processingTimeoutSeconds",
    ),
    ("worker", {"retryDelaySeconds": -1}, "greater than or equal to 0"),
    ("worker", {"maxReceiveCount": 0}, "greater than or equal to 1"),
    ("worker", {"maxReceiveCount": 1001}, "less than or equal to 1000"),
    ("worker", {"messageRetentionSeconds": 59}, "greater than or equal to 60"),
    ("worker", {"httpConnections": 101}, "less than or equal to 100"),
    ("worker", {"scaleOutBacklog": 0}, "greater than or equal to 1"),
    ("worker", {"scaleInBacklog": -1}, "greater than or equal to 0"),
    ("worker", {"scaleOutStep": 0}, "greater than or equal to 1"),
    ("worker", {"scaleOutBacklog": 5, "scaleInBacklog": 5}, "both alarms would fire at once"),
]


def _expected_key(section: str, fields: dict[str, Any]) -> str:
    key, value = next(iter(fields.items()))
    path = f"webmodel:{section}.{key}"
    if isinstance(value, dict) and value:
        path += "." + next(iter(value))
    return path


@pytest.mark.parametrize(("section", "fields", "fragment"), INVALID)
def test_invalid_value_names_the_full_key_and_what_is_valid(section, fields, fragment):
    message = error_of({section: fields})
    assert _expected_key(section, fields) in message
    assert fragment in message


def test_every_config_field_has_an_invalid_case():
    covered = {(section, next(iter(fields))) for section, fields, _ in INVALID}
    for section in CONFIG_KEYS:
        model = section_model(section)
        for name, field in model.model_fields.items():
            alias = field.alias or name
            if (section, alias) in covered or (
                section == "worker" and {("web", alias), ("model", alias)} & covered
            ):
                continue
            if section in {"web", "model"} and ("model" if section == "web" else "web", alias) in (
                covered
            ):
                continue
            pytest.fail(f"no invalid-value case for webmodel:{section}.{alias}")


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ({"web": "big"}, ["webmodel:web: must be an object with keys", "minSize"]),
        ({"web": {"minsize": 2}}, ["webmodel:web.minsize: unknown key", "minSize"]),
        ({"web": {"scaling": {"metric": "x"}}}, ["webmodel:web.scaling.metric", "measureName"]),
        ({"dns": {}}, ["webmodel:dns: unknown config key", "webmodel:network"]),
        ({"web": {"minSize": 3, "maxSize": 2}}, ["webmodel:web", "maxSize (2) must be at least"]),
        (
            {"web": {"scaling": {"lowerThreshold": 80, "upperThreshold": 70}}},
            ["webmodel:web.scaling", "must be below upperThreshold"],
        ),
        (
            {"database": {"allocatedStorageGb": 200, "maxAllocatedStorageGb": 100}},
            ["webmodel:database", "maxAllocatedStorageGb (100) must be 0"],
        ),
        (
            {"network": {"cidrBlock": "10.0.0.0/20", "subnetPrefixLength": 23}},
            ["webmodel:network", "3 tiers x 4 AZs need at least /24"],
        ),
    ],
)
def test_structural_errors(raw, fragments):
    message = error_of(raw)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("section", ["env", "secrets"])
@pytest.mark.parametrize("bad", ["1ABC", "WITH-DASH", "has space", "DOT.NAME", "É"])
def test_property_names_must_match_the_key_regex(section: str, bad: str):
    value = SECRET_ARN if section == "secrets" else "x"
    message = error_of({"web": {section: {bad: value}}})
    assert f"webmodel:web.{section}.{bad}: invalid property name" in message
    assert "[A-Za-z_][A-Za-z0-9_]*" in message


@pytest.mark.parametrize(
    "arn",
    [
        "super-secret-value",
        "arn:aws:s3:::bucket/key",
        "arn:aws:secretsmanager:ap-northeast-2:123:secret:short-account",
    ],
)
def test_secrets_must_be_secrets_manager_or_ssm_arns(arn: str):
    message = error_of({"model": {"secrets": {"API_KEY": arn}}})
    assert "webmodel:model.secrets.API_KEY" in message
    assert "Secrets Manager secret ARN" in message
    assert "SSM parameter" in message


def test_secret_arns_of_both_services_are_accepted():
    config = parse_stack_config({"web": {"secrets": {"A": SECRET_ARN, "B": PARAMETER_ARN}}})
    assert config.web.secrets == {"A": SECRET_ARN, "B": PARAMETER_ARN}


def test_program_set_names_are_reserved():
    message = error_of({"web": {"env": {"MODEL_URL": "http://x"}, "secrets": {}}})
    assert "webmodel:web.env.MODEL_URL: MODEL_URL is set by the program itself" in message
    message = error_of({"web": {"secrets": {"DB_CREDENTIALS": SECRET_ARN}}})
    assert "webmodel:web.secrets.DB_CREDENTIALS" in message
    # the model environment gets none of them, so the names are free there
    parse_stack_config({"model": {"env": {"MODEL_URL": "http://localhost:8000"}}})


def test_a_name_in_both_env_and_secrets_is_rejected():
    message = error_of({"web": {"env": {"TOKEN": "x"}, "secrets": {"TOKEN": SECRET_ARN}}})
    assert "webmodel:web.env.TOKEN: TOKEN is also in webmodel:web.secrets" in message


# -- the 4 KB budget ----------------------------------------------------------------------


def test_budget_counts_utf8_bytes_of_key_equals_value():
    assert property_bytes("A", "é") == len("A=é".encode())  # 4, not 3
    assert budget_problem("k", {"A": "x" * 4094}, {}) is None  # "A=" + 4094 = 4096
    assert budget_problem("k", {"A": "x" * 4095}, {}) is not None


def test_budget_includes_what_the_program_adds_to_web():
    reserved = sum(len(k) + 1 + v for k, v in ROLES["web"].program_properties.items())
    room = ENV_PROPERTY_LIMIT_BYTES - reserved
    fits = {"BIG": "x" * (room - len("BIG="))}
    parse_stack_config({"web": {"env": fits}})
    model_reserved = sum(len(k) + 1 + v for k, v in ROLES["model"].program_properties.items())
    model_room = ENV_PROPERTY_LIMIT_BYTES - model_reserved
    parse_stack_config({"model": {"env": {"BIG": "x" * (model_room - 4)}}})
    assert "324 B reserved for AWS_DEFAULT_REGION, MODEL_REPOSITORY" in error_of(
        {"model": {"env": {"BIG": "x" * (model_room - 3)}}}
    )
    over = {"BIG": "x" * (room - len("BIG=") + 1)}
    message = error_of({"web": {"env": over}})
    assert "webmodel:web.env: environment properties take 4,097 bytes" in message
    assert "limit of 4,096 bytes" in message
    assert "MODEL_URL" in message
    assert "that the program adds" in message
    assert "Biggest: BIG (" in message
    assert "webmodel:web.secrets" in message


def test_budget_error_lists_biggest_contributors_first():
    env = {f"K{i}": "v" * (150 * i) for i in range(1, 9)}
    message = error_of({"model": {"env": env}})
    biggest = re.search(r"Biggest: (.*?)\. Move", message)
    assert biggest is not None
    names = [part.split(" ")[0] for part in biggest.group(1).split(", ")]
    assert names == ["K8", "K7", "K6", "K5", "K4"]


def test_multibyte_values_count_as_bytes():
    # 1,400 Hangul syllables are 1,400 characters but 4,200 bytes
    message = error_of({"model": {"env": {"GREETING": "안" * 1400}}})
    assert "webmodel:model.env" in message
    assert "4,533 bytes"  # 4,209 + 324 reserved for MODEL_REPOSITORY, AWS_DEFAULT_REGION in message


# -- generated configs -----------------------------------------------------------

KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)
BAD_KEY = st.from_regex(r"[0-9-][A-Za-z0-9_-]{0,8}", fullmatch=True)
SCALAR = st.one_of(
    st.text(max_size=200),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


def mostly(
    valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Valid about four times in five, so both outcomes get hundreds of examples."""
    return st.sampled_from(range(5)).flatmap(lambda pick: invalid if pick == 3 else valid)


FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "minSize": mostly(st.integers(1, 2), st.one_of(st.integers(-5, 0), st.text(max_size=3))),
    "maxSize": mostly(
        st.integers(2, 20), st.one_of(st.integers(-5, 1), st.floats(allow_nan=False))
    ),
    "deploymentPolicy": mostly(
        st.sampled_from(["AllAtOnce", "Immutable", "Rolling", "RollingWithAdditionalBatch"]),
        st.sampled_from(["Blue", "", 3, "immutable"]),
    ),
    "batchSizePercent": mostly(st.integers(1, 100), st.integers(-10, 0) | st.integers(101, 999)),
    "healthCheckGraceSeconds": mostly(st.integers(300, 3600), st.integers(0, 299)),
    "instanceTypes": mostly(
        st.lists(st.sampled_from(["t3.small", "g5.xlarge", "m7i.large"]), min_size=1, max_size=3),
        st.lists(st.sampled_from(["BAD", "x", "t3.small"]), max_size=3),
    ),
    "rootVolumeSizeGb": mostly(st.none() | st.integers(10, 16384), st.integers(-1, 9)),
    "imageId": mostly(st.just("ami-0123456789abcdef0"), st.sampled_from(["ami-1", "x", ""])),
    "env": mostly(
        st.dictionaries(KEY, st.text(max_size=300) | st.integers() | st.booleans(), max_size=8),
        st.dictionaries(st.one_of(KEY, BAD_KEY), SCALAR, max_size=6),
    ),
    "secrets": mostly(
        st.dictionaries(KEY, st.sampled_from([SECRET_ARN, PARAMETER_ARN]), max_size=3),
        st.dictionaries(KEY, st.sampled_from([SECRET_ARN, "plain", ""]), min_size=1, max_size=3),
    ),
}
WEB_CONFIGS = st.tuples(
    st.fixed_dictionaries({}, optional=FIELD_VALUES), st.sampled_from(range(20))
).map(lambda pair: {**pair[0], "bogusField": 1} if pair[1] == 7 else pair[0])


def _expect_valid(env: dict[str, Any]) -> bool:
    """An independent oracle for the fields the strategy varies."""
    merged = {"minSize": 1, "maxSize": 2, "batchSizePercent": 100, "healthCheckGraceSeconds": 600}
    merged.update(env)
    if "bogusField" in env:
        return False
    ints = ("minSize", "maxSize", "batchSizePercent", "healthCheckGraceSeconds")
    if any(type(merged[k]) is not int for k in ints):
        return False
    if not (1 <= merged["minSize"] <= merged["maxSize"] <= 10000):
        return False
    if not 1 <= merged["batchSizePercent"] <= 100 or not 300 <= merged[ints[3]] <= 3600:
        return False
    if env.get("deploymentPolicy", "AllAtOnce") not in {
        "AllAtOnce",
        "Rolling",
        "RollingWithAdditionalBatch",
        "Immutable",
    }:
        return False
    types = env.get("instanceTypes", ["t3.small"])
    if not types or len(set(types)) != len(types) or {"BAD", "x"} & set(types):
        return False
    size = env.get("rootVolumeSizeGb")
    if size is not None and not 10 <= size <= 16384:
        return False
    if env.get("imageId") not in {None, "ami-0123456789abcdef0"}:
        return False
    plain = env.get("env", {})
    if any(not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) for k in plain):
        return False
    if any(v is None or isinstance(v, list) or "\x00" in str(v) for v in plain.values()):
        return False  # no environment variable holds a NUL character
    secrets = env.get("secrets", {})
    if any(v not in {SECRET_ARN, PARAMETER_ARN} for v in secrets.values()):
        return False
    if set(plain) & set(secrets) or set(plain) & {"MODEL_URL", "DB_HOST", "DB_PORT", "DB_NAME"}:
        return False
    if "DB_CREDENTIALS" in set(plain) | set(secrets):
        return False
    as_text = {
        k: ("true" if v is True else "false" if v is False else str(v)) for k, v in plain.items()
    }
    reserved = ROLES["web"].program_properties
    return budget_problem("x", as_text, reserved) is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WEB_CONFIGS)
def test_generated_web_configs_are_accepted_or_rejected_by_name(env: dict[str, Any]):
    valid = _expect_valid(env)
    event("valid" if valid else "invalid")
    if valid:
        config = parse_stack_config({"web": env})
        assert config.web.min_size == env.get("minSize", 1)
        return
    message = error_of({"web": env})
    lines = message.splitlines()[1:]
    assert lines, "an error without a single named key"
    for line in lines:
        assert line.strip().startswith("webmodel:web"), line


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
