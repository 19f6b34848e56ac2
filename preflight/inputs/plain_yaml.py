"""Reading YAML as plain configuration data, within fixed bounds.

Every project and stack file is read with `PlainDataLoader`: plain data only (strings,
numbers, booleans, null, lists, maps), within fixed bounds on size, nesting and alias
expansion, so a hostile file fails fast with the file and key named instead of hanging or
exhausting memory. preflight reads Pulumi.yaml and the stack files with it, and verify reads
a stack file's `aws:region` with it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from preflight.inputs.errors import InputError

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
        raise InputError(
            f"{path.name}: expected a mapping at the top level, got {value_kind(data)}"
        )
    return data


def value_kind(value: Any) -> str:
    """The name Pulumi's config types give a plain value (`integer`, `array`, ...)."""
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
