"""The S3 rules (s3-bucket-private, s3-bucket-encrypted, s3-bucket-versioned): a passing stack,
every violating form with its exact message, a companion found by dependency while IDs are
unknown, and the advisory 'cannot check' when nothing tells. Mirrors
policies/guardrails/storage.py."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from tests.policies.stacks import UNKNOWN
from tests.policies.support import PASS, Outcome, Res, check, fails, undecided

BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
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


def on_artifacts(message: str) -> Outcome:
    return fails(f"{LABEL}: {message}", at=ARTIFACTS.urn)


UNKNOWN_BUCKET = Res(BUCKET, "artifacts", {"id": UNKNOWN, "bucket": UNKNOWN})
INLINE_SSE = {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}}
MODELS = Res(BUCKET, "models", {"id": "models-9f8e7d6", "bucket": "models-9f8e7d6"})

CASES = [
    pytest.param(
        "s3-bucket-private", [ARTIFACTS, block()], PASS, id="private-with-all-four-blocks"
    ),
    pytest.param(
        "s3-bucket-private",
        [ARTIFACTS, block(bucket="someone-elses-bucket")],
        on_artifacts(
            f"no {BLOCK} names it; add one with blockPublicAcls, blockPublicPolicy, "
            "ignorePublicAcls and restrictPublicBuckets true"
        ),
        id="private-without-a-public-access-block",
    ),
    *[
        pytest.param(
            "s3-bucket-private",
            [ARTIFACTS, block(**dict.fromkeys(off, False))],
            on_artifacts(
                f"its public access block 'artifacts-public-access' leaves {', '.join(off)} off; "
                "set all four of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, "
                "restrictPublicBuckets true"
            ),
            id="private-leaves-" + "+".join(off) + "-off",
        )
        for n in range(1, 5)
        for off in itertools.combinations(SETTINGS, n)
    ],
    pytest.param(
        "s3-bucket-private",
        [UNKNOWN_BUCKET, dataclasses.replace(block(UNKNOWN), deps={"bucket": [UNKNOWN_BUCKET]})],
        PASS,
        id="private-block-found-by-dependency-while-the-bucket-name-is-unknown",
    ),
    pytest.param(
        "s3-bucket-private",
        [ARTIFACTS, block(bucket=UNKNOWN)],
        undecided(f"{LABEL}: which {BLOCK} belongs to it is unknown"),
        id="private-block-whose-bucket-is-unknowable-is-advisory",
    ),
    *[
        pytest.param(
            "s3-bucket-encrypted",
            [ARTIFACTS, sse(algorithm=algorithm)],
            PASS,
            id=f"encrypted-by-default-with-{algorithm}",
        )
        for algorithm in ("AES256", "aws:kms", "aws:kms:dsse")
    ],
    pytest.param(
        "s3-bucket-encrypted",
        [
            Res(
                BUCKET,
                "artifacts",
                {**ARTIFACTS.props, "serverSideEncryptionConfiguration": INLINE_SSE},
            )
        ],
        PASS,
        id="encrypted-inline-on-the-bucket",
    ),
    pytest.param(
        "s3-bucket-encrypted",
        [ARTIFACTS],
        on_artifacts(f"no {SSE} names it; add one with sseAlgorithm AES256 or aws:kms"),
        id="encrypted-without-encryption",
    ),
    pytest.param(
        "s3-bucket-encrypted",
        [ARTIFACTS, sse(algorithm=None)],
        on_artifacts(
            "its encryption configuration 'artifacts-encryption' sets no default algorithm; set "
            "applyServerSideEncryptionByDefault.sseAlgorithm to AES256 or aws:kms"
        ),
        id="encrypted-without-an-algorithm",
    ),
    pytest.param("s3-bucket-versioned", [ARTIFACTS, versioning()], PASS, id="versioned"),
    *[
        pytest.param(
            "s3-bucket-versioned",
            [ARTIFACTS, versioning(status=status)],
            on_artifacts(
                f"its versioning 'artifacts-versioning' has status {status!r}; set "
                "versioningConfiguration.status to Enabled"
            ),
            id=f"versioned-but-{status}",
        )
        for status in ("Suspended", "Disabled")
    ],
    pytest.param(
        "s3-bucket-versioned",
        [ARTIFACTS, block(), sse()],
        on_artifacts(
            f"no {VERSIONING} names it; add one with versioningConfiguration.status Enabled"
        ),
        id="versioned-without-versioning",
    ),
    pytest.param(
        "s3-bucket-versioned",
        [ARTIFACTS, MODELS, versioning()],
        fails(
            f"{BUCKET} 'models': no {VERSIONING} names it; add one with "
            "versioningConfiguration.status Enabled",
            at=MODELS.urn,
        ),
        id="versioned-each-bucket-by-its-own-companions",
    ),
]


@pytest.mark.parametrize(("policy", "stack", "expected"), CASES)
def test_s3_rules(policy: str, stack: list[Res], expected: Outcome) -> None:
    assert check(policy, *stack) == expected
