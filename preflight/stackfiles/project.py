"""Reading a Pulumi project and one stack's configuration the way the Pulumi CLI does.

The CLI merges the project's `config:` block (typed declarations with defaults, or plain
values) with `Pulumi.<stack>.yaml`, checks declared types, and hands the program a flat map
of `namespace:key` to a string (objects and arrays as JSON). `secure:` values stay secret:
the key holding one is secret as a whole, as under the real CLI.

Both files are read as bounded plain data (`inputs.plain_yaml`); the stack name is checked
by Pulumi's rules (`inputs.stack_names`) before it becomes part of a path. What the project
itself refuses (secrets where none may be, a malformed region) comes from its rules
(`stackfiles.rules`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from preflight.inputs.errors import InputError
from preflight.inputs.plain_yaml import read_yaml
from preflight.inputs.stack_names import parse_stack_reference, stack_names
from preflight.stackfiles.cli_values import null_warning, stored
from preflight.stackfiles.declarations import check_values, qualify, read_declarations
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.rules import ProjectRules, project_rules
from preflight.stackfiles.secure_values import SecureLeaves, is_secure

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The project preflight ships with (the folder holding preflight/): the default project."""

DEFAULT_REGION = "us-east-1"
"""The region the simulated account uses while a secure `aws:region` waits to be refused."""


def _program(project_dir: Path, project_doc: Mapping[str, Any]) -> Path:
    main = project_dir / str(project_doc.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise InputError(f"Pulumi.yaml: the program {main.relative_to(project_dir)} does not exist")
    return main


def _stack_file(project_dir: Path, stack: str) -> Path:
    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        known = ", ".join(stack_names(project_dir)) or "none"
        raise InputError(
            f"unknown stack {stack!r}: {stack_file.name} does not exist (stacks here: {known})"
        )
    return stack_file


def _region_of(stack_file: Path, config: Mapping[str, Any], rules: ProjectRules) -> str:
    """`aws:region` as written, checked early: every ARN and host name derives from it."""
    region = config.get("aws:region")
    if region is None or is_secure(region):
        return DEFAULT_REGION  # a secure region is refused with the other secure leaves
    problem = rules.region_problem(region)
    if problem:
        raise InputError(f"{stack_file.name}: aws:region: {problem}")
    return str(region)


def read_program_config(project_dir: Path, stack: str) -> ProgramConfig:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml; apply defaults and check declared types.

    `stack` may be a fully qualified `org/project/stack` reference; it is checked against
    Pulumi's stack-name rules before it becomes part of a path.
    """
    project_doc = read_yaml(project_dir / "Pulumi.yaml")
    project = project_doc.get("name")
    if not isinstance(project, str) or not project:
        raise InputError("Pulumi.yaml: 'name' is missing; it names the project")
    stack = parse_stack_reference(stack, project)
    main = _program(project_dir, project_doc)
    stack_file = _stack_file(project_dir, stack)
    stack_doc = read_yaml(stack_file)
    declarations = read_declarations(project, project_doc.get("config") or {})

    qualified = _qualified(project, stack_file, stack_doc.get("config") or {})
    rules = project_rules(project_dir)
    leaves = SecureLeaves(rules, _region_of(stack_file, qualified, rules))
    values = dict(declarations.defaults)
    for key, value in qualified.items():
        values[key] = stored(leaves.resolve(key, value))
    if leaves.problems:
        raise InputError(f"{stack_file.name}: " + "; ".join(sorted(set(leaves.problems))))
    secret = declarations.secret | set(leaves.found)
    check_values(declarations, values, secret, stack_file.name)
    return ProgramConfig(
        project=project,
        stack=stack,
        project_dir=project_dir,
        main=main,
        values=values,
        secret_keys=frozenset(secret),
        undecryptable=frozenset(leaves.found),
        warnings=tuple(null_warning(key) for key, value in qualified.items() if value is None),
    )


def _qualified(project: str, stack_file: Path, config: Any) -> dict[str, Any]:
    """The stack's config with every key namespaced (`web` is `webmodel:web`)."""
    if not isinstance(config, dict):
        raise InputError(f"{stack_file.name}: 'config' must be a mapping of keys to values")
    qualified: dict[str, Any] = {}
    for raw_key, value in config.items():
        key = qualify(project, str(raw_key))
        if key in qualified:
            raise InputError(
                f"{stack_file.name}: {key} is set twice (as {key.split(':', 1)[1]!r} and as "
                f"{key!r}); the Pulumi CLI would keep one of them at random. Keep one"
            )
        qualified[key] = value
    return qualified
