"""Reading a Pulumi project and one stack's configuration the way the Pulumi CLI does.

The CLI merges the project's `config:` block (typed declarations with defaults, or plain
values) with `Pulumi.<stack>.yaml`, checks declared types, and hands the program a flat map
of `namespace:key` to a string (objects and arrays as JSON). `secure:` values stay secret:
the key holding one is secret as a whole, as under the real CLI.

Every YAML file is read with `PlainDataLoader`: plain data only (strings, numbers, booleans,
null, lists, maps), within fixed bounds on size, nesting and alias expansion, so a hostile
file fails fast with the file and key named instead of hanging or exhausting memory.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class InputError(Exception):
    """Bad input the user can fix: the message names the file, key or field and the fix."""


# -- plain-data YAML ----------------------------------------------------------------------

MAX_YAML_BYTES = 1024 * 1024
"""Largest project or stack file read (the real ones are a few KB)."""
MAX_YAML_DEPTH = 32
"""Deepest nesting of lists and maps, counted through aliases (real config nests 5 deep)."""
MAX_YAML_VALUES = 20_000
"""Most values a file may hold once every alias is expanded (billion laughs stops here)."""
MAX_INT_DIGITS = 20
"""Integers beyond 64 bits are refused before Python converts them."""

_TAG = "tag:yaml.org,2002:"
_KEY_TAGS = (_TAG + "str", _TAG + "merge")
_PLAIN_TAGS = tuple(_TAG + name for name in ("null", "bool", "int", "float", "str", "seq", "map"))


class PlainDataError(yaml.YAMLError):
    """A YAML file that is valid YAML but not plain configuration data."""

    def __init__(self, where: str, problem: str, mark: yaml.Mark | None) -> None:
        super().__init__(problem)
        self.where = where
        self.problem = problem
        self.problem_mark = mark


def _label(path: list[str]) -> str:
    if not path:
        return "(top level)"
    return "".join(part if part.startswith("[") else f".{part}" for part in path).lstrip(".")


class PlainDataLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` restricted to plain data within bounds.

    Only the null, bool, int, float, str, seq and map tags construct values; dates stay
    strings (as the Pulumi CLI's YAML library reads them) and an explicit `!!timestamp`,
    `!!binary`, `!!set`, `!!omap` or any other tag is refused. Nesting, alias expansion,
    integer size, non-finite floats, duplicate and non-string keys are refused too; every
    error names the key path where it happened.
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML's class-level registry)
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TAG + "timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    yaml_constructors = {  # noqa: RUF012
        tag: SafeConstructor.yaml_constructors[tag] for tag in _PLAIN_TAGS
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[str] = []

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        label: str | None = None
        if isinstance(index, int):
            label = f"[{index}]"
        elif isinstance(index, ScalarNode):
            label = str(index.value)
        if label is not None:
            self._path.append(label)
        if len(self._path) > MAX_YAML_DEPTH:
            raise PlainDataError(
                _label(self._path[:MAX_YAML_DEPTH]),
                f"nested more than {MAX_YAML_DEPTH} levels deep; configuration is flat data",
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]
            )
        node: Node = super().compose_node(parent, index)  # type: ignore[assignment]
        if label is not None:
            self._path.pop()
        return node

    def require_plain_data(self, root: Node) -> None:
        """Refuse anything but bounded plain data, before any value is constructed."""
        budget = [MAX_YAML_VALUES]
        self._check(root, [], set(), budget)

    def _check(self, node: Node, path: list[str], active: set[int], budget: list[int]) -> None:
        where = _label(path)
        budget[0] -= 1
        if budget[0] < 0:
            raise PlainDataError(
                where,
                f"expands to more than {MAX_YAML_VALUES:,} values through aliases; "
                "write the values out instead of repeating anchors",
                node.start_mark,
            )
        if len(path) > MAX_YAML_DEPTH:
            raise PlainDataError(
                _label(path[:MAX_YAML_DEPTH]),
                f"nested more than {MAX_YAML_DEPTH} levels deep (through aliases)",
                node.start_mark,
            )
        if node.tag not in _PLAIN_TAGS:
            raise PlainDataError(
                where,
                f"the tag {node.tag!r} does not build plain data; only strings, numbers, "
                "booleans, null, lists and maps are allowed (quote the value to keep it a string)",
                node.start_mark,
            )
        if id(node) in active:
            raise PlainDataError(where, "an alias refers to itself (a recursive structure)", None)
        if isinstance(node, ScalarNode):
            self._check_scalar(node, where)
            return
        active.add(id(node))
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self._check(item, [*path, f"[{index}]"], active, budget)
        elif isinstance(node, MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if not isinstance(key, ScalarNode) or key.tag not in _KEY_TAGS:
                    raise PlainDataError(
                        where, "has a key that is not a string; quote it", key.start_mark
                    )
                name = str(key.value)
                self._check_scalar(key, _label([*path, name.encode("utf-8", "replace").decode()]))
                if name in seen and name != "<<":
                    raise PlainDataError(
                        _label([*path, name]), "is defined twice in the same map", key.start_mark
                    )
                seen.add(name)
                self._check(value, [*path, name], active, budget)
        active.discard(id(node))

    def _check_scalar(self, node: ScalarNode, where: str) -> None:
        text = str(node.value)
        if any("\ud800" <= char <= "\udfff" for char in text):
            try:  # a JSON-style escaped surrogate pair is one character: join it
                node.value = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError:
                raise PlainDataError(
                    where,
                    "holds an escape that is not a Unicode character (a lone surrogate such as "
                    "\\ud800); write the character itself",
                    node.start_mark,
                ) from None
        if node.tag == _TAG + "int":
            digits = len(re.sub(r"[^0-9a-fA-F]", "", str(node.value)))
            if digits > MAX_INT_DIGITS:
                raise PlainDataError(
                    where,
                    f"an integer of {digits:,} digits is out of range; configuration integers "
                    "fit in 64 bits (quote it if it is meant as a string)",
                    node.start_mark,
                )
        elif node.tag == _TAG + "float":
            value = self.construct_yaml_float(node)
            if not math.isfinite(value):
                raise PlainDataError(
                    where,
                    "is not a finite number (infinity and NaN cannot be configuration values)",
                    node.start_mark,
                )


def load_plain_yaml(text: str) -> Any:
    """Parse one YAML document of plain, bounded data (see `PlainDataLoader`)."""
    loader = PlainDataLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        loader.require_plain_data(root)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a project or stack file as a mapping of plain data, or raise `InputError`."""
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InputError(
                f"{path.name}: {size:,} bytes is larger than any real configuration "
                f"(limit {MAX_YAML_BYTES:,} bytes)"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path.name}: file not found in {path.parent}") from None
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path.name}: is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); "
            "save it as UTF-8"
        ) from None
    try:
        data = load_plain_yaml(text)
    except PlainDataError as exc:
        mark = exc.problem_mark
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InputError(f"{path.name}: key {exc.where}{at}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path.name}: invalid YAML{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: expected a mapping at the top level, got {_kind(data)}")
    return data


# -- stack configuration ------------------------------------------------------------------


@dataclass(frozen=True)
class StackConfig:
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


_TYPE_CHECKS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
}


def _runtime_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else type(value).__name__


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


SecurePolicy = Callable[[str, tuple[str, ...]], str | None]
"""(full key, path inside its value) of a `secure:` leaf -> why it is refused, or None."""
StandIn = Callable[[str, tuple[str, ...], str], str]
"""(full key, path, hex digest) -> the stand-in value the simulation uses for that secret."""


def _generic_stand_in(key: str, path: tuple[str, ...], digest: str) -> str:
    return f"preflight-secret-{digest[:16]}"


def _secret_rules(project: str, region: str) -> tuple[SecurePolicy, StandIn]:
    """Which `secure:` leaves are allowed, and stand-ins shaped like the values they replace.

    The webmodel program's rules live with its config models (components/config.py); any
    other project only gets the rule that `aws:region` is never a secret.
    """
    from components import config as webmodel

    def generic(key: str, path: tuple[str, ...]) -> str | None:
        if key == "aws:region":
            return webmodel.never_secret_problem(key)
        return None

    if project != webmodel.PROJECT:
        return generic, _generic_stand_in

    def policy(key: str, path: tuple[str, ...]) -> str | None:
        namespace, _, name = key.partition(":")
        if namespace == webmodel.PROJECT:
            return webmodel.secure_value_problem(name, path)
        return generic(key, path)

    def stand_in(key: str, path: tuple[str, ...], digest: str) -> str:
        namespace, _, name = key.partition(":")
        if namespace == webmodel.PROJECT:
            return webmodel.secret_stand_in(name, path, digest, region)
        return _generic_stand_in(key, path, digest)

    return policy, stand_in


@dataclass
class _SecureLeaves:
    """Walks a stack value, replacing `secure:` leaves and collecting refused ones."""

    policy: SecurePolicy
    stand_in: StandIn
    found: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def resolve(self, key: str, value: Any, path: tuple[str, ...] = ()) -> Any:
        if _is_secure(value):
            self.found.append(key)
            problem = self.policy(key, path)
            if problem:
                self.problems.append(problem)
            ciphertext = str(value["secure"])
            digest = hashlib.sha256(f"{key}\0{'.'.join(path)}\0{ciphertext}".encode()).hexdigest()
            return self.stand_in(key, path, digest)
        if isinstance(value, dict):
            return {k: self.resolve(key, v, (*path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(key, v, (*path, str(i))) for i, v in enumerate(value)]
        return value


STACK_NAME_MAX = 100
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]*")


def stack_name_problem(name: str) -> str | None:
    """Pulumi's own rule for a stack name (sdk/go/common/tokens ParseStackName), or None."""
    if not name:
        return "a stack name may not be empty"
    if len(name.encode()) > STACK_NAME_MAX:
        return f"a stack name cannot exceed {STACK_NAME_MAX} characters (this one has {len(name)})"
    end = _STACK_NAME.match(name)
    position = end.end() if end else 0
    if position != len(name):
        return (
            "a stack name may only contain alphanumeric, hyphens, underscores, or periods: "
            f"invalid character {name[position]!r} at position {position}"
        )
    return None


def parse_stack_reference(reference: str, project: str) -> str:
    """The stack name of `stack`, `org/stack` or `org/project/stack`, checked by Pulumi's rules.

    It names `Pulumi.<stack>.yaml`, so nothing that is not a valid stack name becomes a path.
    """
    parts = reference.split("/")
    shown = reference if len(reference) <= 120 else reference[:120] + "..."
    if len(parts) > 3:
        raise InputError(
            f"stack {shown!r}: a stack reference is <stack>, <org>/<stack> or "
            "<org>/<project>/<stack>"
        )
    for part in parts[:-1]:
        problem = stack_name_problem(part)
        if problem:
            raise InputError(
                f"stack {shown!r}: organization and project names follow the same rule as "
                f"stack names: {problem.replace('stack name', 'name')}"
            )
    if len(parts) == 3 and parts[1] != project:
        raise InputError(
            f"stack {shown!r}: names project {parts[1]!r}, but Pulumi.yaml is project {project!r}"
        )
    problem = stack_name_problem(parts[-1])
    if problem:
        raise InputError(f"stack {shown!r}: {problem}")
    return parts[-1]


def stack_names(project_dir: Path) -> list[str]:
    names = (p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
    return sorted(name for name in names if stack_name_problem(name) is None)


def _region_of(stack_file: Path, stack_config: Mapping[str, Any]) -> str:
    """`aws:region` as written, checked early: every ARN and host name derives from it."""
    from components.config import region_problem

    region = stack_config.get("aws:region")
    if region is None or _is_secure(region):
        return "us-east-1"  # a secure region is refused with the other secure leaves
    problem = region_problem(region)
    if problem:
        raise InputError(f"{stack_file.name}: aws:region: {problem}")
    return str(region)


def load_stack_config(project_dir: Path, stack: str) -> StackConfig:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml; apply defaults and check declared types.

    `stack` may be a fully qualified `org/project/stack` reference; it is checked against
    Pulumi's stack-name rules before it becomes part of a path.
    """
    project_file = project_dir / "Pulumi.yaml"
    project_doc = read_yaml(project_file)
    project = project_doc.get("name")
    if not isinstance(project, str) or not project:
        raise InputError("Pulumi.yaml: 'name' is missing; it names the project")
    stack = parse_stack_reference(stack, project)
    main = project_dir / str(project_doc.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise InputError(f"Pulumi.yaml: the program {main.relative_to(project_dir)} does not exist")

    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        known = ", ".join(stack_names(project_dir)) or "none"
        raise InputError(
            f"unknown stack {stack!r}: {stack_file.name} does not exist (stacks here: {known})"
        )
    stack_doc = read_yaml(stack_file)

    declarations: dict[str, Mapping[str, Any]] = {}
    values: dict[str, Any] = {}
    secret: set[str] = set()
    raw_project_config = project_doc.get("config") or {}
    if not isinstance(raw_project_config, dict):
        raise InputError("Pulumi.yaml: 'config' must be a mapping of keys to declarations")
    for raw_key, decl in raw_project_config.items():
        key = _qualify(project, str(raw_key))
        if isinstance(decl, dict) and not _is_secure(decl):
            unknown = set(decl) - {"type", "items", "description", "secret", "default", "value"}
            if unknown:
                raise InputError(
                    f"Pulumi.yaml: config key {key!r} declares unknown attribute(s) "
                    f"{', '.join(sorted(unknown))}; allowed: type, items, description, "
                    "secret, default, value"
                )
            declared_type = decl.get("type")
            if declared_type is not None and declared_type not in _TYPE_CHECKS:
                raise InputError(
                    f"Pulumi.yaml: config key {key!r} has type {declared_type!r}; "
                    f"valid types are {', '.join(_TYPE_CHECKS)} (leave 'type' out for objects)"
                )
            declarations[key] = decl
            if decl.get("secret"):
                secret.add(key)
            for source in ("value", "default"):
                if source in decl:
                    values[key] = decl[source]
                    break
        else:
            values[key] = decl

    stack_config = stack_doc.get("config") or {}
    if not isinstance(stack_config, dict):
        raise InputError(f"{stack_file.name}: 'config' must be a mapping of keys to values")
    qualified = {_qualify(project, str(raw_key)): value for raw_key, value in stack_config.items()}
    leaves = _SecureLeaves(*_secret_rules(project, _region_of(stack_file, qualified)))
    for key, value in qualified.items():
        values[key] = leaves.resolve(key, value)
    if leaves.problems:
        raise InputError(f"{stack_file.name}: " + "; ".join(sorted(set(leaves.problems))))
    secret.update(leaves.found)

    for key, decl in sorted(declarations.items()):
        if key not in values:
            raise InputError(
                f"{stack_file.name}: missing required configuration value {key!r}: "
                f"{decl.get('description', 'declared in Pulumi.yaml without a default')}"
            )
        declared_type = decl.get("type")
        if declared_type is None:
            continue
        value = values[key]
        expected = _TYPE_CHECKS[str(declared_type)]
        ok = isinstance(value, expected) and not (
            declared_type == "integer" and isinstance(value, bool)
        )
        if not ok:
            shown = "[secret]" if key in secret else json.dumps(value, default=str)[:60]
            raise InputError(
                f"{stack_file.name}: config key {key!r} must be of type {declared_type}, "
                f"got {_kind(value)} {shown}"
            )
        if declared_type == "array":
            item_type = (decl.get("items") or {}).get("type")
            if item_type in _TYPE_CHECKS:
                for index, item in enumerate(value):
                    if not isinstance(item, _TYPE_CHECKS[str(item_type)]):
                        raise InputError(
                            f"{stack_file.name}: config key {key!r} item {index} must be of "
                            f"type {item_type}, got {_kind(item)}"
                        )

    return StackConfig(
        project=project,
        stack=stack,
        project_dir=project_dir,
        main=main,
        values=values,
        secret_keys=frozenset(secret),
        undecryptable=frozenset(leaves.found),
    )
