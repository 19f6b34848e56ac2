"""Regenerate every generated block of README.md and docs/*.md from the code as it is now.

A generated block is the text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``; it is
never edited by hand. ``BLOCKS`` says, for each NAME, which document holds it and what writes
it (scripts/doc_examples.py: preflight's own output in a sandbox copy of the project, its
argparse parser, the config models). ``make docs`` rewrites every block (``make diagram`` only
the README's drawing); ``--check`` writes nothing and exits 1 when a block is stale, as
tests/repo/test_docs.py fails then.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scripts import doc_examples as examples
from scripts.doc_workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
_MARKER = re.compile(r"^<!-- ([a-z0-9-]+):start -->$", re.MULTILINE)


@dataclass(frozen=True)
class Block:
    doc: str
    """The document holding the block, relative to the repository."""
    make: Callable[[Workspace], str]
    """The block's text (what stands between the markers, after the start marker's line)."""


BLOCKS: Mapping[str, Block] = {
    "prod-diagram": Block("README.md", examples.prod_diagram),
    "pull-request-plan": Block("README.md", examples.pull_request_plan),
    "preflight-synopsis": Block("docs/preflight.md", lambda _: examples.preflight_synopsis()),
    "reserved-properties": Block("docs/operations.md", lambda _: examples.reserved_properties()),
    "budget-example": Block("docs/operations.md", examples.budget_example),
    "policy-violation": Block("docs/policies.md", examples.policy_violation),
    "web-change-plan": Block("docs/releases.md", examples.web_change_plan),
    "model-change-plan": Block("docs/releases.md", examples.model_change_plan),
    "config-reference": Block("docs/configuration.md", lambda _: examples.config_reference()),
}


CHECKED: Mapping[str, str] = {"stage-table": "docs/program.md"}
"""Marked blocks written by hand and checked instead: the per-stage table's labels are prose,
its values tests/components/test_config.py compares with the stack files."""


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def block_names(text: str) -> list[str]:
    """The names of the generated blocks a document holds, in order."""
    return _MARKER.findall(text)


def _span(text: str, name: str) -> tuple[int, int]:
    start, end = markers(name)
    head, tail = text.find(start), text.find(end)
    if head < 0 or tail < head:
        raise ValueError(f"markers {start} ... {end} not found in that order")
    return head + len(start), tail


def committed_block(text: str, name: str) -> str:
    """The text a document holds for block `name` (what ``replace_block`` would write)."""
    head, tail = _span(text, name)
    return text[head + 1 : tail]


def replace_block(text: str, name: str, content: str) -> str:
    """`text` with block `name` replaced by `content`."""
    head, tail = _span(text, name)
    return f"{text[:head]}\n{content}{text[tail:]}"


def generate(names: Sequence[str], workspace: Workspace) -> dict[str, str]:
    """Each named block's text, made now."""
    return {name: BLOCKS[name].make(workspace) for name in names}


def updated_docs(blocks: Mapping[str, str]) -> dict[Path, str]:
    """Every document holding one of `blocks`, with those blocks replaced."""
    docs: dict[Path, str] = {}
    for name, content in blocks.items():
        path = ROOT / BLOCKS[name].doc
        docs[path] = replace_block(docs.get(path) or path.read_text("utf-8"), name, content)
    return docs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.update_docs",
        description="Rewrite the generated blocks of README.md and docs/ (default: all).",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"of {', '.join(BLOCKS)}")
    parser.add_argument("--check", action="store_true", help="exit 1 if a block is stale")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(BLOCKS))
    if unknown:
        parser.error(f"no generated block {', '.join(unknown)}")
    with tempfile.TemporaryDirectory() as tmp:
        blocks = generate(args.names or list(BLOCKS), Workspace.create(Path(tmp)))
    stale = {path: text for path, text in updated_docs(blocks).items() if path.read_text() != text}
    for path, text in stale.items():
        name = path.relative_to(ROOT)
        if args.check:
            print(f"{name}: a generated block is stale; run `make docs`", file=sys.stderr)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"{name}: generated blocks updated")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
