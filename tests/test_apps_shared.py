"""apps/shared: the one structured-logs module the web and worker apps share.

Each app's bundle.toml has components/bundle.py copy apps/shared/applogs.py to the bundle's root;
the apps import it as the top-level module `applogs`, which in the repository pyproject.toml puts
on the path (pytest's pythonpath, mypy's mypy_path).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import applogs
from components.bundle import APP_SOURCES, build_bundle

ROOT = Path(__file__).resolve().parent.parent
SHARED_LOGS = ROOT / "apps/shared/applogs.py"
PACKAGES = {"web": "webapp", "worker": "workerapp"}


def test_the_tests_import_the_shared_file_itself() -> None:
    assert Path(applogs.__file__) == SHARED_LOGS
    assert not list(ROOT.glob("apps/*/*/logs.py")), "an app carries its own logs.py again"


@pytest.mark.parametrize("app", sorted(PACKAGES))
def test_each_python_bundle_carries_the_shared_file_where_the_app_imports_it(app, tmp_path):
    bundle = build_bundle(ROOT / APP_SOURCES[app], app=app, out_dir=tmp_path / "out")
    with zipfile.ZipFile(bundle.path) as archive:
        assert archive.read("applogs.py") == SHARED_LOGS.read_bytes()
        archive.extractall(tmp_path / "srv")
    # As uvicorn runs in the image: the bundle's root first on sys.path, nothing of the repository.
    package = PACKAGES[app]
    probe = (
        "import sys; sys.path.insert(0, '.'); import logging; "
        f"import {package}.main, applogs; "
        f"applogs.configure(logging.getLogger({package!r}), 'INFO'); "
        f"logging.getLogger({package!r}).info('up', extra={{'app': {app!r}}}); "
        "print(applogs.__file__, file=sys.stderr)"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        cwd=tmp_path / "srv",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert Path(run.stderr.strip()).resolve() == (tmp_path / "srv" / "applogs.py").resolve()
    entry = json.loads(run.stdout)
    assert (entry["logger"], entry["level"], entry["message"], entry["app"]) == (
        package,
        "INFO",
        "up",
        app,
    )


@pytest.fixture
def restored_loggers():
    """uvicorn's loggers as they were: the apps' own tests configure them too."""
    loggers = [logging.getLogger(name) for name in ("someapp", *applogs.UVICORN_LOGGERS)]
    saved = [(log.handlers[:], log.level, log.propagate) for log in loggers]
    yield
    for log, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        log.handlers[:], log.level, log.propagate = handlers, level, propagate


@pytest.mark.usefixtures("restored_loggers")
def test_configure_gives_the_app_s_and_uvicorn_s_loggers_one_json_handler() -> None:
    app_log = logging.getLogger("someapp")
    applogs.configure(app_log, "WARNING")
    for name in ("someapp", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        assert [type(h) for h in logger.handlers] == [applogs.StdoutHandler], name
        assert [type(h.formatter) for h in logger.handlers] == [applogs.JsonFormatter], name
        assert (logger.level, logger.propagate) == (logging.WARNING, False), name
    assert applogs.UVICORN_LOGGERS == ("uvicorn", "uvicorn.error", "uvicorn.access")
