"""Deterministic source bundles for Elastic Beanstalk application versions.

An app directory (``apps/web``, ``apps/model``) becomes one zip whose bytes depend only on the
paths and contents of its files (and of the files its ``bundle.toml`` adds): entries sorted,
every timestamp 1980-01-01 00:00:00 (the earliest a zip can hold), every file mode 0644 (0755
when the source file is executable), no directory entries, ZIP_DEFLATED at level 9. The version
label is derived from the zip's SHA-256, so an unchanged app keeps its label and a revert of the
app restores the old label exactly.

What is left out: caches and anything not meant for deployment. The rule is an explicit list
(:data:`EXCLUDED_DIRS`, :data:`EXCLUDED_SUFFIXES`, :data:`EXCLUDED_NAMES`) rather than
``.ebignore``, which only the ``eb`` CLI reads; the list applies at every depth.

A directory may add files from outside itself with a ``bundle.toml`` at its root (not shipped):
``[copy]`` maps a bundle path to a file to copy, ``[render."<bundle path>"]`` names a ``template``
and the ``values`` of its ``@NAME@`` placeholders. Paths are relative to the directory. The Python
apps use it to carry one shared module and one shared Dockerfile template (``apps/shared/``).

EB's Docker platform needs one of ``Dockerfile``, ``Dockerrun.aws.json`` (v1) or
``docker-compose.yml`` at the bundle root; :func:`build_bundle` refuses a directory without one.

This module is pure: no Pulumi import, no network, only the filesystem.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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

# The optional recipe at an app directory's root: what its bundle holds besides the directory's own
# files. The bundler reads it; it is never shipped.
MANIFEST = "bundle.toml"
_PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")

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


@dataclass(frozen=True)
class BundleFile:
    """One entry of a bundle: its bytes, and whether it is shipped executable (mode 0755)."""

    data: bytes
    executable: bool


def _excluded(relative: Path) -> bool:
    if any(part in EXCLUDED_DIRS for part in relative.parts[:-1]):
        return True
    name = relative.name
    return name in EXCLUDED_NAMES or name.endswith(EXCLUDED_SUFFIXES)


def bundle_files(source: Path) -> list[Path]:
    """The directory's own files a bundle of ``source`` holds, relative to it, in archive order."""
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
        if not _excluded(relative) and relative != Path(MANIFEST):
            found.append(relative)
    return sorted(found, key=lambda p: p.as_posix())


def _executable(path: Path) -> bool:
    return bool(path.stat().st_mode & stat.S_IXUSR)


def _read(path: Path) -> BundleFile:
    return BundleFile(path.read_bytes(), executable=_executable(path))


def _problem(source: Path, text: str) -> ValueError:
    return ValueError(f"bundle source {source}: {text}")


def _table(source: Path, value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _problem(source, f"{MANIFEST}: {where} must be a table")
    return value


def _load_manifest(source: Path) -> dict[str, object]:
    path = source / MANIFEST
    if not path.is_file():
        return {}
    try:
        manifest = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise _problem(source, f"{MANIFEST} is not valid TOML ({error}); fix it") from None
    unknown = sorted(set(manifest) - {"copy", "render"})
    if unknown:
        raise _problem(
            source, f"{MANIFEST}: unknown table {', '.join(unknown)}; use [copy] and [render]"
        )
    return manifest


def _bundle_path(source: Path, name: str, where: str) -> str:
    """``name`` when it is a plain relative path inside the bundle; ValueError otherwise."""
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts or pure.as_posix() != name:
        raise _problem(
            source,
            f"{MANIFEST}: {where} {name!r} is not a relative path inside the bundle; "
            "use a relative path such as 'app/logs.py'",
        )
    return name


def _named_file(source: Path, relative: object, where: str) -> Path:
    """The file a manifest entry names, relative to ``source``; ValueError when it is missing."""
    if not isinstance(relative, str) or not relative:
        raise _problem(source, f"{MANIFEST}: {where} must be a path relative to {source}")
    path = Path(os.path.normpath(source / relative))
    if not path.is_file():
        raise _problem(
            source,
            f"{MANIFEST}: {where} names {path}, which is not a file; "
            f"restore it or fix the path in {source / MANIFEST}",
        )
    return path


def _render(source: Path, name: str, recipe: object) -> BundleFile:
    """The template a ``[render."<name>"]`` entry names, every ``@NAME@`` replaced by its value."""
    where = f'[render."{name}"]'
    table = _table(source, recipe, where)
    unknown = sorted(set(table) - {"template", "values"})
    if unknown:
        raise _problem(
            source, f"{MANIFEST}: {where} has {', '.join(unknown)}; use template and values"
        )
    template = _named_file(source, table.get("template"), f"{where} template")
    values = _table(source, table.get("values", {}), f"{where} values")
    text = template.read_text(encoding="utf-8")
    used = set(_PLACEHOLDER.findall(text))
    if missing := sorted(used - set(values)):
        raise _problem(
            source,
            f"{MANIFEST}: {template} uses {', '.join(f'@{n}@' for n in missing)}, "
            f"which {where} values does not set; set them",
        )
    if unused := sorted(set(values) - used):
        raise _problem(
            source,
            f"{MANIFEST}: {where} values sets {', '.join(unused)}, "
            f"which {template} does not use; remove them",
        )
    if bad := sorted(k for k, v in values.items() if not isinstance(v, str) or "\n" in v):
        raise _problem(source, f"{MANIFEST}: {where} values {', '.join(bad)}: use one-line strings")
    rendered = _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)
    return BundleFile(rendered.encode("utf-8"), executable=_executable(template))


def bundle_contents(source: Path) -> dict[str, BundleFile]:
    """What a bundle of ``source`` holds, by archive name in archive order: the directory's own
    files and what its ``bundle.toml`` copies and renders into it.

    Raises ValueError naming the path and the fix when the manifest is malformed, names a file
    that does not exist, or adds a path twice or over one of the directory's own files.
    """
    contents = {relative.as_posix(): _read(source / relative) for relative in bundle_files(source)}
    manifest = _load_manifest(source)
    added: dict[str, BundleFile] = {}
    for name, relative in _table(source, manifest.get("copy", {}), "[copy]").items():
        path = _named_file(source, relative, f'[copy] "{name}"')
        added[_bundle_path(source, name, "[copy]")] = _read(path)
    for name, recipe in _table(source, manifest.get("render", {}), "[render]").items():
        if _bundle_path(source, name, "[render]") in added:
            raise _problem(source, f"{MANIFEST}: {name!r} is both copied and rendered; keep one")
        added[name] = _render(source, name, recipe)
    clash = sorted(set(added) & set(contents))
    if clash:
        raise _problem(
            source,
            f"{MANIFEST} adds {', '.join(clash)}, which the directory holds itself; "
            "delete one of the two",
        )
    return dict(sorted({**contents, **added}.items()))


def _zip_info(name: str, executable: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so external_attr carries the mode
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    return info


def build_bundle(source: Path, *, app: str, out_dir: Path) -> Bundle:
    """Zip ``source`` deterministically into ``out_dir/<app>-<sha12>.zip`` and describe it.

    Raises ValueError naming the directory when it is missing, holds no deployable file, or has
    none of EB's Docker root files (Dockerfile, Dockerrun.aws.json, docker-compose.yml), and
    naming the path and the fix when its ``bundle.toml`` is wrong (:func:`bundle_contents`).
    """
    if not app or not app.replace("-", "").isalnum():
        raise ValueError(f"bundle app name {app!r}: use letters, digits and '-' (e.g. 'web')")
    if not source.is_dir():
        raise _problem(source, "not a directory; create it or fix the path")
    contents = bundle_contents(source)
    if not contents:
        raise _problem(source, "no files to deploy; add the app's files")
    if not any(root in contents for root in DOCKER_ROOT_FILES):
        roots = ", ".join(DOCKER_ROOT_FILES)
        raise _problem(source, f"EB's Docker platform needs one of {roots} at its root; add one")

    out_dir.mkdir(parents=True, exist_ok=True)
    # A temporary file of this process's own: two builds at once (parallel tests, two
    # previews) must never write into each other's zip; os.replace then swaps in whole files.
    handle, name = tempfile.mkstemp(prefix=f".{app}-", suffix=".zip.tmp", dir=out_dir)
    os.close(handle)
    tmp = Path(name)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry_name, entry in contents.items():
            archive.writestr(
                _zip_info(entry_name, entry.executable),
                entry.data,
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
