"""Property paths as the engine parses them (`resource.ParsePropertyPath`: `a.b`, `a[0]`,
`a["k.x"]`, `*` for any key or index at one level), and the two engine rules built on them:
`replaceOnChanges` (a path contains every path below it) and `ignoreChanges` (the old value is
put back into the new inputs, or the key removed when the old inputs lack it)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

_PART = re.compile(r'\[(\d+|\*|"(?:[^"\\]|\\.)*")\]|\.?([^.\[\]]+)')

Path = tuple[str | int, ...]


def parse(path: str) -> Path:
    """`a.b[0]["x"]` -> ("a", "b", 0, "x"); `*` stays "*"."""
    parts: list[str | int] = []
    for match in _PART.finditer(path):
        index, name = match.groups()
        if name is not None:
            parts.append(name)
        elif index.startswith('"'):
            parts.append(index[1:-1].replace('\\"', '"'))
        else:
            parts.append(int(index) if index.isdigit() else "*")
    return tuple(parts)


def contains(pattern: Path, path: Path) -> bool:
    """`pattern` names `path` or an ancestor of it (`*` matching any one key or index)."""
    if len(pattern) > len(path):
        return False
    return all(p == "*" or p == q for p, q in zip(pattern, path, strict=False))


def replace_on_changes(
    patterns: Iterable[str], changed: Iterable[str], detailed: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """(changed keys that become replace reasons, detailed paths that become replacements)."""
    parsed = [parse(p) for p in patterns]
    keys = sorted(k for k in changed if any(contains(p, (k,)) for p in parsed))
    paths = sorted(d for d in detailed if any(contains(p, parse(d)) for p in parsed))
    return keys, paths


def ignore_changes(
    paths: Iterable[str], old: Mapping[str, Any], new: dict[str, Any]
) -> dict[str, Any]:
    """`new` with every ignored path reset to its value in `old` (PropertyPath.Reset)."""
    result = copy.deepcopy(new)
    for text in paths:
        path = parse(text)
        if path:
            _reset(path, old, result)
    return result


def _reset(path: Path, old: Any, new: Any) -> None:
    head, rest = path[0], path[1:]
    keys: Iterable[Any]
    if head == "*":
        keys = (
            range(len(new)) if isinstance(new, list) else list(new) if isinstance(new, dict) else []
        )
    else:
        keys = [head]
    for key in keys:
        old_value = _get(old, key)
        if not rest:
            _set(new, key, old_value)
        elif _get(new, key) is not None and old_value is not None:
            _reset(rest, old_value, _get(new, key))


def _get(value: Any, key: Any) -> Any:
    if isinstance(value, dict) and isinstance(key, str):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
        return value[key]
    return None


def _set(container: Any, key: Any, value: Any) -> None:
    if isinstance(container, dict) and isinstance(key, str):
        if value is None:
            container.pop(key, None)
        else:
            container[key] = copy.deepcopy(value)
    elif isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container):
        container[key] = copy.deepcopy(value) if value is not None else container[key]
