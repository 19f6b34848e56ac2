"""`secure:` values in a stack file: each one checked against the project's rules and replaced by
a stand-in of the right shape (preflight has no secrets provider to decrypt it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from preflight.stackfiles.rules import ProjectRules


def is_secure(value: Any) -> bool:
    """A `{secure: <ciphertext>}` object, as `pulumi config set --secret` writes one."""
    return isinstance(value, dict) and set(value) == {"secure"}


@dataclass
class SecureLeaves:
    """Walks a stack value, replacing `secure:` leaves and collecting refused ones."""

    rules: ProjectRules
    region: str
    found: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def resolve(self, key: str, value: Any, path: tuple[str, ...] = ()) -> Any:
        if is_secure(value):
            self.found.append(key)
            problem = self.rules.secure_value_problem(key, path)
            if problem:
                self.problems.append(problem)
            ciphertext = str(value["secure"])
            digest = hashlib.sha256(f"{key}\0{'.'.join(path)}\0{ciphertext}".encode()).hexdigest()
            return self.rules.secret_stand_in(key, path, digest, self.region)
        if isinstance(value, dict):
            return {k: self.resolve(key, v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(key, v, (*path, str(i))) for i, v in enumerate(value)]
        return value
