"""Whatever a state holds, the estimator answers: a price, or the reason there is none."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pricing import RULES, Record, compare, estimate_stack, usage_for

from tests.policies.cost_support import REGION, stack_records

PROPERTIES = (
    "settings", "tier", "templateName", "application", "tags", "engine", "instanceClass",
    "multiAz", "storageType", "allocatedStorage", "maxAllocatedStorage", "iops",
    "manageMasterUserPassword", "vpcEndpointType", "subnetIds", "logDestinationType",
    "logDestination", "logGroupClass", "loadBalancerType", "internal", "subnets",
    "subnetMappings", "instanceType", "rootBlockDevice", "associatePublicIpAddress", "type",
    "size", "period", "metricQueries", "fifoQueue", "billingMode", "readCapacity",
    "writeCapacity", "globalSecondaryIndexes", "replicas", "publicIpv4Pool", "arn",
)  # fmt: skip
"""Every property a price rule reads."""


class Unknown:
    """A value not known during preview, as the pack's `plain()` marks it."""


def _option() -> st.SearchStrategy[Any]:
    text = st.sampled_from(
        ["aws:ec2:instances", "aws:autoscaling:asg", "aws:elasticbeanstalk:environment", "x"]
    )
    names = st.sampled_from(["InstanceTypes", "MinSize", "MaxSize", "EnvironmentType", "y"])
    return st.fixed_dictionaries(
        {"namespace": text, "name": names, "value": st.one_of(st.text(max_size=8), JSON)}
    )


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.builds(Unknown),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted(RULES)),
    props=st.dictionaries(
        st.sampled_from(PROPERTIES), JSON | st.lists(_option(), max_size=4), max_size=6
    ),
)
def test_any_properties_give_lines_or_reasons_never_an_exception(kind: str, props: Any) -> None:
    record = Record(f"urn:pulumi:dev::shop::{kind}::r", kind, props)
    found = estimate_stack([record], REGION, usage_for("dev"))
    for resource in found.resources:
        for item in resource.items:
            assert item.monthly.min <= item.monthly.max
    assert all(u.why for u in found.unpriced)
    found.to_json("dev")


def test_an_unknown_region_is_not_known_yet_rather_than_a_gap_in_the_table() -> None:
    records = stack_records("dev")
    found = estimate_stack(records, None, usage_for("dev"))
    assert found.resources == ()
    region_gaps = [
        u for u in found.unpriced if u.why.endswith("the stack's AWS region is not known")
    ]
    assert region_gaps
    assert all(u.unknown for u in region_gaps)


def test_a_list_with_a_value_not_known_yet_is_not_known_yet() -> None:
    endpoint = Record(
        "urn:pulumi:dev::shop::aws:ec2/vpcEndpoint:VpcEndpoint::ssm",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        {"vpcEndpointType": "Interface", "subnetIds": ["subnet-1", Unknown()]},
    )
    [gap] = estimate_stack([endpoint], REGION, usage_for("dev")).unpriced
    assert gap.unknown
    assert gap.why == (
        "VPC endpoint: subnetIds is not known yet (unknown during preview, or encrypted in the "
        "state)"
    )


def test_one_line_descriptions() -> None:
    records = stack_records("dev")
    base = estimate_stack(records, REGION, usage_for("dev"))
    head = estimate_stack(records[:-1], REGION, usage_for("dev"))
    assert base.describe().startswith("monthly on-demand estimate is $")
    assert base.describe().endswith(
        "in ap-northeast-2 (730 hours, AWS prices of 2025-11-04, the 'dev' usage assumptions)"
    )
    assert base.not_counted().endswith("resource(s)")
    diff = compare(base, base)
    assert diff.describe().startswith("+$0.00 to +$0.00 a month against the base ($")
    assert compare(base, head).change.max <= Decimal(0)
