"""components/rules.py: each input rule written once, worded for its two callers. Without
`arg` a problem reads as the stack config words it (the key goes in front); with `arg`, as the
Args class that names its argument words it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components import rules

SM = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:x"
RETENTION = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653"

CASES: list[tuple[Callable[[], str | None], str | None]] = [
    (lambda: rules.vpc_cidr_problem("10.20.0.0/16"), None),
    (
        lambda: rules.vpc_cidr_problem("10.20.0.1/16"),
        "must be an IPv4 CIDR block like 10.20.0.0/16 (10.20.0.1/16 has host bits set)",
    ),
    (
        lambda: rules.vpc_cidr_problem("10.20.0.1/16", "cidr_block"),
        "cidr_block '10.20.0.1/16' is not an IPv4 CIDR block (10.20.0.1/16 has host bits set)",
    ),
    (
        lambda: rules.vpc_cidr_problem("10.0.0.0/8"),
        "must be a private (RFC 1918) IPv4 range from /16 to /20",
    ),
    (
        lambda: rules.vpc_cidr_problem("8.8.0.0/16", "cidr_block"),
        "cidr_block 8.8.0.0/16 must be a private (RFC 1918) range from /16 to /20",
    ),
    (lambda: rules.subnet_layout_problem("10.0.0.0/20", 24), None),
    (lambda: rules.subnet_layout_problem("not a cidr", 24, "x"), None),
    (
        lambda: rules.subnet_layout_problem("10.0.0.0/20", 23),
        "subnetPrefixLength 23 is too large a subnet for 10.0.0.0/20: 3 tiers x 4 AZs need "
        "at least /24",
    ),
    (
        lambda: rules.subnet_layout_problem("10.20.0.0/16", 29, "subnet_prefix_length"),
        "subnet_prefix_length /29 leaves no room for 3 tiers x 4 AZs in 10.20.0.0/16; use /20 "
        "to /28",
    ),
    (lambda: rules.retention_problem(14), None),
    (
        lambda: rules.retention_problem(2),
        f"must be one of the CloudWatch Logs retention periods: {RETENTION}",
    ),
    (
        lambda: rules.retention_problem(2, "flow_log_retention_days"),
        f"flow_log_retention_days 2 is not a CloudWatch Logs retention period ({RETENTION})",
    ),
    (lambda: rules.capacity_problem(1, 1), None),
    (lambda: rules.capacity_problem(3, 2), "maxSize (2) must be at least minSize (3)"),
    (
        lambda: rules.capacity_problem(0, 2, ("min_size", "max_size")),
        "min_size 0 / max_size 2: need 1 <= min <= max",
    ),
    (lambda: rules.property_name_problem("DB_HOST"), None),
    (
        lambda: rules.property_name_problem("1x"),
        "invalid property name '1x'; names must match [A-Za-z_][A-Za-z0-9_]* (letters, digits, "
        "underscores; no leading digit)",
    ),
    (
        lambda: rules.property_name_problem("B-C", "property name"),
        "property name 'B-C' must match [A-Za-z_][A-Za-z0-9_]*",
    ),
    (lambda: rules.secret_arn_problem(SM, redact=False), None),
    (
        lambda: rules.secret_arn_problem("nope", redact=False),
        "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:"
        "<name>) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>) "
        '(got "nope")',
    ),
    (
        lambda: rules.secret_arn_problem("nope", redact=True, arg="secret S"),
        "secret S: is not a Secrets Manager or SSM ARN",
    ),
    (
        lambda: rules.secret_arn_problem("nope", redact=False, arg="secret S"),
        "secret S: 'nope' is not a Secrets Manager or SSM ARN",
    ),
    (lambda: rules.domain_problem("app.example.com", "example.com."), None),
    (
        lambda: rules.domain_problem("a.other.org", "example.com"),
        "'a.other.org' is not inside hostedZone 'example.com'",
    ),
    (
        lambda: rules.domain_problem("a.other.org", "example.com", "DomainArgs"),
        "DomainArgs: 'a.other.org' is not inside the hosted zone 'example.com'",
    ),
]


@pytest.mark.parametrize(("check", "expected"), CASES)
def test_each_rule_words_its_problem_for_its_caller(
    check: Callable[[], str | None], expected: str | None
):
    assert check() == expected


def test_the_budget_counts_reserved_values_at_their_longest():
    assert rules.budget_problem("webmodel:web.env", {"A": "x" * 4000}, {"MODEL_URL": 84}) is None
    problem = rules.budget_problem("webmodel:web.env", {"A": "x" * 4000}, {"MODEL_URL": 100})
    assert problem == (
        "webmodel:web.env: environment properties take 4,112 bytes as key=value strings, over "
        "Elastic Beanstalk's limit of 4,096 bytes, including 110 B reserved for MODEL_URL that "
        "the program adds. Biggest: A (4,002 B), MODEL_URL (110 B). Move large or sensitive "
        "values to webmodel:web.secrets (Secrets Manager or SSM Parameter Store ARNs, injected "
        "at boot and not counted toward the limit)."
    )
