"""One workspace per test session (per worker): the project copied once and the files the docs
name made once, for the documented commands and for every generated block."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scripts.doc_workspace import Workspace
from tests.preflight_support import Run


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return Workspace.create(tmp_path_factory.mktemp("docs-workspace"))


@pytest.fixture(scope="session")
def run_once(workspace: Workspace) -> Callable[[tuple[str, ...]], Run]:
    """Runs `(module, *args)` in the workspace, each distinct command line once per session
    (and only in the worker whose tests need it)."""
    done: dict[tuple[str, ...], Run] = {}

    def run(key: tuple[str, ...]) -> Run:
        if key not in done:
            module, *args = key
            in_process = module == "preflight"
            done[key] = workspace.preflight(*args) if in_process else workspace.module(*key)
        return done[key]

    return run
