"""components/bundle.py: deterministic EB source bundles, and the two real app bundles."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.bundle import (
    APP_SOURCES,
    DOCKER_ROOT_FILES,
    MODEL_REPOSITORY_SOURCE,
    WEB_BUNDLE_BUDGET_BYTES,
    Bundle,
    build_bundle,
    bundle_contents,
)

ROOT = Path(__file__).resolve().parents[2]
FIXED = (1980, 1, 1, 0, 0, 0)


def write_tree(
    root: Path, files: dict[str, bytes], order: list[str] | None = None, mtime: float = 0
) -> None:
    for name in sorted(files) if order is None else order:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
        os.utime(path, (mtime, mtime))


# Relative paths of 1-3 segments from a small alphabet, so collisions and nesting both occur.
segment = st.text(alphabet="abcxyz01_-", min_size=1, max_size=6).filter(
    lambda s: s not in {"tests", "venv"}
)
rel_path = st.lists(segment, min_size=1, max_size=3).map("/".join)
trees = st.dictionaries(rel_path, st.binary(max_size=300), min_size=0, max_size=8).filter(
    lambda d: not any(a != b and b.startswith(a + "/") for a in d for b in d)
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=trees, data=st.data())
def test_same_content_gives_same_bytes_and_label_whatever_the_order_and_mtimes(
    tmp_path_factory, files, data
):
    files = {**files, "Dockerfile": b"FROM python:3.11-slim\n"}
    names = sorted(files)
    shuffled = data.draw(st.permutations(names))
    one, two = tmp_path_factory.mktemp("one"), tmp_path_factory.mktemp("two")
    write_tree(one / "src", files, names, mtime=1_000_000_000)
    write_tree(two / "src", files, list(shuffled), mtime=1_700_000_000)

    first = build_bundle(one / "src", app="web", out_dir=one / "out")
    second = build_bundle(two / "src", app="web", out_dir=two / "out")

    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256
    assert first.label == second.label
    with zipfile.ZipFile(first.path) as archive:
        assert archive.namelist() == names
        assert {info.date_time for info in archive.infolist()} == {FIXED}
        for name in names:
            assert archive.read(name) == files[name]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=trees.filter(bool), data=st.data())
def test_changing_one_file_changes_the_label(tmp_path_factory, files, data):
    files = {**files, "Dockerfile": b"FROM scratch\n"}
    victim = data.draw(st.sampled_from(sorted(files)))
    changed = {**files, victim: files[victim] + b"\n"}
    base = tmp_path_factory.mktemp("b")
    write_tree(base / "a", files, sorted(files), mtime=1_000_000_000)
    write_tree(base / "b", changed, sorted(changed), mtime=1_000_000_000)
    first = build_bundle(base / "a", app="model", out_dir=base / "out")
    second = build_bundle(base / "b", app="model", out_dir=base / "out")
    assert first.label != second.label
    assert first.path != second.path
    assert first.path.exists()
    assert second.path.exists()


def test_bundle_describes_the_zip_it_wrote(tmp_path):
    src = tmp_path / "src"
    write_tree(src, {"Dockerfile": b"FROM scratch\n", "app/main.py": b"x = 1\n"})
    bundle = build_bundle(src, app="worker", out_dir=tmp_path / "out")
    data = bundle.path.read_bytes()
    assert isinstance(bundle, Bundle)
    assert bundle.app == "worker"
    assert bundle.sha256 == hashlib.sha256(data).hexdigest()
    assert bundle.size == len(data)
    assert bundle.label == f"worker-{bundle.sha256[:12]}"
    assert bundle.path == tmp_path / "out" / f"{bundle.label}.zip"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{bundle.label}.zip"]


def test_modes_are_fixed_and_only_the_executable_bit_is_kept(tmp_path):
    src = tmp_path / "src"
    write_tree(src, {"Dockerfile": b"FROM scratch\n", "run.sh": b"#!/bin/sh\n"})
    (src / "Dockerfile").chmod(0o600)
    (src / "run.sh").chmod(0o700)
    bundle = build_bundle(src, app="web", out_dir=tmp_path / "out")
    with zipfile.ZipFile(bundle.path) as archive:
        modes = {i.filename: (i.external_attr >> 16) for i in archive.infolist()}
        kinds = {i.filename: i.compress_type for i in archive.infolist()}
    assert modes == {"Dockerfile": stat.S_IFREG | 0o644, "run.sh": stat.S_IFREG | 0o755}
    assert set(kinds.values()) == {zipfile.ZIP_DEFLATED}


def test_caches_bytecode_and_tests_are_left_out(tmp_path):
    src = tmp_path / "src"
    files = {
        "Dockerfile": b"FROM scratch\n",
        "app/main.py": b"x = 1\n",
        "app/__pycache__/main.cpython-311.pyc": b"\0",
        "app/stale.pyc": b"\0",
        "tests/test_main.py": b"def test(): pass\n",
        "app/tests/test_deep.py": b"def test(): pass\n",
        ".pytest_cache/v/cache/nodeids": b"[]",
        ".venv/bin/python": b"",
        ".DS_Store": b"\0",
    }
    write_tree(src, files)
    bundle = build_bundle(src, app="web", out_dir=tmp_path / "out")
    with zipfile.ZipFile(bundle.path) as archive:
        assert archive.namelist() == ["Dockerfile", "app/main.py"]


@pytest.mark.parametrize("root_file", DOCKER_ROOT_FILES)
def test_each_docker_root_file_is_accepted(tmp_path, root_file):
    write_tree(tmp_path / "src", {root_file: b"x\n"})
    bundle = build_bundle(tmp_path / "src", app="web", out_dir=tmp_path / "out")
    with zipfile.ZipFile(bundle.path) as archive:
        assert archive.namelist() == [root_file]


def error_of(source: Path, out: Path) -> str:
    with pytest.raises(ValueError, match=r"^bundle source ") as info:
        build_bundle(source, app="web", out_dir=out)
    return str(info.value)


def test_bad_sources_raise_one_clear_line(tmp_path):
    out = tmp_path / "out"
    missing = tmp_path / "missing"
    assert error_of(missing, out) == (
        f"bundle source {missing}: not a directory; create it or fix the path"
    )

    empty = tmp_path / "empty"
    (empty / "__pycache__").mkdir(parents=True)
    (empty / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert error_of(empty, out) == f"bundle source {empty}: no files to deploy; add the app's files"

    nested = tmp_path / "nested"
    files = {"sub/Dockerfile": b"FROM scratch\n", "main.py": b""}
    write_tree(nested, files)
    assert error_of(nested, out) == (
        f"bundle source {nested}: EB's Docker platform needs one of "
        "Dockerfile, Dockerrun.aws.json, docker-compose.yml at its root; add one"
    )
    assert not out.exists()


@pytest.mark.parametrize("app", ["", "web app", "../web", "web_1"])
def test_bad_app_names_are_refused(tmp_path, app):
    write_tree(tmp_path / "src", {"Dockerfile": b"x"})
    with pytest.raises(
        ValueError, match=r"^bundle app name .*: use letters, digits and '-' \(e\.g\. 'web'\)$"
    ):
        build_bundle(tmp_path / "src", app=app, out_dir=tmp_path / "out")


# --- bundle.toml: files copied and rendered from outside the directory ------------------------

TEMPLATE = b'FROM python:3.11-slim\nCOPY @PACKAGE@ ./@PACKAGE@\nCMD ["@PACKAGE@", "${N:-@N@}"]\n'
MANIFEST_TEXT = """
[copy]
"common.py" = "../shared/common.py"

[render."Dockerfile"]
template = "../shared/Dockerfile.in"
values = { PACKAGE = "app", N = "2" }
"""


def write_shared_app(root: Path, manifest: str = MANIFEST_TEXT) -> Path:
    files = {
        "shared/common.py": b"SHARED = 1\n",
        "shared/Dockerfile.in": TEMPLATE,
        "app/app/main.py": b"import common\n",
        "app/bundle.toml": manifest.encode(),
    }
    write_tree(root, files)
    return root / "app"


def test_bundle_toml_copies_and_renders_files_from_outside_the_directory(tmp_path):
    source = write_shared_app(tmp_path / "src")
    (tmp_path / "src/shared/common.py").chmod(0o755)
    bundle = build_bundle(source, app="web", out_dir=tmp_path / "out")
    with zipfile.ZipFile(bundle.path) as archive:
        assert archive.namelist() == ["Dockerfile", "app/main.py", "common.py"]
        assert archive.read("common.py") == b"SHARED = 1\n"
        assert archive.read("Dockerfile") == (
            b'FROM python:3.11-slim\nCOPY app ./app\nCMD ["app", "${N:-2}"]\n'
        )
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert modes == {"Dockerfile": 0o644, "app/main.py": 0o644, "common.py": 0o755}
    assert sorted(bundle_contents(source)) == ["Dockerfile", "app/main.py", "common.py"]


def test_a_bundle_follows_its_shared_files(tmp_path):
    source = write_shared_app(tmp_path / "src")
    first = build_bundle(source, app="web", out_dir=tmp_path / "one")
    again = build_bundle(source, app="web", out_dir=tmp_path / "two")
    assert again.path.read_bytes() == first.path.read_bytes()
    (tmp_path / "src/shared/common.py").write_bytes(b"SHARED = 2\n")
    assert build_bundle(source, app="web", out_dir=tmp_path / "one").label != first.label
    (tmp_path / "src/shared/common.py").write_bytes(b"SHARED = 1\n")
    (tmp_path / "src/shared/Dockerfile.in").write_bytes(TEMPLATE + b"EXPOSE 8000\n")
    assert build_bundle(source, app="web", out_dir=tmp_path / "one").label != first.label


COPY = '[copy]\n"common.py" = "../shared/common.py"\n'
RENDER = '[render."Dockerfile"]\ntemplate = "../shared/Dockerfile.in"\n'


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        (
            '[copy]\n"common.py" = "../shared/gone.py"\n'
            + RENDER
            + 'values = {PACKAGE = "a", N = "1"}',
            '[copy] "common.py" names {root}/shared/gone.py, which is not a file; '
            "restore it or fix the path in {root}/app/bundle.toml",
        ),
        (
            '[render."Dockerfile"]\ntemplate = "../Dockerfile.in"\n',
            '[render."Dockerfile"] template names {root}/Dockerfile.in, which is not a file; '
            "restore it or fix the path in {root}/app/bundle.toml",
        ),
        (
            COPY + RENDER + 'values = { PACKAGE = "app" }',
            '{root}/shared/Dockerfile.in uses @N@, which [render."Dockerfile"] values does not '
            "set; set them",
        ),
        (
            COPY + RENDER + 'values = { PACKAGE = "a", N = "1", EXTRA = "x" }',
            '[render."Dockerfile"] values sets EXTRA, which {root}/shared/Dockerfile.in does not '
            "use; remove them",
        ),
        (
            COPY + RENDER + 'values = { PACKAGE = "a", N = 1 }',
            '[render."Dockerfile"] values N: use one-line strings',
        ),
        (
            COPY + RENDER + 'values = { PACKAGE = "a\\nRUN x", N = "1" }',
            '[render."Dockerfile"] values PACKAGE: use one-line strings',
        ),
        (
            COPY + RENDER + 'value = { PACKAGE = "a", N = "1" }',
            '[render."Dockerfile"] has value; use template and values',
        ),
        (
            '[copy]\n"../common.py" = "../shared/common.py"\n',
            "[copy] '../common.py' is not a relative path inside the bundle; "
            "use a relative path such as 'app/logs.py'",
        ),
        (
            '[copy]\n"/common.py" = "../shared/common.py"\n',
            "[copy] '/common.py' is not a relative path inside the bundle; "
            "use a relative path such as 'app/logs.py'",
        ),
        (
            '[copy]\n"app/main.py" = "../shared/common.py"\n',
            "bundle.toml adds app/main.py, which the directory holds itself; delete one of the two",
        ),
        (
            '[copy]\n"Dockerfile" = "../shared/common.py"\n' + RENDER,
            "'Dockerfile' is both copied and rendered; keep one",
        ),
        ('copy = "common.py"\n', "[copy] must be a table"),
        ('[copy]\n"common.py" = 3\n', '[copy] "common.py" must be a path relative to {root}/app'),
        ("[files]\n", "unknown table files; use [copy] and [render]"),
        (
            "[copy\n",
            "bundle.toml is not valid TOML (Expected ']' at the end of a table declaration "
            "(at line 1, column 6)); fix it",
        ),
    ],
)
def test_a_wrong_bundle_toml_is_one_line_naming_the_path_and_the_fix(tmp_path, manifest, problem):
    source = write_shared_app(tmp_path, manifest)
    message = problem.format(root=tmp_path)
    prefix = "" if message.startswith("bundle.toml ") else "bundle.toml: "
    assert error_of(source, tmp_path / "out") == f"bundle source {source}: {prefix}{message}"
    assert not (tmp_path / "out").exists()


# --- the repository's real app bundles -------------------------------------------------------

MODEL_MARKERS = (".onnx", ".pbtxt", ".plan", ".pt", ".savedmodel", ".engine")


@pytest.fixture(scope="module")
def app_bundles(tmp_path_factory) -> dict[str, Bundle]:
    out = tmp_path_factory.mktemp("bundles")
    return {app: build_bundle(ROOT / src, app=app, out_dir=out) for app, src in APP_SOURCES.items()}


def test_the_app_sources_are_web_model_and_worker(app_bundles):
    assert set(app_bundles) == {"web", "model", "worker"}
    for app, bundle in app_bundles.items():
        assert re.fullmatch(rf"{app}-[0-9a-f]{{12}}", bundle.label)


def test_app_bundles_are_reproducible(app_bundles, tmp_path):
    for app, bundle in app_bundles.items():
        again = build_bundle(ROOT / APP_SOURCES[app], app=app, out_dir=tmp_path)
        assert again.path.read_bytes() == bundle.path.read_bytes()
        assert again.label == bundle.label


def test_web_bundle_holds_the_fastapi_app_and_nothing_of_the_model_tier(app_bundles):
    bundle = app_bundles["web"]
    with zipfile.ZipFile(bundle.path) as archive:
        names = archive.namelist()
        texts = {n: archive.read(n).decode() for n in names}
    assert names == [
        "Dockerfile",
        "applogs.py",
        "requirements.txt",
        "webapp/__init__.py",
        "webapp/jobs.py",
        "webapp/main.py",
        "webapp/model_client.py",
        "webapp/settings.py",
    ]
    assert not [n for n in names if n.endswith(MODEL_MARKERS) or "model_repository" in n]
    for name, text in texts.items():
        assert "tritonserver" not in text.lower(), name
        assert "nvcr.io" not in text, name
        assert "onnx" not in text.lower(), name
    assert "EXPOSE 8000" in texts["Dockerfile"]


def test_worker_bundle_holds_the_worker_app_and_the_shared_logs(app_bundles):
    with zipfile.ZipFile(app_bundles["worker"].path) as archive:
        assert archive.namelist() == [
            "Dockerfile",
            "applogs.py",
            "requirements.txt",
            "workerapp/__init__.py",
            "workerapp/idempotency.py",
            "workerapp/main.py",
            "workerapp/settings.py",
        ]


def test_web_bundle_stays_under_its_budget(app_bundles):
    # The budget is justified in components/bundle.py and docs/apps.md: the seed's web instances
    # took 16+ minutes to scale out because they also carried Triton and the model.
    assert WEB_BUNDLE_BUDGET_BYTES == 64 * 1024
    assert app_bundles["web"].size < WEB_BUNDLE_BUDGET_BYTES


def test_model_bundle_is_the_container_definition_without_the_model(app_bundles):
    with zipfile.ZipFile(app_bundles["model"].path) as archive:
        assert archive.namelist() == ["docker-compose.yml"]
    assert (ROOT / MODEL_REPOSITORY_SOURCE / "scorer" / "1" / "model.onnx").is_file()


def test_each_app_bundle_has_a_docker_root_file(app_bundles):
    for bundle in app_bundles.values():
        with zipfile.ZipFile(bundle.path) as archive:
            assert set(archive.namelist()) & set(DOCKER_ROOT_FILES)
