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
from preflight.stackfiles.cli_values import null_warning, runtime_string, stored
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


def _region_of(config: Mapping[str, Any], rules: ProjectRules) -> tuple[str, str | None]:
    """`aws:region` as written and why it is refused: every ARN and host name derives from it,
    so a refused region leaves the default one for the stand-ins."""
    region = config.get("aws:region")
    if region is None or is_secure(region):
        return DEFAULT_REGION, None  # a secure region is refused with the other secure leaves
    problem = rules.region_problem(region)
    if problem:
        return DEFAULT_REGION, f"aws:region: {problem}"
    return str(region), None


def _related(key: str, other: str) -> bool:
    """Whether two config key paths are one, or one holds the other (`a` and `a.b`, `a[0]`)."""
    short, long = sorted((key, other), key=len)
    return long == short or long.startswith((f"{short}.", f"{short}["))


def _refuse(stack_file: Path, problems: list[str]) -> None:
    """One problem: one line naming the file; several: one problem a line under it."""
    distinct = list(dict.fromkeys(problems))
    if len(distinct) == 1:
        raise InputError(f"{stack_file.name}: {distinct[0]}")
    lines = "".join(f"\n    {problem}" for problem in distinct)
    raise InputError(f"{stack_file.name}: {len(distinct)} problems:{lines}")


def project_name(project_dir: Path) -> str | None:
    """The project's name from its Pulumi.yaml, or None when it has none."""
    name = read_yaml(project_dir / "Pulumi.yaml").get("name")
    return name if isinstance(name, str) and name else None


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
    region, region_problem = _region_of(qualified, rules)
    leaves = SecureLeaves(rules, region)
    values = dict(declarations.defaults)
    for key, value in qualified.items():
        values[key] = stored(leaves.resolve(key, value))
    secret = declarations.secret | set(leaves.found)
    problems = [*([region_problem] if region_problem else []), *sorted(set(leaves.problems))]
    if problems:  # what the program itself would refuse too, so every problem shows at once
        runtime = {key: runtime_string(value) for key, value in values.items()}
        named = [problem.split(": ", 1)[0] for problem in problems]
        problems += [  # a refused value (or its stand-in) is no news about its key's object
            problem
            for problem in rules.config_problems(runtime, secret)
            if not any(_related(problem.split(": ", 1)[0], key) for key in named)
        ]
        _refuse(stack_file, problems)
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
