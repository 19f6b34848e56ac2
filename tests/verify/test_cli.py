"""verify's command line as users run it: bad input exits 2 with one line naming what is
wrong (no traceback); outputs are read exactly; the report renders plain and rich."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from guardrails import POLICIES
from pydantic import ValidationError

from verify.aws import Clients
from verify.cli import main, stack_config_region
from verify.enforcement import Enforcement, Level, declared_levels, load_enforcement
from verify.outputs import REQUIRED_OUTPUTS, BadInput, StackOutputs, load_outputs_file
from verify.report import exit_code, render_plain, render_rich
from verify.result import CheckResult
from verify.runner import MIRRORED_POLICIES, apply_level, stage_of

REPO = Path(__file__).resolve().parents[2]

GOOD_OUTPUTS: dict[str, object] = {
    "webUrl": "http://web.example",
    "modelInternalUrl": "http://model.internal",
    "webEnvironmentName": "webmodel-dev-web",
    "modelEnvironmentName": "webmodel-dev-model",
    "applicationName": "webmodel-dev",
    "dbEndpoint": "db.example:5432",
    "dbInstanceIdentifier": "webmodel-dev-db",
    "vpcId": "vpc-1",
    "publicSubnetIds": ["subnet-p1", "subnet-p2"],
    "privateSubnetIds": ["subnet-a1", "subnet-a2"],
    "isolatedSubnetIds": ["subnet-i1", "subnet-i2"],
}


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m verify` in a clean environment: fake credentials, no metadata service,
    and a PATH without the Pulumi CLI."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir(exist_ok=True)
    env = {
        "PATH": str(empty_bin),
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "verify", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_outputs_file_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    proc = run_cli(tmp_path, "--stack", "dev", "--outputs", str(missing), "--region", "eu-west-1")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == f"verify: error: outputs file {missing} does not exist\n"


def test_outputs_not_json_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "outputs.json"
    bad.write_text("Current stack outputs (11):\n", encoding="utf-8")
    proc = run_cli(tmp_path, "--stack", "dev", "--outputs", str(bad), "--region", "eu-west-1")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"verify: error: outputs file {bad} is not JSON (line 1: Expecting value); "
        "make it with `pulumi stack output --json --show-secrets > FILE`\n"
    )
    assert "Traceback" not in proc.stderr


def test_without_outputs_and_without_the_cli_exits_2_suggesting_outputs(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "--stack", "dev", "--region", "eu-west-1")
    assert proc.returncode == 2
    assert proc.stderr == (
        "verify: error: the Pulumi CLI (`pulumi`) is not installed, so stack outputs cannot be "
        "read; pass --outputs FILE made with `pulumi stack output --json --show-secrets`\n"
    )


def call_main(tmp_path: Path, outputs: object, *extra: str) -> tuple[int, str, str]:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    def no_aws(region: str) -> Clients:
        raise AssertionError("AWS must not be called when the input is bad")

    code = main(
        ["--stack", "dev", "--outputs", str(path), "--region", "eu-west-1", *extra],
        make_clients=no_aws,
        out=out,
        err=err,
    )
    return code, out.getvalue(), err.getvalue()


def test_missing_output_key_exits_2_naming_it(tmp_path: Path) -> None:
    outputs = {k: v for k, v in GOOD_OUTPUTS.items() if k not in ("vpcId", "dbEndpoint")}
    code, out, err = call_main(tmp_path, outputs)
    assert code == 2
    assert out == ""
    assert err == (
        f"verify: error: {tmp_path / 'outputs.json'} lacks stack output(s) dbEndpoint, vpcId; "
        f"expected all of: {', '.join(REQUIRED_OUTPUTS)}\n"
    )


def test_secret_placeholder_output_exits_2(tmp_path: Path) -> None:
    code, _, err = call_main(tmp_path, {**GOOD_OUTPUTS, "dbEndpoint": "[secret]"})
    assert code == 2
    assert "stack output dbEndpoint" in err
    assert "--show-secrets" in err


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ([1, 2], "must hold a JSON object of stack outputs"),
        ({**GOOD_OUTPUTS, "privateSubnetIds": "subnet-a1"}, "privateSubnetIds"),
        ({**GOOD_OUTPUTS, "webEnvironmentName": ""}, "webEnvironmentName"),
    ],
)
def test_malformed_outputs_exit_2(tmp_path: Path, outputs: object, message: str) -> None:
    code, _, err = call_main(tmp_path, outputs)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_bad_flag_exits_2_with_one_line(tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["--stack", "dev", "--bogus"], out=io.StringIO(), err=err) == 2
    assert err.getvalue().startswith("verify: error: unrecognized arguments: --bogus")
    assert err.getvalue().count("\n") == 1


def test_outputs_file_is_read_into_typed_outputs(tmp_path: Path) -> None:
    path = tmp_path / "o.json"
    path.write_text(json.dumps(GOOD_OUTPUTS), encoding="utf-8")
    outputs = load_outputs_file(path)
    assert outputs == StackOutputs.from_mapping(GOOD_OUTPUTS, "x")
    assert outputs.private_subnet_ids == ("subnet-a1", "subnet-a2")
    assert outputs.model_environment_name == "webmodel-dev-model"


def test_from_mapping_rejects_non_string_list_items() -> None:
    with pytest.raises(BadInput, match="publicSubnetIds in src must be a list of strings"):
        StackOutputs.from_mapping({**GOOD_OUTPUTS, "publicSubnetIds": [1]}, "src")


def test_stage_is_the_last_segment_of_the_stack_name() -> None:
    assert stage_of("prod") == "prod"
    assert stage_of("acme/webmodel/prod") == "prod"
    assert stage_of("acme/dev") == "dev"


def test_region_comes_from_the_stack_config(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  aws:region: ap-northeast-2\n", encoding="utf-8"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text("config: [not, a, map]\n", encoding="utf-8")
    assert stack_config_region("prod", tmp_path) == "ap-northeast-2"
    assert stack_config_region("dev", tmp_path) is None
    assert stack_config_region("qa", tmp_path) is None


def test_a_hostile_stack_file_is_bad_input_not_a_hang(tmp_path: Path) -> None:
    """verify reads Pulumi.<stage>.yaml with preflight's bounded plain-data reader."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    (tmp_path / "Pulumi.prod.yaml").write_text(bomb, encoding="utf-8")
    with pytest.raises(BadInput, match=r"^Pulumi\.prod\.yaml: .*alias"):
        stack_config_region("prod", tmp_path)


RESULTS = [
    CheckResult("rds-encrypted", True, "DB instance 'db' storage is encrypted"),
    CheckResult("rds-not-public", False, "DB instance 'db' is publicly accessible", "fix it"),
]


def test_plain_report_lists_checks_fixes_and_verdict() -> None:
    assert render_plain("prod", "eu-west-1", RESULTS) == (
        "verify: stack prod in eu-west-1\n"
        "PASS  rds-encrypted: DB instance 'db' storage is encrypted\n"
        "FAIL  rds-not-public: DB instance 'db' is publicly accessible\n"
        "      fix: fix it\n"
        "stack prod: 1 of 2 checks passed; 1 guarantee(s) broken (exit 1)\n"
    )


def test_rich_report_renders_a_table_without_markup_mangling() -> None:
    out = io.StringIO()
    results = [*RESULTS, CheckResult("x", False, "value [secret] kept", "see [docs]")]
    render_rich("prod", "eu-west-1", results, out)
    text = out.getvalue()
    assert "rds-not-public" in text
    assert "FAIL" in text
    assert "PASS" in text
    assert "[secret]" in text
    assert "2 guarantee(s) broken (exit 1)" in text


def test_no_credentials_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(GOOD_OUTPUTS), encoding="utf-8")
    err = io.StringIO()
    code = main(
        ["--stack", "dev", "--outputs", str(path), "--region", "eu-west-1"],
        out=io.StringIO(),
        err=err,
    )
    assert code == 2
    assert err.getvalue().startswith("verify: error: no AWS credentials found;")


def test_no_region_anywhere_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(GOOD_OUTPUTS), encoding="utf-8")
    err = io.StringIO()
    code = main(["--stack", "qa", "--outputs", str(path)], out=io.StringIO(), err=err)
    assert code == 2
    assert err.getvalue() == (
        "verify: error: no AWS region: pass --region or set aws:region in Pulumi.qa.yaml\n"
    )


# --- the output contract (pydantic) ------------------------------------------------------

LIST_OUTPUTS = [name for name in REQUIRED_OUTPUTS if name.endswith("SubnetIds")]
STRING_OUTPUTS = [name for name in REQUIRED_OUTPUTS if name not in LIST_OUTPUTS]


def test_the_contract_names_every_output_verify_reads() -> None:
    assert tuple(GOOD_OUTPUTS) == REQUIRED_OUTPUTS
    assert LIST_OUTPUTS == ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"]


@pytest.mark.parametrize("name", REQUIRED_OUTPUTS)
def test_each_missing_output_is_named(name: str) -> None:
    data = {k: v for k, v in GOOD_OUTPUTS.items() if k != name}
    with pytest.raises(BadInput) as raised:
        StackOutputs.from_mapping(data, "src")
    assert str(raised.value) == (
        f"src lacks stack output(s) {name}; expected all of: {', '.join(REQUIRED_OUTPUTS)}"
    )


@pytest.mark.parametrize("name", REQUIRED_OUTPUTS)
def test_each_secret_placeholder_is_refused(name: str) -> None:
    with pytest.raises(BadInput) as raised:
        StackOutputs.from_mapping({**GOOD_OUTPUTS, name: "[secret]"}, "src")
    assert str(raised.value) == (
        f"stack output {name} in src is a secret shown as [secret]; "
        "export with `pulumi stack output --json --show-secrets`"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [(n, v) for n in STRING_OUTPUTS for v in ("", 7, None, ["x"], {"a": "b"}, True)]
    + [(n, v) for n in LIST_OUTPUTS for v in ("subnet-1", [1], ["a", None], {"a": 1}, 3, None)],
)
def test_each_wrongly_typed_output_is_refused(name: str, value: object) -> None:
    wanted = "a list of strings" if name in LIST_OUTPUTS else "a non-empty string"
    with pytest.raises(BadInput) as raised:
        StackOutputs.from_mapping({**GOOD_OUTPUTS, name: value}, "src")
    assert str(raised.value) == f"stack output {name} in src must be {wanted}"


def test_other_outputs_are_ignored_and_the_model_is_frozen() -> None:
    outputs = StackOutputs.from_mapping({**GOOD_OUTPUTS, "extra": {"any": 1}}, "src")
    assert outputs.vpc_id == "vpc-1"
    assert outputs.public_subnet_ids == ("subnet-p1", "subnet-p2")
    with pytest.raises(ValidationError):
        outputs.vpc_id = "vpc-2"


# --- enforcement from policies/config/<stage>.json ---------------------------------------

LEVELS: tuple[Level, ...] = ("advisory", "mandatory", "remediate", "disabled")
STAGE_FILES = sorted((REPO / "policies" / "config").glob("*.json"))


def test_every_policy_verify_mirrors_is_a_pack_policy() -> None:
    pack_names = {policy.name for policy in POLICIES}
    assert pack_names >= MIRRORED_POLICIES
    assert {
        "eb-instances-in-private-subnets",
        "eb-env-properties-size-limit",
        "eb-model-environment-internal",
        "rds-not-publicly-accessible",
        "rds-storage-encrypted",
        "rds-multi-az",
        "eb-runs-stack-version",
        "sqs-queue-encrypted",
        "sqs-queue-has-dlq",
    } == MIRRORED_POLICIES


@pytest.mark.parametrize("path", STAGE_FILES, ids=lambda p: p.name)
def test_the_stage_file_sets_every_level(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """verify reads the same file as the pack: each level it uses is the file's, and a
    policy the file does not name keeps the level the pack declares."""
    monkeypatch.chdir(REPO)
    raw = json.loads(path.read_text(encoding="utf-8"))
    enforcement = load_enforcement(path.stem)
    assert enforcement.source == f"policies/config/{path.name}"
    for name in MIRRORED_POLICIES:
        given = raw.get(name)
        if isinstance(given, dict):
            given = given.get("enforcementLevel")
        expected = given or raw.get("all") or declared_levels()[name]
        assert enforcement.level(name) == expected, name
    assert enforcement.level(None) == "mandatory"


def test_a_stage_without_a_file_uses_the_packs_declared_levels(tmp_path: Path) -> None:
    enforcement = load_enforcement("qa", pack_dir=tmp_path)
    assert dict(enforcement.levels) == declared_levels()
    assert enforcement.levels["rds-multi-az"] == "mandatory"
    assert enforcement.source.startswith("the pack's declared levels (no ")


def test_all_then_each_policy_as_the_cli_reconciles(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "qa.json").write_text(
        json.dumps(
            {
                "all": "advisory",
                "rds-storage-encrypted": "mandatory",
                "rds-multi-az": {"enforcementLevel": "disabled"},
                "eb-env-properties-size-limit": {"someProperty": 1},
            }
        )
    )
    enforcement = load_enforcement("qa", pack_dir=tmp_path)
    assert enforcement.level("rds-storage-encrypted") == "mandatory"
    assert enforcement.level("rds-multi-az") == "disabled"
    assert enforcement.level("eb-env-properties-size-limit") == "advisory"
    assert enforcement.level("rds-not-publicly-accessible") == "advisory"


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("passed", [True, False])
def test_a_checks_status_follows_its_policys_level(level: Level, passed: bool) -> None:
    enforcement = Enforcement({"rds-multi-az": level}, "policies/config/x.json")
    result = apply_level(
        CheckResult("rds-multi-az", passed, "DB instance 'db' is single-AZ", "fix", "rds-multi-az"),
        enforcement,
    )
    expected = {
        "advisory": "WARN",
        "mandatory": "FAIL",
        "remediate": "FAIL",
        "disabled": "SKIP",
    }
    assert result.status == ("PASS" if passed else expected[level])
    assert result.failed == (result.status == "FAIL")
    assert exit_code([result]) == (1 if result.status == "FAIL" else 0)
    suffix = f" (rds-multi-az is {level} in policies/config/x.json)"
    assert result.detail.endswith(suffix) == (result.status in ("WARN", "SKIP"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON (line 1: Expecting property name enclosed in double quotes)"),
        ('["rds-multi-az"]', "expected a JSON object of policy name to level or object"),
        ('{"rds-multi-az": "strict"}', "'rds-multi-az': 'strict' is not a valid enforcement"),
        ('{"rds-multi-az": 3}', "'rds-multi-az': must be an enforcement level or an object"),
    ],
)
def test_a_malformed_pack_config_exits_2_naming_it(
    tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    code, out, err = call_main(tmp_path, GOOD_OUTPUTS, "--policy-pack-config", str(bad))
    assert code == 2
    assert out == ""
    assert err.startswith(f"verify: error: policy pack config {bad}: {message}")
    assert err.count("\n") == 1


def test_a_missing_pack_config_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    code, _, err = call_main(tmp_path, GOOD_OUTPUTS, "--policy-pack-config", str(missing))
    assert code == 2
    assert err == f"verify: error: policy pack config {missing} does not exist\n"


@pytest.mark.parametrize(
    "stack", ["x" * 101, "org/", "de v", "dev\n", "acme/web/prod!", "é"], ids=repr
)
def test_a_stack_name_pulumi_would_refuse_exits_2(tmp_path: Path, stack: str) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(GOOD_OUTPUTS), encoding="utf-8")
    err = io.StringIO()
    code = main(["--stack", stack, "--outputs", str(path)], out=io.StringIO(), err=err)
    assert code == 2
    assert err.getvalue() == (
        f"verify: error: stack name {stack!r}: the stack part after the last '/' must be 1 to "
        "100 letters, digits, '-', '_' or '.' (Pulumi's stack-name rule)\n"
    )


# --- the application version each environment runs (issue 12) ------------------------------


@pytest.mark.parametrize(
    ("running", "passed", "detail"),
    [
        ("web-c533e7499708", True, "web environment 'env-web' runs 'web-c533e7499708'"),
        (
            "web-000000000000",
            False,
            "web environment 'env-web' runs 'web-000000000000', but the stack deployed "
            "'web-c533e7499708'",
        ),
        (
            None,
            False,
            "web environment 'env-web' runs 'no version (the sample application)', but the "
            "stack deployed 'web-c533e7499708'",
        ),
    ],
)
def test_each_environment_runs_the_version_the_stack_deployed(
    running: str | None, passed: bool, detail: str
) -> None:
    from verify.checks import check_runs_stack_version

    description = {"EnvironmentName": "env-web", **({"VersionLabel": running} if running else {})}
    result = check_runs_stack_version("web", "env-web", description, "web-c533e7499708")  # type: ignore[arg-type]
    assert (result.check_id, result.passed, result.detail) == (
        "web-runs-stack-version",
        passed,
        detail,
    )
    assert result.policy == "eb-runs-stack-version"


@pytest.mark.parametrize(("stage", "status"), [("dev", "WARN"), ("prod", "FAIL")])
def test_a_version_mismatch_counts_at_the_policys_stage_level(stage: str, status: str) -> None:
    from verify.checks import check_runs_stack_version

    result = check_runs_stack_version(
        "model",
        "env-model",
        {"VersionLabel": "model-old"},
        "model-new",
    )
    leveled = apply_level(result, load_enforcement(stage))
    assert leveled.status == status


def test_version_labels_are_optional_outputs_but_never_a_secret_stand_in() -> None:
    assert "webVersionLabel" not in REQUIRED_OUTPUTS
    outputs = StackOutputs.from_mapping({**GOOD_OUTPUTS, "webVersionLabel": "web-1"}, "src")
    assert (outputs.web_version_label, outputs.model_version_label) == ("web-1", None)
    with pytest.raises(BadInput, match="webVersionLabel"):
        StackOutputs.from_mapping({**GOOD_OUTPUTS, "webVersionLabel": "[secret]"}, "src")
