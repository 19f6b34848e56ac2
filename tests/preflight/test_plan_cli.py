"""`preview --base` through the CLI: the plan JSON is the preview digest, byte for byte the same
on every run; a refused plan exits 1 with the CLI's reason; a bad base exits 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.preflight.conftest import base_edit
from tests.preflight_support import copy_project, preflight

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


# -- the CLI ---------------------------------------------------------------------------------

_DETAIL = {
    "type": "object",
    "required": ["kind", "inputDiff"],
    "properties": {
        "kind": {
            "enum": ["add", "add-replace", "delete", "delete-replace", "update", "update-replace"]
        },
        "inputDiff": {"type": "boolean"},
    },
}
PREVIEW_DIGEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["config", "steps", "changeSummary"],
    "additionalProperties": False,
    "properties": {
        "config": {"type": "object", "additionalProperties": {"type": "string"}},
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["op", "urn", "detailedDiff"],
                "additionalProperties": False,
                "properties": {
                    "op": {"enum": ["same", "create", "update", "delete", "replace", "discard"]},
                    "urn": {"type": "string", "pattern": "^urn:pulumi:"},
                    "provider": {"type": "string"},
                    "oldState": {"$ref": "#/$defs/resource"},
                    "newState": {"$ref": "#/$defs/resource"},
                    "diffReasons": {"type": "array", "items": {"type": "string"}},
                    "replaceReasons": {"type": "array", "items": {"type": "string"}},
                    "detailedDiff": {
                        "oneOf": [
                            {"type": "null"},
                            {"type": "object", "additionalProperties": _DETAIL},
                        ]
                    },
                },
            },
        },
        "diagnostics": {"type": "array"},
        "changeSummary": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
    "$defs": {
        "resource": {
            "type": "object",
            "required": ["urn", "custom", "type"],
            "properties": {
                "urn": {"type": "string"},
                "custom": {"type": "boolean"},
                "type": {"type": "string"},
                "inputs": {"type": "object"},
                "outputs": {"type": "object"},
            },
        }
    },
}


def test_cli_plan_json_is_the_preview_digest_and_byte_identical(
    tmp_path: Path, own_base: dict[str, Any], total: int
) -> None:
    base = tmp_path / "base.json"
    edited = base_edit(own_base, "aws:ec2/subnet:Subnet", 0, cidrBlock="10.99.0.0/24")
    base.write_text(json.dumps(edited), encoding="utf-8")
    first = preflight("preview", "--stack", "prod", "--base", base, "--plan-json", "-")
    second = preflight("preview", "--stack", "prod", "--base", base, "--plan-json", "-")
    assert first.code == 0, first.stderr
    assert first.stdout == second.stdout
    digest = json.loads(first.stdout)
    jsonschema.validate(digest, PREVIEW_DIGEST_SCHEMA)
    assert digest["changeSummary"] == {"replace": 2, "same": total - 3, "update": 1}
    root, step, association, group = digest["steps"]
    assert (association["op"], association["replaceReasons"]) == ("replace", ["subnetId"])
    assert (group["op"], group["diffReasons"]) == ("update", ["subnetIds"])
    assert UNKNOWN in group["newState"]["inputs"]["subnetIds"]
    assert (root["op"], root["detailedDiff"]) == ("same", None)
    assert root["urn"].endswith("::pulumi:pulumi:Stack::webmodel-prod")
    assert (step["op"], step["replaceReasons"]) == ("replace", ["cidrBlock"])
    assert step["detailedDiff"] == {"cidrBlock": {"kind": "update-replace", "inputDiff": True}}
    assert step["oldState"]["inputs"]["cidrBlock"] == "10.99.0.0/24"
    assert step["newState"]["outputs"]["id"] == UNKNOWN
    assert "id" not in step["newState"]
    assert digest["config"]["webmodel:database"].startswith("{")


def test_cli_refuses_a_protected_replace_in_prod(tmp_path: Path, own_base: dict[str, Any]) -> None:
    base = tmp_path / "base.json"
    edited = base_edit(own_base, "aws:rds/instance:Instance", 0, dbName="webmodel_old")
    base.write_text(json.dumps(edited), encoding="utf-8")
    markdown = tmp_path / "plan.md"
    run = preflight("preview", "--stack", "prod", "--base", base, "--markdown", markdown)
    assert run.code == 1
    assert run.stdout.startswith("STATEFUL RESOURCES REPLACED OR DELETED in prod:\n")
    assert run.stderr == (
        'preflight: error: unable to replace resource "urn:pulumi:prod::webmodel::'
        'webmodel:database:Database$aws:rds/instance:Instance::database-postgres" '
        "as it is protected\n"
    )
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("## ❌ preflight preview: `prod`\n\n> [!CAUTION]\n")
    assert "| `+-` ⚠️ replace | `aws:rds:Instance` | database-postgres | `dbName` |" in text
    assert "\nBase: `base.json`.\n" in text
    assert text.index("### Plan against the base state") < text.index("### Policy report")
    assert text.index("### Policy report") < text.index("```mermaid")


def test_an_update_only_plan_judges_unchanged_versions_in_their_region(
    tmp_path: Path, own_base: dict[str, Any]
) -> None:
    """An unchanged resource is judged with its recorded outputs, which hold the `region` the
    provider's Check set (as a real pulumi-aws 7 state's do): the version rule can relate web's
    environment to its unchanged version instead of calling the region unknown."""
    versions = [
        r for r in own_base["deployment"]["resources"] if r["type"].endswith("ApplicationVersion")
    ]
    assert {r["outputs"]["region"] for r in versions} == {"ap-northeast-2"}
    base = tmp_path / "base.json"
    base.write_text(json.dumps(own_base), encoding="utf-8")
    (tmp_path / "project").mkdir()
    project = copy_project(tmp_path / "project")
    stack_file = project / "Pulumi.prod.yaml"
    text = stack_file.read_text(encoding="utf-8")
    stack_file.write_text(text.replace("    minSize: 2\n", "    minSize: 3\n", 1), encoding="utf-8")
    run = preflight("--project-dir", project, "preview", "--stack", "prod", "--base", base)
    assert run.code == 0, run.stderr
    assert "    ~ 1 to update\n" in run.stdout
    assert "can't run policy" not in run.stdout
    assert run.stdout.endswith(
        "PASSED: no mandatory policy violation, 0 advisory [webmodel-guardrails on stage prod]\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ('{"version": 3, "deployment": {"resources": [{"urn": "urn:pu', "not JSON"),
        ('{"version": 2, "deployment": {}}', "unsupported 'version' 2"),
        ('{"version": 4, "deployment": {}}', "unsupported 'version' 4"),
    ],
)
def test_cli_malformed_base_exits_2(tmp_path: Path, content: str, message: str) -> None:
    base = tmp_path / "base.json"
    base.write_text(content, encoding="utf-8")
    run = preflight("preview", "--stack", "dev", "--base", base)
    assert run.code == 2
    assert run.stdout == ""
    assert run.stderr.startswith(f"preflight: error: {base}: ")
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_plan_json_without_base_exits_2() -> None:
    run = preflight("preview", "--stack", "dev", "--plan-json", "-")
    assert run.code == 2
    assert run.stderr == (
        "preflight: error: --plan-json needs --base STATE.json (the plan is against that state)\n"
    )


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_hand_written_export_of_another_project_exits_2() -> None:
    """fixtures/billing-prod-export.json: an export as the CLI writes one (manifest with
    plugins, passphrase secrets provider, ciphertext, `__defaults`, external and retained
    resources, a pending operation), of another project."""
    base = FIXTURES / "billing-prod-export.json"
    run = preflight("preview", "--stack", "prod", "--base", base)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        f"preflight: error: {base}: an export of project 'billing', not 'webmodel'; pass "
        "`pulumi stack export` of this project's 'prod' stack\n"
    )


RESOURCE_V3 = [
    "urn",
    "custom",
    "delete",
    "id",
    "type",
    "inputs",
    "outputs",
    "parent",
    "protect",
    "taint",
    "external",
    "dependencies",
    "initErrors",
    "provider",
    "propertyDependencies",
    "pendingReplacement",
    "additionalSecretOutputs",
    "aliases",
    "customTimeouts",
    "importID",
    "retainOnDelete",
    "deletedWith",
    "replaceWith",
    "created",
    "modified",
]
"""ResourceV3's JSON fields in their Go declaration order (pulumi/pulumi apitype core.go)."""


def _in_go_order(entry: dict[str, Any]) -> bool:
    positions = [RESOURCE_V3.index(key) for key in entry]
    return positions == sorted(positions)


def test_the_deployed_export_is_shaped_like_the_hand_written_one(
    deployed: dict[str, Any],
) -> None:
    """preflight/bench/deployed.py writes what the hand-written export holds, in the same
    order: the document's keys, the manifest's, and each resource's fields in ResourceV3's
    Go order."""
    sample = json.loads((FIXTURES / "billing-prod-export.json").read_text(encoding="utf-8"))
    assert list(deployed) == list(sample) == ["version", "deployment"]
    ours, theirs = deployed["deployment"], sample["deployment"]
    assert set(ours) <= set(theirs)
    assert list(ours["manifest"]) == list(theirs["manifest"])
    assert list(ours["manifest"]["plugins"][0]) == list(theirs["manifest"]["plugins"][0])
    for entry in [*ours["resources"], *theirs["resources"]]:
        assert _in_go_order(entry), entry["urn"]
    kinds = {(e["type"].split(":")[0], e["custom"]) for e in ours["resources"]}
    assert {("pulumi", False), ("pulumi", True), ("aws", True)} <= kinds


def test_cli_refuses_deleting_a_protected_resource(
    tmp_path: Path, deployed: dict[str, Any]
) -> None:
    document = copy.deepcopy(deployed)
    entry = copy.deepcopy(next(r for r in document["deployment"]["resources"] if r.get("protect")))
    entry["urn"] += "-legacy"
    document["deployment"]["resources"].append(entry)
    base = tmp_path / "deployed-prod.json"
    base.write_text(json.dumps(document), encoding="utf-8")
    run = preflight("preview", "--stack", "prod", "--base", base)
    assert run.code == 1
    assert run.stderr == (
        f'preflight: error: resource "{entry["urn"]}" cannot be deleted because it is protected\n'
    )
    assert f'  error: Preview failed: resource "{entry["urn"]}" cannot be deleted\n' in run.stdout
