"""How strict each check is in a stage: decided by the same file the pack is run with,
`policies/config/<stage>.json` (`pulumi preview --policy-pack-config`), not by the stage's
name. A check mirrors one pack policy; where that policy is mandatory a broken guarantee
fails the run (exit 1), where it is advisory it is a warning, where it is disabled it is
skipped. `remediate` counts as mandatory: after deployment nothing is left to remediate.

Levels are reconciled as the CLI does: each policy starts at the level the pack declares,
then the file's `all` entry, then the policy's own entry. A stage without a file runs at the
pack's declared levels. The file is parsed by preflight's reader of the CLI's format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from preflight.inputs.errors import InputError
from preflight.pack.load import read_pack_config
from verify import PACK_DIR
from verify.pack import POLICIES

Level = Literal["advisory", "mandatory", "remediate", "disabled"]

_PACK_DEFAULT: Level = "mandatory"
"""The pack-wide level (`enforcement_level=` in policies/__main__.py), for a policy that
declares none; every policy in the pack declares its own today."""


def declared_levels() -> dict[str, Level]:
    """Each pack policy's own level, before any config file."""
    levels: dict[str, Level] = {}
    for policy in POLICIES:
        declared = policy.enforcement_level
        levels[policy.name] = declared.value if declared is not None else _PACK_DEFAULT
    return levels


@dataclass(frozen=True)
class Enforcement:
    """The level of every pack policy in one stage, and where it came from (for reports)."""

    levels: Mapping[str, Level]
    source: str
    """`policies/config/dev.json`, or the pack's declared levels when the stage has no file."""

    def level(self, policy: str | None) -> Level:
        """A check that mirrors no pack policy (environment health) is always mandatory."""
        if policy is None:
            return "mandatory"
        return self.levels[policy]


def load_enforcement(
    stage: str, config_file: Path | None = None, pack_dir: Path = PACK_DIR
) -> Enforcement:
    """The levels for `stage`: from `config_file` when given (it must exist), else from
    `<pack_dir>/config/<stage>.json` when that exists, else the pack's declared levels.
    A malformed file is a `InputError` naming the file and the entry."""
    levels = declared_levels()
    path = config_file if config_file is not None else pack_dir / "config" / f"{stage}.json"
    shown = _shown(path)
    if not _is_file(path):
        if config_file is not None:
            raise InputError(f"policy pack config {shown} does not exist")
        return Enforcement(levels, f"the pack's declared levels (no {shown})")
    try:
        file_config = read_pack_config(Path(shown))
    except InputError as problem:
        raise InputError(f"policy pack config {problem}") from None
    all_level = file_config.get("all", {}).get("level")
    if all_level:
        levels = dict.fromkeys(levels, cast(Level, all_level))
    for name, entry in file_config.items():
        if name != "all" and name in levels and entry.get("level"):
            levels[name] = cast(Level, entry["level"])
    return Enforcement(levels, shown)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say: then it is not a file
        return False


def _shown(path: Path) -> str:
    """The path relative to the working directory when it is under it (stable output)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
