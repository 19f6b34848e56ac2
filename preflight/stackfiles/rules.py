"""What a project tells preflight about its own stack files: which `secure:` values it refuses,
what stand-in a secret known only as ciphertext becomes, and what a valid `aws:region` is.

preflight knows no project. A project names its rules in `pyproject.toml`:

    [tool.preflight]
    project-rules = "components.config.stackfile_rules:RULES"

(module and attribute, imported with the project folder on `sys.path`, the way the Pulumi
language host imports the program). Without that entry, `GENERIC_RULES` apply.
"""

from __future__ import annotations

import importlib
import sys
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Protocol

from preflight.inputs.errors import InputError


class ProjectRules(Protocol):
    """The project's own rules for its stack files (its program applies the same ones)."""

    def secure_value_problem(self, key: str, path: tuple[str, ...]) -> str | None:
        """Why a `secure:` value at `key` (full key) and `path` inside it is refused, or None."""
        ...

    def secret_stand_in(self, key: str, path: tuple[str, ...], digest: str, region: str) -> str:
        """A deterministic value shaped like the secret it stands in for (no secrets provider)."""
        ...

    def region_problem(self, value: object) -> str | None:
        """Why `aws:region` is not a region the program can use, or None."""
        ...

    def config_problems(self, values: Mapping[str, str], secret_keys: Collection[str]) -> list[str]:
        """Everything the program would refuse in this config (the strings the language host
        hands it): asked when the stack file already has a problem, so all show at once."""
        ...

    def config_key(self, policy: str, tags: Mapping[str, Any]) -> str | None:
        """The config key (`webmodel:database.multiAz`) that sets what `policy` judged on a
        resource with these tags, when the program takes it from config; None otherwise."""
        ...


class GenericRules:
    """Rules for a project that names none: any secret but the region, generic stand-ins."""

    def secure_value_problem(self, key: str, path: tuple[str, ...]) -> str | None:
        if key == "aws:region":
            return (
                "aws:region: cannot be secret (secure:); the simulated AWS account needs the "
                "region in plain text. Set it with `pulumi config set aws:region <region>`"
            )
        return None

    def secret_stand_in(self, key: str, path: tuple[str, ...], digest: str, region: str) -> str:
        return f"preflight-secret-{digest[:16]}"

    def region_problem(self, value: object) -> str | None:
        return None if isinstance(value, str) and value else "must be a region code"

    def config_problems(self, values: Mapping[str, str], secret_keys: Collection[str]) -> list[str]:
        return []

    def config_key(self, policy: str, tags: Mapping[str, Any]) -> str | None:
        return None


GENERIC_RULES: ProjectRules = GenericRules()

PYPROJECT = "pyproject.toml"
RULES_KEY = "project-rules"


def project_rules(project_dir: Path) -> ProjectRules:
    """The rules `pyproject.toml` names under `[tool.preflight]`, else `GENERIC_RULES`."""
    path = project_dir / PYPROJECT
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except FileNotFoundError:
        return GENERIC_RULES
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{PYPROJECT}: cannot be read: {exc}") from None
    target = settings.get("preflight", {}).get(RULES_KEY)
    if target is None:
        return GENERIC_RULES
    module_name, _, attribute = str(target).partition(":")
    if not module_name or not attribute:
        raise InputError(
            f"{PYPROJECT}: [tool.preflight] {RULES_KEY} = {target!r}; write 'module:ATTRIBUTE'"
        )
    folder = str(project_dir)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        rules: ProjectRules = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise InputError(
            f"{PYPROJECT}: [tool.preflight] {RULES_KEY} = {target!r} cannot be loaded: {exc}"
        ) from None
    return rules
