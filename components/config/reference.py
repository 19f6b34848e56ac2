"""The key tables of docs/configuration.md, rendered from the config models.

`python -m components.config.reference` rewrites the block between the markers in
docs/configuration.md and the `config:` block of Pulumi.yaml (every key with its description
and defaults); `--check` only says whether either is stale (exit 1). Tests fail when either
committed copy differs from this rendering.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel

from components.config.loading import section_model
from components.config.models import PROJECT
from components.config.roles import CONFIG_KEYS, ROLES, StackConfig
from components.config.secrets import secure_value_problem

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"
PROJECT_FILE = ROOT / "Pulumi.yaml"
CONFIG_BLOCK = "\nconfig:\n"
START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def all_defaults() -> dict[str, Any]:
    """Every key's defaults, an optional role's being its model's (with the role's own)."""
    defaults: dict[str, Any] = StackConfig().model_dump(by_alias=True, mode="json")
    for role, spec in ROLES.items():
        if defaults.get(role) is None:
            defaults[role] = spec.config.model_validate(dict(spec.defaults)).model_dump(
                by_alias=True, mode="json"
            )
    return defaults


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
        entry = _map_of_objects(annotation)
        if entry is not None:  # e.g. slotSettings: each entry's fields, `<name>` for its key
            defaults_of_entry = entry().model_dump(by_alias=True, mode="json")
            rows += _rows(section, entry, defaults_of_entry, f"{prefix}{alias}.<name>.")
    return rows


def _map_of_objects(annotation: Any) -> type[BaseModel] | None:
    """The object type of a `map of name to object` field, else None."""
    if typing.get_origin(annotation) is not dict:
        return None
    value = typing.get_args(annotation)[1]
    return value if isinstance(value, type) and issubclass(value, BaseModel) else None


def render() -> str:
    """Every key's fields: type, default (per key), secret rule, description."""
    defaults = all_defaults()
    parts: list[str] = []
    for key in CONFIG_KEYS:
        model = section_model(key)
        optional = key in ROLES and ROLES[key].optional  # type: ignore[index]
        note = (
            " Optional: leave the key out for no such environment; the defaults below apply "
            "to the fields a stack that sets it leaves out. Not declared in Pulumi.yaml (a "
            "declared key without a default is required by the CLI)."
            if optional
            else ""
        )
        parts += [
            f"### `{PROJECT}:{key}`",
            "",
            " ".join((model.__doc__ or "").split()) + note,
            "",
            "| Field | Type | Default | Secret | Description |",
            "|---|---|---|---|---|",
            *_rows(key, model, defaults[key], ""),
            "",
        ]
    return "\n".join(parts).rstrip() + "\n"


def pulumi_config() -> dict[str, Any]:
    """The `config:` block of Pulumi.yaml: each key as an object (no `type:`; Pulumi's project
    schema has no object type) with its description and the code's defaults."""
    defaults = all_defaults()
    block: dict[str, Any] = {}
    for key in CONFIG_KEYS:
        if key in ROLES and ROLES[key].optional:  # type: ignore[index]
            continue  # declared without a default it would be required; see render()
        field = StackConfig.model_fields[key]
        model = section_model(key)
        names = ", ".join(f.alias or n for n, f in model.model_fields.items())
        description = " ".join((field.description or "").split())
        block[f"{PROJECT}:{key}"] = {
            "description": f"{description} Fields: {names}. Types, valid values and which "
            "may be secret: docs/configuration.md.",
            "default": defaults[key],
        }
    return block


def render_pulumi_config() -> str:
    """`pulumi_config()` as YAML: folded descriptions, defaults with flow-style leaves."""
    lines = ["config:"]
    for key, declaration in pulumi_config().items():
        lines += [f"  {key}:", "    description: >-"]
        lines += [f"      {line}" for line in textwrap.wrap(declaration["description"], 90)]
        lines.append("    default:")
        lines += _block(declaration["default"], "      ")
    return "\n".join(lines) + "\n"


def _block(mapping: dict[str, Any], indent: str) -> list[str]:
    """Block-style maps, flow-style lists and empty maps, plain scalars as YAML writes them."""
    lines: list[str] = []
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            lines += [f"{indent}{key}:", *_block(value, indent + "  ")]
            continue
        flow = yaml.safe_dump(value, default_flow_style=True, width=1000)
        lines.append(f"{indent}{key}: {flow.removesuffix(chr(10)).removesuffix(chr(10) + '...')}")
    return lines


def current_pulumi_config(text: str) -> str:
    return text[text.index(CONFIG_BLOCK) + 1 :]


def current_block(text: str) -> str:
    start, end = text.index(START) + len(START), text.index(END)
    return text[start:end].strip("\n") + "\n"


def rendered() -> dict[Path, str]:
    """docs/configuration.md and Pulumi.yaml as this rendering makes them."""
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(START) + len(START), text.index(END)
    project = PROJECT_FILE.read_text(encoding="utf-8")
    head = project[: project.index(CONFIG_BLOCK) + 1]
    return {
        DOC: text[:start] + "\n" + render() + text[end:],
        PROJECT_FILE: head + render_pulumi_config(),
    }


def main(argv: list[str] | None = None) -> int:
    """Rewrite both files (exit 0), or with `--check` write nothing and exit 1 if stale."""
    parser = argparse.ArgumentParser(
        prog="python -m components.config.reference",
        description="Rewrite the key tables of docs/configuration.md and the config: block of "
        "Pulumi.yaml from the config models.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when either file differs from the rendering",
    )
    check = parser.parse_args(argv).check
    stale = {path: text for path, text in rendered().items() if path.read_text("utf-8") != text}
    for path, text in stale.items():
        if check:
            print(f"{path.relative_to(ROOT)} is stale: run python -m components.config.reference")
        else:
            path.write_text(text, encoding="utf-8")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
