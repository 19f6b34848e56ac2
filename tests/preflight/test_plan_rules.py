"""`preview --base` against a deployed stack's export: the provider's suppressions and
conditional replacements, and the resource options (`ignoreChanges`, `replaceOnChanges`,
`deleteBeforeReplace`, `retainOnDelete`) as the engine applies them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from preflight.bench.deployed import resource
from preflight.plan.render_text import render_text
from preflight.stackfiles.program_config import ProgramConfig
from tests.preflight.conftest import (
    HEAD,
    Planner,
    changes,
    header,
    retag,
    with_options,
)

# -- the provider's diff -----------------------------------------------------------------------


def test_storage_lowered_under_autoscaling_is_no_change(
    plan_of: Planner, base: dict[str, Any], prod_config: ProgramConfig
) -> None:
    """rds instance.go: allocated_storage below the deployed size while max_allocated_storage
    is above it is suppressed (storage autoscaling)."""
    database = dict(prod_config.values["webmodel:database"], allocatedStorageGb=80)
    plan = plan_of(base, prod_config.with_values({"webmodel:database": database}))
    assert render_text(plan) == f"{HEAD}Resources:\n    118 unchanged\n"
    database["allocatedStorageGb"] = 600
    database["maxAllocatedStorageGb"] = 700
    [step] = changes(plan_of(base, prod_config.with_values({"webmodel:database": database})))
    assert (step.op, step.diff_reasons) == ("update", ["allocatedStorage", "maxAllocatedStorage"])


def test_an_equivalent_policy_document_is_no_change(plan_of: Planner, base: dict[str, Any]) -> None:
    """IAM policy equivalence: statements reordered, keys and whitespace differ."""
    entry = resource(base, "aws:iam/rolePolicy:RolePolicy", "web-instance-policy")
    document = json.loads(entry["inputs"]["policy"])
    document["Statement"].reverse()
    entry["inputs"]["policy"] = json.dumps(document, indent=2, sort_keys=True)
    assert render_text(plan_of(base)) == f"{HEAD}Resources:\n    118 unchanged\n"


def test_a_rule_whose_source_changes_type_is_replaced(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    """vpc_security_group_ingress_rule.go ModifyPlan: a security-group source replaced by a
    CIDR is a new rule; another CIDR is an update in place."""
    rule = resource(
        base,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "database-postgres-from-client-0",
    )
    group = rule["inputs"].pop("referencedSecurityGroupId")
    rule["outputs"].pop("referencedSecurityGroupId")
    rule["inputs"]["cidrIpv4"] = rule["outputs"]["cidrIpv4"] = "10.30.0.0/16"
    public = resource(
        base,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "security-web-lb-443-ipv4",
    )
    public["inputs"]["cidrIpv4"] = public["outputs"]["cidrIpv4"] = "10.99.0.0/16"
    plan = plan_of(base)
    assert [(s.op, s.name, s.replace_reasons) for s in changes(plan)] == [
        ("replace", "database-postgres-from-client-0", ["cidrIpv4", "referencedSecurityGroupId"]),
        ("update", "security-web-lb-443-ipv4", []),
    ]
    text = render_text(plan)
    assert (
        header(rule, "replace", "+-")
        + '          - cidrIpv4: "10.30.0.0/16"\n'
        + f'          + referencedSecurityGroupId: "{group}"\n'
    ) in text
    assert (
        header(public, "update", "~ ") + '          ~ cidrIpv4: "10.99.0.0/16" => "0.0.0.0/0"\n'
    ) in text


# -- resource options ----------------------------------------------------------------------------


def test_ignore_changes_keeps_the_deployed_value(
    tmp_path: Path, plan_of: Planner, base: dict[str, Any]
) -> None:
    vpc = retag(base)
    text = render_text(plan_of(base))
    assert (
        header(vpc, "update", "~ ")
        + '          ~ tags: {\n              ~ Name: "old-vpc" => "network-vpc"\n            }\n'
        + "          ~ tagsAll: {\n"
        + '              ~ Name: "old-vpc" => "network-vpc"\n            }\n'
    ) in text
    config = with_options(tmp_path, "aws:ec2/vpc:Vpc", 'ignore_changes=["tags"]')
    assert render_text(plan_of(base, config)) == f"{HEAD}Resources:\n    118 unchanged\n"


def test_replace_on_changes_and_delete_before_replace_are_honoured(
    tmp_path: Path, plan_of: Planner, base: dict[str, Any]
) -> None:
    vpc = retag(base)
    config = with_options(
        tmp_path, "aws:ec2/vpc:Vpc", 'replace_on_changes=["tags"], delete_before_replace=True'
    )
    plan = plan_of(base, config)
    step = next(s for s in plan.steps if s.urn == vpc["urn"])
    # `tags` names `tags.Name`, not `tagsAll`: only the first is a replacement reason.
    assert (step.op, step.replace_reasons, step.delete_before_replace) == (
        "replace",
        ["tags"],
        True,
    )
    assert step.detailed == {"tags.Name": "update-replace", "tagsAll.Name": "update"}
    # Everything that takes the VPC's ID follows, as the engine plans it.
    assert {s.type for s in changes(plan) if s.op == "replace"} >= {
        "aws:ec2/subnet:Subnet",
        "aws:ec2/securityGroup:SecurityGroup",
    }


def test_the_provider_deletes_a_policy_attachment_first(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    """pulumi-aws marks role policy attachments `DeleteBeforeReplace`."""
    attachment = resource(
        base,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "app-service-enhanced-health",
    )
    attachment["inputs"]["policyArn"] = "arn:aws:iam::aws:policy/OldPolicy"
    [step] = changes(plan_of(base))
    assert (step.op, step.replace_reasons, step.delete_before_replace) == (
        "replace",
        ["policyArn"],
        True,
    )


def test_a_retained_resource_says_so_when_deleted(plan_of: Planner, base: dict[str, Any]) -> None:
    entry = json.loads(
        json.dumps(resource(base, "aws:s3/bucketObjectv2:BucketObjectv2", "artifacts-web-bundle"))
    )
    entry["urn"] = entry["urn"].replace("artifacts-web-bundle", "artifacts-old-bundle")
    entry["id"] = "bundles/web-0123456789ab.zip"
    base["deployment"]["resources"].append(entry)
    plan = plan_of(base)
    [step] = changes(plan)
    assert (step.op, step.retained) == ("delete", True)
    assert header(entry, "delete[retain]", "- ") in render_text(plan)
