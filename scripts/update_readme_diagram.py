"""Regenerate the prod architecture diagram in README.md from preflight's own output.

The Mermaid block between ``<!-- prod-diagram:start -->`` and ``<!-- prod-diagram:end -->``
is whatever ``python -m preflight preview --stack prod --markdown <tmp>`` draws; it is never
edited by hand. ``make diagram`` runs this script; ``--check`` exits 1 when the committed
README differs from what preflight draws now (tests/test_docs.py runs the same comparison).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START = "<!-- prod-diagram:start -->"
END = "<!-- prod-diagram:end -->"
_MERMAID = re.compile(r"^```mermaid\n.*?^```\n", re.MULTILINE | re.DOTALL)


def mermaid_from_report(markdown: str) -> str:
    """The one Mermaid block of a preflight Markdown report, fences included."""
    blocks = _MERMAID.findall(markdown)
    if len(blocks) != 1:
        raise ValueError(
            f"preflight's Markdown report has {len(blocks)} mermaid blocks, expected 1"
        )
    return str(blocks[0])


def current_diagram(stack: str = "prod") -> str:
    """Run preflight on ``stack`` and return the Mermaid block it draws."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.md"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "preflight",
                "preview",
                "--stack",
                stack,
                "--markdown",
                str(report),
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return mermaid_from_report(report.read_text(encoding="utf-8"))


def replace_block(readme: str, diagram: str) -> str:
    """``readme`` with the text between the markers replaced by ``diagram``."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md: markers {START} ... {END} not found in that order")
    head = readme[: start + len(START)]
    return f"{head}\n{diagram}{readme[end:]}"


def committed_diagram(readme: str) -> str:
    """The text the README holds between the markers (what ``replace_block`` would write)."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README.md: markers {START} ... {END} not found in that order")
    return readme[start + len(START) + 1 : end]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/update_readme_diagram.py")
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is out of date")
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    updated = replace_block(readme, current_diagram())
    if args.check:
        if updated != readme:
            print("README.md: prod diagram is stale; run `make diagram`", file=sys.stderr)
            return 1
        return 0
    if updated != readme:
        README.write_text(updated, encoding="utf-8")
        print("README.md: prod diagram updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
