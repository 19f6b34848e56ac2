"""A stack-file value as the Pulumi CLI stores it and hands it to the program.

The CLI keeps each top-level key as a `config.Value` (pulumi/pulumi
`sdk/go/common/resource/config/value.go`, `object.go`): a scalar becomes a string (a boolean
`true`/`false`, a number as Go's JSON writes it, a null the empty string, with a warning), a map
or list becomes an object whose JSON the program receives (Go's `json.Marshal`: keys sorted,
`<>&` escaped). Decrypting the stack's config re-reads an object's JSON with `UseNumber`, so an
integer beyond int64 inside an object turns into a float. The language host passes every value
to the program as that string.
"""

from __future__ import annotations

from typing import Any

from preflight.inputs.go_yaml import INT64_MAX, go_json, go_json_float

Stored = str | list[Any] | dict[str, Any]
"""A top-level config value: the string a scalar becomes, or an object's plain data."""


def null_warning(key: str) -> str:
    """The CLI's own warning for a top-level null (`loaders.go` `checkForEmptyConfig`)."""
    return (
        f'No value for configuration key "{key}". This is currently treated as an empty string '
        '"", but will be treated as null in a future version of pulumi.'
    )


def scalar_string(value: Any) -> str:
    """`object.MarshalString` of a scalar: what the program gets for `key: <scalar>`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return go_json_float(value)
    return str(value)


def stored(value: Any) -> Stored:
    """The value as the CLI keeps it after reading the stack file (see the module docstring)."""
    if isinstance(value, dict | list):
        return _decrypted(value)  # type: ignore[no-any-return]
    return scalar_string(value)


def _decrypted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _decrypted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decrypted(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and value > INT64_MAX:
        return float(value)  # json.Number that does not fit int64 -> float64
    return value


def runtime_string(value: Stored) -> str:
    """The string the language host hands the program for this key."""
    return value if isinstance(value, str) else go_json(value)
