"""Stack input through the CLI as users run it: secrets never leave in plaintext, and every
class of wrong or hostile config ends in exit 2 with one `preflight: error:` line."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.cli import main
from preflight.export.write import to_export
from preflight.simulate.deployment import SECRET_SIG, SECRET_SIG_KEY
from preflight.simulate.run import simulate
from preflight.stackfiles.program_config import ProgramConfig
from preflight.stackfiles.project import read_program_config
from tests.preflight_support import ROOT, Run, copy_project, preflight

SECRET_LEAVES = [
    ("webmodel:web", ("certificateArn",)),
    ("webmodel:model", ("certificateArn",)),
    ("webmodel:web", ("secrets", "SESSION_SECRET")),
    ("webmodel:database", ("snapshotIdentifier",)),
    ("webmodel:database", ("masterUsername",)),
]


def _set(doc: dict[str, Any], key: str, path: tuple[str, ...], value: Any) -> None:
    node = doc["config"].setdefault(key, {})
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def _write_stack(project: Path, stack: str, doc: dict[str, Any]) -> None:
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    (project / f"Pulumi.{stack}.yaml").write_text(text, encoding="utf-8")


def _stack_doc(stack: str) -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    assert isinstance(doc, dict)
    return doc


def _assert_one_error_line(run: Run) -> str:
    assert run.code == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("preflight: error: ")
    stderr: str = run.stderr
    return stderr


def _in_process(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    """`python -m preflight ...` without a new interpreter, for cases refused before any run."""
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def _envelopes(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return [value]
        return [e for item in value.values() for e in _envelopes(item)]
    if isinstance(value, list):
        return [e for item in value for e in _envelopes(item)]
    return []


# -- secrets never leave in plaintext ----------------------------------------------------------


@pytest.fixture(scope="module")
def secret_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """prod with every field that may be secret given as `secure:` random ciphertext."""
    project = copy_project(tmp_path_factory.mktemp("secrets"))
    rng = random.Random(20261123)
    doc = _stack_doc("prod")
    ciphertexts: list[str] = []
    for key, path in SECRET_LEAVES:
        ciphertext = "v1:" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/", k=32))
        ciphertexts.append(ciphertext)
        _set(doc, key, path, {"secure": ciphertext})
    _write_stack(project, "prod", doc)
    config = read_program_config(project, "prod")
    stand_ins = [
        _leaf(config.values[key], path) for key, path in SECRET_LEAVES
    ]  # what the program sees in place of each secret
    return project, [*ciphertexts, *stand_ins]


def _leaf(value: Any, path: tuple[str, ...]) -> str:
    for part in path:
        value = value[part]
    assert isinstance(value, str)
    return value


def test_secure_values_appear_nowhere_without_show_secrets(
    secret_project: tuple[Path, list[str]], tmp_path: Path
) -> None:
    project, secrets = secret_project
    markdown = tmp_path / "report.md"
    run = preflight(
        "--project-dir",
        project,
        "preview",
        "--stack",
        "prod",
        "--json",
        "-",
        "--markdown",
        markdown,
    )
    assert run.code == 0, run.stderr
    text = run.stdout + run.stderr + markdown.read_text(encoding="utf-8")
    for secret in secrets:
        assert secret not in text
    document = json.loads(run.stdout)
    wrapped = _envelopes(document)
    assert wrapped
    assert all("ciphertext" in envelope and "plaintext" not in envelope for envelope in wrapped)
    environment = next(
        r
        for r in document["deployment"]["resources"]
        if r["type"] == "aws:elasticbeanstalk/environment:Environment" and "-web" in r["urn"]
    )
    assert SECRET_SIG_KEY in environment["inputs"]["settings"]
    assert SECRET_SIG_KEY in environment["outputs"]["allSettings"]


def test_show_secrets_writes_the_secret_values(secret_project: tuple[Path, list[str]]) -> None:
    project, secrets = secret_project
    run = preflight(
        "--project-dir", project, "preview", "--stack", "prod", "--json", "-", "--show-secrets"
    )
    assert run.code == 0, run.stderr
    plaintexts = " ".join(e["plaintext"] for e in _envelopes(json.loads(run.stdout)))
    for (_, path), stand_in in zip(SECRET_LEAVES, secrets[len(SECRET_LEAVES) :], strict=True):
        if path != ("masterUsername",):  # a restore from a snapshot takes the snapshot's user
            assert stand_in in plaintexts


def test_decrypted_secrets_are_marked_secret_by_the_program(tmp_path: Path) -> None:
    """Under `pulumi up` the program gets the plaintext and only "this key is secret"."""
    certificate = (
        "arn:aws:acm:ap-northeast-2:123456789012:certificate/0d7c5b3e-1111-4222-8333-9a8b7c6d5e4f"
    )
    user = "s3cr3t_admin"
    loaded = read_program_config(ROOT, "prod")
    values = dict(loaded.values)
    values["webmodel:web"] = {**values["webmodel:web"], "certificateArn": certificate}
    values["webmodel:database"] = {**values["webmodel:database"], "masterUsername": user}
    config = ProgramConfig(
        project=loaded.project,
        stack="prod",
        project_dir=ROOT,
        main=loaded.main,
        values=values,
        secret_keys=frozenset({"webmodel:web", "webmodel:database"}),
    )
    deployment = simulate("prod", config=config)
    hidden = json.dumps(to_export(deployment, region="ap-northeast-2"))
    assert certificate not in hidden
    assert user not in hidden
    shown = json.dumps(to_export(deployment, region="ap-northeast-2", show_secrets=True))
    assert certificate in shown
    assert user in shown
    database = deployment.get("aws:rds/instance:Instance", "database-postgres")
    assert database.secret_inputs == {"username"}
    web = next(
        r
        for r in deployment.of_type("aws:elasticbeanstalk/environment:Environment")
        if "-web" in r.name
    )
    assert "settings" in web.secret_inputs
    assert "allSettings" in web.secret_outputs
    model = next(
        r
        for r in deployment.of_type("aws:elasticbeanstalk/environment:Environment")
        if "-model" in r.name
    )
    assert "settings" not in model.secret_inputs  # webmodel:model holds no secret


# -- refused secure leaves -----------------------------------------------------------------------

REFUSED = [
    ("aws:region", (), "aws:region: cannot be secret"),
    ("webmodel:web", ("env", "APP_ENV"), "webmodel:web.env.APP_ENV: a secret must not be a plain"),
    ("webmodel:model", ("env", "TOKEN"), "list its ARN under webmodel:model.secrets"),
    ("webmodel:network", ("cidrBlock",), "webmodel:network.cidrBlock: cannot be secret"),
    ("webmodel:web", ("minSize",), "webmodel:web.minSize: cannot be secret"),
    ("webmodel:platform", ("solutionStackRegex",), "webmodel:platform.solutionStackRegex: cannot"),
    ("webmodel:database", ("databaseName",), "webmodel:database.databaseName: cannot be secret"),
    ("webmodel:web", ("scaling", "unit"), "webmodel:web.scaling.unit: cannot be secret"),
]


@pytest.mark.parametrize(("key", "path", "fragment"), REFUSED)
def test_secure_values_where_none_may_be_are_refused_by_key(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    path: tuple[str, ...],
    fragment: str,
) -> None:
    project = copy_project(tmp_path)
    doc = _stack_doc("dev")
    ciphertext = "v1:Q2lwaGVydGV4dE5ldmVyU2hvd24="
    if path:
        _set(doc, key, path, {"secure": ciphertext})
    else:
        doc["config"][key] = {"secure": ciphertext}
    _write_stack(project, "dev", doc)
    stderr = _assert_one_error_line(
        preflight("--project-dir", project, "preview", "--stack", "dev")
    )
    assert stderr.startswith("preflight: error: Pulumi.dev.yaml: ")
    assert fragment in stderr
    assert ciphertext not in stderr
    assert "preflight-secret-" not in stderr


# -- wrong or hostile config, one line each -----------------------------------------------------

BILLION_LAUGHS = "config:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


@pytest.mark.parametrize(
    ("stack_text", "fragments"),
    [
        (BILLION_LAUGHS, ["Pulumi.dev.yaml: key config.l", "values through aliases"]),
        (
            "config:\n  webmodel:web: " + "[" * 5000 + "]" * 5000 + "\n",
            ["key config.webmodel:web[0]", "nested more than 32 levels deep"],
        ),
        (
            "config:\n  aws:region: ap-northeast-2\n  webmodel:network:\n    availabilityZones: "
            + "7" * 5000
            + "\n",
            ["webmodel:network.availabilityZones: Input should be a valid integer"],
        ),
        (
            "config:\n  webmodel:web:\n    env:\n      BLOB: !!int blob\n",
            ["key config.webmodel:web.env.BLOB", "cannot decode !!str `blob` as a !!int"],
        ),
        (
            "config:\n  aws:region: ap-northeast-2\n  webmodel:webb:\n    minSize: 2\n",
            ["webmodel:webb: unknown config key (did you mean 'webmodel:web'?)"],
        ),
        (
            "config:\n  aws:region: ap-northeast-2\n  webmodel:debug: true\n",
            ["webmodel:debug: unknown config key; valid keys: webmodel:network"],
        ),
        (
            "config:\n  aws:region: ap-northeast-2\n  webmodel:model:\n    slots: [blue]\n"
            "    live: blue\n    slotSettings:\n      blue: {minSize: 1}\n",
            [
                "webmodel:model.slotSettings.blue.minSize: unknown key; valid keys here: version, "
                "solutionStackRegex, imageId, instanceTypes"
            ],
        ),
        (
            "config:\n  aws:region: ap-northeast-2\n  webmodel:web:\n    minsize: 2\n",
            ["webmodel:web.minsize: unknown key (did you mean 'minSize'?)"],
        ),
        (
            "config:\n  aws:region: " + "a" * 10_000 + "\n",
            ["Pulumi.dev.yaml: aws:region: must be an AWS region code", "(10,000 characters)"],
        ),
    ],
    ids=[
        "billion-laughs",
        "deep",
        "huge-int",
        "bad-tag",
        "typo",
        "debug",
        "slot-settings-key",
        "nested-typo",
        "region",
    ],
)
def test_wrong_or_hostile_stack_files_exit_2_fast(
    tmp_path: Path, stack_text: str, fragments: list[str]
) -> None:
    project = copy_project(tmp_path)
    (project / "Pulumi.dev.yaml").write_text(stack_text, encoding="utf-8")
    started = time.perf_counter()
    run = preflight("--project-dir", project, "preview", "--stack", "dev")
    assert time.perf_counter() - started < 30
    stderr = _assert_one_error_line(run)
    for fragment in fragments:
        assert fragment in stderr


def test_a_stack_file_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "Pulumi.dev.yaml").write_bytes(b"config:\n  aws:region: ap-\xc3\x28north\n")
    stderr = _assert_one_error_line(
        preflight("--project-dir", project, "preview", "--stack", "dev")
    )
    assert stderr == (
        "preflight: error: Pulumi.dev.yaml: is not UTF-8 text (byte 0xc3 on line 2); "
        "save it as UTF-8\n"
    )


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("s" * 300, "a stack name cannot exceed 100 characters (this one has 300)"),
        ("my stack", "invalid character ' ' at position 2"),
        ("../../../etc/passwd", "a stack reference is <stack>, <org>/<stack> or <org>/<project>"),
        ("dev\x00", "invalid character '\\x00' at position 3"),
        ("org/other/dev", "names project 'other', but Pulumi.yaml is project 'webmodel'"),
    ],
)
def test_stack_names_are_checked_before_they_become_a_path(
    capsys: pytest.CaptureFixture[str], name: str, fragment: str
) -> None:
    stderr = _assert_one_error_line(_in_process(capsys, "preview", "--stack", name))
    assert fragment in stderr


def test_a_300_character_stack_name_exits_2_from_the_shell() -> None:
    stderr = _assert_one_error_line(preflight("preview", "--stack", "s" * 300))
    assert stderr.endswith("a stack name cannot exceed 100 characters (this one has 300)\n")
