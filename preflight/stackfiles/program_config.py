"""One stack's effective configuration: what the Python language host hands the program."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from preflight.inputs.errors import InputError


@dataclass(frozen=True)
class ProgramConfig:
    """One stack's effective configuration, as the language host receives it."""

    project: str
    stack: str
    project_dir: Path
    main: Path
    values: dict[str, Any]
    """Full key (`webmodel:web`) to its Python value, defaults applied."""
    secret_keys: frozenset[str] = field(default_factory=frozenset)
    """Keys whose value is secret (`secure:` in the stack file or `secret: true` declared)."""
    undecryptable: frozenset[str] = field(default_factory=frozenset)
    """Secret keys given only as ciphertext: the simulation uses a stand-in value."""

    @property
    def region(self) -> str:
        region = self.values.get("aws:region")
        if not isinstance(region, str) or not region:
            raise InputError(
                f"Pulumi.{self.stack}.yaml: config key 'aws:region' is not set; "
                "set it with `pulumi config set aws:region ap-northeast-2`"
            )
        return region

    def as_runtime_config(self) -> dict[str, str]:
        """The flat string map the Pulumi language host passes to the program."""
        return {key: _runtime_string(value) for key, value in sorted(self.values.items())}

    def with_values(self, overrides: dict[str, Any]) -> ProgramConfig:
        """This config with whole keys replaced, as `pulumi config set` would before a run."""
        return replace(self, values={**self.values, **overrides})


def _runtime_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))
