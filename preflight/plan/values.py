"""Comparing property values the way the engine does: secrets compared without being shown
(plaintext, or the ciphertext preflight's export writes), assets by hash, booleans by type,
and the property paths that differ as a bridged provider reports them."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from preflight.export.values import ARCHIVE_SIG, ASSET_SIG, UNKNOWN_STRING
from preflight.simulate.deployment import SECRET_SIG, SECRET_SIG_KEY, map_leaves


@dataclass(frozen=True)
class Sealed:
    """A secret value: the plaintext when known, else the ciphertext it was stored as."""

    plain: Any = None
    known: bool = True
    ciphertext: str = ""


def secret_digest(value: Any) -> str:
    """The ciphertext preflight's own export writes for a secret (state.py): deterministic."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return "v1:" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def open_secrets(value: Any) -> Any:
    """Secret envelopes -> Sealed and the engine's unknown string -> Unknown, recursively."""
    if value == UNKNOWN_STRING:
        return Unknown()
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            if "plaintext" in value:
                try:
                    return Sealed(open_secrets(json.loads(value["plaintext"])))
                except (TypeError, json.JSONDecodeError):
                    return Sealed(known=False, ciphertext=str(value["plaintext"]))
            if "value" in value:
                return Sealed(open_secrets(value["value"]))
            return Sealed(known=False, ciphertext=str(value.get("ciphertext", "")))
        return {k: open_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [open_secrets(v) for v in value]
    return value


def plain(value: Any) -> Any:
    return map_leaves(value, lambda v: plain(v.plain) if isinstance(v, Sealed) else v)


def is_asset(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) in (ASSET_SIG, ARCHIVE_SIG)


def equal(old: Any, new: Any) -> bool:
    if isinstance(old, Unknown) or isinstance(new, Unknown):
        return False
    if is_asset(old) and is_asset(new):  # the engine's rule: equal when the hashes are
        return bool(old.get("hash")) and old.get("hash") == new.get("hash")
    if isinstance(old, Sealed) or isinstance(new, Sealed):
        o = old if isinstance(old, Sealed) else Sealed(old)
        n = new if isinstance(new, Sealed) else Sealed(new)
        if o.known and n.known:
            return bool(plain(o.plain) == plain(n.plain))
        if not o.known and n.known:
            return o.ciphertext == secret_digest(plain(n.plain))
        if o.known and not n.known:
            return n.ciphertext == secret_digest(plain(o.plain))
        return o.ciphertext == n.ciphertext
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(equal(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(equal(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, bool) or isinstance(new, bool):
        return type(old) is type(new) and old == new
    return bool(old == new)


def diff_paths(old: Any, new: Any, path: str, out: dict[str, str]) -> None:
    """Property paths that differ, as a bridged provider reports them (`tags.Name`, `a[0]`)."""
    if isinstance(old, Sealed) or isinstance(new, Sealed) or (is_asset(old) and is_asset(new)):
        if not equal(old, new):
            out[path] = "update"
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            sub = f"{path}.{key}" if path else key
            if key not in new:
                out[sub] = "delete"
            elif key not in old:
                out[sub] = "add"
            else:
                diff_paths(old[key], new[key], sub, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            sub = f"{path}[{i}]"
            if i >= len(new):
                out[sub] = "delete"
            elif i >= len(old):
                out[sub] = "add"
            else:
                diff_paths(old[i], new[i], sub, out)
        return
    if not equal(old, new):
        out[path] = "update"


@dataclass(frozen=True)
class Unknown:
    """A value the preview cannot know: the CLI (3.163 and later) shows `[unknown]`."""


def _shown_leaf(value: Any) -> Any:
    if isinstance(value, Sealed):
        return "[secret]"
    return UNKNOWN_STRING if isinstance(value, Unknown) else value


def shown(value: Any) -> Any:
    """As the CLI's JSON holds a value: secrets "[secret]", unknowns the unknown string."""
    return map_leaves(value, _shown_leaf)
