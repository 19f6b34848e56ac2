"""Reading YAML as plain configuration data, within fixed bounds, typed as the Pulumi CLI types it.

Every project and stack file is read with `PlainDataLoader`: plain data only (strings,
numbers, booleans, null, lists, maps), within fixed bounds on size, nesting and alias
expansion, so a hostile file fails fast with the file and key named instead of hanging or
exhausting memory. Scalars are typed by gopkg.in/yaml.v3's rules, the library the Pulumi CLI
reads these files with (`go_yaml`), not PyYAML's YAML 1.1 ones. preflight reads Pulumi.yaml and
the stack files with it, and verify reads a stack file's `aws:region` with it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from preflight.inputs import go_yaml
from preflight.inputs.errors import InputError

MAX_YAML_BYTES = 1024 * 1024
"""Largest project or stack file read (the real ones are a few KB)."""
MAX_YAML_DEPTH = 32
"""Deepest nesting of lists and maps, counted through aliases (real config nests 5 deep)."""
MAX_YAML_VALUES = 20_000
"""Most values a file may hold once every alias is expanded (billion laughs stops here)."""

_SEQ, _MAP = go_yaml.TAG + "seq", go_yaml.TAG + "map"


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


def go_key(value: Any) -> str:
    """A map key as Go's `fmt.Sprintf("%v")` writes a non-string key yaml.v3 decoded."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_yaml.go_format_float(value, "g")
    return "<nil>" if value is None else str(value)


class PlainDataLoader(yaml.SafeLoader):
    """`yaml.SafeLoader`'s parser and composer, with yaml.v3's typing and fixed bounds.

    Plain scalars are resolved as yaml.v3 resolves them, quoted and block scalars are strings,
    `!!binary` is decoded, a custom tag leaves a scalar a string and a collection a collection
    (as yaml.v3 does); nothing but plain data is ever constructed. Nesting, alias expansion,
    non-finite floats, lone surrogates, duplicate and compound keys are refused; every error
    names the key path where it happened.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[str] = []

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return go_yaml.resolve(None, value)[0] if implicit[0] else go_yaml.STR
        return _SEQ if kind is SequenceNode else _MAP

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

    def build(self, root: Node) -> Any:
        """The document as plain data, checked and bounded in the same walk."""
        return _Builder().value(root, [], set())


class _Builder:
    """One walk over the composed nodes: bounds, then each value as yaml.v3 decodes it."""

    def __init__(self) -> None:
        self.budget = MAX_YAML_VALUES

    def value(self, node: Node, path: list[str], active: set[int]) -> Any:
        where = _label(path)
        self.budget -= 1
        if self.budget < 0:
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
        if isinstance(node, ScalarNode):
            return self.scalar(node, where)
        if id(node) in active:
            raise PlainDataError(where, "an alias refers to itself (a recursive structure)", None)
        active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [
                    self.value(item, [*path, f"[{i}]"], active) for i, item in enumerate(node.value)
                ]
            assert isinstance(node, MappingNode)
            return self.mapping(node, path, active)
        finally:
            active.discard(id(node))

    def scalar(self, node: ScalarNode, where: str) -> Any:
        text = _checked_text(node, where)
        try:
            _, value = go_yaml.resolve(node.tag, text)
        except go_yaml.ScalarError as exc:
            raise PlainDataError(where, str(exc), node.start_mark) from None
        if isinstance(value, float):
            if not math.isfinite(value):
                raise PlainDataError(
                    where,
                    "is not a finite number (infinity and NaN cannot be configuration values; "
                    "the Pulumi CLI cannot store them either)",
                    node.start_mark,
                )
            return go_yaml.reencoded_number(value)
        return value

    def mapping(self, node: MappingNode, path: list[str], active: set[int]) -> dict[str, Any]:
        where = _label(path)
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        seen: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise PlainDataError(
                    where, "has a key that is a list or a map; use a string key", key.start_mark
                )
            text = _checked_text(key, _label([*path, _printable(str(key.value))]))
            if key.tag == go_yaml.MERGE:
                merged = {**self.merge(value, [*path, "<<"], active), **merged}
                continue
            if text in seen:
                raise PlainDataError(
                    _label([*path, text]), "is defined twice in the same map", key.start_mark
                )
            seen.add(text)
            name = self.scalar(key, where)
            name = name if isinstance(name, str) else go_key(name)
            out[name] = self.value(value, [*path, name], active)
        return {**merged, **out}

    def merge(self, node: Node, path: list[str], active: set[int]) -> dict[str, Any]:
        """`<<: *map` or `<<: [*a, *b]`: the first map wins a key, explicit keys beat all."""
        found = self.value(node, path, active)
        maps = found if isinstance(found, list) else [found]
        if not all(isinstance(item, dict) for item in maps):
            raise PlainDataError(
                _label(path), "map merge requires a map or a list of maps", node.start_mark
            )
        merged: dict[str, Any] = {}
        for item in reversed(maps):
            merged.update(item)
        return merged


def _printable(text: str) -> str:
    return text.encode("utf-8", "replace").decode()


def _checked_text(node: ScalarNode, where: str) -> str:
    text = str(node.value)
    if any("\ud800" <= char <= "\udfff" for char in text):
        try:  # a JSON-style escaped surrogate pair is one character: join it
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:
            raise PlainDataError(
                where,
                "holds an escape that is not a Unicode character (a lone surrogate such as "
                "\\ud800); write the character itself",
                node.start_mark,
            ) from None
    return text


def load_plain_yaml(text: str) -> Any:
    """Parse one YAML document of plain, bounded data (see `PlainDataLoader`)."""
    loader = PlainDataLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        return loader.build(root)
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


VALUE_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),  # before int: a bool is an int to isinstance
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
    (type(None), "null"),
)
"""Python type -> the name Pulumi's config types give its values, first match wins."""


def value_kind(value: Any) -> str:
    """The name Pulumi's config types give a plain value (`integer`, `array`, ...)."""
    return next(
        (kind for python_type, kind in VALUE_KINDS if isinstance(value, python_type)),
        type(value).__name__,
    )
