"""verify's command line as users run it: bad input (outputs, flags, stack names, pack
config, stack files, credentials, region) exits 2 with one line naming what is wrong, never
a traceback. Mirrors verify/cli.py."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from preflight.inputs.errors import InputError
from tests.cli_support import assert_one_line_error
from tests.verify.support import DEV_OUTPUTS, run_module, write_outputs
from verify.aws import Clients
from verify.cli import main, stack_config_region
from verify.outputs import REQUIRED_OUTPUTS
from verify.runner import stage_of


def test_missing_outputs_file_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    proc = run_module(
        tmp_path, "--stack", "dev", "--outputs", str(missing), "--region", "eu-west-1"
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == f"verify: error: outputs file {missing} does not exist\n"


def test_outputs_not_json_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "outputs.json"
    bad.write_text("Current stack outputs (11):\n", encoding="utf-8")
    proc = run_module(tmp_path, "--stack", "dev", "--outputs", str(bad), "--region", "eu-west-1")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"verify: error: outputs file {bad} is not JSON (line 1: Expecting value); "
        "make it with `pulumi stack output --json --show-secrets > FILE`\n"
    )
    assert "Traceback" not in proc.stderr


def test_without_outputs_and_without_the_cli_exits_2_suggesting_outputs(tmp_path: Path) -> None:
    proc = run_module(tmp_path, "--stack", "dev", "--region", "eu-west-1")
    assert proc.returncode == 2
    assert proc.stderr == (
        "verify: error: the Pulumi CLI (`pulumi`) is not installed, so stack outputs cannot be "
        "read; pass --outputs FILE made with `pulumi stack output --json --show-secrets`\n"
    )


def call_main(tmp_path: Path, outputs: object, *extra: str) -> tuple[int, str, str]:
    path = write_outputs(tmp_path, outputs)
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
    outputs = {k: v for k, v in DEV_OUTPUTS.items() if k not in ("vpcId", "dbEndpoint")}
    code, out, err = call_main(tmp_path, outputs)
    assert code == 2
    assert out == ""
    assert err == (
        f"verify: error: {tmp_path / 'outputs.json'} lacks stack output(s) dbEndpoint, vpcId; "
        f"expected all of: {', '.join(REQUIRED_OUTPUTS)}\n"
    )


def test_secret_placeholder_output_exits_2(tmp_path: Path) -> None:
    code, _, err = call_main(tmp_path, {**DEV_OUTPUTS, "dbEndpoint": "[secret]"})
    assert code == 2
    assert "stack output dbEndpoint" in err
    assert "--show-secrets" in err


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ([1, 2], "must hold a JSON object of stack outputs"),
        ({**DEV_OUTPUTS, "privateSubnetIds": "subnet-a1"}, "privateSubnetIds"),
        ({**DEV_OUTPUTS, "webEnvironmentName": ""}, "webEnvironmentName"),
    ],
)
def test_malformed_outputs_exit_2(tmp_path: Path, outputs: object, message: str) -> None:
    code, _, err = call_main(tmp_path, outputs)
    assert_one_line_error(code, err, "verify: error: ", message)


def test_bad_flag_exits_2_with_one_line(tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(["--stack", "dev", "--bogus"], out=io.StringIO(), err=err)
    assert_one_line_error(code, err.getvalue(), "verify: error: unrecognized arguments: --bogus")


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
    with pytest.raises(InputError, match=r"^Pulumi\.prod\.yaml: .*alias"):
        stack_config_region("prod", tmp_path)


def test_no_credentials_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    path = write_outputs(tmp_path)
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
    path = write_outputs(tmp_path)
    err = io.StringIO()
    code = main(["--stack", "qa", "--outputs", str(path)], out=io.StringIO(), err=err)
    assert code == 2
    assert err.getvalue() == (
        "verify: error: no AWS region: pass --region or set aws:region in Pulumi.qa.yaml\n"
    )


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
    code, out, err = call_main(tmp_path, DEV_OUTPUTS, "--policy-pack-config", str(bad))
    assert out == ""
    assert_one_line_error(code, err, f"verify: error: policy pack config {bad}: {message}")


def test_a_missing_pack_config_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    code, _, err = call_main(tmp_path, DEV_OUTPUTS, "--policy-pack-config", str(missing))
    assert code == 2
    assert err == f"verify: error: policy pack config {missing} does not exist\n"


@pytest.mark.parametrize(
    "stack", ["x" * 101, "org/", "de v", "dev\n", "acme/web/prod!", "é"], ids=repr
)
def test_a_stack_name_pulumi_would_refuse_exits_2(tmp_path: Path, stack: str) -> None:
    path = write_outputs(tmp_path)
    err = io.StringIO()
    code = main(["--stack", stack, "--outputs", str(path)], out=io.StringIO(), err=err)
    assert code == 2
    assert err.getvalue() == (
        f"verify: error: stack name {stack!r}: the stack part after the last '/' must be 1 to "
        "100 letters, digits, '-', '_' or '.' (Pulumi's stack-name rule)\n"
    )
