"""What every verify test needs: a fake AWS environment nothing real can be reached from, the
stack outputs of a healthy dev stack, and `python -m verify` run as users run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}
"""Fake credentials and no instance metadata service."""
NO_AWS = ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
"""What could point a test at a real account or endpoint."""


def fake_aws(env: pytest.MonkeyPatch, nowhere: Path) -> None:
    """Fake credentials; no profile, endpoint override, metadata service, config or
    credentials file (`nowhere` does not exist): nothing can reach a real AWS account."""
    for name in NO_AWS:
        env.delenv(name, raising=False)
    for name, value in FAKE_AWS.items():
        env.setenv(name, value)
    env.setenv("AWS_CONFIG_FILE", str(nowhere))
    env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere))


DEV_OUTPUTS: dict[str, object] = {
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
"""What `pulumi stack output --json --show-secrets` prints for a dev stack, in contract order."""


def run_module(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m verify ARGS` in a clean environment: fake credentials, no metadata service,
    no AWS config, and a PATH without the Pulumi CLI; `env` adds variables."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir(exist_ok=True)
    environment = {
        "PATH": str(empty_bin),
        "HOME": str(tmp_path),
        **FAKE_AWS,
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "PYTHONPATH": str(REPO),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "verify", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def write_outputs(tmp_path: Path, outputs: object = None) -> Path:
    """`outputs` (default: DEV_OUTPUTS) as the JSON file `--outputs` reads."""
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(DEV_OUTPUTS if outputs is None else outputs), encoding="utf-8")
    return path
