"""`preview --base` against a deployed stack's `pulumi stack export` (preflight/bench/
deployed.py: auto-names and schema defaults under `__defaults`, real-looking IDs, ciphertext
secrets, a provider with its own ID): the plan is what the engine would plan, case by case."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from preflight.bench.deployed import resource
from preflight.plan.render_json import to_json
from preflight.plan.render_text import render_text
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.project import read_program_config
from tests.preflight.conftest import Planner, changes
from tests.preflight_support import copy_project

STACK_URN = "urn:pulumi:prod::webmodel::pulumi:pulumi:Stack::webmodel-prod"
HEAD = f"Previewing update (prod):\n  pulumi:pulumi:Stack: (same)\n    [urn={STACK_URN}]\n"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _header(entry: dict[str, Any], op: str, prefix: str, lock: str = "") -> str:
    """A step's header as the CLI prints it for a child of a component (two levels deep)."""
    return (
        f"        {prefix}{entry['type']}: ({op}){lock}\n"
        f"            [id={entry['id']}]\n"
        f"            [urn={entry['urn']}]\n"
        f"            [provider={entry['provider']}]\n"
    )


def _with_options(tmp_path: Path, type_token: str, options: str, props: str = "") -> ProgramConfig:
    """The program with resource options (and inputs) added to every `type_token` resource by a
    stack transformation, as a program author would write them."""
    project = copy_project(tmp_path)
    main = project / "__main__.py"
    code = textwrap.dedent(
        f"""
        def _options(args: pulumi.ResourceTransformationArgs) -> Any:
            if args.type_ != "{type_token}":
                return None
            extra = pulumi.ResourceOptions({options})
            props = {{**args.props, {props}}}
            return pulumi.ResourceTransformationResult(
                props, pulumi.ResourceOptions.merge(args.opts, extra)
            )


        pulumi.runtime.register_stack_transformation(_options)
        """
    )
    text = main.read_text(encoding="utf-8")
    assert text.count("\nimport pulumi\n") == 1
    main.write_text(text.replace("\nimport pulumi\n", "\nimport pulumi\n" + code), "utf-8")
    return read_program_config(project, "prod")


def _total(document: dict[str, Any]) -> int:
    return sum(
        not r["type"].startswith("pulumi:providers:") and not r.get("delete")
        for r in document["deployment"]["resources"]
    )


# -- auto-names ------------------------------------------------------------------------------


def test_deployed_stack_with_its_auto_names_plans_no_change(
    plan_of: Planner, deployed: dict[str, Any]
) -> None:
    """Buckets, the table, queues, roles, security groups, EB environments carry the names the
    provider generated (not preflight's) among their inputs, listed under `__defaults`: the
    provider reuses them, so nothing changes; nor do the schema defaults it filled in."""
    queue = resource(deployed, "aws:sqs/queue:Queue", "work-queue")
    assert queue["inputs"]["__defaults"] == [
        "delaySeconds",
        "fifoQueue",
        "maxMessageSize",
        "name",
    ]
    assert queue["inputs"]["name"].startswith("work-queue-")
    plan = plan_of(deployed)
    assert render_text(plan) == f"{HEAD}Resources:\n    118 unchanged\n"
    assert json.loads(to_json(plan))["changeSummary"] == {"same": 118}


def test_an_export_without_defaults_lists_reuses_every_default(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    """Without `__defaults` (older providers), Check may reuse any old value of a property it
    can default (`applyDefaults`: every old default is reusable)."""
    for entry in base["deployment"]["resources"]:
        (entry.get("inputs") or {}).pop("__defaults", None)
    assert render_text(plan_of(base)) == f"{HEAD}Resources:\n    118 unchanged\n"


def test_writing_the_current_name_into_the_program_is_no_change(
    tmp_path: Path, plan_of: Planner, base: dict[str, Any]
) -> None:
    name = resource(base, "aws:sqs/queue:Queue", "work-queue")["inputs"]["name"]
    config = _with_options(
        tmp_path,
        "aws:sqs/queue:Queue",
        "",
        f'"name": "{name}" if args.name == "work-queue" else args.props.get("name")',
    )
    assert render_text(plan_of(base, config)) == f"{HEAD}Resources:\n    118 unchanged\n"


def test_a_new_explicit_name_replaces_delete_first(
    tmp_path: Path, plan_of: Planner, base: dict[str, Any]
) -> None:
    """A name the program sets that Check would have generated: the provider asks to delete the
    old queue first (`nameRequiresDeleteBeforeReplace`); the name is known, its URL is not."""
    config = _with_options(
        tmp_path,
        "aws:sqs/queue:Queue",
        "",
        '"name": "work-queue-main" if args.name == "work-queue" else args.props.get("name")',
    )
    plan = plan_of(base, config)
    queue = resource(base, "aws:sqs/queue:Queue", "work-queue")
    [step] = [s for s in plan.steps if s.op == "replace"]
    assert (step.name, step.replace_reasons, step.delete_before_replace) == (
        "work-queue",
        ["name"],
        True,
    )
    text = render_text(plan)
    assert (
        _header(queue, "replace", "+-")
        + f'          ~ name: "{queue["inputs"]["name"]}" => "work-queue-main"\n'
    ) in text
    assert (
        '              ~ QueueName: "' + queue["inputs"]["name"] + '" => "work-queue-main"\n'
        in text
    )
    assert f'  ~ workQueueUrl: "{queue["outputs"]["url"]}" => [unknown]\n' in text
    assert text.endswith(
        "Resources:\n    ~ 7 to update\n    +-1 to replace\n    8 changes. 110 unchanged\n"
    )


# -- protection ------------------------------------------------------------------------------


def _rds_rename(base: dict[str, Any], protected: bool) -> dict[str, Any]:
    entry = resource(base, "aws:rds/instance:Instance", "database-postgres")
    entry["inputs"]["dbName"] = entry["outputs"]["dbName"] = "webmodel_old"
    if not protected:
        entry.pop("protect")
    return entry


def _protect(config: ProgramConfig, value: bool) -> ProgramConfig:
    database = dict(config.values["webmodel:database"], protect=value)
    return config.with_values({"webmodel:database": database})


@pytest.mark.parametrize(
    ("old", "new", "lock", "refused"),
    [
        (True, True, " 🔒", True),
        (True, False, " 🔓", False),
        (False, True, " 🔒", False),
        (False, False, "", False),
    ],
)
def test_a_replace_is_refused_only_when_protected_before_and_after(
    plan_of: Planner,
    base: dict[str, Any],
    prod_config: ProgramConfig,
    old: bool,
    new: bool,
    lock: str,
    refused: bool,
) -> None:
    """The step generator: `new.Protect && old.Protect` refuses the replace; unprotecting and
    replacing in one update is allowed. The replace is shown either way."""
    entry = _rds_rename(base, old)
    plan = plan_of(base, _protect(prod_config, new))
    text = render_text(plan)
    assert (
        _header(entry, "replace", "+-", lock) + '          ~ dbName: "webmodel_old" => "webmodel"\n'
    ) in text
    error = (
        f'  error: unable to replace resource "{entry["urn"]}"\n'
        "  as it is currently marked for protection. To unprotect the resource, remove the "
        "`protect` flag from the resource in your Pulumi program and run `pulumi up`\n"
    )
    assert (error in text) is refused
    assert [s.name for s in plan.refused] == (["database-postgres"] if refused else [])
    assert text.endswith("    ~ 2 to update\n    +-1 to replace\n    3 changes. 115 unchanged\n")


def test_deleting_a_protected_resource_fails_its_step(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    """A removed resource has no goal to unprotect it: the base's protect refuses the delete,
    which fails in the preview (not counted), with the CLI's own message."""
    entry = json.loads(json.dumps(resource(base, "aws:s3/bucket:Bucket", "webmodel-prod-models")))
    entry.update(urn=entry["urn"].replace("webmodel-prod-models", "legacy"), protect=True)
    entry["id"] = "legacy-exports-5d1c0a9"
    base["deployment"]["resources"].append(entry)
    plan = plan_of(base)
    text = render_text(plan)
    assert _header(entry, "delete", "- ", " 🔒") in text
    assert (
        f'  error: Preview failed: resource "{entry["urn"]}" cannot be deleted\n'
        "  because it is protected. To unprotect the resource, either remove the `protect` "
        "flag from the resource in your Pulumi program and run `pulumi up`, or use the command:\n"
        f"  `pulumi state unprotect '{entry['urn']}'`\n"
        "Resources:\n    118 unchanged\n"
    ) in text
    document = json.loads(to_json(plan))
    assert document["changeSummary"] == {"same": 118}
    assert [d["severity"] for d in document["diagnostics"]] == ["error"]
    assert document["steps"][-1]["op"] == "delete"


def test_protecting_an_unchanged_resource_is_shown_as_same(
    plan_of: Planner, base: dict[str, Any]
) -> None:
    entry = resource(base, "aws:rds/instance:Instance", "database-postgres")
    entry.pop("protect")
    text = render_text(plan_of(base))
    assert text == (
        f"{HEAD}"
        f"          aws:rds/instance:Instance: (same) 🔒\n"
        f"            [id={entry['id']}]\n"
        f"            [urn={entry['urn']}]\n"
        f"            [provider={entry['provider']}]\n"
        "Resources:\n    118 unchanged\n"
    )


# -- unknowns --------------------------------------------------------------------------------


def test_what_a_replaced_database_gives_is_unknown_through_nesting_and_apply(
    plan_of: Planner, base: dict[str, Any], prod_config: ProgramConfig
) -> None:
    """Its address, endpoint and master-user secret are unknown: the web environment's DB_HOST
    and DB_CREDENTIALS (elements of its settings list) and the instance policy that embeds the
    secret's ARN (`Output.all(...).apply(json.dumps)`) are unknown as a whole."""
    db = _rds_rename(base, protected=False)
    plan = plan_of(base, _protect(prod_config, False))
    web = resource(base, "aws:elasticbeanstalk/environment:Environment", "webmodel-prod-web")
    policy = resource(base, "aws:iam/rolePolicy:RolePolicy", "web-instance-policy")
    settings = {s["name"]: i for i, s in enumerate(web["inputs"]["settings"])}
    secret = db["outputs"]["masterUserSecrets"][0]["secretArn"]
    text = render_text(plan)
    assert (
        _header(policy, "update", "~ ")
        + f"          ~ policy: {json.dumps(policy['inputs']['policy'])} => [unknown]\n"
    ) in text
    assert secret in policy["inputs"]["policy"]
    assert (
        _header(web, "update", "~ ")
        + "          ~ settings: [\n"
        + f"              ~ [{settings['DB_HOST']}]: {{\n"
        + f'                  ~ value: "{db["outputs"]["address"]}" => [unknown]\n'
        + "                }\n"
        + f"              ~ [{settings['DB_CREDENTIALS']}]: {{\n"
        + f'                  ~ value: "{secret}" => [unknown]\n'
        + "                }\n"
        + "            ]\n"
    ) in text
    assert f'  ~ dbEndpoint: "{db["outputs"]["endpoint"]}" => [unknown]\n' in text
    step = next(s for s in json.loads(to_json(plan))["steps"] if s["urn"] == web["urn"])
    values = [s["value"] for s in step["newState"]["inputs"]["settings"]]
    assert values[settings["DB_HOST"]] == values[settings["DB_CREDENTIALS"]] == UNKNOWN
    assert values[settings["DB_NAME"]] == "webmodel"  # known: the program's own value


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
        _header(rule, "replace", "+-")
        + '          - cidrIpv4: "10.30.0.0/16"\n'
        + f'          + referencedSecurityGroupId: "{group}"\n'
    ) in text
    assert (
        _header(public, "update", "~ ") + '          ~ cidrIpv4: "10.99.0.0/16" => "0.0.0.0/0"\n'
    ) in text


# -- resource options ----------------------------------------------------------------------------


def _retag(base: dict[str, Any]) -> dict[str, Any]:
    vpc = resource(base, "aws:ec2/vpc:Vpc", "network-vpc")
    for side in ("inputs", "outputs"):
        vpc[side]["tags"]["Name"] = vpc[side]["tagsAll"]["Name"] = "old-vpc"
    return vpc


def test_ignore_changes_keeps_the_deployed_value(
    tmp_path: Path, plan_of: Planner, base: dict[str, Any]
) -> None:
    vpc = _retag(base)
    text = render_text(plan_of(base))
    assert (
        _header(vpc, "update", "~ ")
        + '          ~ tags: {\n              ~ Name: "old-vpc" => "network-vpc"\n            }\n'
        + "          ~ tagsAll: {\n"
        + '              ~ Name: "old-vpc" => "network-vpc"\n            }\n'
    ) in text
    config = _with_options(tmp_path, "aws:ec2/vpc:Vpc", 'ignore_changes=["tags"]')
    assert render_text(plan_of(base, config)) == f"{HEAD}Resources:\n    118 unchanged\n"


def test_replace_on_changes_and_delete_before_replace_are_honoured(
    tmp_path: Path, plan_of: Planner, base: dict[str, Any]
) -> None:
    vpc = _retag(base)
    config = _with_options(
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
    assert _header(entry, "delete[retain]", "- ") in render_text(plan)


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
    vpc = _retag(edited)
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
