"""apps/shared: what the web and worker apps share, once: the structured-logs module and the
Dockerfile template.

Each app's bundle.toml has components/bundle.py copy apps/shared/applogs.py to the bundle's root
and render apps/shared/Dockerfile.in into its Dockerfile. The apps import the module as the
top-level `applogs`, which in the repository pyproject.toml puts on the path (pytest's pythonpath,
mypy's mypy_path).
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

ROOT = Path(__file__).resolve().parents[2]
SHARED_LOGS = ROOT / "apps/shared/applogs.py"
PACKAGES = {"web": "webapp", "worker": "workerapp"}


def expected_dockerfile(package: str, workers: int) -> list[str]:
    return [
        f"# The {package} image. components/bundle.py renders this file into the app's EB bundle "
        "from",
        "# apps/shared/Dockerfile.in and the values in the app's bundle.toml: change those, not "
        "the bundle.",
        "# EB's Docker platform builds it on the instance: a slim Python image with the pinned "
        "requirements,",
        "# the shared modules and the app's package. Nothing of the model tier is here: no "
        "Triton, no model",
        "# files, no GPU libraries, so a scaled-out instance fetches a small bundle and serves in "
        "minutes.",
        "FROM python:3.11-slim",
        "",
        "ENV PYTHONDONTWRITEBYTECODE=1 \\",
        "    PYTHONUNBUFFERED=1 \\",
        "    PIP_NO_CACHE_DIR=1 \\",
        "    PIP_DISABLE_PIP_VERSION_CHECK=1",
        "",
        "WORKDIR /srv",
        "COPY requirements.txt .",
        "RUN pip install -r requirements.txt",
        "COPY applogs.py .",
        f"COPY {package} ./{package}",
        "",
        "USER nobody",
        "# EB's nginx proxy forwards port 80 to the port the image exposes.",
        "EXPOSE 8000",
        "# Processes: the environment property UVICORN_WORKERS, else the app's default (its "
        "bundle.toml).",
        f'CMD ["sh", "-c", "exec uvicorn --factory {package}.main:create_app --host 0.0.0.0 '
        f'--port 8000 --workers ${{UVICORN_WORKERS:-{workers}}} --no-access-log"]',
    ]


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
@pytest.mark.parametrize(("app", "workers"), [("web", 2), ("worker", 1)])
def test_each_python_bundle_s_dockerfile_is_the_shared_template_with_its_values(
    app, workers, tmp_path
):
    bundle = build_bundle(ROOT / APP_SOURCES[app], app=app, out_dir=tmp_path)
    with zipfile.ZipFile(bundle.path) as archive:
        lines = archive.read("Dockerfile").decode().split("\n")
    assert lines == [*expected_dockerfile(PACKAGES[app], workers), ""]
    assert not list(ROOT.glob("apps/*/Dockerfile")), "an app carries its own Dockerfile again"


def test_configure_gives_the_app_s_and_uvicorn_s_loggers_one_json_handler() -> None:
    app_log = logging.getLogger("someapp")
    applogs.configure(app_log, "WARNING")
    for name in ("someapp", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        assert [type(h) for h in logger.handlers] == [applogs.StdoutHandler], name
        assert [type(h.formatter) for h in logger.handlers] == [applogs.JsonFormatter], name
        assert (logger.level, logger.propagate) == (logging.WARNING, False), name
    assert applogs.UVICORN_LOGGERS == ("uvicorn", "uvicorn.error", "uvicorn.access")
