"""The key tables of docs/configuration.md, rendered from the config models.

`python -m components.config_reference` rewrites the block between the markers in
docs/configuration.md; a test fails when the committed block differs from this rendering.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel

from components.config import CONFIG_KEYS, PROJECT, StackConfig, secure_value_problem

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def _type(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return _type(args[0])
    if origin in (Union, types.UnionType):
        either = " or ".join(_type(a) for a in args)
        return f"{either} or null" if type(None) in typing.get_args(annotation) else either
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin is list:
        return f"list of {_type(args[0])}s"
    if origin is dict:
        return f"map of name to {_type(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    plain: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return plain.get(annotation) or str(getattr(annotation, "__name__", annotation))


def _secret(section: str, path: tuple[str, ...]) -> str:
    problem = secure_value_problem(section, path)
    if problem is None:
        return "**may be secret**"
    if "plain environment property" in problem:
        return "refused: use `secrets`"
    return "refused"


def _rows(section: str, model: type[BaseModel], defaults: dict[str, Any], prefix: str) -> list[str]:
    rows: list[str] = []
    for name, field in model.model_fields.items():
        alias = field.alias or name
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows += _rows(section, annotation, defaults[alias], f"{prefix}{alias}.")
            continue
        path = (*prefix.rstrip(".").split(".")[:1], alias) if prefix else (alias,)
        if alias in {"env", "secrets"}:
            path = (alias, "NAME")
        description = " ".join((field.description or "").split()).replace("|", "\\|")
        default = json.dumps(defaults[alias], ensure_ascii=False).replace("|", "\\|")
        rows.append(
            f"| `{prefix}{alias}` | {_type(annotation)} | `{default}` | "
            f"{_secret(section, tuple(path))} | {description} |"
        )
    return rows


def render() -> str:
    """Every key's fields: type, default (per key), secret rule, description."""
    defaults = StackConfig().model_dump(by_alias=True, mode="json")
    parts: list[str] = []
    for key in CONFIG_KEYS:
        model: type[BaseModel] = StackConfig.model_fields[key].annotation  # type: ignore[assignment]
        parts += [
            f"### `{PROJECT}:{key}`",
            "",
            " ".join((model.__doc__ or "").split()),
            "",
            "| Field | Type | Default | Secret | Description |",
            "|---|---|---|---|---|",
            *_rows(key, model, defaults[key], ""),
            "",
        ]
    return "\n".join(parts).rstrip() + "\n"


def current_block(text: str) -> str:
    start, end = text.index(START) + len(START), text.index(END)
    return text[start:end].strip("\n") + "\n"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(START) + len(START), text.index(END)
    DOC.write_text(text[:start] + "\n" + render() + text[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
