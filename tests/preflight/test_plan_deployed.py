"""`preview --base` against a deployed stack's `pulumi stack export` (preflight/bench/
deployed.py: auto-names and schema defaults under `__defaults`, real-looking IDs, ciphertext
secrets, a provider with its own ID): auto-names, protection and unknowns as the engine plans
them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight.bench.deployed import resource
from preflight.plan.render_json import to_json
from preflight.plan.render_text import render_text
from preflight.stackfiles.program_config import ProgramConfig
from tests.preflight.conftest import (
    HEAD,
    UNKNOWN,
    Planner,
    header,
    with_options,
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
    config = with_options(
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
    config = with_options(
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
        header(queue, "replace", "+-")
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
        header(entry, "replace", "+-", lock) + '          ~ dbName: "webmodel_old" => "webmodel"\n'
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
    assert header(entry, "delete", "- ", " 🔒") in text
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
        header(policy, "update", "~ ")
        + f"          ~ policy: {json.dumps(policy['inputs']['policy'])} => [unknown]\n"
    ) in text
    assert secret in policy["inputs"]["policy"]
    assert (
        header(web, "update", "~ ")
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
