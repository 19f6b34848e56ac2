"""Elastic Beanstalk environment properties: the 4 KB budget (eb-env-properties-size-limit),
names EB accepts (eb-env-property-names) and shells can read (eb-env-property-names-portable),
credentials left as plain properties (eb-secret-like-plain-property); then the helpers under
them, called directly (measuring, key rules, looks_secret), property-based where it helps.
Mirrors policies/guardrails/eb_properties.py and envprops.py."""

from __future__ import annotations

import pytest
from guardrails.envprops import (
    LIMIT_BYTES,
    describe_biggest,
    invalid_keys,
    looks_secret,
    measure,
    nonportable_keys,
)
from guardrails.values import UNKNOWN as UNKNOWN_VALUE
from hypothesis import given
from hypothesis import strategies as st

from tests.policies.messages import ENCRYPTED, IS_NOT_KNOWN, over_limit
from tests.policies.stacks import (
    CIPHERTEXT,
    ENV,
    PROPS_NS,
    SECRET,
    TEMPLATE,
    UNKNOWN,
    eb_resource,
    props_settings,
    setting,
)
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided

BIG = {"BLOB_A": "a" * 2500, "BLOB_B": "b" * 1500, "SMALL": "c" * 180}
"""4,200 bytes as key=value strings: 2,507 + 1,507 + 186."""
SMALL = {"DB_HOST": "db.internal", "LOG_LEVEL": "info", "PAD": "x" * (4096 - 50)}
BIG_BIGGEST = "BLOB_A (2,507 B), BLOB_B (1,507 B), SMALL (186 B)"


def test_the_tables_property_sets_measure_what_they_claim() -> None:
    assert sum(len(f"{k}={v}".encode()) for k, v in BIG.items()) == 4200
    assert sum(len(f"{k}={v}".encode()) for k, v in SMALL.items()) <= 4096


def oversized(resource: Res, total: str, biggest: str) -> tuple[Res, Outcome]:
    """`resource` and the size violation it gets."""
    label = f"{resource.type} '{resource.name}'"
    return resource, fails(over_limit(label, total, biggest), at=resource.urn)


def bad_name(name: str, fix: str) -> Outcome:
    return fails(
        f"{ENV} 'api': environment property name '{name}' has characters Elastic Beanstalk "
        f"rejects (allowed: letters, digits and _ . : / + \\ - @); rename it, e.g. '{fix}'"
    )


DOTTED = props_settings({"app.mode": "x"})

CASES = [
    *[
        pytest.param(
            "eb-env-properties-size-limit",
            *oversized(eb_resource(props_settings(BIG), "cfg", type_token), "4,200", BIG_BIGGEST),
            id=f"4200-bytes-fail-with-size-and-biggest-{type_token.rsplit(':', 1)[1]}",
        )
        for type_token in (ENV, TEMPLATE)
    ],
    *[
        pytest.param(
            "eb-env-properties-size-limit",
            eb_resource(props_settings(SMALL), "r", type_token),
            PASS,
            id=f"within-4096-bytes-pass-{type_token.rsplit(':', 1)[1]}",
        )
        for type_token in (ENV, TEMPLATE)
    ],
    pytest.param(
        "eb-env-properties-size-limit",
        *oversized(
            eb_resource({**SECRET, "value": props_settings(BIG)}, "cfg"), "4,200", BIG_BIGGEST
        ),
        id="secret-wrapped-oversized-properties-are-still-measured",
    ),
    pytest.param(
        "eb-env-properties-size-limit",
        eb_resource(props_settings({"DB_HOST": UNKNOWN, "LOG": "info"})),
        undecided(
            f"{ENV} 'api': the value of DB_HOST {IS_NOT_KNOWN}; the known environment "
            "properties take 16 of 4,096 bytes"
        ),
        id="an-unknown-value-under-the-limit-is-advisory",
    ),
    pytest.param(
        "eb-env-properties-size-limit",
        eb_resource(
            [setting("aws:elasticbeanstalk:application:environmentsecrets", "BLOB", "x" * 5000)]
        ),
        PASS,
        id="the-environment-secrets-namespace-does-not-count",
    ),
    pytest.param(
        "eb-env-properties-size-limit",
        eb_resource([setting(PROPS_NS, "PAD", "x" * (4080 - 4)), setting(PROPS_NS, UNKNOWN, "x")]),
        undecided(
            f"{ENV} 'api': a property whose name {IS_NOT_KNOWN}; the known environment "
            "properties take 4,083 of 4,096 bytes"
        ),
        id="an-entry-with-an-unknown-name-does-not-inflate-the-lower-bound",
    ),
    pytest.param(
        "eb-env-properties-size-limit",
        *oversized(
            eb_resource([setting(PROPS_NS, "PAD", "x" * 4090), setting(PROPS_NS, UNKNOWN, "xx")]),
            "at least 4,098",
            "PAD (4,094 B)",
        ),
        id="an-entry-with-an-unknown-name-counts-its-least-size",
    ),
    pytest.param(
        "eb-env-properties-size-limit",
        # 1,366 three-byte characters: 4,098 bytes + "K=" = 4,100 bytes, though 1,368 chars.
        *oversized(eb_resource(props_settings({"K": "한" * 1366}), "r"), "4,100", "K (4,100 B)"),
        id="multibyte-values-count-in-utf8-bytes",
    ),
    pytest.param(
        "eb-env-property-names",
        eb_resource(props_settings({"DB_HOST": "h", "_X1": "y"}), "r"),
        PASS,
        id="names-eb-accepts",
    ),
    pytest.param(
        "eb-env-property-names",
        eb_resource(props_settings({"DB HOST": "h", "OK": "y"})),
        bad_name("DB HOST", "DB_HOST"),
        id="a-name-with-a-space",
    ),
    pytest.param(
        "eb-env-property-names",
        eb_resource(props_settings({"<bad>": "x"})),
        bad_name("<bad>", "_bad_"),
        id="a-name-starting-with-an-angle-bracket",
    ),
    pytest.param(
        "eb-env-property-names", eb_resource(DOTTED, "r"), PASS, id="a-dotted-name-eb-accepts"
    ),
    pytest.param(
        "eb-env-property-names-portable",
        eb_resource(DOTTED),
        fails(
            f"{ENV} 'api': environment property name 'app.mode' is accepted by Elastic Beanstalk "
            "but is not a shell identifier ([A-Za-z_][A-Za-z0-9_]*), so some platforms cannot "
            "read it as an environment variable; rename it, e.g. 'app_mode'"
        ),
        id="a-dotted-name-is-not-portable",
    ),
    pytest.param(
        "eb-env-property-names-portable",
        eb_resource(props_settings({"A_1": "x"}), "r"),
        PASS,
        id="a-shell-identifier-is-portable",
    ),
    pytest.param(
        "eb-secret-like-plain-property",
        eb_resource(props_settings({"TOKENIZER_PATH": "/models/tok"}), "r"),
        PASS,
        id="a-lookalike-alone",
    ),
    pytest.param(
        "eb-secret-like-plain-property",
        eb_resource(
            props_settings(
                {
                    "DB_PASSWORD": "hunter2",
                    "TOKENIZER_PATH": "/models/tok",
                    "API_KEY": "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:k",
                }
            )
        ),
        fails(
            f"{ENV} 'api': environment property 'DB_PASSWORD' looks like a credential but is a "
            "plain property (visible in the console, the API and the stack state); store it in "
            "Secrets Manager or SSM and reference it through "
            "aws:elasticbeanstalk:application:environmentsecrets"
        ),
        id="a-secret-like-plain-property-but-not-references-or-lookalikes",
    ),
]


@pytest.mark.parametrize(("policy", "resource", "expected"), CASES)
def test_property_rules(policy: str, resource: Res, expected: Outcome) -> None:
    assert check(policy, resource) == expected


def test_ciphertext_settings_cannot_be_checked() -> None:
    """A stack export without --show-secrets: the settings are present but unreadable."""
    outcome = check("eb-env-property-names", eb_resource(CIPHERTEXT), raw=True)
    assert outcome == undecided(f"{ENV} 'api': its option settings {ENCRYPTED}")


# -- envprops, called directly ----------------------------------------------------------------


def test_measure_counts_utf8_bytes_of_key_equals_value() -> None:
    size = measure({"GREETING": "héllo", "EMOJI": "🙂", "A": ""})
    # GREETING=héllo: 9 + 6 (é is 2 bytes); EMOJI=🙂: 6 + 4; A=: 2
    assert size.known_bytes == 15 + 10 + 2
    assert size.entries == (("GREETING", 15), ("EMOJI", 10), ("A", 2))
    assert size.complete


def test_measure_counts_only_the_key_of_unknown_values() -> None:
    size = measure({"DB_HOST": UNKNOWN_VALUE, "LOG": "info"})
    assert size.known_bytes == len("DB_HOST=") + len("LOG=info")
    assert size.unknown_keys == ("DB_HOST",)
    assert not size.complete


def test_over_the_limit_is_strictly_more_than_4096_bytes() -> None:
    assert LIMIT_BYTES == 4096
    exactly = measure({"K": "x" * (4096 - 2)})
    assert exactly.known_bytes == 4096
    assert not exactly.over()
    assert measure({"K": "x" * (4096 - 1)}).over()


def test_describe_biggest_lists_the_top_three_biggest_first() -> None:
    size = measure({"A": "x" * 2000, "B": "y" * 10, "C": "z" * 1200, "D": "w" * 9})
    assert describe_biggest(size) == "A (2,002 B), C (1,202 B), B (12 B)"


keys = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20)
values = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@given(st.dictionaries(keys, values, max_size=20))
def test_measure_is_the_sum_of_utf8_key_value_lengths(properties: dict[str, str]) -> None:
    size = measure(properties)
    assert size.known_bytes == sum(len(f"{k}={v}".encode()) for k, v in properties.items())
    assert sorted(k for k, _ in size.entries) == sorted(properties)
    assert [b for _, b in size.entries] == sorted((b for _, b in size.entries), reverse=True)


def test_invalid_keys_are_those_eb_rejects() -> None:
    assert invalid_keys(["DB_HOST", "a.b:c/d+e\\f-g@h", "has space", "é", "x=y", ""]) == [
        "has space",
        "é",
        "x=y",
        "",
    ]


def test_nonportable_keys_are_allowed_by_eb_but_not_shell_identifiers() -> None:
    assert nonportable_keys(["DB_HOST", "_private", "app.mode", "9LIVES", "has space"]) == [
        "app.mode",
        "9LIVES",
    ]


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,30}", fullmatch=True))
def test_shell_identifiers_are_valid_and_portable(key: str) -> None:
    assert invalid_keys([key]) == []
    assert nonportable_keys([key]) == []


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("DB_PASSWORD", "hunter2", True),
        ("API_KEY", "k", True),
        ("auth-token", "t", True),
        ("GITHUB_PRIVATE_KEY", "k", True),
        ("TOKENIZER_PATH", "/models/tok", False),
        ("KEYBOARD_LAYOUT", "us", False),
        ("DB_HOST", "db", False),
        ("DB_PASSWORD", "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db", False),
    ],
)
def test_looks_secret(key: str, value: str, expected: bool) -> None:
    assert looks_secret(key, value) is expected
