"""preflight as users run it: `python -m preflight preview|analyze` in a subprocess."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest

from tests.preflight_support import (
    ROOT,
    Run,
    copy_project,
    edit_settings,
    of_type,
    preflight,
    preflight_process,
    resources,
    set_setting,
    write_json,
)

SCHEMA = json.loads((ROOT / "tests/schemas/stack-export-v3.schema.json").read_text())
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ENV_NS = "aws:elasticbeanstalk:application:environment"


@pytest.fixture(scope="module", params=["dev", "prod"])
def preview(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    stack: str = request.param
    out = tmp_path_factory.mktemp(stack)
    run = preflight(
        "preview", "--stack", stack, "--json", out / "state.json", "--markdown", out / "report.md"
    )
    return Preview(stack, run, (out / "state.json").read_text(), out)


class Preview(NamedTuple):
    stack: str
    run: Run
    text: str
    out: Path

    @property
    def document(self) -> dict[str, Any]:
        """A fresh copy of the export for each use: tests edit it."""
        loaded: dict[str, Any] = json.loads(self.text)
        return loaded


def test_preview_passes_and_prints_the_tree(preview) -> None:
    stack, run, _, _ = preview
    document = preview.document
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    assert lines[0] == f"Previewing update ({stack}) with the simulated engine: no cloud calls"
    assert " +   pulumi:pulumi:Stack" in run.stdout
    assert f"webmodel-{stack}" in run.stdout
    for component, name in [
        ("webmodel:network:Network", "network"),
        ("webmodel:database:Database", "database"),
        ("webmodel:beanstalk:Application", "app"),
        ("webmodel:beanstalk:Environment", "web"),
        ("webmodel:beanstalk:Environment", "model"),
    ]:
        assert any(component in line and line.rstrip().endswith(f"  {name}") for line in lines), (
            component,
            name,
        )
    # The count is the CLI's: every resource in the export, the stack included, but not the
    # default provider.
    counted = [r for r in resources(document) if not r["type"].startswith("pulumi:providers:")]
    assert f"    + {len(counted)} to create" in lines
    assert lines[-1].startswith("PASSED: no mandatory policy violation")
    assert lines[-1].endswith(f"[webmodel-guardrails on stage {stack}]")


def test_preview_counts_subnets_and_nat_per_stage(preview) -> None:
    stack, _, _, _ = preview
    document = preview.document
    azs = {"dev": 2, "prod": 3}[stack]
    subnets = list(of_type(document, "aws:ec2/subnet:Subnet"))
    nats = list(of_type(document, "aws:ec2/natGateway:NatGateway"))
    assert len(subnets) == 3 * azs
    assert len(nats) == {"dev": 1, "prod": 3}[stack]
    assert len({s["outputs"]["availabilityZone"] for s in subnets}) == azs


def test_export_matches_the_stack_export_shape(preview) -> None:
    stack, _, _, _ = preview
    document = preview.document
    jsonschema.validate(document, SCHEMA)
    urns = {r["urn"] for r in resources(document)}
    for resource in resources(document):
        assert resource["urn"].startswith(f"urn:pulumi:{stack}::webmodel::")
        for dep in resource.get("dependencies", []):
            assert dep in urns
        if resource.get("parent"):
            assert resource["parent"] in urns
        if resource["custom"] and not resource["type"].startswith("pulumi:providers:"):
            provider = resource["provider"].rsplit("::", 1)[0]
            assert provider == f"urn:pulumi:{stack}::webmodel::pulumi:providers:aws::default_7_51_1"
    # Parents and dependencies are written before the resources that need them.
    seen: set[str] = set()
    for resource in resources(document):
        assert {resource.get("parent"), *resource.get("dependencies", [])} - {None} <= seen
        seen.add(resource["urn"])


def test_prod_stateful_resources_are_protected_in_the_export(preview) -> None:
    stack, _, _, _ = preview
    document = preview.document
    (db,) = of_type(document, "aws:rds/instance:Instance")
    assert db.get("protect", False) is (stack == "prod")
    assert db["outputs"]["multiAz"] is (stack == "prod")


def test_markdown_report_has_counts_outputs_policies_and_diagram(preview) -> None:
    stack, _, _, out = preview
    markdown = (out / "report.md").read_text()
    assert markdown.startswith(f"## ✅ preflight preview: `{stack}`")
    for heading in (
        "### Resources by component",
        "### Outputs",
        "### Policy report",
        "### Architecture",
    ):
        assert heading in markdown
    assert "| `webmodel:network:Network` | network |" in markdown
    assert "| `webUrl` |" in markdown
    assert "```mermaid\nflowchart LR\n" in markdown


def test_preview_is_byte_identical_across_runs(tmp_path: Path) -> None:
    """Two interpreters (each with its own hash seed), as users run it: `python -m preflight`."""
    first = preflight_process("preview", "--stack", "prod", "--json", tmp_path / "a.json")
    second = preflight_process("preview", "--stack", "prod", "--json", tmp_path / "b.json")
    assert first.code == second.code == 0, first.stderr
    assert first.stdout == second.stdout
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_json_to_stdout_is_the_export_alone() -> None:
    run = preflight("preview", "--stack", "dev", "--json", "-")
    assert run.code == 0
    assert json.loads(run.stdout)["version"] == 3


# -- analyze: the round trip and broken variants -------------------------------------------


def _analyze(document: dict[str, Any], tmp_path: Path, *extra: str) -> Run:
    return preflight("analyze", write_json(tmp_path / "state.json", document), *extra)


def test_analyze_gives_preview_s_verdict(preview, tmp_path: Path) -> None:
    stack, run, _, _ = preview
    document = preview.document
    analyzed = _analyze(document, tmp_path)
    assert analyzed.code == run.code == 0
    assert analyzed.stdout.splitlines()[-1] == run.stdout.splitlines()[-1]
    assert analyzed.stdout.splitlines()[0].endswith(f"stage {stack}")


def _private_subnet_of_web(document: dict[str, Any]) -> dict[str, Any]:
    web = next(
        r
        for r in of_type(document, "aws:elasticbeanstalk/environment:Environment")
        if r["outputs"]["tags"]["role"] == "web"
    )
    settings = {(s["namespace"], s["name"]): s["value"] for s in web["outputs"]["settings"]}
    first_subnet = settings[("aws:ec2:vpc", "Subnets")].split(",")[0]
    return next(r for r in of_type(document, "aws:ec2/subnet:Subnet") if r["id"] == first_subnet)


def test_a_subnet_made_public_fails_analyze(preview, tmp_path: Path) -> None:
    _, _, _, _ = preview
    document = preview.document
    subnet = _private_subnet_of_web(document)
    subnet["inputs"]["mapPublicIpOnLaunch"] = subnet["outputs"]["mapPublicIpOnLaunch"] = True
    run = _analyze(document, tmp_path)
    assert run.code == 1
    assert "[mandatory] eb-instances-in-private-subnets" in run.stdout
    assert subnet["id"] in run.stdout
    assert run.stdout.splitlines()[-1].startswith("FAILED: ")


def test_env_properties_past_4_kb_fail_analyze(preview, tmp_path: Path) -> None:
    _, _, _, _ = preview
    document = preview.document
    env = next(of_type(document, "aws:elasticbeanstalk/environment:Environment"))
    edit_settings(env, set_setting(ENV_NS, "BIG_BLOB", "x" * 4200))
    run = _analyze(document, tmp_path)
    assert run.code == 1
    assert "[mandatory] eb-env-properties-size-limit" in run.stdout
    assert "4,096" in run.stdout or "4096" in run.stdout


def test_public_rds_fails_analyze(preview, tmp_path: Path) -> None:
    _, _, _, _ = preview
    document = preview.document
    (db,) = of_type(document, "aws:rds/instance:Instance")
    db["inputs"]["publiclyAccessible"] = db["outputs"]["publiclyAccessible"] = True
    run = _analyze(document, tmp_path)
    assert run.code == 1
    assert "[mandatory] rds-not-publicly-accessible" in run.stdout


def _make_secret(
    resource: dict[str, Any], key: str, sealed: Callable[[Any], dict[str, str]]
) -> None:
    """Turn the resource's `key` into a secret in its inputs and outputs, as an export writes
    one: the secret signature and what `sealed` makes of the value (plaintext or ciphertext)."""
    for side in ("inputs", "outputs"):
        resource[side][key] = {SECRET_SIG_KEY: SECRET_SIG, **sealed(resource[side][key])}


def test_ciphertext_secret_is_advisory_not_a_crash(preview, tmp_path: Path) -> None:
    _, _, _, _ = preview
    document = preview.document
    env = next(of_type(document, "aws:elasticbeanstalk/environment:Environment"))
    _make_secret(env, "settings", lambda _: {"ciphertext": "v1:AAAA"})
    run = _analyze(document, tmp_path)
    assert run.code == 0, run.stdout
    assert f"secret property 'settings' of {env['urn']} has only ciphertext" in run.stdout


def test_plaintext_secret_settings_are_checked(preview, tmp_path: Path) -> None:
    _, _, _, _ = preview
    document = preview.document
    env = next(of_type(document, "aws:elasticbeanstalk/environment:Environment"))
    edit_settings(env, set_setting(ENV_NS, "BIG_BLOB", "x" * 4200))
    _make_secret(env, "settings", lambda value: {"plaintext": json.dumps(value)})
    run = _analyze(document, tmp_path)
    assert run.code == 1
    assert "[mandatory] eb-env-properties-size-limit" in run.stdout


def test_analyze_stage_comes_from_urns_or_flag(preview, tmp_path: Path) -> None:
    _stack, _, _, _ = preview
    document = preview.document
    run = _analyze(document, tmp_path, "--stack", "prod")
    assert "stage prod" in run.stdout.splitlines()[0]
    assert "config: policies/config/prod.json" in run.stdout


# -- bad input: exit 2, one line naming what is wrong -------------------------------------


def _one_error_line(run: Run) -> str:
    assert run.code == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert "Exception ignored" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("preflight: error: ")
    return lines[0]


def test_unknown_stack() -> None:
    line = _one_error_line(preflight("preview", "--stack", "staging"))
    assert line == (
        "preflight: error: unknown stack 'staging': Pulumi.staging.yaml does not exist "
        "(stacks here: dev, prod)"
    )


def test_bad_flag() -> None:
    line = _one_error_line(preflight("preview", "--stack", "dev", "--colour"))
    assert "unrecognized arguments: --colour" in line


def test_missing_project_file(tmp_path: Path) -> None:
    line = _one_error_line(preflight("--project-dir", tmp_path, "preview", "--stack", "dev"))
    assert line == f"preflight: error: Pulumi.yaml: file not found in {tmp_path}"


def test_invalid_stack_yaml(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "Pulumi.dev.yaml").write_text("config:\n  aws:region: [unclosed\n")
    line = _one_error_line(preflight("--project-dir", project, "preview", "--stack", "dev"))
    assert line.startswith("preflight: error: Pulumi.dev.yaml: invalid YAML (line ")


def test_config_value_of_the_wrong_type(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    text = (project / "Pulumi.dev.yaml").read_text()
    (project / "Pulumi.dev.yaml").write_text(
        text.replace("    maxSize: 1\n", "    maxSize: one\n", 1)
    )
    run = preflight("--project-dir", project, "preview", "--stack", "dev")
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith(
        "preflight: error: the program failed with Pulumi.dev.yaml: invalid stack configuration:\n"
    )
    assert "Exception ignored" not in run.stderr
    assert "webmodel:model.maxSize: Input should be a valid integer" in run.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json", "not JSON (line 1, column 1: Expecting value)"),
        ('{"version": 3}', "no 'deployment' key"),
        ('{"version": 2, "deployment": {}}', "unsupported 'version' 2"),
        (
            '{"version": 3, "deployment": {"resources": [{"type": "aws:ec2/vpc:Vpc"}]}}',
            "deployment.resources[0]: missing 'urn'",
        ),
        (
            '{"version": 3, "deployment": {"resources": '
            '[{"urn": "urn:pulumi:dev::p::aws:ec2/vpc:Vpc::v"}]}}',
            "deployment.resources[0] (urn:pulumi:dev::p::aws:ec2/vpc:Vpc::v): missing 'type'",
        ),
    ],
)
def test_malformed_state(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    line = _one_error_line(preflight("analyze", path))
    assert line.startswith(f"preflight: error: {path}: ")
    assert expected in line


def test_missing_state_file(tmp_path: Path) -> None:
    line = _one_error_line(preflight("analyze", tmp_path / "nope.json"))
    assert line == f"preflight: error: {tmp_path / 'nope.json'}: file not found"


# -- a change that breaks a mandatory rule fails the preview ------------------------------


def test_model_environment_made_public_fails_preview(tmp_path: Path) -> None:
    """The config cannot make the model environment public (its scheme is fixed in the
    program), so the mistake is made where it can be: in `__main__.py`."""
    project = copy_project(tmp_path)
    main = (project / "__main__.py").read_text()
    call = '"model", "internal", network.private_subnet_ids'
    assert main.count(call) == 1
    (project / "__main__.py").write_text(main.replace(call, call.replace("internal", "public")))
    run = preflight("--project-dir", project, "preview", "--stack", "dev")
    assert run.code == 1
    assert "[mandatory] eb-model-environment-internal" in run.stdout
    assert run.stdout.splitlines()[-1].startswith("FAILED: ")


# -- secrets: accepted in `secure:` form, never printed or exported in plaintext ----------


def test_secure_config_values_stay_secret(tmp_path: Path) -> None:
    project = tmp_path / "secretdemo"
    shutil.copytree(ROOT / "tests/fixtures/secret_project", project)
    shutil.copytree(ROOT / "policies", project / "policies")
    run = preflight(
        "--project-dir", project, "preview", "--stack", "dev", "--json", tmp_path / "state.json"
    )
    assert run.code == 0, run.stderr
    assert "    password: [secret]" in run.stdout.splitlines()
    exported = (tmp_path / "state.json").read_text()
    assert "preflight-secret-" not in run.stdout + exported
    document = json.loads(exported)
    (parameter,) = of_type(document, "aws:ssm/parameter:Parameter")
    assert set(parameter["inputs"]["value"]) == {SECRET_SIG_KEY, "ciphertext"}
    stack = next(of_type(document, "pulumi:pulumi:Stack"))
    assert set(stack["outputs"]["password"]) == {SECRET_SIG_KEY, "ciphertext"}

    shown = preflight(
        "--project-dir",
        project,
        "preview",
        "--stack",
        "dev",
        "--show-secrets",
        "--json",
        tmp_path / "shown.json",
    )
    assert shown.code == 0
    (parameter,) = of_type(
        json.loads((tmp_path / "shown.json").read_text()), "aws:ssm/parameter:Parameter"
    )
    assert json.loads(parameter["inputs"]["value"]["plaintext"]).startswith("preflight-secret-")
