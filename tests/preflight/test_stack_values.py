"""Stack files read as the Pulumi CLI reads them: for each scalar where YAML 1.1 (PyYAML) and the
CLI's gopkg.in/yaml.v3 disagree, the string the program receives, as a top-level value and
inside an object value.

The expected strings are the CLI's: yaml.v3 v3.0.1's resolver (`resolve.go`: only true/false
are booleans, Go base-0 integers after dropping `_`, no sexagesimal, `YYYY-` timestamps become
`time.Time`, `!!binary` decoded), the CLI's write-and-read-again of the stack file (a whole float
comes back an integer), pulumi/pulumi `sdk/go/common/resource/config` (`object.MarshalString`:
a scalar becomes its JSON text, a timestamp `time.Time.String()`, a null the empty string; an
object Go's `json.Marshal`) and the language host passing each value as that string. Timestamps
are rendered as on a machine whose local zone is UTC.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.inputs.errors import InputError
from preflight.stackfiles.project import read_program_config

# scalar as written -> (top-level value received, the same scalar inside {k: ...} received)
CLI_RECEIVES = {
    "yes": ("yes", '{"k":"yes"}'),
    "no": ("no", '{"k":"no"}'),
    "on": ("on", '{"k":"on"}'),
    "off": ("off", '{"k":"off"}'),
    "Yes": ("Yes", '{"k":"Yes"}'),
    "y": ("y", '{"k":"y"}'),
    "TRUE": ("true", '{"k":true}'),
    "False": ("false", '{"k":false}'),
    "~": ("", '{"k":null}'),
    "null": ("", '{"k":null}'),
    "017": ("15", '{"k":15}'),
    "0o17": ("15", '{"k":15}'),
    "0x1F": ("31", '{"k":31}'),
    "0b101": ("5", '{"k":5}'),
    "08": ("8", '{"k":8}'),
    "1_000": ("1000", '{"k":1000}'),
    "1:30": ("1:30", '{"k":"1:30"}'),
    "190:20:30": ("190:20:30", '{"k":"190:20:30"}'),
    "1e3": ("1000", '{"k":1000}'),
    "12e03": ("12000", '{"k":12000}'),
    "0.": ("0", '{"k":0}'),
    "1.0": ("1", '{"k":1}'),
    "1.5": ("1.5", '{"k":1.5}'),
    "1e6": ("1000000", '{"k":1000000}'),
    "1e-7": ("1e-7", '{"k":1e-7}'),
    "-0": ("0", '{"k":0}'),
    "+12": ("12", '{"k":12}'),
    "1e400": ("1e400", '{"k":"1e400"}'),
    "9223372036854775808": ("9223372036854775808", '{"k":9223372036854776000}'),
    "2001-12-14": ("2001-12-14 00:00:00 +0000 UTC", '{"k":"2001-12-14 00:00:00 +0000 UTC"}'),
    "2001-12-14T21:59:43.10-05:00": (
        "2001-12-14 21:59:43.1 -0500 -0500",
        '{"k":"2001-12-14 21:59:43.1 -0500 -0500"}',
    ),
    "2001-12-14 21:59:43.10": (
        "2001-12-14 21:59:43.1 +0000 UTC",
        '{"k":"2001-12-14 21:59:43.1 +0000 UTC"}',
    ),
    "2001-12-14T21:59:43": ("2001-12-14T21:59:43", '{"k":"2001-12-14T21:59:43"}'),
    "!!binary aGVsbG8=": ("hello", '{"k":"hello"}'),
    "!!str 017": ("017", '{"k":"017"}'),
    '"017"': ("017", '{"k":"017"}'),
    "a<b&c": ("a<b&c", '{"k":"a\\u003cb\\u0026c"}'),
}


def _project(tmp_path: Path, stack_text: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: probe\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text("", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("scalar", sorted(CLI_RECEIVES))
def test_the_program_receives_what_the_cli_hands_it(tmp_path: Path, scalar: str) -> None:
    stack = f"config:\n  probe:top: {scalar}\n  probe:obj:\n    k: {scalar}\n"
    received = read_program_config(_project(tmp_path, stack), "dev").as_runtime_config()
    assert (received["probe:top"], received["probe:obj"]) == CLI_RECEIVES[scalar]


def test_a_null_value_is_the_empty_string_with_the_clis_warning(tmp_path: Path) -> None:
    config = read_program_config(_project(tmp_path, "config:\n  probe:x:\n"), "dev")
    assert config.as_runtime_config()["probe:x"] == ""
    assert config.warnings == (
        'No value for configuration key "probe:x". This is currently treated as an empty '
        'string "", but will be treated as null in a future version of pulumi.',
    )


def test_objects_are_written_as_go_writes_json(tmp_path: Path) -> None:
    stack = "config:\n  probe:obj:\n    zeta: 1\n    alpha: [b, {y: 2, x: 1.25}]\n    mid: é\n"
    received = read_program_config(_project(tmp_path, stack), "dev").as_runtime_config()
    assert received["probe:obj"] == '{"alpha":["b",{"x":1.25,"y":2}],"mid":"é","zeta":1}'


@pytest.mark.parametrize("scalar", [".inf", "-.Inf", ".nan", "+.INF"])
@pytest.mark.parametrize("where", ["top", "object"])
def test_values_no_field_can_hold_are_refused_naming_the_key(
    tmp_path: Path, scalar: str, where: str
) -> None:
    """The CLI fails to load such a file without naming the key (`json: unsupported value:
    +Inf`); preflight refuses it naming the key."""
    value = scalar if where == "top" else f"\n    k: {scalar}"
    with pytest.raises(InputError) as refused:
        read_program_config(_project(tmp_path, f"config:\n  probe:x: {value}\n"), "dev")
    key = "config.probe:x" if where == "top" else "config.probe:x.k"
    assert f"Pulumi.dev.yaml: key {key} (line" in str(refused.value)
    assert "is not a finite number" in str(refused.value)


def test_a_key_given_with_and_without_its_namespace_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as refused:
        read_program_config(_project(tmp_path, "config:\n  x: 1\n  probe:x: 2\n"), "dev")
    assert str(refused.value) == (
        "Pulumi.dev.yaml: probe:x is set twice (as 'x' and as 'probe:x'); the Pulumi CLI would "
        "keep one of them at random. Keep one"
    )
