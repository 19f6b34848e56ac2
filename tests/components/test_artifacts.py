"""Releases (issue 12): buckets, bundle objects, application versions, the model repository,
the environments' version wiring and the optional custom domain.

Component facts run `Artifacts` under the simulated account (tests.program_fixtures.run) on
app directories written here; program facts run the real `__main__.py` (preflight.simulate),
on a copy of the project when a test changes an app.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.artifacts import Artifacts, ArtifactsArgs, repository_digest, tls_only_policy
from components.beanstalk.iam import instance_policy, read_prefix_statements
from components.bundle import Bundle, build_bundle
from preflight.simulate.deployment import Deployment
from preflight.simulate.run import ProgramError, simulate
from tests.preflight_support import copy_project
from tests.program_fixtures import Recording, run, settings_map

BUCKET = "aws:s3/bucket:Bucket"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
VERSION = "aws:elasticbeanstalk/applicationVersion:ApplicationVersion"
ENVIRONMENT = "aws:elasticbeanstalk/environment:Environment"
RECORD = "aws:route53/record:Record"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
ENV_NS = "aws:elasticbeanstalk:application:environment"
COMPANIONS: dict[str, dict[str, Any]] = {
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        "rule": {"objectOwnership": "BucketOwnerEnforced"}
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
                "bucketKeyEnabled": True,
            }
        ]
    },
    "aws:s3/bucketVersioning:BucketVersioning": {"versioningConfiguration": {"status": "Enabled"}},
}
DOMAIN = {"domain": "app.example.com", "hostedZone": "example.com"}


# -- apps written here ------------------------------------------------------------------------


def write_app(root: Path, app: str, body: str) -> Path:
    source = root / app
    source.mkdir(parents=True, exist_ok=True)
    (source / "Dockerfile").write_text(f"FROM python:3.11-slim\nCOPY . /app\n# {app}\n")
    (source / "main.py").write_text(body)
    return source


def write_repository(root: Path, config: str = 'name: "scorer"\n') -> Path:
    repository = root / "model_repository"
    (repository / "scorer" / "1").mkdir(parents=True, exist_ok=True)
    (repository / "scorer" / "config.pbtxt").write_text(config)
    (repository / "scorer" / "1" / "model.onnx").write_bytes(b"\x08\x07onnx-bytes")
    return repository


def bundles(
    root: Path, web: str = "print('web')\n", model: str = "print('model')\n"
) -> list[Bundle]:
    out = root / "out"
    return [
        build_bundle(write_app(root / "src", "web", web), app="web", out_dir=out),
        build_bundle(write_app(root / "src", "model", model), app="model", out_dir=out),
    ]


def artifacts(args: ArtifactsArgs) -> Recording:
    def build() -> dict[str, Any]:
        component = Artifacts("artifacts", args)
        return {
            "uri": component.model_repository_uri,
            **{f"label-{app}": label for app, label in component.version_labels.items()},
        }

    return run(build).aws


# -- buckets ----------------------------------------------------------------------------------


def test_both_buckets_are_private_encrypted_versioned_and_tls_only(tmp_path: Path) -> None:
    aws = artifacts(
        ArtifactsArgs("app", bundles(tmp_path), model_repository_dir=write_repository(tmp_path))
    )
    buckets = {b.name: b for b in aws.of_type(BUCKET)}
    assert sorted(buckets) == ["artifacts-bundles", "artifacts-models"]
    for bucket in buckets.values():
        assert bucket.inputs["forceDestroy"] is False
        for type_token, expected in COMPANIONS.items():
            (companion,) = [r for r in aws.of_type(type_token) if r.inputs["bucket"] == bucket.id]
            assert {k: companion.inputs[k] for k in expected} == expected
        (policy,) = [
            r
            for r in aws.of_type("aws:s3/bucketPolicy:BucketPolicy")
            if r.inputs["bucket"] == bucket.id
        ]
        arn = bucket.state["arn"]
        assert json.loads(policy.inputs["policy"]) == json.loads(tls_only_policy(arn))
        (statement,) = json.loads(policy.inputs["policy"])["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Resource"] == [arn, f"{arn}/*"]
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# -- bundles and application versions ---------------------------------------------------------


def test_each_bundle_is_an_object_and_a_version_named_by_its_label(tmp_path: Path) -> None:
    built = bundles(tmp_path)
    aws = artifacts(ArtifactsArgs("app", built, model_repository_uri="s3://existing/models/v3"))
    bundle_bucket = aws.one(BUCKET, "artifacts-bundles")
    for bundle in built:
        source = aws.one(OBJECT, f"artifacts-{bundle.app}-bundle")
        assert source.inputs["bucket"] == bundle_bucket.id
        assert source.inputs["key"] == f"bundles/{bundle.label}.zip"
        assert source.inputs["contentType"] == "application/zip"
        assert source.inputs["metadata"] == {"sha256": bundle.sha256}
        version = aws.one(VERSION, f"artifacts-{bundle.app}-version")
        assert version.inputs["name"] == bundle.label
        assert version.inputs["application"] == "app"
        assert version.inputs["bucket"] == bundle_bucket.id
        assert version.inputs["key"] == f"bundles/{bundle.label}.zip"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(change=st.text(min_size=1, max_size=40), app=st.sampled_from(["web", "model"]))
def test_changing_one_app_changes_only_its_label(tmp_path: Path, change: str, app: str) -> None:
    root = tmp_path / f"case-{abs(hash((change, app)))}"
    shutil.rmtree(root, ignore_errors=True)
    before = {b.app: b.label for b in bundles(root)}
    edited = {app: f"print('{app}')\n# {change!r}\n"}
    after = {b.app: b.label for b in bundles(root / "edited", **edited)}
    other = "model" if app == "web" else "web"
    assert after[app] != before[app]
    assert after[other] == before[other]
    # a revert restores the old label exactly
    assert {b.app: b.label for b in bundles(root / "reverted")} == before


# -- the model repository ---------------------------------------------------------------------


def test_the_example_model_is_uploaded_file_by_file_under_a_content_prefix(tmp_path: Path) -> None:
    repository = write_repository(tmp_path)
    prefix = f"models/{repository_digest(repository)[:12]}"
    aws = artifacts(ArtifactsArgs("app", bundles(tmp_path), model_repository_dir=repository))
    models = aws.one(BUCKET, "artifacts-models")
    files = {
        r.inputs["key"]: r.inputs["bucket"]
        for r in aws.of_type(OBJECT)
        if r.name.startswith("artifacts-model-") and not r.name.endswith("-bundle")
    }
    assert files == {
        f"{prefix}/scorer/1/model.onnx": models.id,
        f"{prefix}/scorer/config.pbtxt": models.id,
    }
    changed = write_repository(tmp_path / "v2", config='name: "scorer"\nmax_batch_size: 8\n')
    assert repository_digest(changed) != repository_digest(repository)


def test_an_existing_repository_uri_replaces_the_model_bucket(tmp_path: Path) -> None:
    aws = artifacts(ArtifactsArgs("app", bundles(tmp_path), model_repository_uri="s3://b/m/v1"))
    assert [b.name for b in aws.of_type(BUCKET)] == ["artifacts-bundles"]
    # sorted: objects wait for their bucket, so their registration order is not fixed
    assert sorted(r.name for r in aws.of_type(OBJECT)) == [
        "artifacts-model-bundle",
        "artifacts-web-bundle",
    ]


def test_artifacts_args_want_exactly_one_model_source(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="give exactly one of model_repository_dir"):
        ArtifactsArgs("app", [])
    built = bundles(tmp_path)
    with pytest.raises(ValueError, match="one bundle per app"):
        ArtifactsArgs("app", [built[0], built[0]], model_repository_uri="s3://b/m")


@pytest.mark.parametrize(
    ("uri", "objects", "prefixes"),
    [
        (
            "s3://models-1/models/abc",
            "arn:aws:s3:::models-1/models/abc/*",
            ["models/abc", "models/abc/*"],
        ),
        ("s3://models-1/deep/er/", "arn:aws:s3:::models-1/deep/er/*", ["deep/er", "deep/er/*"]),
    ],
)
def test_the_model_instances_read_exactly_the_repository_prefix(
    uri: str, objects: str, prefixes: list[str]
) -> None:
    assert read_prefix_statements("aws", uri) == [
        {
            "Sid": "ReadModelRepository",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": objects,
        },
        {
            "Sid": "ListModelRepository",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::models-1",
            "Condition": {"StringLike": {"s3:prefix": prefixes}},
        },
    ]
    document = json.loads(instance_policy("aws", "ap-northeast-2", "123456789012", [], uri))
    assert [s["Sid"] for s in document["Statement"]][-2:] == [
        "ReadModelRepository",
        "ListModelRepository",
    ]
    without = json.loads(instance_policy("aws", "ap-northeast-2", "123456789012", []))
    assert not any("s3:::models-1" in json.dumps(s) for s in without["Statement"])


# -- the program ------------------------------------------------------------------------------


@cache
def deployment(stack: str, domain: bool = False) -> Deployment:
    if not domain:
        return simulate(stack)
    web = {**_stack_web(stack), **DOMAIN, "certificateArn": None}
    return simulate(stack, config_overrides={"webmodel:web": web})


def _stack_web(stack: str) -> dict[str, Any]:
    from tests.program_fixtures import stack_file_values

    web: dict[str, Any] = stack_file_values(stack)["web"]
    return web


def environment(d: Deployment, role: str) -> Any:
    (found,) = [r for r in d.of_type(ENVIRONMENT) if r.inputs["tags"]["role"] == role]
    return found


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_environment_runs_its_own_apps_version(stack: str) -> None:
    d = deployment(stack)
    versions = {r.name: r for r in d.of_type(VERSION)}
    for role in ("web", "model"):
        version = versions[f"artifacts-{role}-version"]
        assert environment(d, role).inputs["version"] == version.inputs["name"]
        assert version.inputs["name"].startswith(f"{role}-")
        assert d.outputs[f"{role}VersionLabel"] == version.inputs["name"]
    (application,) = d.of_type("aws:elasticbeanstalk/application:Application")
    (service_role,) = [r for r in d.of_type("aws:iam/role:Role") if r.name == "app-service-role"]
    assert application.inputs["appversionLifecycle"] == {
        "serviceRole": service_role.outputs["arn"],
        "maxCount": 200,
        "deleteSourceFromS3": False,
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_model_environment_gets_its_repository_and_may_read_only_it(stack: str) -> None:
    d = deployment(stack)
    model = environment(d, "model")
    env = {n: v for (ns, n), v in settings_map(model.inputs["settings"]).items() if ns == ENV_NS}
    uri = d.outputs["modelRepositoryUri"]
    assert env["MODEL_REPOSITORY"] == uri
    assert env["AWS_DEFAULT_REGION"] == "ap-northeast-2"
    assert uri.startswith("s3://webmodel-" + stack + "-models-")
    web_env = settings_map(environment(d, "web").inputs["settings"])
    assert (ENV_NS, "MODEL_REPOSITORY") not in web_env
    policies = {
        r.name: json.loads(r.inputs["policy"]) for r in d.of_type("aws:iam/rolePolicy:RolePolicy")
    }
    bucket, prefix = uri[len("s3://") :].split("/", 1)
    model_sids = {s["Sid"]: s for s in policies["model-instance-policy"]["Statement"]}
    assert model_sids["ReadModelRepository"]["Resource"] == f"arn:aws:s3:::{bucket}/{prefix}/*"
    assert "ReadModelRepository" not in {
        s["Sid"] for s in policies["web-instance-policy"]["Statement"]
    }
    bundles_arn = next(b for b in d.of_type(BUCKET) if b.name.endswith("-bundles")).outputs["arn"]
    for role in ("web", "model"):
        (grant,) = [
            s
            for s in policies[f"{role}-instance-policy"]["Statement"]
            if s["Sid"] == "ReadSourceBundles"
        ]
        assert grant == {
            "Sid": "ReadSourceBundles",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"{bundles_arn}/bundles/{role}-*",
        }


ARTIFACT_OUTPUTS = ("webVersionLabel", "modelVersionLabel", "modelRepositoryUri")


@pytest.mark.parametrize(
    ("edited", "changed", "untouched_role"),
    [
        ("apps/web/CHANGELOG", "webVersionLabel", "model"),
        ("apps/model/model_repository/scorer/config.pbtxt", "modelRepositoryUri", "web"),
    ],
    ids=["web-app-changed", "model-retrained"],
)
def test_a_change_to_one_role_changes_only_its_artifact(
    tmp_path: Path, edited: str, changed: str, untouched_role: str
) -> None:
    project = copy_project(tmp_path)
    with (project / edited).open("a", encoding="utf-8") as file:
        file.write("\n# changed\n")
    after, before = simulate("dev", project_dir=project), deployment("dev")
    for output in ARTIFACT_OUTPUTS:
        assert (after.outputs[output] == before.outputs[output]) is (output != changed), output
    assert environment(after, untouched_role).inputs == environment(before, untouched_role).inputs


def test_a_configured_repository_uri_is_used_instead_of_the_upload() -> None:
    model = {"modelRepository": "s3://team-models/triton/2026-11"}
    d = simulate("dev", config_overrides={"webmodel:model": model})
    assert d.outputs["modelRepositoryUri"] == "s3://team-models/triton/2026-11"
    assert [b.name for b in d.of_type(BUCKET)] == ["webmodel-dev-bundles"]


# -- the custom domain ------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_domain_means_no_certificate_or_records(stack: str) -> None:
    d = deployment(stack)
    assert d.of_type(CERTIFICATE) == d.of_type(VALIDATION) == d.of_type(RECORD) == []


def test_a_domain_gets_a_dns_validated_certificate_and_an_alias(tmp_path: Path) -> None:
    d = deployment("dev", domain=True)
    (certificate,) = d.of_type(CERTIFICATE)
    assert certificate.inputs["domainName"] == "app.example.com"
    assert certificate.inputs["validationMethod"] == "DNS"
    records = {r.name: r for r in d.of_type(RECORD)}
    assert sorted(records) == ["domain-alias", "domain-validation"]
    option = certificate.outputs["domainValidationOptions"][0]
    validation_record = records["domain-validation"].inputs
    assert validation_record["name"] == option["resourceRecordName"]
    assert validation_record["type"] == "CNAME"
    assert validation_record["records"] == [option["resourceRecordValue"]]
    zone = validation_record["zoneId"]
    (validation,) = d.of_type(VALIDATION)
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert validation.inputs["validationRecordFqdns"] == [
        records["domain-validation"].outputs["fqdn"]
    ]
    web = environment(d, "web")
    alias = records["domain-alias"].inputs
    assert (alias["zoneId"], alias["name"], alias["type"]) == (zone, "app.example.com", "A")
    assert alias["aliases"] == [
        {
            "name": web.outputs["endpointUrl"],
            "zoneId": "ZWKZPGTI48KDX",
            "evaluateTargetHealth": True,
        }
    ]
    listener = {
        n: v
        for (ns, n), v in settings_map(web.inputs["settings"]).items()
        if ns == "aws:elbv2:listener:443"
    }
    assert listener["SSLCertificateArns"] == certificate.outputs["arn"]
    assert d.outputs["webUrl"] == "https://app.example.com"
    assert len(d.of_type("aws:lb/listenerRule:ListenerRule")) == 1


def test_a_domain_outside_its_zone_stops_the_program() -> None:
    web = {**DOMAIN, "domain": "app.example.org"}
    with pytest.raises(
        ProgramError, match=r"webmodel:web\.domain: 'app\.example\.org' is not inside"
    ):
        simulate("dev", config_overrides={"webmodel:web": web})
