"""`preview --base` against a deployed stack's export holding what preflight's own never does:
read resources, pending operations and deletions, pending replacement and taint, resources of
other providers, a provider of another version, secrets sealed by the stack's provider."""

from __future__ import annotations

import json
from typing import Any

from preflight.bench.deployed import resource
from preflight.plan.render_json import to_json
from preflight.plan.render_text import render_text
from tests.preflight.conftest import (
    HEAD,
    STACK_URN,
    Planner,
    changes,
    retag,
)

# -- what else a real export holds -------------------------------------------------------------


def test_a_read_resource_the_program_no_longer_reads_is_discarded(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    vpc = resource(base, "aws:ec2/vpc:Vpc", "network-vpc")
    external = {
        "urn": "urn:pulumi:prod::webmodel::aws:ec2/vpc:Vpc::shared-vpc",
        "custom": True,
        "id": "vpc-0f1e2d3c4b5a69788",
        "type": "aws:ec2/vpc:Vpc",
        "outputs": {"cidrBlock": "10.40.0.0/16", "id": "vpc-0f1e2d3c4b5a69788"},
        "parent": STACK_URN,
        "external": True,
        "provider": vpc["provider"],
    }
    base["deployment"]["resources"].append(external)
    plan = plan_of(base)
    [step] = changes(plan)
    assert (step.op, step.urn) == ("discard", external["urn"])
    text = render_text(plan)
    assert (
        "    < aws:ec2/vpc:Vpc: (discard)\n"
        "        [id=vpc-0f1e2d3c4b5a69788]\n"
        f"        [urn={external['urn']}]\n"
        f"        [provider={vpc['provider']}]\n"
    ) in text
    assert text.endswith("Resources:\n    118 unchanged\n")  # the summary never lists discards
    assert json.loads(to_json(plan))["changeSummary"] == {"discard": 1, "same": 118}


def test_pending_operations_and_pending_deletions_are_not_steps(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    """A preview ignores pending operations; an entry left `delete: true` by a replacement is
    deleted by a hidden step the summary does not count; `sequenceNumber` is not a field of a
    deployment and is ignored."""
    queue = resource(base, "aws:sqs/queue:Queue", "work-queue")
    leftover = json.loads(json.dumps(queue))
    leftover.update(delete=True, id=queue["id"] + "-old")
    base["deployment"]["resources"].append(leftover)
    base["deployment"]["pending_operations"] = [{"resource": leftover, "type": "deleting"}]
    base["sequenceNumber"] = 42
    assert render_text(plan_of(base)) == f"{HEAD}Resources:\n    118 unchanged\n"


def test_pending_replacement_and_taint_force_a_replace(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    resource(base, "aws:sqs/queue:Queue", "work-queue-dlq")["pendingReplacement"] = True
    resource(base, "aws:ec2/eip:Eip", "network-nat-ap-northeast-2a")["taint"] = True
    plan = plan_of(base)
    found = {(s.name, s.op, tuple(s.replace_reasons)) for s in plan.steps if s.op == "replace"}
    assert ("work-queue-dlq", "replace", ()) in found
    assert ("network-nat-ap-northeast-2a", "replace", ("id",)) in found


def test_a_foreign_resource_in_the_base_is_deleted(plan_of: Planner, base: dict[str, Any]) -> None:
    """A type the program never heard of, from another provider: a delete (its default
    provider's own delete is an internal step, not shown)."""
    provider = "urn:pulumi:prod::webmodel::pulumi:providers:random::default_4_16_7"
    pet = {
        "urn": "urn:pulumi:prod::webmodel::random:index/randomPet:RandomPet::suffix",
        "custom": True,
        "id": "known-wombat",
        "type": "random:index/randomPet:RandomPet",
        "inputs": {"length": 2},
        "outputs": {"id": "known-wombat", "length": 2, "separator": "-"},
        "parent": STACK_URN,
        "provider": f"{provider}::7c1f0b3e-5a2d-4e8f-9b6c-1d3e5f7a9b2c",
    }
    base["deployment"]["resources"] += [
        {
            "urn": provider,
            "custom": True,
            "id": "7c1f0b3e-5a2d-4e8f-9b6c-1d3e5f7a9b2c",
            "type": "pulumi:providers:random",
            "inputs": {"version": "4.16.7"},
        },
        pet,
    ]
    plan = plan_of(base)
    assert [(s.op, s.urn) for s in changes(plan)] == [("delete", pet["urn"])]
    assert render_text(plan).endswith(
        "    - random:index/randomPet:RandomPet: (delete)\n"
        "        [id=known-wombat]\n"
        f"        [urn={pet['urn']}]\n"
        f"        [provider={pet['provider']}]\n"
        "        - length: 2\n"
        "Resources:\n    - 1 to delete\n    1 change. 118 unchanged\n"
    )


def test_a_provider_of_another_version_is_shown_on_changed_steps(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    """The base's default provider was another pulumi-aws version: the program's is created in
    the preview (its ID unknown); unchanged resources stay `same`, a changed one shows both."""
    old = "urn:pulumi:prod::webmodel::pulumi:providers:aws::default_7_40_0"
    text = json.dumps(base).replace(
        "urn:pulumi:prod::webmodel::pulumi:providers:aws::default_7_51_1", old
    )
    edited = json.loads(text)
    vpc = retag(edited)
    plan_text = render_text(plan_of(edited))
    assert (
        f"            [provider: {vpc['provider']} => urn:pulumi:prod::webmodel::"
        "pulumi:providers:aws::default_7_51_1::[unknown]]\n"
    ) in plan_text
    assert plan_text.endswith("    ~ 1 to update\n    1 change. 117 unchanged\n")


def test_an_unreadable_secret_is_an_update_shown_as_secret(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    """A secret sealed by the stack's secrets provider cannot be read: unless the program's
    value is the same secret preflight itself recorded, the plan says it may change."""
    web = resource(base, "aws:elasticbeanstalk/environment:Environment", "webmodel-prod-web")
    for side in ("inputs", "outputs"):
        web[side]["settings"] = {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            "ciphertext": "v1:Rg8pT2qwZc7y9Xk0:c2VhbGVkIGJ5IHRoZSBzdGFjaw==",
        }
    plan = plan_of(base)
    [step] = changes(plan)
    assert (step.op, step.diff_reasons) == ("update", ["settings"])
    assert "hunter2" not in to_json(plan)
    assert "          ~ settings: [secret] => [" in render_text(plan)
