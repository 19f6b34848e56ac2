"""The property values inside a `pulumi stack export`: bounded, checked, envelopes decoded.

An export's values may hold the engine's signed envelopes (secrets, assets, archives, resource
references, output values). `ValueWalk` checks every value once, within fixed bounds on depth
and number size, and decodes the envelopes: a secret's plaintext is unwrapped (and remembered,
so messages can show `[secret]` instead), a ciphertext-only secret becomes pulumi-policy's
unknown sentinel. Every problem is an InputError naming where it is.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pulumi_policy.deserialize import SPECIAL_ARCHIVE_SIG, SPECIAL_ASSET_SIG
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from preflight.inputs.errors import InputError
from preflight.simulate.deployment import SECRET_SIG, SECRET_SIG_KEY

UNKNOWN_STRING: str = UNKNOWN_STRING_VALUE
"""pulumi-policy's sentinel for a value that is not known: the policies treat it as such."""

MAX_DEPTH = 64
"""Deepest nesting accepted inside one property (real exports stay far below ~20 levels).

The bound is what keeps every later recursive walk (pulumi-policy's deserialiser and proxies,
the rules' `plain()`) far from Python's recursion limit, whatever the file holds."""

MAX_INT = 10**21
"""Pulumi stores numbers as float64 and the CLI writes 1e21 and above in exponent form, so an
integer literal this large cannot come from `pulumi stack export`."""

ASSET_SIG: str = SPECIAL_ASSET_SIG
ARCHIVE_SIG: str = SPECIAL_ARCHIVE_SIG
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
"""The engine's other signatures (sdk/go/common/resource/properties.go)."""


def sorted_keys(value: Any) -> Any:
    """Objects with their keys sorted at every level, as Go's encoder writes maps."""
    if isinstance(value, dict):
        return {k: sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_keys(v) for v in value]
    return value


def load_json(text: str, name: str, what: str) -> Any:
    """Parse JSON with integers and constants bounded; every failure is an InputError."""
    try:
        return json.loads(text, parse_int=_parse_int, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: {what} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "expected the output of `pulumi stack export`"
        ) from None
    except RecursionError:
        raise InputError(
            f"{name}: {what} is nested too deeply to be a Pulumi export "
            f"(at most {MAX_DEPTH} levels inside a property)"
        ) from None
    except ValueError as exc:  # _parse_int / _reject_constant
        raise InputError(f"{name}: {what}: {exc}") from None


def _parse_int(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if digits > 22:  # checked before int() so no 4,300-digit conversion limit is ever hit
        raise ValueError(
            f"an integer of {digits} digits is out of range (Pulumi numbers are 64-bit floats)"
        )
    return int(literal)


def _reject_constant(literal: str) -> Any:
    raise ValueError(f"{literal} is not a JSON number and never appears in a Pulumi export")


def printable(value: str) -> str:
    """`value` made printable: lone surrogates escaped (for error messages only)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(key: str) -> str:
    """A key as shown in a message: escaped, so a newline in data never splits the line."""
    return json.dumps(key, ensure_ascii=True)[1:-1]


def check_text(value: str, where: str, what: str) -> str:
    """`value` unchanged if it is valid UTF-8 text; an InputError naming it if not."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                f"{where}: {what} {printable(value)!r} holds a lone surrogate "
                "(not valid UTF-8 text)"
            ) from None
    return value


class ValueWalk:
    """One validating pass over a resource's property values.

    Returns each value with secret envelopes unwrapped (a ciphertext-only secret becomes the
    unknown sentinel), resource references replaced by their ID (or URN), and everything else
    exactly as given; raises InputError for anything pulumi-policy's deserialiser or the
    rules could choke on. Plaintext found inside a secret is remembered in `secrets`, so
    messages can show `[secret]` instead of it.
    """

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.ciphertext = False
        """Set when the value just walked held a ciphertext-only secret."""

    def value(self, value: Any, where: str, depth: int, secret: bool) -> Any:
        if depth > MAX_DEPTH:
            raise InputError(
                f"{where}: nested more than {MAX_DEPTH} levels deep; "
                "no Pulumi resource property is, so the file is not a real export"
            )
        kind = type(value)
        if kind is str:
            check_text(value, where, "value")
            if secret:
                self.secrets.add(value)
            return value
        if kind is bool or value is None:
            return value
        if kind is int or kind is float:
            if kind is int and abs(value) >= MAX_INT:
                raise InputError(f"{where}: the number {value:.3e} is out of range for Pulumi")
            if kind is float and not math.isfinite(value):
                raise InputError(f"{where}: {value} is not a number Pulumi can store")
            if secret:
                self.secrets.add(json.dumps(value))
            return value
        if kind is list:
            return [self.value(item, where, depth + 1, secret) for item in value]
        if kind is dict:
            if SECRET_SIG_KEY in value:
                return self._signed(value, where, depth, secret)
            out: dict[str, Any] = {}
            for key, item in value.items():
                check_text(key, where, "key")
                out[key] = self.value(item, where, depth + 1, secret)
            return out
        raise InputError(f"{where}: unexpected value of type {kind.__name__}")  # pragma: no cover

    def _signed(self, envelope: dict[str, Any], where: str, depth: int, secret: bool) -> Any:
        sig = envelope[SECRET_SIG_KEY]
        if sig == SECRET_SIG:
            return self._secret(envelope, where, depth)
        if sig == ASSET_SIG:
            self._asset(envelope, where)
            return envelope
        if sig == ARCHIVE_SIG:
            self._archive(envelope, where, depth)
            return envelope
        if sig == RESOURCE_REFERENCE_SIG:
            ref = envelope.get("id") or envelope.get("urn")
            if not isinstance(ref, str):
                raise InputError(f"{where}: resource reference without a string 'urn' or 'id'")
            return self.value(ref, where, depth, secret)
        if sig == OUTPUT_VALUE_SIG:
            if "value" not in envelope:
                return UNKNOWN_STRING
            is_secret = envelope.get("secret") is True
            return self.value(envelope["value"], where, depth + 1, secret or is_secret)
        shown = printable(repr(sig))[:60]
        raise InputError(
            f"{where}: unknown signature {shown} under {SECRET_SIG_KEY!r} "
            "(expected a secret, asset, archive or resource reference)"
        )

    def _secret(self, envelope: dict[str, Any], where: str, depth: int) -> Any:
        forms = [key for key in ("plaintext", "ciphertext", "value") if key in envelope]
        if len(forms) != 1:
            raise InputError(
                f"{where}: a secret must hold exactly one of 'plaintext', 'ciphertext' or "
                f"'value' (found {', '.join(forms) or 'none'})"
            )
        form = forms[0]
        if form == "value":
            return self.value(envelope["value"], where, depth + 1, True)
        text = envelope[form]
        if not isinstance(text, str):
            raise InputError(f"{where}: a secret's '{form}' must be a string")
        check_text(text, where, f"secret {form}")
        if form == "ciphertext":
            self.ciphertext = True
            return UNKNOWN_STRING
        inner = load_json(text, where, "the secret's plaintext")
        return self.value(inner, where, depth + 1, True)

    def _asset(self, envelope: dict[str, Any], where: str) -> None:
        for key in ("path", "text", "uri", "hash"):
            if key in envelope and not isinstance(envelope[key], str):
                raise InputError(f"{where}: an asset's '{key}' must be a string")
            if key in envelope:
                check_text(envelope[key], where, f"asset {key}")
        if not any(k in envelope for k in ("path", "text", "uri")):
            raise InputError(f"{where}: an asset needs a 'path', 'text' or 'uri'")

    def _archive(self, envelope: dict[str, Any], where: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise InputError(f"{where}: nested more than {MAX_DEPTH} levels deep")
        for key in ("path", "uri", "hash"):
            if key in envelope and not isinstance(envelope[key], str):
                raise InputError(f"{where}: an archive's '{key}' must be a string")
            if key in envelope:
                check_text(envelope[key], where, f"archive {key}")
        if "assets" in envelope:
            assets = envelope["assets"]
            if not isinstance(assets, dict):
                raise InputError(f"{where}: an archive's 'assets' must be an object")
            for name, item in assets.items():
                check_text(name, where, "archive asset name")
                inner = f"{where}.assets.{name}"
                if not isinstance(item, dict) or item.get(SECRET_SIG_KEY) not in (
                    ASSET_SIG,
                    ARCHIVE_SIG,
                ):
                    raise InputError(f"{inner}: an archive's assets must be assets or archives")
                if item[SECRET_SIG_KEY] == ASSET_SIG:
                    self._asset(item, inner)
                else:
                    self._archive(item, inner, depth + 1)
        elif not any(k in envelope for k in ("path", "uri")):
            raise InputError(f"{where}: an archive needs 'assets', a 'path' or a 'uri'")
