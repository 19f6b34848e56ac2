"""Deterministic source bundles for Elastic Beanstalk application versions.

An app directory (``apps/web``, ``apps/model``) becomes one zip whose bytes depend only on the
files' relative paths and contents: entries sorted, every timestamp 1980-01-01 00:00:00 (the
earliest a zip can hold), every file mode 0644 (0755 when the source file is executable), no
directory entries, ZIP_DEFLATED at level 9. The version label is derived from the zip's SHA-256,
so an unchanged app keeps its label and a revert of the app restores the old label exactly.

What is left out: caches and anything not meant for deployment. The rule is an explicit list
(:data:`EXCLUDED_DIRS`, :data:`EXCLUDED_SUFFIXES`, :data:`EXCLUDED_NAMES`) rather than
``.ebignore``, which only the ``eb`` CLI reads; the list applies at every depth.

EB's Docker platform needs one of ``Dockerfile``, ``Dockerrun.aws.json`` (v1) or
``docker-compose.yml`` at the bundle root; :func:`build_bundle` refuses a directory without one.

This module is pure: no Pulumi import, no network, only the filesystem.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Directories never shipped, at any depth: caches, virtualenvs, VCS data and test suites (the
# apps' tests live in the repository's tests/ and run in CI, not on the instances).
EXCLUDED_DIRS: frozenset[str] = frozenset(
    {
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis",
        ".venv",
        "venv",
        ".git",
        "tests",
        "node_modules",
    }
)
EXCLUDED_SUFFIXES: tuple[str, ...] = (".pyc", ".pyo")
EXCLUDED_NAMES: frozenset[str] = frozenset({".DS_Store", ".ebignore", ".gitignore"})

# The repository's app directories, relative to the repository root: what each EB environment's
# bundle is built from. The model tier's bundle is only its container definition; the model
# repository beside it goes to S3 (Triton reads it from there) and never into a bundle.
APP_SOURCES: dict[str, Path] = {
    "web": Path("apps/web"),
    "model": Path("apps/model/eb"),
    "worker": Path("apps/worker"),
}
MODEL_REPOSITORY_SOURCE = Path("apps/model/model_repository")

# Budget for the web bundle, in bytes. The seed's pain was a scale-out that took 16+ minutes
# because every new web instance also brought up Triton and the model; the web bundle is source
# only (dependencies install from pinned requirements when the image builds), a few KiB today.
# 64 KiB leaves room to grow while any model file, vendored wheel or Triton asset breaks it.
WEB_BUNDLE_BUDGET_BYTES = 64 * 1024

# What EB's Docker platform looks for at the root of a source bundle.
DOCKER_ROOT_FILES: tuple[str, ...] = ("Dockerfile", "Dockerrun.aws.json", "docker-compose.yml")

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)
_COMPRESS_LEVEL = 9


@dataclass(frozen=True)
class Bundle:
    """One built bundle: the app it came from, the zip on disk and its content digest."""

    app: str  # "web", "model", "worker"
    path: Path  # the zip written under out_dir
    sha256: str  # hex digest of the zip bytes
    size: int  # bytes

    @property
    def label(self) -> str:
        """The EB version label: stable per content, at most 100 characters as EB requires."""
        return f"{self.app}-{self.sha256[:12]}"


def _excluded(relative: Path) -> bool:
    if any(part in EXCLUDED_DIRS for part in relative.parts[:-1]):
        return True
    name = relative.name
    return name in EXCLUDED_NAMES or name.endswith(EXCLUDED_SUFFIXES)


def bundle_files(source: Path) -> list[Path]:
    """The files a bundle of ``source`` holds, relative to it, in archive order."""
    found: list[Path] = []

    def walk(directory: Path) -> Iterator[Path]:
        for entry in os.scandir(directory):
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in EXCLUDED_DIRS:
                    yield from walk(path)
            elif entry.is_file(follow_symlinks=True):
                yield path

    for path in walk(source):
        relative = path.relative_to(source)
        if not _excluded(relative):
            found.append(relative)
    return sorted(found, key=lambda p: p.as_posix())


def _zip_info(relative: Path, executable: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(relative.as_posix(), date_time=_FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so external_attr carries the mode
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    return info


def build_bundle(source: Path, *, app: str, out_dir: Path) -> Bundle:
    """Zip ``source`` deterministically into ``out_dir/<app>-<sha12>.zip`` and describe it.

    Raises ValueError naming the directory when it is missing, holds no deployable file, or has
    none of EB's Docker root files (Dockerfile, Dockerrun.aws.json, docker-compose.yml).
    """
    if not app or not app.replace("-", "").isalnum():
        raise ValueError(f"bundle app name {app!r}: use letters, digits and '-' (e.g. 'web')")
    if not source.is_dir():
        raise ValueError(f"bundle source {source}: not a directory; create it or fix the path")
    files = bundle_files(source)
    if not files:
        raise ValueError(f"bundle source {source}: no files to deploy; add the app's files")
    names = {f.as_posix() for f in files}
    if not any(root in names for root in DOCKER_ROOT_FILES):
        raise ValueError(
            f"bundle source {source}: EB's Docker platform needs one of "
            f"{', '.join(DOCKER_ROOT_FILES)} at its root; add one"
        )

    out_dir.mkdir(parents=True, exist_ok=True)
    # A temporary file of this process's own: two builds at once (parallel tests, two
    # previews) must never write into each other's zip; os.replace then swaps in whole files.
    handle, name = tempfile.mkstemp(prefix=f".{app}-", suffix=".zip.tmp", dir=out_dir)
    os.close(handle)
    tmp = Path(name)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in files:
            full = source / relative
            executable = bool(full.stat().st_mode & stat.S_IXUSR)
            archive.writestr(
                _zip_info(relative, executable),
                full.read_bytes(),
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=_COMPRESS_LEVEL,
            )
    data = tmp.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    bundle = Bundle(
        app=app, path=out_dir / f"{app}-{digest[:12]}.zip", sha256=digest, size=len(data)
    )
    os.replace(tmp, bundle.path)
    return bundle
