"""Reading a terraform-provider-aws resource's Go source: its own schema map (SDKv2
`map[string]*schema.Schema`, or a framework resource's `Schema` method), the top-level
attributes that force a new resource, and the `names.AttrXxx` constants their keys use.
scripts/gen_forcenew.py runs it over every file in its SOURCES.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

NAMES_DIR = "names"
"""The provider's names package: `names.AttrXxx` constants are read from its .go files."""

_CONST = re.compile(r"^\s*(\w+)\s*=\s*\"([a-z0-9_]+)\"", re.MULTILINE)
_SDK_MAP = "map[string]*schema.Schema{"
_FW_ATTRS = "map[string]schema.Attribute{"
_FW_BLOCKS = "map[string]schema.Block{"
_FW_SCHEMA_METHOD = re.compile(r"^func \([^)]*\) Schema\(", re.MULTILINE)
_SCHEMA_REF = re.compile(r"\bSchema(?:Func)?:\s*(\w+)(?:\(\))?\s*,")


def attr_constants(root: Path) -> dict[str, str]:
    """names.AttrXxx -> "xxx" from the provider's names package."""
    consts: dict[str, str] = {}
    for path in sorted((root / NAMES_DIR).glob("*.go")):
        consts.update(
            (k, v) for k, v in _CONST.findall(path.read_text(encoding="utf-8")) if k[:4] == "Attr"
        )
    return consts


def _mask(text: str) -> str:
    """`text` with the insides of strings, runes and comments blanked (same length), so that
    brackets are counted in code only."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = [ch if ch == "\n" else " " for ch in text[i:end]]
            i = end
        elif c in "\"'`":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\" and c != "`":
                    j += 1
                j += 1
            out[i + 1 : j] = [ch if ch == "\n" else " " for ch in text[i + 1 : j]]
            i = j + 1
        else:
            i += 1
    return "".join(out)


def _close(masked: str, open_at: int) -> int:
    """Index just past the bracket matching masked[open_at] (end of text if unclosed)."""
    depth = 0
    for i in range(open_at, len(masked)):
        if masked[i] in "{([":
            depth += 1
        elif masked[i] in "})]":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(masked)


def _indent(text: str, at: int) -> int:
    start = text.rfind("\n", 0, at) + 1
    return len(text[start:at]) - len(text[start:at].lstrip("\t"))


def _entries(text: str, masked: str, start: int, end: int) -> list[tuple[str, str, str]]:
    """`key: value` pairs at depth 0 of masked[start:end] (a composite literal's body), as
    (key source, value source, value masked)."""
    found: list[tuple[str, str, str]] = []
    i = start
    while i < end:
        while i < end and masked[i] in " \t\n,":
            i += 1
        if i >= end:
            break
        colon = i
        while colon < end and masked[colon] not in ":{([,":
            colon += 1
        if colon >= end or masked[colon] != ":":
            raise ValueError(f"not a key: value entry: {text[i : i + 60]!r}")
        key = text[i:colon].strip()
        j = colon + 1
        while j < end and masked[j] != ",":
            j = _close(masked, j) if masked[j] in "{([" else j + 1
        a, b = colon + 1, j
        while a < b and masked[a].isspace():
            a += 1
        while b > a and masked[b - 1].isspace():
            b -= 1
        found.append((key, text[a:b], masked[a:b]))
        i = j + 1
    return found


def _func_body(masked: str, at: int) -> tuple[int, int]:
    """The body of the function declared at or after `at`."""
    decl = masked.find("func ", at)
    if decl < 0:
        return at, len(masked)
    after = decl + len("func ")
    if masked[after] == "(":  # a method: skip the receiver
        after = _close(masked, after)
    # The body opens after the parameters (a result type has no braces of its own).
    params_end = _close(masked, masked.find("(", after))
    open_at = masked.find("{", params_end)
    return open_at, _close(masked, open_at)


def _shallowest(text: str, masked: str, needle: str, start: int, end: int) -> int | None:
    """Index of the `{` of the least-indented `needle` in masked[start:end]; of those, the
    longest (a file without annotations may hold a small helper schema at the same depth)."""
    best: tuple[int, int, int] | None = None
    at = masked.find(needle, start, end)
    while at >= 0:
        brace = at + len(needle) - 1
        candidate = (_indent(text, at), -(_close(masked, brace) - brace), brace)
        best = candidate if best is None or candidate[:2] < best[:2] else best
        at = masked.find(needle, at + 1, end)
    return None if best is None else best[2]


@dataclass(frozen=True)
class _Schema:
    text: str
    masked: str
    maps: list[int]  # the `{` of each top-level map (framework: attributes and blocks)
    framework: bool


def _locate(text: str, resource: str | None) -> _Schema:
    masked = _mask(text)
    method = _FW_SCHEMA_METHOD.search(masked)
    if method:
        start, end = _func_body(masked, method.start())
        attrs = _shallowest(text, masked, _FW_ATTRS, start, end)
        if attrs is not None:
            maps = [attrs]
            blocks = masked.find(_FW_BLOCKS, start, end)
            while blocks >= 0:
                if _indent(text, blocks) == _indent(text, attrs):
                    maps.append(blocks + len(_FW_BLOCKS) - 1)
                blocks = masked.find(_FW_BLOCKS, blocks + 1, end)
            return _Schema(text, masked, maps, framework=True)
    start, end = 0, len(text)
    if resource:
        note = text.find(f'@SDKResource("{resource}"')
        if note >= 0:
            start, end = _func_body(masked, note)
    sdk = _shallowest(text, masked, _SDK_MAP, start, end)
    if sdk is None and resource is not None:
        ref = _SCHEMA_REF.search(masked, start, end)
        if ref:
            name = ref.group(1)
            func = re.search(rf"^func {name}\(", masked, re.MULTILINE)
            var = re.search(rf"^\s*{name}\s*=\s*map\[string\]\*schema\.Schema\{{", masked, re.M)
            if func:
                start, end = _func_body(masked, func.start())
                sdk = _shallowest(text, masked, _SDK_MAP, start, end)
            elif var:
                sdk = var.end() - 1
    if sdk is not None:
        return _Schema(text, masked, [sdk], framework=False)
    fw = _shallowest(text, masked, _FW_ATTRS, 0, len(text))
    if fw is not None:
        return _Schema(text, masked, [fw], framework=True)
    raise ValueError(f"no schema found for {resource or 'the resource'}")


def _struct_fields(value: str, masked: str) -> dict[str, str] | None:
    """The fields of a composite literal value (`{...}`, `&schema.Schema{...}`,
    `schema.StringAttribute{...}`), masked; None for anything else (a call, a variable)."""
    brace = masked.find("{")
    if brace < 0 or not re.fullmatch(r"&?[\w.]*", masked[:brace].strip()):
        return None
    end = _close(masked, brace)
    return {k: m for k, _, m in _entries(value, masked, brace + 1, end - 1)}


# The provider spells these as capitals in constant names (names/caps.csv) and as one word in
# attribute names; `derive_attr` undoes that spelling for a names.AttrXxx the copied names package
# lacks. tests/test_forcenew.py checks it against every constant the copied package defines.
_CAPS: tuple[str, ...] = ("AWS", "ARN", "CIDR", "DNS", "IAM", "ID", "IOPS", "IP", "JSON", "KMS")
_CAPS += ("S3", "SNS", "URI", "URL", "VPC")
_WORDS = {"CloudWatch": "cloudwatch"}
_WORD = re.compile(r"[A-Z][a-z0-9]*")


def derive_attr(constant: str) -> str:
    """names.AttrOutpostARN -> "outpost_arn", by the provider's own constant spelling."""
    name = constant.removeprefix("names.").removeprefix("Attr")
    parts: list[str] = []
    i = 0
    while i < len(name):
        word = next((w for w in _WORDS if name.startswith(w, i)), None)
        if word is not None:
            parts.append(_WORDS[word])
            i += len(word)
            continue
        end = None
        for cap in sorted(_CAPS, key=len, reverse=True):
            if not name.startswith(cap, i):
                continue
            j = i + len(cap)
            if name[j : j + 1] == "s" and (j + 1 == len(name) or name[j + 1].isupper()):
                j += 1
            if j == len(name) or name[j].isupper():
                end = j
                break
        if end is None:
            match = _WORD.match(name, i)
            end = match.end() if match else i + 1
        parts.append(name[i:end].lower())
        i = end
    return "_".join(parts)


def _key_name(key: str, consts: dict[str, str], derived: dict[str, str] | None = None) -> str:
    if key.startswith('"') and key.endswith('"'):
        return key[1:-1]
    name = consts.get(key.removeprefix("names."))
    if name is None and derived is not None and key.startswith("names.Attr"):
        name = derived.setdefault(key, derive_attr(key))
    if name is None:
        raise ValueError(f"schema key {key} is not a string or a known constant")
    return name


def force_new(
    text: str,
    consts: dict[str, str],
    resource: str | None = None,
    derived: dict[str, str] | None = None,
) -> list[str]:
    """Top-level attributes of the resource schema in `text` that force replacement.

    `resource` (the Terraform name) picks the function after its `@SDKResource` annotation;
    without it, or without the annotation, the least-indented schema map in `text` is taken.
    A names.AttrXxx missing from `consts` is an error, unless `derived` is given: then its
    name is derived (`derive_attr`) and recorded there.
    """
    schema = _locate(text, resource)
    local = dict(_CONST.findall(text))
    known = {**local, **consts}
    names: set[str] = set()
    for open_at in schema.maps:
        end = _close(schema.masked, open_at)
        for key, value, masked in _entries(text, schema.masked, open_at + 1, end - 1):
            name = _key_name(key, known, derived)
            fields = _struct_fields(value, masked)
            if fields is None:
                # A helper call: only a helper that says so forces a new resource.
                if re.match(r"[\w.]*ForceNew\w*\(", masked):
                    names.add(name)
            elif schema.framework:
                if "RequiresReplace()" in fields.get("PlanModifiers", ""):
                    names.add(name)
            elif fields.get("ForceNew") == "true":
                names.add(name)
    return sorted(names)
