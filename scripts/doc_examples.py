"""The text of each generated block of the docs, made from the code as it is now.

Each function returns what goes between a block's markers (scripts/update_docs.py): preflight's
own output in a workspace (scripts/doc_workspace.py), its argparse parser, the roles' budget
reservations. Nothing here is typed by hand but the edit each example makes.
"""

from __future__ import annotations

import argparse
import functools
import re
from collections.abc import Mapping
from typing import Any

from scripts.doc_workspace import PUBLIC_MODEL, REPORT, Workspace

PREFLIGHT = ".venv/bin/preflight"
_MERMAID = re.compile(r"^```mermaid\n.*?^```\n", re.MULTILINE | re.DOTALL)


def fenced(text: str, info: str = "text") -> str:
    return f"```{info}\n{text.rstrip(chr(10))}\n```\n"


def console(command: str, output: str) -> str:
    """A console block: `$ command`, then what it printed."""
    return fenced(f"$ {command}\n{output.rstrip(chr(10))}", "console")


def mermaid_from_report(markdown: str) -> str:
    """The one Mermaid block of a preflight Markdown report, fences included."""
    blocks = _MERMAID.findall(markdown)
    if len(blocks) != 1:
        raise ValueError(
            f"preflight's Markdown report has {len(blocks)} mermaid blocks, expected 1"
        )
    return str(blocks[0])


def prod_diagram(workspace: Workspace) -> str:
    """README: the drawing of `preview --stack prod --markdown preview-prod.md`."""
    return mermaid_from_report((workspace.root / REPORT).read_text(encoding="utf-8"))


def _raise_web_min_size(text: str) -> str:
    return re.sub(
        r"(\n  webmodel:web:\n(?:    .*\n)*?    minSize: )2\n", r"\g<1>3\n", text, count=1
    )


def _plan_text(output: str) -> str:
    """A plan's text without URN and provider lines, up to its `Resources:` summary."""
    summary = output.index("\nResources:\n")
    end = output.find("\n\n", summary)
    kept = [
        line
        for line in output[: end if end >= 0 else len(output)].splitlines()
        if not re.match(r"\s*\[(urn|provider)=", line)
    ]
    return "\n".join(kept)


def pull_request_plan(workspace: Workspace) -> str:
    """README: the plan of raising prod's web `minSize` from 2 to 3."""
    command = ("preview", "--stack", "prod", "--base", "base-prod.json")
    with workspace.edited("Pulumi.prod.yaml", _raise_web_min_size):
        run = workspace.check(*command)
    return console(" ".join([PREFLIGHT, *command]), _plan_text(run.stdout))


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[1]


def _type(urn: str) -> str:
    """The type token as the CLI's summary names it (`aws:s3:BucketObjectv2`)."""
    token = urn.split("::")[2].rsplit("$", 1)[-1]
    package, module, kind = token.split(":")
    return f"{package}:{module.split('/')[0]}:{kind}"


def plan_table(plan: Mapping[str, Any]) -> str:
    """The changed steps of a `--plan-json` plan, one row each, and its summary."""
    rows = [
        "| step | resource | properties that change | replaced for |",
        "| --- | --- | --- | --- |",
    ]
    for step in plan["steps"]:
        if step["op"] == "same":
            continue
        kept = step["oldState"].get("retainOnDelete")
        retain = " (old one kept: `retainOnDelete`)" if kept else ""
        changed = ", ".join(f"`{p}`" for p in step.get("diffReasons") or [])
        because = ", ".join(f"`{p}`" for p in step.get("replaceReasons") or [])
        resource = f"`{_type(step['urn'])}` `{_name(step['urn'])}`"
        rows.append(f"| {step['op']}{retain} | {resource} | {changed} | {because} |")
    counts = ", ".join(f"{op} {n}" for op, n in sorted(plan["changeSummary"].items()))
    return "\n".join([*rows, "", f"`changeSummary`: {counts}."]) + "\n"


def web_change_plan(workspace: Workspace) -> str:
    """docs/releases.md: what the plan of a change under apps/web does."""
    with workspace.edited("apps/web/webapp/main.py", lambda text: text + "# a web change\n"):
        return plan_table(workspace.plan_json("prod"))


def model_change_plan(workspace: Workspace) -> str:
    """docs/releases.md: what the plan of a change to the model repository does."""
    config = "apps/model/model_repository/scorer/config.pbtxt"
    with workspace.edited(config, lambda text: text + "# retrained\n"):
        return plan_table(workspace.plan_json("prod"))


def _big_property(text: str) -> str:
    return text.replace(
        "\n  webmodel:web:\n    env:\n",
        "\n  webmodel:web:\n    env:\n      BIG: " + "x" * 5000 + "\n",
        1,
    )


def budget_example(workspace: Workspace) -> str:
    """docs/operations.md: dev's web environment given a 5,000-byte property `BIG`."""
    with workspace.edited("Pulumi.dev.yaml", _big_property):
        run = workspace.check("preview", "--stack", "dev", code=2)
    return console(f"{PREFLIGHT} preview --stack dev", run.stderr)


def reserved_properties() -> str:
    """docs/operations.md: what the 4 KB budget counts for the properties the program adds."""
    from components.config.roles import ROLES
    from components.rules import ENV_PROPERTY_LIMIT_BYTES, property_bytes

    rows = [
        "| role | properties the program adds (longest value, bytes) | reserved, as `key=value` |",
        "| --- | --- | --- |",
    ]
    for role, spec in ROLES.items():
        added = spec.program_properties
        listing = ", ".join(f"`{key}` ({length})" for key, length in added.items())
        total = sum(property_bytes(key, "") + length for key, length in added.items())
        rows.append(f"| `{role}` | {listing} | {total:,} of {ENV_PROPERTY_LIMIT_BYTES:,} |")
    return "\n".join(rows) + "\n"


def policy_violation(workspace: Workspace) -> str:
    """docs/policies.md: analyze on prod's export with the model's load balancer public."""
    run = workspace.check("analyze", PUBLIC_MODEL, code=1)
    return console(f"{PREFLIGHT} analyze {PUBLIC_MODEL}", run.stdout)


def _help(parser: argparse.ArgumentParser, prog: str) -> str:
    parser.prog = prog
    parser.formatter_class = functools.partial(argparse.HelpFormatter, width=100)
    return parser.format_help()


def preflight_synopsis() -> str:
    """docs/preflight.md: `-h` of preflight and of each command, from its argparse parser."""
    from preflight import cli

    parser = cli._parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    parts = [_help(parser, PREFLIGHT)]
    for name, command in commands.choices.items():
        parts.append(_help(command, f"{PREFLIGHT} {name}"))
    return fenced("\n".join(parts))


def config_reference() -> str:
    """docs/configuration.md: the key tables (components/config/reference.py renders them)."""
    from components.config import reference

    return reference.render()
