"""Stack config validation: every invalid value of every key names the full key and what is
valid (and every field has such a case), structural errors, property names, secret ARNs, the
names the program sets, and the 4 KB budget of environment properties in UTF-8 bytes.

Pure pydantic: no Pulumi runtime here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.config import (
    CONFIG_KEYS,
    ENV_PROPERTY_LIMIT_BYTES,
    ROLES,
    budget_problem,
    parse_stack_config,
    property_bytes,
    section_model,
)
from tests.components.config_support import PARAMETER_ARN, SECRET_ARN, error_of

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
    # GREETING: 4,209 B (3 bytes a syllable), plus 324 B reserved for what the program adds
    assert "take 4,533 bytes" in message
    assert "GREETING (4,209 B)" in message
