"""The S3 rules (s3-bucket-private, s3-bucket-encrypted, s3-bucket-versioned) and the release
rule (eb-runs-stack-version), through pulumi-policy's own argument types (tests.policies.support).

Each rule: a passing stack, every violating form with its exact message, a companion found by
dependency while IDs are unknown, and the advisory 'cannot check' when nothing tells.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.policies.support import UNKNOWN, Res, check_stack, passes

BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ENV = "aws:elasticbeanstalk/environment:Environment"
VERSION = "aws:elasticbeanstalk/applicationVersion:ApplicationVersion"
SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")

ARTIFACTS = Res(BUCKET, "artifacts", {"id": "artifacts-1a2b3c4", "bucket": "artifacts-1a2b3c4"})
LABEL = f"{BUCKET} 'artifacts'"


def block(bucket: Any = "artifacts-1a2b3c4", **off: bool) -> Res:
    props: dict[str, Any] = {"bucket": bucket, **dict.fromkeys(SETTINGS, True)}
    props.update(off)
    return Res(BLOCK, "artifacts-public-access", props)


def sse(bucket: Any = "artifacts-1a2b3c4", algorithm: str | None = "AES256") -> Res:
    default = {"sseAlgorithm": algorithm} if algorithm else {}
    rules = [{"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": True}]
    return Res(SSE, "artifacts-encryption", {"bucket": bucket, "rules": rules})


def versioning(bucket: Any = "artifacts-1a2b3c4", status: str = "Enabled") -> Res:
    return Res(
        VERSIONING,
        "artifacts-versioning",
        {"bucket": bucket, "versioningConfiguration": {"status": status}},
    )


# -- s3-bucket-private -----------------------------------------------------------------------


def test_bucket_with_all_four_blocks_is_private() -> None:
    passes(check_stack("s3-bucket-private", [ARTIFACTS, block()]))


def test_bucket_without_a_public_access_block_is_a_violation() -> None:
    other = block(bucket="someone-elses-bucket")
    outcome = check_stack("s3-bucket-private", [ARTIFACTS, other])
    assert outcome.violations == [
        (
            f"{LABEL}: no {BLOCK} names it; add one with blockPublicAcls, blockPublicPolicy, "
            "ignorePublicAcls and restrictPublicBuckets true",
            ARTIFACTS.urn,
        )
    ]


@pytest.mark.parametrize(
    "off",
    [c for n in range(1, 5) for c in itertools.combinations(SETTINGS, n)],
    ids=lambda c: "+".join(c),
)
def test_every_combination_of_settings_left_off_is_named(off: tuple[str, ...]) -> None:
    outcome = check_stack("s3-bucket-private", [ARTIFACTS, block(**dict.fromkeys(off, False))])
    assert outcome.violations == [
        (
            f"{LABEL}: its public access block 'artifacts-public-access' leaves "
            f"{', '.join(off)} off; set all four of blockPublicAcls, blockPublicPolicy, "
            "ignorePublicAcls, restrictPublicBuckets true",
            ARTIFACTS.urn,
        )
    ]


def test_block_found_by_dependency_while_the_bucket_name_is_unknown() -> None:
    bucket = Res(BUCKET, "artifacts", {"id": UNKNOWN, "bucket": UNKNOWN})
    companion = block(bucket=UNKNOWN)
    companion.deps = {"bucket": [bucket]}
    passes(check_stack("s3-bucket-private", [bucket, companion]))


def test_block_whose_bucket_is_unknowable_is_advisory_not_a_violation() -> None:
    outcome = check_stack("s3-bucket-private", [ARTIFACTS, block(bucket=UNKNOWN)])
    assert outcome.violations == []
    assert outcome.undecided == f"{LABEL}: which {BLOCK} belongs to it is unknown"


# -- s3-bucket-encrypted ---------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["AES256", "aws:kms", "aws:kms:dsse"])
def test_bucket_with_default_encryption_passes(algorithm: str) -> None:
    passes(check_stack("s3-bucket-encrypted", [ARTIFACTS, sse(algorithm=algorithm)]))


def test_inline_encryption_on_the_bucket_passes() -> None:
    inline = {
        "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}},
    }
    bucket = Res(
        BUCKET, "artifacts", {**ARTIFACTS.props, "serverSideEncryptionConfiguration": inline}
    )
    passes(check_stack("s3-bucket-encrypted", [bucket]))


def test_bucket_without_encryption_is_a_violation() -> None:
    outcome = check_stack("s3-bucket-encrypted", [ARTIFACTS])
    assert outcome.violations == [
        (
            f"{LABEL}: no {SSE} names it; add one with sseAlgorithm AES256 or aws:kms",
            ARTIFACTS.urn,
        )
    ]


def test_encryption_without_an_algorithm_is_a_violation() -> None:
    outcome = check_stack("s3-bucket-encrypted", [ARTIFACTS, sse(algorithm=None)])
    assert outcome.messages == [
        f"{LABEL}: its encryption configuration 'artifacts-encryption' sets no default "
        "algorithm; set applyServerSideEncryptionByDefault.sseAlgorithm to AES256 or aws:kms"
    ]


# -- s3-bucket-versioned ---------------------------------------------------------------------


def test_versioned_bucket_passes() -> None:
    passes(check_stack("s3-bucket-versioned", [ARTIFACTS, versioning()]))


@pytest.mark.parametrize("status", ["Suspended", "Disabled"])
def test_versioning_not_enabled_is_a_violation(status: str) -> None:
    outcome = check_stack("s3-bucket-versioned", [ARTIFACTS, versioning(status=status)])
    assert outcome.violations == [
        (
            f"{LABEL}: its versioning 'artifacts-versioning' has status {status!r}; set "
            "versioningConfiguration.status to Enabled",
            ARTIFACTS.urn,
        )
    ]


def test_bucket_without_versioning_is_a_violation() -> None:
    outcome = check_stack("s3-bucket-versioned", [ARTIFACTS, block(), sse()])
    assert outcome.messages == [
        f"{LABEL}: no {VERSIONING} names it; add one with versioningConfiguration.status Enabled"
    ]


def test_each_bucket_is_judged_by_its_own_companions() -> None:
    models = Res(BUCKET, "models", {"id": "models-9f8e7d6", "bucket": "models-9f8e7d6"})
    outcome = check_stack("s3-bucket-versioned", [ARTIFACTS, models, versioning()])
    assert outcome.violations == [
        (
            f"{BUCKET} 'models': no {VERSIONING} names it; add one with "
            "versioningConfiguration.status Enabled",
            models.urn,
        )
    ]


# -- eb-runs-stack-version -------------------------------------------------------------------

WEB_VERSION = Res(
    VERSION, "artifacts-web-version", {"name": "web-0123456789ab", "application": "app"}
)


def environment(version: Any = None, name: str = "web") -> Res:
    props: dict[str, Any] = {"application": "app", "tags": {"role": name}}
    if version is not None:
        props["version"] = version
    return Res(ENV, name, props)


def test_environment_running_a_version_of_the_stack_passes() -> None:
    passes(check_stack("eb-runs-stack-version", [WEB_VERSION, environment("web-0123456789ab")]))


def test_environment_on_the_sample_application_is_a_violation() -> None:
    env = environment()
    outcome = check_stack("eb-runs-stack-version", [WEB_VERSION, env])
    assert outcome.violations == [
        (
            f"{ENV} 'web': runs no application version (version is not set), so EB deploys its "
            f"sample application; set version to the name of an {VERSION} of this stack",
            env.urn,
        )
    ]


def test_environment_on_a_hand_uploaded_version_is_a_violation() -> None:
    env = environment("hotfix-by-hand")
    outcome = check_stack("eb-runs-stack-version", [WEB_VERSION, env])
    assert outcome.violations == [
        (
            f"{ENV} 'web': runs version 'hotfix-by-hand', which no {VERSION} of this stack "
            "defines; build the version in the stack so a revert of the repository restores "
            "what runs",
            env.urn,
        )
    ]


def test_unknown_label_depending_on_a_stack_version_passes() -> None:
    version = Res(VERSION, "artifacts-web-version", {"name": UNKNOWN, "application": "app"})
    env = environment(UNKNOWN)
    env.deps = {"version": [version]}
    passes(check_stack("eb-runs-stack-version", [version, env]))


def test_unknown_label_without_a_dependency_is_advisory() -> None:
    outcome = check_stack("eb-runs-stack-version", [WEB_VERSION, environment(UNKNOWN)])
    assert outcome.violations == []
    assert outcome.undecided == f"{ENV} 'web': its version label is unknown"
