"""eb-env-properties-size-limit on an environment launched from a configuration template: the
4 KB budget is checked on both resources' properties together (each key once, the environment's
value winning), the template's own properties also on the template, advisory when the template
is not in the stack, and against a reference sum over generated property sets. Mirrors
policies/guardrails/templates.py (the setting rules: test_templates.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.policies.messages import over_limit
from tests.policies.stacks import ENV, TEMPLATE, props_settings
from tests.policies.support import PASS, Outcome, check, fails, undecided
from tests.policies.template_cases import API, BASE_URN, SIZE, launched_from_template

MERGED = " together with those of its configuration template 'base' (a key set on both counts once)"
BIG = {"BLOB_A": "a" * 2500, "BLOB_B": "b" * 1500, "SMALL": "c" * 180}
BIGGEST = "BLOB_A (2,507 B{m}), BLOB_B (1,507 B{m}), SMALL (186 B{m})"
ON_THE_ENVIRONMENT = (over_limit(f"{ENV} 'api'", "4,200", BIGGEST.format(m="")), API)
ON_THE_TEMPLATE = (over_limit(f"{TEMPLATE} 'base'", "4,200", BIGGEST.format(m="")), BASE_URN)


@pytest.mark.parametrize(
    ("env_props", "template_props", "expected"),
    [
        pytest.param(
            {"A": "a" * 2098},
            {"B": "b" * 2098},
            fails(
                over_limit(
                    f"{ENV} 'api'", "4,200", "A (2,100 B), B (2,100 B, from the template)", MERGED
                ),
                at=API,
            ),
            id="under-the-limit-apart-over-it-together",
        ),
        pytest.param(
            {"K": "e" * 3000},
            {"K": "t" * 3000, "SMALL": "x"},
            PASS,
            id="a-key-set-on-both-counts-once-with-the-environments-value",
        ),
        pytest.param(BIG, {}, Outcome([ON_THE_ENVIRONMENT]), id="oversized-on-the-environment"),
        pytest.param(
            {},
            BIG,
            Outcome(
                [
                    ON_THE_TEMPLATE,
                    (
                        over_limit(
                            f"{ENV} 'api'", "4,200", BIGGEST.format(m=", from the template"), MERGED
                        ),
                        API,
                    ),
                ]
            ),
            id="oversized-on-the-template",
        ),
        pytest.param(
            dict.fromkeys(BIG, "s"),
            BIG,
            Outcome([ON_THE_TEMPLATE]),
            id="oversized-on-the-template-overridden-by-the-environment",
        ),
    ],
)
def test_the_budget_counts_the_environments_and_the_templates_properties(
    env_props: dict[str, str], template_props: dict[str, str], expected: Outcome
) -> None:
    template, environment = launched_from_template(
        props_settings(env_props), props_settings(template_props)
    )
    assert check(SIZE, template, environment) == expected


def test_a_template_not_in_the_stack_makes_the_budget_advisory() -> None:
    _, environment = launched_from_template(props_settings({"A": "a" * 98}), [])
    assert check(SIZE, environment) == undecided(
        f"{ENV} 'api': its environment properties take 100 of 4,096 bytes, but its "
        "configuration template 'base' is not in this stack and its properties count too"
    )


KEYS = st.sampled_from([f"K{i}" for i in range(12)])
VALUES = st.integers(min_value=0, max_value=900).map(lambda n: "v" * n)


@settings(max_examples=120, deadline=None)
@given(
    env_props=st.dictionaries(KEYS, VALUES, max_size=8),
    template_props=st.dictionaries(KEYS, VALUES, max_size=8),
)
def test_the_budget_is_judged_on_the_merged_properties(
    env_props: dict[str, str], template_props: dict[str, str]
) -> None:
    """Reference: EB's merge (the environment's value wins), then `key=value` UTF-8 bytes."""
    template, environment = launched_from_template(
        props_settings(env_props), props_settings(template_props)
    )
    outcome = check(SIZE, template, environment)
    merged = {**template_props, **env_props}
    total = sum(len(f"{k}={v}".encode()) for k, v in merged.items())
    template_total = sum(len(f"{k}={v}".encode()) for k, v in template_props.items())
    flagged = {at for _, at in outcome.violations}
    assert (environment.urn in flagged) == (total > 4096)
    assert (template.urn in flagged) == (template_total > 4096)
    for message, at in outcome.violations:
        shown = total if at == environment.urn else template_total
        assert f" take {shown:,} bytes as key=value strings" in message
    assert outcome.undecided is None
