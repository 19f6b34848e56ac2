"""Reading a terraform-provider-aws resource's Go source for what decides its diff beyond
`ForceNew`: per top-level attribute, `Optional`+`Computed`, a schema `Default`, sets
(`schema.TypeSet` and the hash function a `Set:` names), `DiffSuppressFunc`, `StateFunc` and a
framework `CustomType` or plan modifier; per
file, the conditional decisions of `CustomizeDiff` and `ModifyPlan` (`ForceNew`,
`ForceNewIfChange`, `Clear`, `SetNewComputed`, `RequiresReplace`).

A rule is recorded by the expression that names it (`verify.SuppressEquivalentPolicyDiffs`) or,
for a function literal or a helper defined in the file, by its name and a digest of its source
text, so that a change upstream changes the record and the test that every rule is modelled
fails until the model is looked at again. scripts/gen_diffrules.py runs it over the same
SOURCES as scripts/gen_forcenew.py.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from scripts.go_schema import _CONST, _close, _entries, _key_name, _locate, _mask

_CALLS = re.compile(
    r"\b(?:(?:diff|d)\.(ForceNew|Clear|SetNewComputed)|customdiff\.(ForceNewIfChange|ForceNewIf))"
    r"\(\s*([^,)]+)"
)
_FUNC = re.compile(r"^func (?:\([^)]*\) )?(\w+)\(", re.MULTILINE)


def digest(source: str) -> str:
    """12 hex digits of the source text with its whitespace collapsed."""
    return hashlib.sha256(" ".join(source.split()).encode()).hexdigest()[:12]


@dataclass
class Attribute:
    optional: bool = False
    computed: bool = False
    default: bool = False
    """A schema `Default`: Check fills it in when the program leaves the property out."""
    set_hash: str | None = None
    """`schema.HashSchema` for a plain set; the hash function (with digest) a `Set:` names."""
    suppress: str | None = None
    state_func: str | None = None
    custom_type: str | None = None
    plan_modifiers: list[str] = field(default_factory=list)
    """A framework attribute's plan modifiers other than the standard ones."""


@dataclass
class Rules:
    framework: bool
    attributes: dict[str, Attribute] = field(default_factory=dict)
    conditional: list[dict[str, str]] = field(default_factory=list)


def _fields(value: str) -> dict[str, str]:
    """The fields of a composite literal value, as source text ({} for anything else)."""
    masked = _mask(value)
    brace = masked.find("{")
    if brace < 0 or not re.fullmatch(r"&?[\w.]*", masked[:brace].strip()):
        return {}
    end = _close(masked, brace)
    return {k: v for k, v, _ in _entries(value, masked, brace + 1, end - 1)}


def _named(expression: str, text: str) -> str:
    """An expression as recorded: a function literal or a function of this file by digest."""
    expression = " ".join(expression.split())
    if expression.startswith("func("):
        return f"inline#{digest(expression)}"
    name = expression.split("(")[0]
    local = re.search(rf"^func {re.escape(name)}\(", text, re.MULTILINE)
    if local is not None:
        masked = _mask(text)
        body_end = _close(masked, masked.find("{", masked.find(")", local.end())))
        return f"{name}#{digest(text[local.start() : body_end])}"
    return expression


def _attribute(fields: dict[str, str], text: str) -> Attribute:
    attr = Attribute(
        optional=fields.get("Optional") == "true",
        computed=fields.get("Computed") == "true",
        default="Default" in fields,
    )
    if fields.get("Type", "").endswith("TypeSet"):
        attr.set_hash = _named(fields["Set"], text) if "Set" in fields else "schema.HashSchema"
    if "DiffSuppressFunc" in fields:
        attr.suppress = _named(fields["DiffSuppressFunc"], text)
    if "StateFunc" in fields:
        attr.state_func = _named(fields["StateFunc"], text)
    if "CustomType" in fields:
        attr.custom_type = fields["CustomType"].rstrip("{}").strip()
    modifiers = fields.get("PlanModifiers", "")
    inner = modifiers[modifiers.find("{") + 1 : modifiers.rfind("}")] if "{" in modifiers else ""
    for item in (m.strip() for m in inner.split(",")):
        if item and not re.match(
            r"\w+planmodifier\.(UseStateForUnknown|RequiresReplace)\(\)$", item
        ):
            attr.plan_modifiers.append(" ".join(item.split()))
    return attr


def attribute_rules(text: str, consts: dict[str, str], resource: str | None = None) -> Rules:
    """The diff-relevant facts of every top-level attribute of the resource in `text`."""
    schema = _locate(text, resource)
    known = {**dict(_CONST.findall(text)), **consts}
    rules = Rules(framework=schema.framework)
    for open_at in schema.maps:
        end = _close(schema.masked, open_at)
        for key, value, _ in _entries(text, schema.masked, open_at + 1, end - 1):
            name = _key_name(key, known, {})
            attr = _attribute(_fields(value), text)
            if attr != Attribute():
                rules.attributes[name] = attr
    rules.conditional = conditionals(text, known)
    return rules


def _enclosing(text: str, masked: str, at: int) -> tuple[str, str]:
    """The innermost function around `at`: its name (`func` for a literal) and source."""
    for match in reversed(list(re.finditer(r"\bfunc\b", masked[:at]))):
        start = match.start()
        named = _FUNC.match(masked, start)
        params = masked.find("(", start + 4)
        if named is not None:
            params = masked.find("(", named.end() - 1)
        body_open = masked.find("{", _close(masked, params))
        body_close = _close(masked, body_open)
        if body_open < at < body_close:
            return (named.group(1) if named else "func"), text[start:body_close]
    return "", text


def conditionals(text: str, consts: dict[str, str]) -> list[dict[str, str]]:
    """Every conditional diff decision in the file, with the function that makes it."""
    masked = _mask(text)
    found: list[dict[str, str]] = []
    for match in _CALLS.finditer(text):
        if masked[match.start()] == " ":  # inside a comment or a string
            continue
        kind = match.group(1) or match.group(2)
        argument = match.group(3).strip()
        name = (
            argument[1:-1]
            if argument.startswith('"')
            else consts.get(argument.removeprefix("names."), argument)
        )
        if match.group(2):  # customdiff.ForceNewIf*: the call holds its own condition
            func = f"customdiff.{kind}"
            call = match.start(2) + len(kind)
            source = text[match.start() : _close(masked, call)]
        else:
            func, source = _enclosing(text, masked, match.start())
        found.append({"kind": kind, "attribute": name, "function": f"{func}#{digest(source)}"})
    method = re.search(r"^func \([^)]*\) ModifyPlan\(", masked, re.MULTILINE)
    if method is not None:
        body_end = _close(masked, masked.find("{", masked.find(")", method.end())))
        if "RequiresReplace" in masked[method.start() : body_end]:
            source = digest(text[method.start() : body_end])
            found.append(
                {"kind": "RequiresReplace", "attribute": "*", "function": f"ModifyPlan#{source}"}
            )
    return sorted(found, key=lambda c: (c["attribute"], c["kind"], c["function"]))
