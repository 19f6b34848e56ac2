"""The pack's own modules that preflight reads as they are (AWS facts, prices): imported with the
pack's folder on `sys.path`, as the Pulumi CLI runs the pack, so there is one copy of each fact."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType


def pack_module(name: str, project_dir: Path | None = None) -> ModuleType:
    """The pack's module `name` (e.g. `awsfacts.dns`, `pricing`), policies/ put on sys.path."""
    if project_dir is None:
        from preflight.stackfiles.project import PROJECT_ROOT

        project_dir = PROJECT_ROOT
    folder = str(project_dir / "policies")
    if folder not in sys.path:
        sys.path.append(folder)
    return importlib.import_module(name)
