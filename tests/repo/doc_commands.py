"""The commands README.md and docs/ show, found as a reader finds them.

A command is a line of a fenced `sh`, `bash`, `shell` or `console` block (in a console block,
a line after `$ `, and the lines up to the next one are what it printed), or an inline code
span in prose that starts with a program (`make test`, `pulumi up`, `.venv/bin/verify ...`).
An inline span that starts with one of preflight's commands and a flag (`preview --base`) is
a *mention* of that command: its flags are checked, it is not run.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])

FENCE = re.compile(r"^[ \t]*```([^\n]*)\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`]+)`")
_SHELL_FENCES = {"sh", "bash", "shell", "console"}
_PROGRAMS = {"make", "pulumi", "aws", "git", "docker", "curl", "pip", "eb", "cd", "unzip", "sudo"}
_PROGRAMS |= {"python", "python3"}
_MENTION = re.compile(r"(preview|cost|analyze) --")
_MARKERS = re.compile(r"^<!-- ([a-z0-9-]+):start -->$.*?^<!-- \1:end -->$", re.M | re.S)

TOOLS = {"preflight": "preflight", "verify": "verify", "preflight.gate": None}
"""The project's tools by module, and the console script `make setup` installs for each."""


def _spellings(module: str) -> list[tuple[str, ...]]:
    script = TOOLS[module]
    spelt: list[tuple[str, ...]] = [("python", "-m", module), (".venv/bin/python", "-m", module)]
    return [(f".venv/bin/{script}",), *spelt] if script else spelt


@dataclass(frozen=True)
class Shown:
    doc: str
    """The document, relative to the repository."""
    line: int
    text: str
    """The command as shown: continuation lines joined, comment dropped, spaces collapsed."""
    output: tuple[str, ...] | None = None
    """What a console block shows it printing."""
    block: str | None = None
    """The generated block it stands in (`make docs` writes it), if any."""

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}: `{self.text}`"

    @property
    def words(self) -> list[str]:
        return self.text.split()

    def tool(self) -> tuple[str, int] | None:
        """(module, words naming it) of a command line of one of the project's tools."""
        words = self.words
        for module in TOOLS:
            for prefix in _spellings(module):
                if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
                    return module, len(prefix)
        return None

    def mention(self) -> str | None:
        """The preflight command a mention (`preview --base`) names, else None."""
        return self.words[0] if _MENTION.match(self.text) else None

    def argv(self, variables: Mapping[str, str]) -> list[str]:
        """The words a shell would pass, with `$NAME` and `${NAME}` taken from `variables`."""

        def value(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            if name not in variables:
                raise KeyError(f"{self.where}: no value for ${name} (doc_workspace.py)")
            return variables[name]

        return shlex.split(re.sub(r"\$(\w+)|\$\{(\w+)\}", value, self.text), comments=True)


def _is_command(text: str) -> bool:
    words = text.split()
    if len(words) < 2:  # `make`, `.venv/bin/preflight`: the program named, not a command line
        return False
    first = re.sub(r"^\w+=\$\(", "", words[0])  # `BUCKET=$(pulumi ...)`
    return first in _PROGRAMS or first.startswith(".venv/bin/") or bool(_MENTION.match(text))


def _logical_lines(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line number, text) of each shell line, `\\` continuations joined, comments dropped."""
    lines: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(body.splitlines(), start=first_line):
        start, text = pending or (number, "")
        text += " " + raw.rstrip()
        pending = (start, text[:-1]) if raw.rstrip().endswith("\\") else None
        if pending is None:
            command = re.sub(r"(^|\s)#.*$", "", text).strip()
            if command and not re.fullmatch(r"\w+=[^$\s]*", command):
                lines.append((start, " ".join(command.split())))
    return lines


def _console(body: str, first_line: int) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line number, command, output lines) of each `$ ` line of a console block."""
    shown: list[tuple[int, str, tuple[str, ...]]] = []
    for number, raw in enumerate(body.splitlines(), start=first_line):
        if raw.startswith("$ "):
            shown.append((number, " ".join(raw[2:].split()), ()))
        elif shown:
            number0, command, output = shown[-1]
            shown[-1] = (number0, command, (*output, raw))
    return shown


@functools.cache
def shown_commands(doc: Path) -> tuple[Shown, ...]:
    text = doc.read_text(encoding="utf-8")
    name = str(doc.relative_to(ROOT))
    blocks = [(m.start(), m.end(), m.group(1)) for m in _MARKERS.finditer(text)]

    def line_of(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    def block_at(offset: int) -> str | None:
        return next((b for start, end, b in blocks if start <= offset < end), None)

    found: list[Shown] = []
    for fence in FENCE.finditer(text):
        info, body = fence.group(1).strip(), fence.group(2)
        first, block = line_of(fence.start(2)), block_at(fence.start())
        if info == "console":
            for number, command, output in _console(body, first):
                found.append(Shown(name, number, command, output, block))
        elif info in _SHELL_FENCES:
            found += [
                Shown(name, n, command, None, block) for n, command in _logical_lines(body, first)
            ]
    prose = FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)  # offsets kept
    for span in INLINE.finditer(prose):
        command = " ".join(span.group(1).split())
        if _is_command(command):
            found.append(Shown(name, line_of(span.start()), command, None, block_at(span.start())))
    return tuple(sorted(found, key=lambda s: s.line))


def all_shown() -> list[Shown]:
    return [shown for doc in DOCS for shown in shown_commands(doc)]
