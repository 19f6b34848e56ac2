"""S3 rules: every bucket of the stack is private, encrypted and versioned.

With pulumi-aws 7 these are separate resources naming their bucket in `bucket`
(`BucketPublicAccessBlock`, `BucketServerSideEncryptionConfiguration`, `BucketVersioning`);
a bucket's own deprecated inline `serverSideEncryptionConfiguration` / `versioning` also count.
A companion belongs to a bucket when its `bucket` is the bucket's name or id, or (while those
are unknown during preview) when its `bucket` property depends on the bucket.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from .common import MANDATORY, cannot_check, stack_policy
from .resources import Resource
from .subnets import Network
from .values import as_bool, is_unreadable

BUCKET: Final = "aws:s3/bucket:Bucket"
BUCKET_V2: Final = "aws:s3/bucketV2:BucketV2"
BUCKETS: Final = (BUCKET, BUCKET_V2)
PUBLIC_ACCESS_BLOCK: Final = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING: Final = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
BLOCK_SETTINGS: Final = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
SSE_ALGORITHMS: Final = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})

Result = list[tuple[str, str | None]]


def _belongs(network: Network, companion: Resource, bucket: Resource) -> bool | None:
    """Does `companion.bucket` name `bucket`? None when neither value nor dependency tells."""
    value = companion.props.get("bucket")
    names = {bucket.props.get("bucket"), bucket.props.get("id")} - {None}
    if isinstance(value, str) and not is_unreadable(value):
        if value in names:
            return True
        if bucket.urn in companion.deps_of("bucket"):
            return not any(isinstance(n, str) and not is_unreadable(n) for n in names)
        return False
    if bucket.urn in companion.deps_of("bucket"):
        return True
    if companion.deps_of("bucket"):
        return False
    return None


class _Companions:
    """Every companion of `types`, indexed once by the bucket name it gives and by the URNs its
    `bucket` depends on, and judged once each: a bucket looks its candidates up instead of
    rescanning, and buckets sharing a name (copies of a stack) share that name's verdict
    instead of re-judging every companion that names it."""

    def __init__(
        self, network: Network, types: tuple[str, ...], judge: Callable[[Resource], str | None]
    ) -> None:
        self.by_name: dict[str, list[Resource]] = {}
        self.by_dependency: dict[str, list[Resource]] = {}
        self.unplaced = False
        self._judge = judge
        self._faults: dict[str, str | None] = {}
        self._named: dict[str, tuple[Resource, bool]] = {}
        for companion in network.of_type(*types):
            value = companion.props.get("bucket")
            deps = companion.deps_of("bucket")
            if isinstance(value, str) and not is_unreadable(value):
                self.by_name.setdefault(value, []).append(companion)
            for urn in deps:
                self.by_dependency.setdefault(urn, []).append(companion)
            if not deps and not (isinstance(value, str) and not is_unreadable(value)):
                self.unplaced = True  # `_belongs` is None for it, whatever the bucket

    def fault(self, companion: Resource) -> str | None:
        """The judge's fault in `companion` (None: it is right), judged once."""
        if companion.urn not in self._faults:
            self._faults[companion.urn] = self._judge(companion)
        return self._faults[companion.urn]

    def _named_summary(self, name: str) -> tuple[Resource, bool] | None:
        """The first companion whose `bucket` is `name`, and whether any such is faultless."""
        if name not in self._named:
            named = self.by_name.get(name)
            if not named:
                return None
            self._named[name] = (named[0], any(self.fault(c) is None for c in named))
        return self._named[name]

    def of(self, network: Network, bucket: Resource) -> tuple[Resource | None, bool]:
        """The first of `bucket`'s companions (those depending on it, in stack order, then
        those naming it, name by name) and whether any of them is faultless."""
        first: Resource | None = None
        faultless = False
        for companion in self.by_dependency.get(bucket.urn, []):
            if not _belongs(network, companion, bucket):
                continue
            first = first if first is not None else companion
            faultless = faultless or self.fault(companion) is None
        for name in {bucket.props.get("bucket"), bucket.props.get("id")} - {None}:
            summary = self._named_summary(name) if isinstance(name, str) else None
            if summary is not None:
                first = first if first is not None else summary[0]
                faultless = faultless or summary[1]
        return first, faultless


def _rule(
    types: tuple[str, ...],
    judge: Callable[[Resource], str | None],
    inline: Callable[[Resource], bool],
    missing: str,
) -> Callable[[Network], Result]:
    """A stack check: each bucket needs a companion of `types` that `judge` finds no fault in
    (or inline settings `inline` accepts); otherwise `missing` (or the first companion's
    fault)."""

    def check(network: Network) -> Result:
        results: Result = []
        index = _Companions(network, types, judge)
        for bucket in network.of_type(*BUCKETS):
            if inline(bucket):
                continue
            first, faultless = index.of(network, bucket)
            if faultless:
                continue
            if index.unplaced and first is None:
                results.append(
                    cannot_check(f"{bucket.label}: which {types[0]} belongs to it is unknown")
                )
                continue
            fault = index.fault(first) if first is not None else None
            message = f"{bucket.label}: {fault}" if fault else f"{bucket.label}: {missing}"
            results.append((message, bucket.urn))
        return results

    return check


def _block_fault(block: Resource) -> str | None:
    off = [name for name in BLOCK_SETTINGS if as_bool(block.props.get(name)) is not True]
    if not off:
        return None
    return (
        f"its public access block {block.name!r} leaves {', '.join(off)} off; set all four "
        "of blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets true"
    )


def _sse_rules(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def _algorithm_ok(rules: Any) -> bool:
    for rule in _sse_rules(rules):
        default = rule.get("applyServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        for item in _sse_rules(default):
            if isinstance(item, dict) and item.get("sseAlgorithm") in SSE_ALGORITHMS:
                return True
    return False


def _encryption_fault(config: Resource) -> str | None:
    if _algorithm_ok(config.props.get("rules")):
        return None
    return (
        f"its encryption configuration {config.name!r} sets no default algorithm; set "
        "applyServerSideEncryptionByDefault.sseAlgorithm to AES256 or aws:kms"
    )


def _inline_encryption(bucket: Resource) -> bool:
    for inline in _sse_rules(bucket.props.get("serverSideEncryptionConfiguration")):
        if isinstance(inline, dict) and _algorithm_ok(inline.get("rules") or inline.get("rule")):
            return True
    return False


def _versioning_fault(versioning: Resource) -> str | None:
    configuration = versioning.props.get("versioningConfiguration")
    status = configuration.get("status") if isinstance(configuration, dict) else None
    if status == "Enabled":
        return None
    return (
        f"its versioning {versioning.name!r} has status {status!r}; set "
        "versioningConfiguration.status to Enabled"
    )


def _inline_versioning(bucket: Resource) -> bool:
    return any(
        isinstance(v, dict) and as_bool(v.get("enabled")) is True
        for v in _sse_rules(bucket.props.get("versioning"))
    )


POLICIES = [
    stack_policy(
        "s3-bucket-private",
        "Every S3 bucket has a public access block with all four settings on.",
        _rule(
            (PUBLIC_ACCESS_BLOCK,),
            _block_fault,
            lambda _bucket: False,
            f"no {PUBLIC_ACCESS_BLOCK} names it; add one with blockPublicAcls, "
            "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true",
        ),
        MANDATORY,
    ),
    stack_policy(
        "s3-bucket-encrypted",
        "Every S3 bucket has default server-side encryption configured.",
        _rule(
            ENCRYPTION,
            _encryption_fault,
            _inline_encryption,
            f"no {ENCRYPTION[0]} names it; add one with sseAlgorithm AES256 or aws:kms",
        ),
        MANDATORY,
    ),
    stack_policy(
        "s3-bucket-versioned",
        "Every S3 bucket keeps object versions (mandatory in prod).",
        _rule(
            VERSIONING,
            _versioning_fault,
            _inline_versioning,
            f"no {VERSIONING[0]} names it; add one with versioningConfiguration.status Enabled",
        ),
        MANDATORY,
    ),
]
