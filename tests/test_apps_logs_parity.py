"""The web and worker apps' structured logging is one file kept as two copies.

Each app is bundled on its own (its zip holds only its own directory, `components.bundle`), so
`apps/worker/workerapp/logs.py` cannot import `apps/web/webapp/logs.py`: the copy stays, and
these tests pin it to the original byte for byte.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "apps/web/webapp/logs.py"
WORKER = ROOT / "apps/worker/workerapp/logs.py"


def test_the_worker_s_logs_py_is_the_web_s_byte_for_byte() -> None:
    web, worker = WEB.read_text(encoding="utf-8"), WORKER.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            web.splitlines(keepends=True),
            worker.splitlines(keepends=True),
            str(WEB.relative_to(ROOT)),
            str(WORKER.relative_to(ROOT)),
        )
    )
    assert web == worker, f"the two logs.py copies differ; change both together:\n{diff}"


def test_every_app_s_logs_py_is_the_same_file() -> None:
    """A third app that copies logs.py is held to the same code."""
    copies = sorted(ROOT.glob("apps/*/*/logs.py"))
    assert {WEB, WORKER} <= set(copies)
    different = [str(p.relative_to(ROOT)) for p in copies if p.read_bytes() != WEB.read_bytes()]
    assert different == []


@pytest.mark.parametrize(
    ("path", "module", "app_logger"),
    [
        (WEB, "webapp.logs", "webapp"),  # how uvicorn imports it in the web bundle
        (WEB, "apps.web.webapp.logs", "webapp"),  # how the tests import it
        (WORKER, "workerapp.logs", "workerapp"),
        (WORKER, "apps.worker.workerapp.logs", "workerapp"),
    ],
)
def test_the_shared_code_configures_its_own_app_s_logger(
    path: Path, module: str, app_logger: str
) -> None:
    spec = importlib.util.spec_from_file_location(module, path)
    assert spec is not None
    assert spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    configured = loaded.LOGGERS
    assert configured == (app_logger, "uvicorn", "uvicorn.error", "uvicorn.access")
