"""The program's rules for reading a stack file, as the one object preflight loads by name.

Only the stack file says which leaf of a config object is `secure:` (the CLI hands the program
just "this key holds a secret"), so preflight applies these rules while it reads
`Pulumi.<stack>.yaml`: which secure leaves are allowed, a stand-in of the right shape for a
secret it cannot decrypt, whether `aws:region` is a region code, and (when the file has a
problem already) everything else the program would refuse, so all show at once. `RULES` implements
preflight's `ProjectRules` protocol by delegating to secrets.py; keys are full keys
(`webmodel:web`, `aws:region`). No Pulumi import: preflight reads stack files before any
program runs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from components.config.errors import ConfigError
from components.config.loading import load_stack_config
from components.config.models import PROJECT
from components.config.roles import ROLES
from components.config.secrets import (
    generic_stand_in,
    never_secret_problem,
    region_problem,
    secret_stand_in,
    secure_value_problem,
)


class StackFileRules:
    """The webmodel project's `ProjectRules`."""

    def secure_value_problem(self, key: str, path: tuple[str, ...]) -> str | None:
        """Why a `secure:` leaf at `path` inside `key` is refused, or None when allowed.
        `aws:region` is never secret; keys of other namespaces are not this project's."""
        namespace, _, section = key.partition(":")
        if namespace == PROJECT:
            return secure_value_problem(section, path)
        if key == "aws:region":
            return never_secret_problem(key)
        return None

    def secret_stand_in(self, key: str, path: tuple[str, ...], digest: str, region: str) -> str:
        """A deterministic value shaped like the secret it stands in for (`digest`: hex)."""
        namespace, _, section = key.partition(":")
        if namespace == PROJECT:
            return secret_stand_in(section, path, digest, region)
        return generic_stand_in(digest)

    def region_problem(self, value: object) -> str | None:
        """Why `aws:region` as written is not a region code, or None."""
        return region_problem(value)

    def config_problems(self, values: Mapping[str, str], secret_keys: Collection[str]) -> list[str]:
        """What `load_stack_config` (the first thing the program runs) refuses, one a line."""
        try:
            load_stack_config(values, secret_keys)
        except ConfigError as error:
            return error.problems
        return []

    def config_key(self, policy: str, tags: Mapping[str, Any]) -> str | None:
        """Which `webmodel:` key sets what a policy judged (the role from the resource's tag)."""
        field = POLICY_CONFIG_KEYS.get(policy)
        role = tags.get("role")
        if field is None or ("{role}" in field and role not in ROLES):
            return None
        return f"{PROJECT}:" + field.format(role=role)


POLICY_CONFIG_KEYS: Mapping[str, str] = {
    "rds-multi-az": "database.multiAz",
    "rds-deletion-protection": "database.deletionProtection",
    "rds-backup-retention": "database.backupRetentionDays",
    "rds-final-snapshot": "database.skipFinalSnapshot",
    "eb-multi-az-capacity": "{role}.minSize",
    "eb-deployment-policy-safe": "{role}.deploymentPolicy",
    "eb-env-properties-size-limit": "{role}.env",
    "eb-env-property-names": "{role}.env",
    "eb-env-property-names-portable": "{role}.env",
    "eb-secret-like-plain-property": "{role}.secrets",
}
"""Policy -> the field (of `webmodel:<role>` for an environment's rules) the program sets what it
judges from; the rest the program sets itself (subnets, IMDSv2, health, encryption)."""

RULES = StackFileRules()
"""What preflight loads (pyproject.toml names `components.config.stackfile_rules:RULES`)."""
