"""One stack's effective configuration: what the Python language host hands the program."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from preflight.inputs.errors import InputError
from preflight.stackfiles.cli_values import runtime_string, stored


@dataclass(frozen=True)
class ProgramConfig:
    """One stack's effective configuration, as the language host receives it."""

    project: str
    stack: str
    project_dir: Path
    main: Path
    values: dict[str, Any]
    """Full key (`webmodel:web`) to its value as the CLI stores it (`cli_values.stored`): a
    scalar's string, an object's plain data; defaults applied."""
    secret_keys: frozenset[str] = field(default_factory=frozenset)
    """Keys whose value is secret (`secure:` in the stack file or `secret: true` declared)."""
    undecryptable: frozenset[str] = field(default_factory=frozenset)
    """Secret keys given only as ciphertext: the simulation uses a stand-in value."""
    warnings: tuple[str, ...] = ()
    """What the CLI would warn about while reading the stack file (a key with no value)."""

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
        return {key: runtime_string(value) for key, value in sorted(self.values.items())}

    def with_values(self, overrides: dict[str, Any]) -> ProgramConfig:
        """This config with whole keys replaced, as `pulumi config set` would before a run."""
        return replace(self, values={**self.values, **{k: stored(v) for k, v in overrides.items()}})
