"""Turn whatever the engine hands a policy into plain Python values, unknowns made explicit.

pulumi-policy wraps resource properties in an "unknown-checking proxy" that raises
`UnknownValueError` the moment a rule touches a value not known during preview; a stack
export or a hand-built test passes plain dicts, possibly still holding the raw unknown
sentinels or secret envelopes. Rules call `plain()` once and then reason about ordinary
dicts, lists and strings, where `UNKNOWN` marks "not known during preview" and `CIPHERTEXT`
marks "an encrypted secret we cannot read".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pulumi_policy import Secret
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    _DictProxy,
    _ListProxy,
)

# The engine's signature key and the secret signature, as pulumi-policy's deserializer knows them.
SIG_KEY: Final[str] = SPECIAL_SIG_KEY
SECRET_SIG: Final[str] = SPECIAL_SECRET_SIG

UNKNOWN_SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


class _Marker:
    """A value that stands for something a rule cannot read."""

    def __init__(self, label: str) -> None:
        self._label = label

    def __repr__(self) -> str:
        return self._label

    def __str__(self) -> str:
        return self._label


UNKNOWN: Final = _Marker("<unknown during preview>")
"""A value the engine will only know after the resource is created (typically IDs)."""

CIPHERTEXT: Final = _Marker("<encrypted secret>")
"""A secret from a stack export without --show-secrets: present, but unreadable."""


class CannotCheck(UnknownValueError):
    """Raised by a rule when a fact it needs is not knowable yet.

    It subclasses pulumi-policy's `UnknownValueError` on purpose: the analyzer server turns
    that exception into an ADVISORY diagnostic ("can't run policy ... during preview: <message>")
    whatever the policy's enforcement level, which is exactly how an undecidable check must
    surface. Rules report every definite violation first and raise this last.
    """

    def __init__(self, message: str) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def is_unreadable(value: Any) -> bool:
    """True for anything a rule cannot judge: unknown during preview or encrypted."""
    return value is UNKNOWN or value is CIPHERTEXT


def plain(value: Any) -> Any:
    """Recursively copy `value` into dicts/lists/scalars, replacing unknowns and secrets.

    - pulumi-policy proxies: every access is guarded; an `UnknownValueError` becomes `UNKNOWN`.
    - raw unknown sentinels (strings) become `UNKNOWN`.
    - `pulumi_policy.Secret` and the engine's secret envelope are unwrapped; an envelope that
      only carries `ciphertext` becomes `CIPHERTEXT`; `plaintext` (stack export with
      --show-secrets) is the JSON text of the value and is decoded.
    """
    kind = type(value)  # exact-type fast paths first: ABC checks dominate on large stacks
    if kind is str:
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if kind is dict and SIG_KEY not in value:
        return {str(k): plain(v) for k, v in value.items()}
    if kind is list:
        return [plain(v) for v in value]
    if value is None or kind is bool or kind is int or kind is float:
        return value
    if isinstance(value, _Marker):
        return value
    if isinstance(value, _DictProxy | _ListProxy):
        # Read the proxy's own data: its unknowns are the sentinel strings handled below,
        # and skipping the per-access checks keeps large stacks fast.
        return plain(value["__target"])
    if isinstance(value, str):
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, Mapping):
        keys = list(value)
        if SIG_KEY in keys:
            return _plain_signed(value)
        result: dict[str, Any] = {}
        for key in keys:
            try:
                item = value[key]
            except UnknownValueError:
                result[str(key)] = UNKNOWN
                continue
            result[str(key)] = plain(item)
        return result
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                items.append(UNKNOWN)
                continue
            items.append(plain(item))
        return items
    return value


def _plain_signed(envelope: Mapping[str, Any]) -> Any:
    try:
        signature = envelope[SIG_KEY]
    except UnknownValueError:
        return UNKNOWN
    if signature != SECRET_SIG:
        # Assets and archives: rules never look inside them.
        return {str(k): v for k, v in envelope.items() if k != SIG_KEY}
    keys = set(envelope)
    try:
        if "value" in keys:
            return plain(envelope["value"])
        if "plaintext" in keys:
            text = envelope["plaintext"]
            if not isinstance(text, str):
                return plain(text)
            try:
                return plain(json.loads(text))
            except (ValueError, RecursionError):  # not JSON, a huge integer, or too deep
                return text
    except UnknownValueError:
        return UNKNOWN
    return CIPHERTEXT


def plain_props(props: Mapping[str, Any]) -> dict[str, Any]:
    """`plain()` for a resource's top-level property bag."""
    result = plain(props)
    return result if isinstance(result, dict) else {}


def as_bool(value: Any) -> bool | None:
    """A property or EB option value as a boolean; None if unset or not boolean-like."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return None


def as_int(value: Any) -> int | None:
    """An integer property or EB option value ("2", 2, 2.0); None if unset or not numeric."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def show(value: Any) -> str:
    """A value as it should appear in a violation message."""
    if isinstance(value, _Marker):
        return str(value)
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, default=str)
