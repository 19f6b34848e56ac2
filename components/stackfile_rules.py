"""The program's rules for its own stack files, as preflight applies them when it reads one
(pyproject.toml `[tool.preflight] project-rules` names this object). Pure: no Pulumi import."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from components import config as webmodel


class StackFileRules:
    """Which `secure:` values the program refuses, stand-ins shaped like the secrets they
    replace, and the region rule; the same rules `components/config.py` applies at run time."""

    def secure_value_problem(self, key: str, path: tuple[str, ...]) -> str | None:
        namespace, _, name = key.partition(":")
        if namespace == webmodel.PROJECT:
            return webmodel.secure_value_problem(name, path)
        if key == "aws:region":
            return webmodel.never_secret_problem(key)
        return None

    def secret_stand_in(self, key: str, path: tuple[str, ...], digest: str, region: str) -> str:
        namespace, _, name = key.partition(":")
        if namespace == webmodel.PROJECT:
            return webmodel.secret_stand_in(name, path, digest, region)
        return f"preflight-secret-{digest[:16]}"

    def region_problem(self, value: object) -> str | None:
        return webmodel.region_problem(value)

    def config_problems(self, values: Mapping[str, str], secret_keys: Collection[str]) -> list[str]:
        """The problems `load_stack_config` (what the program runs first) finds, one a line."""
        try:
            webmodel.load_stack_config(values, secret_keys)
        except webmodel.ConfigError as error:
            return [line.strip() for line in str(error).splitlines()[1:]]
        return []


RULES = StackFileRules()
