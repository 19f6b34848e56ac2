"""Fixtures for every verify test: no test can reach a real AWS account; moto in process or
as a real HTTP server on loopback."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from tests.verify.support import REPO, fake_aws


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and no profile, metadata service, endpoint override or region from
    the environment; reports name policies/config/<stage>.json relative to the project."""
    fake_aws(monkeypatch, tmp_path / "no-aws-config")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.chdir(REPO)


@pytest.fixture
def moto() -> Iterator[None]:
    """moto's in-process AWS, fresh for the test."""
    with mock_aws():
        yield


@pytest.fixture
def moto_server() -> Iterator[str]:
    """A real moto HTTP server on a free loopback port, with fresh state."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        reset = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(reset, timeout=10):  # loopback only
            pass
        yield url
    finally:
        server.stop()
