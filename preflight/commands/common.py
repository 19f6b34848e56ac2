"""What every command shares: the exit codes, where the project and its pack config are, and
writing an output file (or stdout for '-')."""

from __future__ import annotations

import sys
from pathlib import Path

from preflight.inputs.errors import InputError

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT = 0, 1, 2
"""0 no mandatory violation, 1 at least one (or a refused plan), 2 bad input."""


def project_dir(arg: Path | None) -> Path:
    from preflight.stackfiles.project import PROJECT_ROOT

    return (arg or PROJECT_ROOT).resolve()


def pack_config(project: Path, stage: str) -> Path | None:
    """policies/config/<stage>.json, relative to the project when run from it (stable output)."""
    path = project / "policies" / "config" / f"{stage.split('/')[-1]}.json"
    if not path.is_file():
        return None
    try:
        return path.relative_to(Path.cwd())
    except (ValueError, OSError):  # elsewhere, or the working directory was deleted
        return path


def known_stages(project: Path) -> list[str]:
    """The stages that have a policy-pack config (policies/config/<stage>.json)."""
    return sorted(path.stem for path in (project / "policies" / "config").glob("*.json"))


def write_output(path: str, text: str) -> None:
    """`text` into `path`, or onto stdout for '-'."""
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be written: {exc.strerror}") from None
