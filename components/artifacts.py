"""Release artifacts: private buckets, the apps' source bundles as EB application versions,
and the model repository Triton loads.

Two buckets, both private (every public-access block on, owner-enforced ownership), encrypted
(SSE-S3), versioned and TLS-only (a Deny on `aws:SecureTransport` false):

- artifacts: one object per app bundle, keyed `bundles/<label>.zip`, registered as an
  `aws.elasticbeanstalk.ApplicationVersion` named by that label. The label comes from the zip's
  content (components/bundle.py), so an unchanged app keeps its label and a revert restores it.
- model repository: the example model uploaded file by file under `models/<content hash>/`,
  unless the stack names an existing `s3://bucket/prefix` instead (then no model bucket).

Objects are `retain_on_delete`: when a label or the model changes, Pulumi uploads the new
object and forgets the old one without deleting it, so every bundle and model ever shipped
stays in S3 (versioned, too). Application versions are not retained: EB refuses to create a
label that already exists, so a retained version would make `git revert` (which brings its old
label back) fail. Pulumi replaces the version after the environment moved to the new one; an
emergency rollback without Pulumi registers the kept bundle under a new label
(docs/releases.md). The application's version lifecycle (components/beanstalk.py) bounds what
else accumulates (eb CLI, console, those rollbacks) under EB's quota.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.bundle import Bundle

BUNDLE_PREFIX = "bundles"
MODEL_PREFIX = "models"


def tls_only_policy(bucket_arn: str) -> str:
    """A bucket policy denying every request that does not use TLS."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def private_bucket(
    name: str, purpose: str, opts: pulumi.ResourceOptions, role: str | None = None
) -> aws.s3.Bucket:
    """An S3 bucket with public access blocked, SSE-S3, versioning and a TLS-only policy;
    `role` tags it for cost allocation when one tier alone uses it."""
    tags = {"purpose": purpose, **({"role": role} if role else {})}
    bucket = aws.s3.Bucket(name, force_destroy=False, tags=tags, opts=opts)
    after = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[bucket]))
    block = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=after,
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=after,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                ),
                bucket_key_enabled=True,
            )
        ],
        opts=after,
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
            status="Enabled"
        ),
        opts=after,
    )
    aws.s3.BucketPolicy(
        f"{name}-tls-only",
        bucket=bucket.id,
        policy=bucket.arn.apply(tls_only_policy),
        # S3 rejects a bucket policy while the public-access block is still being applied.
        opts=pulumi.ResourceOptions.merge(after, pulumi.ResourceOptions(depends_on=[block])),
    )
    return bucket


def repository_files(directory: Path) -> list[Path]:
    """The model repository's files relative to it, sorted (caches left out)."""
    if not directory.is_dir():
        raise ValueError(f"model repository {directory}: not a directory; create it or fix it")
    files = sorted(
        (
            p.relative_to(directory)
            for p in directory.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.name != ".DS_Store"
        ),
        key=lambda p: p.as_posix(),
    )
    if not files:
        raise ValueError(f"model repository {directory}: no files; add <model>/config.pbtxt")
    return files


def repository_digest(directory: Path) -> str:
    """SHA-256 over every file's relative path and content: the prefix changes with the model."""
    digest = hashlib.sha256()
    for relative in repository_files(directory):
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256((directory / relative).read_bytes()).digest())
    return digest.hexdigest()


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/prefix/` -> ("bucket", "prefix") (prefix without slashes at its ends)."""
    if not uri.startswith("s3://"):
        raise ValueError(f"{uri!r} is not an s3://bucket/prefix URI")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    return bucket, prefix.strip("/")


@dataclass(frozen=True)
class SlotVersions:
    """The application versions of an app whose role runs as blue/green slots: one version
    per label a slot runs, named by its label (`<name>-<label>-version`), so a label one slot
    keeps stays registered while the current build moves on to the other slot."""

    kept: Sequence[str] = ()
    """Labels slots pin besides the current build (built before; `bundles/<label>.zip` is kept
    in the artifacts bucket)."""
    live: str | None = None
    """The label the live slot runs: its version takes over the state of the app's version
    from before slots (`<name>-<app>-version`), so adopting slots registers nothing anew."""


@dataclass(frozen=True)
class ArtifactsArgs:
    """Inputs of `Artifacts`."""

    application_name: pulumi.Input[str]
    bundles: Sequence[Bundle]
    """One built bundle per app (components/bundle.py); each becomes one application version."""
    model_repository_dir: Path | None = None
    """Triton model repository to upload (`<model>/config.pbtxt`, `<model>/<n>/...`)."""
    model_repository_uri: str | None = None
    """An existing `s3://bucket/prefix` to use instead of uploading `model_repository_dir`."""
    name_prefix: str = ""
    """Prefix of the buckets' auto-generated names (e.g. `webmodel-dev`)."""
    slot_versions: Mapping[str, SlotVersions] = field(default_factory=dict)
    """App -> its versions by label, for the apps whose role runs as blue/green slots."""

    def __post_init__(self) -> None:
        apps = [b.app for b in self.bundles]
        if len(set(apps)) != len(apps):
            raise ValueError(f"ArtifactsArgs: one bundle per app, got {sorted(apps)}")
        if (self.model_repository_dir is None) == (self.model_repository_uri is None):
            raise ValueError(
                "ArtifactsArgs: give exactly one of model_repository_dir (upload the example "
                "model) and model_repository_uri (an existing s3://bucket/prefix)"
            )


class Artifacts(pulumi.ComponentResource):
    """Buckets, bundle objects, application versions and the model repository.

    Outputs: `artifacts_bucket` (name), `model_bucket` (name, None with an existing URI),
    `version_labels` (app -> label, resolved from the ApplicationVersion), `model_repository_uri`,
    `region` (of the buckets: Triton's S3 client needs it as AWS_DEFAULT_REGION).
    """

    artifacts_bucket: pulumi.Output[str]
    model_bucket: pulumi.Output[str] | None
    version_labels: Mapping[str, pulumi.Output[str]]
    model_repository_uri: pulumi.Output[str]
    region: str
    bundle_arns: Mapping[str, pulumi.Output[str]]
    """app -> ARN pattern of its bundle objects, for the instance profile that downloads them."""
    versions: dict[str, pulumi.Output[str]]
    """Label -> the registered version's name, for every label a slot may run (apps with
    `slot_versions` only)."""

    def __init__(
        self, name: str, args: ArtifactsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webmodel:artifacts:Artifacts", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=True)

        self.versions = {}
        base = args.name_prefix or name
        artifacts = private_bucket(f"{base}-bundles", "eb-application-versions", child)
        labels: dict[str, pulumi.Output[str]] = {}
        for bundle in args.bundles:
            key = f"{BUNDLE_PREFIX}/{bundle.label}.zip"
            source = aws.s3.BucketObjectv2(
                f"{name}-{bundle.app}-bundle",
                bucket=artifacts.id,
                key=key,
                source=pulumi.FileAsset(str(bundle.path)),
                content_type="application/zip",
                metadata={"sha256": bundle.sha256},
                opts=kept,
            )
            labels[bundle.app] = self._versions(name, args, bundle, artifacts.id, source.key)

        self.region = aws.get_region(opts=pulumi.InvokeOptions(parent=self)).region
        self.model_bucket = None
        if args.model_repository_uri is not None:
            self.model_repository_uri = pulumi.Output.from_input(args.model_repository_uri)
        else:
            assert args.model_repository_dir is not None  # __post_init__
            directory = args.model_repository_dir
            prefix = f"{MODEL_PREFIX}/{repository_digest(directory)[:12]}"
            bucket = private_bucket(f"{base}-models", "triton-model-repository", child, "model")
            for relative in repository_files(directory):
                aws.s3.BucketObjectv2(
                    f"{name}-model-{relative.as_posix().replace('/', '-')}",
                    bucket=bucket.id,
                    key=f"{prefix}/{relative.as_posix()}",
                    source=pulumi.FileAsset(str(directory / relative)),
                    opts=kept,
                )
            self.model_bucket = bucket.bucket
            self.model_repository_uri = bucket.bucket.apply(lambda b: f"s3://{b}/{prefix}")

        self.artifacts_bucket = artifacts.bucket
        self.version_labels = labels
        self.bundle_arns = {
            bundle.app: pulumi.Output.concat(artifacts.arn, f"/{BUNDLE_PREFIX}/{bundle.app}-*")
            for bundle in args.bundles
        }
        self.register_outputs(
            {
                "artifactsBucket": self.artifacts_bucket,
                "modelBucket": self.model_bucket,
                "versionLabels": dict(labels),
                "modelRepositoryUri": self.model_repository_uri,
            }
        )

    def _versions(
        self,
        name: str,
        args: ArtifactsArgs,
        bundle: Bundle,
        bucket: pulumi.Input[str],
        key: pulumi.Input[str],
    ) -> pulumi.Output[str]:
        """The app's application version (`<name>-<app>-version`), whose name it returns; for an
        app whose role runs as slots, one per label they run (`<name>-<label>-version`, kept in
        `versions`): the current build's, and each kept label registered again from its bundle
        in the artifacts bucket."""
        slotted = args.slot_versions.get(bundle.app)
        kept = slotted.kept if slotted is not None else ()
        versions: dict[str, pulumi.Output[str]] = {}
        for label in dict.fromkeys([bundle.label, *kept]):
            single = f"{name}-{bundle.app}-version"
            adopts = slotted is not None and label == slotted.live
            version = aws.elasticbeanstalk.ApplicationVersion(
                single if slotted is None else f"{name}-{label}-version",
                name=label,
                application=args.application_name,
                bucket=bucket,
                key=key if label == bundle.label else f"{BUNDLE_PREFIX}/{label}.zip",
                description=f"{bundle.app} bundle sha256:{bundle.sha256}"
                if label == bundle.label
                else f"{bundle.app} bundle {label}, kept for a slot",
                tags={"app": bundle.app},
                opts=pulumi.ResourceOptions(
                    parent=self, aliases=[pulumi.Alias(name=single)] if adopts else None
                ),
            )
            versions[label] = version.name
        if slotted is not None:
            self.versions.update(versions)
        return versions[bundle.label]
