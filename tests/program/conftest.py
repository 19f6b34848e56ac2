"""Fixtures of the pack tests on the program (test_pack_on_*.py), built once per module."""

from __future__ import annotations

import pytest

from preflight.export.state import State, from_deployment
from preflight.pack.load import LoadedPack, load_pack
from preflight.simulate.run import simulate
from tests.program.support_pack import ROOT, STAGES


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_pack(ROOT / "policies")


@pytest.fixture(scope="module")
def states() -> dict[str, State]:
    """Each stack as the program builds it, simulated once for the module."""
    return {stack: from_deployment(simulate(stack)) for stack in STAGES}
