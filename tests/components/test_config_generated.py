"""Generated web configs: each is accepted or refused as an independent oracle says, and every
refusal names a webmodel:web key on each of its lines.

Pure pydantic: no Pulumi runtime here, so the hundreds of generated configs stay fast.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from components.config import ROLES, budget_problem, parse_stack_config
from tests.components.config_support import PARAMETER_ARN, SECRET_ARN, error_of

# -- generated configs -----------------------------------------------------------

KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)
BAD_KEY = st.from_regex(r"[0-9-][A-Za-z0-9_-]{0,8}", fullmatch=True)
SCALAR = st.one_of(
    st.text(max_size=200),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


def mostly(
    valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """Valid about four times in five, so both outcomes get hundreds of examples."""
    return st.sampled_from(range(5)).flatmap(lambda pick: invalid if pick == 3 else valid)


FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "minSize": mostly(st.integers(1, 2), st.one_of(st.integers(-5, 0), st.text(max_size=3))),
    "maxSize": mostly(
        st.integers(2, 20), st.one_of(st.integers(-5, 1), st.floats(allow_nan=False))
    ),
    "deploymentPolicy": mostly(
        st.sampled_from(["AllAtOnce", "Immutable", "Rolling", "RollingWithAdditionalBatch"]),
        st.sampled_from(["Blue", "", 3, "immutable"]),
    ),
    "batchSizePercent": mostly(st.integers(1, 100), st.integers(-10, 0) | st.integers(101, 999)),
    "healthCheckGraceSeconds": mostly(st.integers(300, 3600), st.integers(0, 299)),
    "instanceTypes": mostly(
        st.lists(st.sampled_from(["t3.small", "g5.xlarge", "m7i.large"]), min_size=1, max_size=3),
        st.lists(st.sampled_from(["BAD", "x", "t3.small"]), max_size=3),
    ),
    "rootVolumeSizeGb": mostly(st.none() | st.integers(10, 16384), st.integers(-1, 9)),
    "imageId": mostly(st.just("ami-0123456789abcdef0"), st.sampled_from(["ami-1", "x", ""])),
    "env": mostly(
        st.dictionaries(KEY, st.text(max_size=300) | st.integers() | st.booleans(), max_size=8),
        st.dictionaries(st.one_of(KEY, BAD_KEY), SCALAR, max_size=6),
    ),
    "secrets": mostly(
        st.dictionaries(KEY, st.sampled_from([SECRET_ARN, PARAMETER_ARN]), max_size=3),
        st.dictionaries(KEY, st.sampled_from([SECRET_ARN, "plain", ""]), min_size=1, max_size=3),
    ),
}
WEB_CONFIGS = st.tuples(
    st.fixed_dictionaries({}, optional=FIELD_VALUES), st.sampled_from(range(20))
).map(lambda pair: {**pair[0], "bogusField": 1} if pair[1] == 7 else pair[0])


def _expect_valid(env: dict[str, Any]) -> bool:
    """An independent oracle for the fields the strategy varies."""
    merged = {"minSize": 1, "maxSize": 2, "batchSizePercent": 100, "healthCheckGraceSeconds": 600}
    merged.update(env)
    if "bogusField" in env:
        return False
    ints = ("minSize", "maxSize", "batchSizePercent", "healthCheckGraceSeconds")
    if any(type(merged[k]) is not int for k in ints):
        return False
    if not (1 <= merged["minSize"] <= merged["maxSize"] <= 10000):
        return False
    if not 1 <= merged["batchSizePercent"] <= 100 or not 300 <= merged[ints[3]] <= 3600:
        return False
    if env.get("deploymentPolicy", "AllAtOnce") not in {
        "AllAtOnce",
        "Rolling",
        "RollingWithAdditionalBatch",
        "Immutable",
    }:
        return False
    types = env.get("instanceTypes", ["t3.small"])
    if not types or len(set(types)) != len(types) or {"BAD", "x"} & set(types):
        return False
    size = env.get("rootVolumeSizeGb")
    if size is not None and not 10 <= size <= 16384:
        return False
    if env.get("imageId") not in {None, "ami-0123456789abcdef0"}:
        return False
    plain = env.get("env", {})
    if any(not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k) for k in plain):
        return False
    if any(v is None or isinstance(v, list) or "\x00" in str(v) for v in plain.values()):
        return False  # no environment variable holds a NUL character
    secrets = env.get("secrets", {})
    if any(v not in {SECRET_ARN, PARAMETER_ARN} for v in secrets.values()):
        return False
    if set(plain) & set(secrets) or set(plain) & {"MODEL_URL", "DB_HOST", "DB_PORT", "DB_NAME"}:
        return False
    if "DB_CREDENTIALS" in set(plain) | set(secrets):
        return False
    as_text = {
        k: ("true" if v is True else "false" if v is False else str(v)) for k, v in plain.items()
    }
    reserved = ROLES["web"].program_properties
    return budget_problem("x", as_text, reserved) is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WEB_CONFIGS)
def test_generated_web_configs_are_accepted_or_rejected_by_name(env: dict[str, Any]):
    valid = _expect_valid(env)
    event("valid" if valid else "invalid")
    if valid:
        config = parse_stack_config({"web": env})
        assert config.web.min_size == env.get("minSize", 1)
        return
    message = error_of({"web": env})
    lines = message.splitlines()[1:]
    assert lines, "an error without a single named key"
    for line in lines:
        assert line.strip().startswith("webmodel:web"), line
