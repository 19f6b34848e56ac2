"""components/config/stackfile_rules.py: the rules preflight applies to a stack file, as one
object, giving exactly what the config's own secret and region rules give."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from components.config import (
    CONFIG_KEYS,
    never_secret_problem,
    region_problem,
    secret_stand_in,
    secure_value_problem,
)
from components.config.stackfile_rules import RULES

ROOT = Path(__file__).resolve().parents[2]
DIGEST = "0123456789abcdef" * 4
PATHS = [
    (),
    ("env", "FOO"),
    ("secrets", "X"),
    ("certificateArn",),
    ("masterUsername",),
    ("cidrBlock",),
]


@pytest.mark.parametrize("section", [*CONFIG_KEYS, "unknown"])
@pytest.mark.parametrize("path", PATHS)
def test_webmodel_keys_follow_the_config_rules(section: str, path: tuple[str, ...]):
    key = f"webmodel:{section}"
    assert RULES.secure_value_problem(key, path) == secure_value_problem(section, path)
    assert RULES.secret_stand_in(key, path, DIGEST, "eu-west-1") == secret_stand_in(
        section, path, DIGEST, "eu-west-1"
    )


def test_region_is_never_secret_and_other_namespaces_are_not_ours():
    assert RULES.secure_value_problem("aws:region", ()) == never_secret_problem("aws:region")
    assert RULES.secure_value_problem("aws:region", ()) == (
        "aws:region: cannot be secret (secure:); it is not sensitive and the program and the "
        "policies need its plain value. Set it with `pulumi config set` (no --secret)"
    )
    assert RULES.secure_value_problem("aws:profile", ()) is None
    assert RULES.secure_value_problem("other:web", ("env", "X")) is None


def test_stand_ins_have_the_shape_of_what_they_replace():
    assert RULES.secret_stand_in("webmodel:web", ("certificateArn",), DIGEST, "eu-west-1") == (
        "arn:aws:acm:eu-west-1:000000000000:certificate/01234567-89ab-cdef-0123-456789abcdef"
    )
    assert RULES.secret_stand_in("webmodel:database", ("masterUsername",), DIGEST, "x") == (
        "u0123456789abcde"
    )
    assert (
        RULES.secret_stand_in("other:key", (), DIGEST, "x") == "preflight-secret-0123456789abcdef"
    )
    assert (
        RULES.secret_stand_in("aws:region", (), DIGEST, "x") == "preflight-secret-0123456789abcdef"
    )


@pytest.mark.parametrize("value", ["ap-northeast-2", "us-gov-west-1", "Seoul", 7, None, "a" * 50])
def test_region_problem_is_the_configs(value: object):
    assert RULES.region_problem(value) == region_problem(value)


def test_the_rules_import_no_pulumi():
    """preflight reads stack files before any program runs: the rules must not need the SDK."""
    probe = (
        "import sys, components.config.stackfile_rules; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "[]"
