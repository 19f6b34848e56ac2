"""AWS failures end to end, with verify's own clients rather than injected ones: `python -m
verify` over HTTP to 127.0.0.1, a closed port (`EndpointConnectionError`) and moto's server,
which answers `DescribeEnvironmentResources` with an HTML 500 page (`ResponseParserError`);
and a broken AWS configuration (a malformed config file, an unknown profile), which fails
before any call. Each exits 2 with one line. Mirrors verify/aws.py's client factory."""

from __future__ import annotations

import io
import socket
import subprocess
from pathlib import Path

import boto3
import pytest

from tests.verify.stubbed_dev import APP, MODEL_ENV, REGION, WEB_ENV
from tests.verify.support import run_module, write_outputs
from verify.cli import main

# --- over HTTP, as users run it -------------------------------------------------------


def run_cli(tmp_path: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    """`python -m verify` with every AWS endpoint pointed at `endpoint` (loopback)."""
    outputs = write_outputs(tmp_path)
    args = ["--stack", "dev", "--region", REGION, "--outputs", str(outputs)]
    return run_module(tmp_path, *args, AWS_ENDPOINT_URL=endpoint, AWS_MAX_ATTEMPTS="1")


def test_closed_port_exits_2_naming_the_first_call(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = run_cli(tmp_path, f"http://127.0.0.1:{port}")
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == (
        "verify: error: AWS call elasticbeanstalk:DescribeEnvironments failed: "
        f'EndpointConnectionError: Could not connect to the endpoint URL: "http://127.0.0.1:{port}/"\n'
    )


def test_an_endpoint_answering_html_exits_2(tmp_path: Path, moto_server: str) -> None:
    """moto's server has the environment but answers DescribeEnvironmentResources with an
    HTML 500 page: botocore raises ResponseParserError, verify names the call."""
    eb = boto3.client("elasticbeanstalk", endpoint_url=moto_server, region_name=REGION)
    eb.create_application(ApplicationName=APP)
    for env in (WEB_ENV, MODEL_ENV):
        eb.create_environment(
            ApplicationName=APP,
            EnvironmentName=env,
            SolutionStackName="64bit Amazon Linux 2023 v4.0.0 running Docker",
        )
    proc = run_cli(tmp_path, moto_server)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert proc.stderr == (
        "verify: error: AWS call elasticbeanstalk:DescribeEnvironmentResources failed: "
        "ResponseParserError: Unable to parse response (syntax error: line 1, column 0), "
        "invalid XML received. Further retries may succeed:\n"
    )


# --- setting up AWS, before any call ------------------------------------------------------


@pytest.mark.parametrize("region", [[], ["--region", REGION]], ids=["region-from-aws", "--region"])
@pytest.mark.parametrize(
    ("setting", "value", "reason"),
    [
        (
            "AWS_CONFIG_FILE",
            "[default\nregion = x\n",
            "ConfigParseError: Unable to parse config file: {path}",
        ),
        ("AWS_PROFILE", "nope", "ProfileNotFound: The config profile (nope) could not be found"),
    ],
    ids=["malformed-config-file", "unknown-profile"],
)
def test_broken_aws_configuration_exits_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    region: list[str],
    setting: str,
    value: str,
    reason: str,
) -> None:
    """The default client factory (aws_clients) and region lookup, not injected clients."""
    path = tmp_path / "aws-config"
    path.write_text(value, encoding="utf-8")
    monkeypatch.setenv(setting, str(path) if setting == "AWS_CONFIG_FILE" else value)
    outputs = write_outputs(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["--stack", "qa", "--outputs", str(outputs), *region], out=out, err=err)
    assert code == 2
    assert out.getvalue() == ""
    assert err.getvalue() == (
        f"verify: error: AWS configuration: {reason.format(path=path)} (check AWS_PROFILE, "
        "AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE)\n"
    )
