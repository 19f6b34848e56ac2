"""How the Pulumi CLI's YAML library types a scalar, and how Go writes the result back out.

The CLI reads `Pulumi.yaml` and the stack files with gopkg.in/yaml.v3 (v3.0.1; pulumi/pulumi
`sdk/go/common/encoding/marshal.go`), whose rules are YAML 1.2's core schema with a few of its
own, not PyYAML's YAML 1.1: only `true`/`false` (three spellings each) are booleans, `yes` and
`on` stay strings; integers are Go's base-0 literals after every `_` is dropped (`017` is octal,
`0x1F`, `0o17`, `0b101`); there is no sexagesimal; a value that starts `YYYY-` and parses as a
date is a `time.Time`. The functions here follow yaml.v3's `resolve.go` and Go's `strconv`,
`encoding/json` and `time` formatting, so preflight hands the program the same strings.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
import re
from decimal import Decimal
from typing import Any

TAG = "tag:yaml.org,2002:"
STR, BOOL, INT, FLOAT, NULL = (TAG + name for name in ("str", "bool", "int", "float", "null"))
TIMESTAMP, BINARY, MERGE = TAG + "timestamp", TAG + "binary", TAG + "merge"
RESOLVABLE = (STR, BOOL, INT, FLOAT, NULL, TIMESTAMP)
"""Tags yaml.v3 resolves a scalar for (`resolvableTag`); any other tag leaves it a string."""

INT64_MAX, UINT64_MAX = 2**63 - 1, 2**64 - 1
_MAX_INT_CHARS = 70
"""Longer than any Go integer literal that fits 64 bits (binary with sign and prefix)."""

_WORDS: dict[str, tuple[str, Any]] = {
    **dict.fromkeys(("true", "True", "TRUE"), (BOOL, True)),
    **dict.fromkeys(("false", "False", "FALSE"), (BOOL, False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), (NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
    "<<": (MERGE, "<<"),
}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_FLOAT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?P<sep>[Tt ])(?P<H>\d{1,2}):(?P<M>\d{1,2}):(?P<S>\d{1,2})(?:\.(?P<f>\d+))?"
    r"(?P<z>Z|[+-]\d{2}:\d{2})?)?"
)


class ScalarError(ValueError):
    """A scalar its explicit tag cannot hold (yaml.v3: "cannot decode !!str `x` as a !!int")."""


def resolve(tag: str | None, text: str) -> tuple[str, Any]:
    """(tag, value) as yaml.v3 resolves a plain scalar, or one with an explicit tag.

    A timestamp's value is the text Go's `time.Time.String()` gives it (what the CLI's config
    value becomes); a `!!binary` value is the decoded text.
    """
    if tag == BINARY:
        return STR, _binary(text)
    if tag is not None and tag not in RESOLVABLE:
        return STR, text  # a custom tag (`!thing`, `!!set` members): the text itself
    if tag == STR:
        return STR, text
    found = _resolve_plain(text, allow_timestamp=tag in (None, TIMESTAMP))
    if tag is None or tag == found[0]:
        return found
    if tag == FLOAT and found[0] == INT:
        return FLOAT, float(found[1])
    raise ScalarError(f"cannot decode !!{found[0][len(TAG) :]} `{text}` as a !!{tag[len(TAG) :]}")


def _resolve_plain(text: str, *, allow_timestamp: bool) -> tuple[str, Any]:
    hint = text[:1]
    if text in _WORDS:
        return _WORDS[text]
    if hint == ".":
        number = _go_parse_float(text)
        return (FLOAT, number) if number is not None else (STR, text)
    if not hint or not ((hint.isdigit() and hint.isascii()) or hint in "+-"):
        return STR, text
    if allow_timestamp:
        stamp = go_time_string(text)
        if stamp is not None:
            return TIMESTAMP, stamp
    plain = text.replace("_", "")
    integer = _go_parse_int(plain)
    if integer is not None and -(2**63) <= integer <= UINT64_MAX:
        return INT, integer
    if _YAML_FLOAT.fullmatch(plain):
        number = _go_parse_float(plain)
        if number is not None:
            return FLOAT, number
    return STR, text


def _go_parse_int(text: str) -> int | None:
    """Go's `strconv.ParseInt(text, 0, 64)` syntax: sign, then 0x/0o/0b/0 prefix or decimal."""
    if len(text) > _MAX_INT_CHARS:
        return None
    sign, digits = (text[0], text[1:]) if text[:1] in "+-" else ("", text)
    bases = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}
    base = bases.get(digits[:2])
    if base:
        digits = digits[2:]
    elif len(digits) > 1 and digits[0] == "0":
        base, digits = 8, digits[1:]
    else:
        base = 10
    allowed = "0123456789abcdefABCDEF" if base == 16 else "0123456789"[:base]
    if not digits or not all(c in allowed for c in digits):
        return None
    value = int(digits, base)
    return -value if sign == "-" else value


def _go_parse_float(text: str) -> float | None:
    """Go's `strconv.ParseFloat(text, 64)` for decimal forms: None when it fails or overflows."""
    if not _GO_FLOAT.fullmatch(text):
        return None
    value = float(text)
    return None if math.isinf(value) else value


def _binary(text: str) -> str:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ScalarError(f"!!binary value is not valid base64: {text[:40]!r}") from None
    return raw.decode("utf-8", "replace")


# -- Go's formatting ------------------------------------------------------------------------


def _shortest(value: float) -> tuple[str, int]:
    """The shortest digits that give `value` back, and the decimal point's position."""
    _, digits, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    text = "".join(map(str, digits)) or "0"
    return text, len(text) + int(exponent)


def go_format_float(value: float, fmt: str) -> str:
    """`strconv.FormatFloat(value, fmt, -1, 64)` for fmt 'g', 'e' or 'f'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    neg = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return neg + ("0e+00" if fmt == "e" else "0")
    digits, point = _shortest(value)
    if fmt == "g":  # shortest: the exponent form below 1e-4 and from 1e6 (strconv's rule)
        fmt = "e" if point - 1 < -4 or point - 1 >= 6 else "f"
    if fmt == "e":
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exponent = point - 1
        return f"{neg}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if point <= 0:
        return f"{neg}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return neg + digits + "0" * (point - len(digits))
    return f"{neg}{digits[:point]}.{digits[point:]}"


def go_json_float(value: float) -> str:
    """A float as Go's encoding/json writes it (ES6 style: exponent below 1e-6 or from 1e21)."""
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = go_format_float(value, "e")
        return re.sub(r"e-0(\d)$", r"e-\1", text)
    return go_format_float(value, "f")


def reencoded_number(value: float) -> int | float:
    """What a float becomes after yaml.v3 writes it (`FormatFloat 'g'`) and reads it again: a
    whole float written without an exponent comes back an integer (`1e3` -> 1000)."""
    kind, again = _resolve_plain(go_format_float(value, "g"), allow_timestamp=False)
    return int(again) if kind == INT else value


def go_json(value: Any) -> str:
    """`json.Marshal(value)` as Go writes it: keys sorted, compact, `<>&` escaped."""
    if isinstance(value, dict):
        items = (f"{go_json(str(k))}:{go_json(v)}" for k, v in sorted(value.items()))
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    if isinstance(value, float):
        return go_json_float(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(char, escape)
        text = text.replace("\\b", "\\u0008").replace("\\f", "\\u000c")
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return json.dumps(value)


def go_time_string(text: str) -> str | None:
    """`time.Time.String()` of a yaml.v3 timestamp, or None when `text` is not one.

    Like the CLI on a machine whose local zone is UTC (CI runners): a date, a time without a
    zone and `Z` are UTC; another offset is a zone of that offset without a name (`-0500 -0500`).
    """
    match = _TIMESTAMP.fullmatch(text)
    if match is None or bool(match["z"]) != (match["sep"] in ("T", "t")):
        return None  # Go's layouts: `T` takes a zone, a space none, a date alone neither
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k not in ("sep", "f", "z")}
    try:
        moment = datetime.datetime(
            parts["y"],
            parts["m"],
            parts["d"],
            parts.get("H", 0),
            parts.get("M", 0),
            parts.get("S", 0),
        )
    except ValueError:
        return None
    fraction = (match["f"] or "")[:9].rstrip("0")
    zone = match["z"] or "Z"
    if zone in ("Z", "+00:00", "-00:00"):
        name = "+0000 UTC"
    else:
        offset = zone.replace(":", "")
        name = f"{offset} {offset}"
    return f"{moment:%Y-%m-%d %H:%M:%S}{'.' + fraction if fraction else ''} {name}"
