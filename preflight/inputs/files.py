"""Reading a file the user names: a missing or unreadable file is an `InputError`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from preflight.inputs.errors import InputError


def read_text(path: Path, missing: str, unreadable: Callable[[Exception], str]) -> str:
    """`path`'s UTF-8 text; InputError `missing` when there is no such file, and
    `unreadable(the error)` when it cannot be read or is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(missing) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(unreadable(exc)) from None
