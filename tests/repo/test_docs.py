"""The README and docs/ say only true things about the repository.

Every relative link (and its #anchor) resolves; every repo path shown in backticks or in a
command exists (or is a file the documented commands write); every `make <target>` is a
Makefile target; every `python -m <module> ...` names a real module whose argparse accepts the
subcommand and flags shown (read from its own `-h`); every generated block is what `make docs`
writes now; docs/design.md names every test module. The commands themselves are run or pinned
in test_doc_commands.py.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import update_docs
from scripts.doc_workspace import MADE_FILES, Workspace
from tests.repo.doc_commands import DOCS, ROOT, all_shown

DOC_IDS = [str(path.relative_to(ROOT)) for path in DOCS]


_FENCE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"`([^`]+)`")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_EXTENSIONS = (".py", ".md", ".yaml", ".yml", ".json", ".txt", ".toml", ".cfg")
# File names of the outside world the docs mention: EB's alternative Docker bundle root file,
# the provenance file gen_forcenew reads, the metavar of a state file.
_NOT_REPO_FILES = {"Dockerrun.aws.json", "files.json", "STATE.json"}


@functools.cache
def _written() -> frozenset[str]:
    """Files the documented commands write (`--json PATH`, `> PATH`, ...) or the workspace
    makes first (scripts/doc_workspace.py): examples of a path, not repository files."""
    written = set(MADE_FILES)
    for shown in all_shown():
        words = shown.words
        for flag, path in itertools.pairwise(words):
            if flag in {"--json", "--markdown", "--plan-json", "--file", ">"}:
                written.add(path.strip('"'))
    return frozenset(written)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _prose(text: str) -> str:
    """The text without its fenced code blocks."""
    return _FENCE.sub("", text)


def _code(text: str) -> list[str]:
    """Every line of code shown: fenced block lines and inline code spans (whitespace joined)."""
    lines = [line for block in _FENCE.findall(text) for line in block.splitlines()]
    return lines + [" ".join(span.split()) for span in _INLINE.findall(_prose(text))]


@functools.cache
def _tracked() -> tuple[str, ...]:
    run = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return tuple(run.stdout.splitlines())


def _top_level() -> set[str]:
    return {name.split("/", 1)[0] for name in _tracked()}


def _exists(shown: str) -> bool:
    """`shown` names a tracked file or directory (whole or a path suffix); `<x>`: any one name."""
    pattern = re.escape(shown.rstrip("/")).replace(r"\<", "<").replace(r"\>", ">")
    pattern = re.sub(r"<[^>]+>", r"[^/]+", pattern)
    whole = re.compile(rf"(?:^|.*/){pattern}(?:/.*)?$")
    return any(whole.match(name) for name in _tracked())


def _looks_like_repo_path(span: str) -> bool:
    if (
        not re.fullmatch(r"[\w.<>-]+(?:/[\w.<>-]+)*/?", span)
        or span in _written() | _NOT_REPO_FILES
    ):
        return False
    if span.endswith(_EXTENSIONS):
        return True
    return "/" in span and span.split("/", 1)[0] in _top_level()


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[`*_\[\]()]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m) for m in re.findall(r"^#{1,6} (.+)$", _prose(_text(path)), re.MULTILINE)}


@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_every_relative_link_resolves(doc: Path) -> None:
    links = [link for link in _LINK.findall(_prose(doc.read_text())) if "://" not in link]
    for link in links:
        target, _, anchor = link.partition("#")
        resolved = (doc.parent / target).resolve() if target else doc
        assert resolved.exists(), f"{doc.name}: link {link!r} points at a missing file"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), (
                f"{doc.name}: no heading for #{anchor} in {resolved.name}"
            )


@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_every_repo_path_in_backticks_exists(doc: Path) -> None:
    spans = [" ".join(s.split()) for s in _INLINE.findall(_prose(_text(doc)))]
    shown = sorted({span for span in spans if _looks_like_repo_path(span)})
    assert shown, f"{doc.name}: no repository path found; the path heuristic is broken"
    missing = [span for span in shown if not _exists(span)]
    assert not missing, f"{doc.name}: paths that do not exist: {missing}"


def test_every_repo_path_in_a_command_exists() -> None:
    shown = {(s.where, w) for s in all_shown() for w in s.words if _looks_like_repo_path(w)}
    assert len(shown) > 10, "the path heuristic is broken"
    assert sorted(where for where, word in shown if not _exists(word)) == []


def _make_targets() -> set[str]:
    makefile = _text(ROOT / "Makefile")
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", makefile, re.MULTILINE))


@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_every_make_target_shown_exists(doc: Path) -> None:
    targets = _make_targets()
    assert {"preview", "test", "diagram"} <= targets
    shown = {t for line in _code(_text(doc)) for t in re.findall(r"\bmake ([a-z][\w-]*)", line)}
    assert not shown - targets, f"{doc.name}: not Makefile targets: {sorted(shown - targets)}"


def _python_m(doc: Path) -> list[tuple[str, list[str]]]:
    """(module, the words after it) for every `python -m` command shown."""
    shown = []
    for line in _code(_text(doc)):
        for match in re.finditer(r"python -m ([\w.]+)([^`#;&]*)", line):
            shown.append((match.group(1), match.group(2).split()))
    return shown


@functools.cache
def _help(module: str, subcommand: str | None) -> str:
    args = [sys.executable, "-m", module, *([subcommand] if subcommand else []), "-h"]
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"`{' '.join(args[1:])}` failed: {run.stderr.strip()}"
    return run.stdout


def _subcommands(module: str) -> set[str]:
    usage = _help(module, None).split("\n\n", 1)[0]
    found = re.search(r"\{([\w,-]+)\}", usage)
    return set(found.group(1).split(",")) if found else set()


@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_every_python_m_command_shown_is_accepted(doc: Path) -> None:
    for module, words in _python_m(doc):
        assert importlib.util.find_spec(module) is not None, f"{doc.name}: no module {module}"
        commands = _subcommands(module)
        chosen: list[str | None] = [None]
        if commands and words:  # a bare `python -m X` names the module, not a command line
            assert not words[0].startswith("-"), (
                f"{doc.name}: `python -m {module}` without a subcommand"
            )
            chosen = list(words[0].split("|"))
            assert set(chosen) <= commands, f"{doc.name}: {module} has no subcommand {words[0]!r}"
        flags = {
            re.split(r"[=\]|]", word.lstrip("["))[0]
            for word in words
            if word.lstrip("[").startswith("--")
        }
        for sub in chosen:
            accepted = set(re.findall(r"(--[\w-]+)", _help(module, sub)))
            assert flags <= accepted, (
                f"{doc.name}: python -m {module} {sub or ''} rejects {sorted(flags - accepted)}"
            )


def test_the_checks_see_commands_and_paths() -> None:
    """Guards the scanners: the README's own commands and paths are found."""
    readme = ROOT / "README.md"
    assert ("components.config.reference", []) in _python_m(ROOT / "docs/configuration.md")
    assert any(re.search(r"\bmake diagram\b", line) for line in _code(_text(readme)))
    assert _looks_like_repo_path("policies/config/<stage>.json")
    assert _exists("policies/config/<stage>.json")
    assert not _exists("policies/config/<stage>.yaml")
    assert not _looks_like_repo_path("aws:elasticbeanstalk:application:environment")


@pytest.mark.parametrize("name", list(update_docs.BLOCKS))
def test_every_generated_block_is_what_make_docs_writes(name: str, workspace: Workspace) -> None:
    block = update_docs.BLOCKS[name]
    committed = update_docs.committed_block(_text(ROOT / block.doc), name)
    assert committed == block.make(workspace), f"{block.doc}: {name} is stale; run `make docs`"


@pytest.mark.parametrize("doc", DOCS, ids=DOC_IDS)
def test_every_marked_block_is_one_make_docs_writes(doc: Path) -> None:
    names = update_docs.block_names(_text(doc))
    here = [n for n, block in update_docs.BLOCKS.items() if ROOT / block.doc == doc]
    here += [n for n, checked in update_docs.CHECKED.items() if ROOT / checked == doc]
    assert sorted(names) == sorted(here), f"{doc.name}: markers {names}, known {here}"


def test_replace_block_swaps_only_the_marked_text() -> None:
    start, end = update_docs.markers("prod-diagram")
    readme = f"intro\n{start}\n```mermaid\nold\n```\n{end}\nrest\n"
    new = update_docs.replace_block(readme, "prod-diagram", "```mermaid\nnew\n```\n")
    assert new == f"intro\n{start}\n```mermaid\nnew\n```\n{end}\nrest\n"
    assert update_docs.committed_block(new, "prod-diagram") == "```mermaid\nnew\n```\n"
    with pytest.raises(ValueError, match="markers"):
        update_docs.replace_block("no markers", "prod-diagram", "x")


def test_design_names_every_test_module_in_its_room() -> None:
    """docs/design.md's table: a row per room of tests/, naming each of its test modules."""
    rows: dict[str, str] = {}
    table = re.findall(
        r"^\| `(tests/[\w/]+/)`[^|]* \| (.*) \|$", _text(ROOT / "docs/design.md"), re.M
    )
    for room, row in table:
        rows[room] = rows.get(room, "") + row
    modules = sorted(name for name in _tracked() if re.fullmatch(r"tests/.+/test_\w+\.py", name))
    room = {m: "/".join(m.split("/")[:2]) + "/" for m in modules}  # tests/<room>/
    unnamed = [m for m in modules if f"`{Path(m).name}`" not in rows.get(room[m], "")]
    assert unnamed == [], "docs/design.md: test modules its table does not name in their room"
    named = {(room, n) for room, row in rows.items() for n in re.findall(r"`(test_\w+\.py)`", row)}
    assert sorted(f"{room}{n}" for room, n in named if f"{room}{n}" not in modules) == []


def test_readme_starts_with_make_preview_and_make_test_and_stays_short() -> None:
    readme = _text(ROOT / "README.md")
    first = _FENCE.search(readme)
    assert first is not None
    assert [line.split("#")[0].strip() for line in first.group(1).splitlines()] == [
        "make preview",
        "make test",
    ]
    assert len(readme.splitlines()) <= 200


def test_the_documented_make_recipes() -> None:
    """DESIGN.md's exact commands; `make docs` and `make diagram` run the block generator."""
    makefile = _text(ROOT / "Makefile")
    assert "\npreview: $(STAMP)\n\t$(PY) -m preflight preview --stack $(STACK)\n" in makefile
    assert "\ntest: lint typecheck unit\n" in makefile
    assert "\ndocs: $(STAMP)\n\t$(PY) -m scripts.update_docs\n" in makefile
    assert "\ndiagram: $(STAMP)\n\t$(PY) -m scripts.update_docs prod-diagram\n" in makefile
