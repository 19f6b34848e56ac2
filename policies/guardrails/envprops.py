"""Elastic Beanstalk environment properties: measuring the 4 KB budget, judging keys.

The facts themselves (the limit, how `key=value` is counted, the key patterns) live in
`awsfacts.eb`; this module applies them to a set of properties.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from awsfacts.eb import AWS_KEY_PATTERN, LIMIT_BYTES, PORTABLE_KEY_PATTERN, entry_size

from .values import is_unreadable

_SECRET_WORDS: Final = frozenset(
    {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY"}
)
_SECRET_PAIRS: Final = frozenset({("API", "KEY"), ("PRIVATE", "KEY"), ("ACCESS", "KEY")})


@dataclass(frozen=True)
class EnvSize:
    """The measured size of a set of environment properties."""

    known_bytes: int
    """Bytes of the entries whose key and value are known (a lower bound if any are unknown)."""
    entries: tuple[tuple[str, int], ...]
    """(key, bytes) per known entry, biggest first, ties by key."""
    unknown_keys: tuple[str, ...] = ()
    """Keys whose value is not known yet (their `key=` bytes are counted)."""

    @property
    def complete(self) -> bool:
        return not self.unknown_keys

    def over(self, limit: int = LIMIT_BYTES) -> bool:
        return self.known_bytes > limit

    def biggest(self, count: int = 3) -> tuple[tuple[str, int], ...]:
        return self.entries[:count]


def measure(properties: Mapping[str, Any]) -> EnvSize:
    """Measure `{key: value}`; unknown values count only their `key=` part."""
    entries: list[tuple[str, int]] = []
    unknown: list[str] = []
    total = 0
    for key, value in properties.items():
        if is_unreadable(value):
            unknown.append(key)
            total += entry_size(key, "")
            continue
        size = entry_size(key, "" if value is None else str(value))
        entries.append((key, size))
        total += size
    entries.sort(key=lambda item: (-item[1], item[0]))
    return EnvSize(total, tuple(entries), tuple(sorted(unknown)))


def describe_biggest(size: EnvSize, count: int = 3, marks: Mapping[str, str] | None = None) -> str:
    """'KEY (1,234 B), OTHER (456 B)' for the largest contributors; `marks` appends a note
    inside a key's parentheses (e.g. ', from the template')."""
    notes = marks or {}
    return ", ".join(
        f"{key} ({bytes_:,} B{notes.get(key, '')})" for key, bytes_ in size.biggest(count)
    )


def invalid_keys(keys: Any) -> list[str]:
    """Keys EB rejects (characters outside its allowed set, or empty)."""
    return [k for k in keys if not AWS_KEY_PATTERN.fullmatch(k)]


def nonportable_keys(keys: Any) -> list[str]:
    """Keys EB accepts but some platforms cannot expose as environment variables."""
    return [
        k for k in keys if AWS_KEY_PATTERN.fullmatch(k) and not PORTABLE_KEY_PATTERN.fullmatch(k)
    ]


def portable_name(key: str) -> str:
    """A suggested portable spelling of `key`: other characters become `_`."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", key)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def looks_secret(key: str, value: Any = None) -> bool:
    """Whether a property name suggests a credential (DB_PASSWORD, API_KEY, AUTH_TOKEN, ...).

    Whole words only, so TOKENIZER_PATH is not a secret; a value that is an ARN is a
    reference to a secret store, not the secret itself.
    """
    if isinstance(value, str) and value.startswith("arn:"):
        return False
    words = [w for w in re.split(r"[^A-Za-z0-9]+", key.upper()) if w]
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words))


__all__ = [
    "AWS_KEY_PATTERN",
    "LIMIT_BYTES",
    "PORTABLE_KEY_PATTERN",
    "EnvSize",
    "describe_biggest",
    "entry_size",
    "invalid_keys",
    "looks_secret",
    "measure",
    "nonportable_keys",
    "portable_name",
]
