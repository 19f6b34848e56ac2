"""Fixtures of the pack tests on the program (test_pack_on_*.py), built once per test session
and shared by those modules: every variant they judge is a copy (support_pack.py replaces,
never mutates), and each evaluation passes its own stage's config."""

from __future__ import annotations

import pytest

from preflight.export.state import State, from_deployment
from preflight.pack.load import LoadedPack, load_pack
from preflight.simulate.run import simulate
from tests.program.support_pack import ROOT, STAGES


@pytest.fixture(scope="session")
def pack() -> LoadedPack:
    return load_pack(ROOT / "policies")


@pytest.fixture(scope="session")
def states() -> dict[str, State]:
    """Each stack as the program builds it, simulated once for the session."""
    return {stack: from_deployment(simulate(stack)) for stack in STAGES}
