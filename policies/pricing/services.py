"""Price rules for data and managed services: RDS, S3, CloudWatch alarms, SQS, DynamoDB, KMS
and Secrets Manager.

An RDS instance is its class's single-AZ hourly price for its engine, twice over when it is
multi-AZ (a primary and a standby), plus its storage (allocated GB up to `maxAllocatedStorage`,
twice over when multi-AZ), plus the Secrets Manager secret RDS creates when it manages the
master password. Traffic-dependent quantities come from the usage assumptions (`usage.py`).
"""

from __future__ import annotations

from decimal import Decimal

from .model import Context, Gap, Line, Range, Record, count, flag, guarded, text

SECRET_RATE = "secretsManager.secretMonth"


def _copies(record: Record) -> int:
    """1 for a single-AZ instance, 2 for multi-AZ (a standby in another zone)."""
    return 2 if flag(record.props.get("multiAz"), "multiAz") else 1


def db_instance(record: Record, ctx: Context) -> list[Line]:
    def hours() -> list[Line]:
        engine = text(record.props.get("engine"), "engine") or ""
        size = text(record.props.get("instanceClass"), "instanceClass") or ""
        copies = _copies(record)
        what = f"{size} {engine} instance" + (
            ", multi-AZ: primary and standby" if copies > 1 else ""
        )
        key = f"{engine}/{size}"
        return [
            ctx.pricer.hourly(what, "rds.instanceHour", Range.of(copies), key, "engine and class")
        ]

    def storage() -> list[Line]:
        missing = ctx.pricer.unpriced("storage", "rds.storageGbMonth")
        if missing:
            return [missing]
        kind = text(record.props.get("storageType"), "storageType")
        low = count(record.props.get("allocatedStorage"), "allocatedStorage") or 0
        high = max(count(record.props.get("maxAllocatedStorage"), "maxAllocatedStorage") or 0, low)
        if kind is None:
            return [Gap("storage", "storageType is not set, so RDS picks its default type")]
        copies = _copies(record)
        what = f"{kind} storage, {low} GB" + (f" growing to {high} GB" if high > low else "")
        gb = Range(Decimal(low), Decimal(high)).times(copies)
        lines = [ctx.pricer.line(what, "rds.storageGbMonth", gb, kind, "storage type")]
        if kind in ("io1", "io2"):  # gp3's IOPS above its baseline are left out
            why = "provisioned IOPS are not priced by the estimator"
            lines.append(Gap("provisioned IOPS", why))
        return lines

    def secret() -> list[Line]:
        if not flag(record.props.get("manageMasterUserPassword"), "manageMasterUserPassword"):
            return []
        what = "Secrets Manager secret RDS creates for the master password"
        return [ctx.pricer.line(what, SECRET_RATE, Range.of(1))]

    return [
        *guarded("instance", hours),
        *guarded("storage", storage),
        *guarded("master password secret", secret),
    ]


def bucket(record: Record, ctx: Context) -> list[Line]:
    return [ctx.pricer.per_usage("S3 Standard storage", "s3.standardGbMonth", "bucketStoredGb")]


def metric_alarm(record: Record, ctx: Context) -> list[Line]:
    """One alarm-month per metric the alarm evaluates; high resolution below a 60 s period."""

    def lines() -> list[Line]:
        queries = record.props.get("metricQueries")
        periods = [count(record.props.get("period"), "period") or 60]
        metrics = 1
        if isinstance(queries, list) and queries:
            found = [q.get("metric") for q in queries if isinstance(q, dict) and q.get("metric")]
            metrics = max(len(found), 1)
            periods += [
                count(m.get("period"), "period") or 60 for m in found if isinstance(m, dict)
            ]
        high = min(periods) < 60
        rate = "cloudwatch.highResolutionAlarmMonth" if high else "cloudwatch.alarmMonth"
        what = f"{'high-resolution' if high else 'standard'} alarm, {metrics} metric(s)"
        return [ctx.pricer.line(what, rate, Range.of(metrics))]

    return guarded("alarm", lines)


def composite_alarm(record: Record, ctx: Context) -> list[Line]:
    return [ctx.pricer.line("composite alarm", "cloudwatch.compositeAlarmMonth", Range.of(1))]


def queue(record: Record, ctx: Context) -> list[Line]:
    def lines() -> list[Line]:
        kind = "fifo" if flag(record.props.get("fifoQueue"), "fifoQueue") else "standard"
        what = f"{kind} queue requests"
        return [ctx.pricer.per_usage(what, "sqs.request", "queueRequestsPerMonth", key=kind)]

    return guarded("requests", lines)


def _provisioned(record: Record, ctx: Context) -> list[Line]:
    """Provisioned capacity, the table's and its global secondary indexes', all month."""
    reads = count(record.props.get("readCapacity"), "readCapacity") or 0
    writes = count(record.props.get("writeCapacity"), "writeCapacity") or 0
    indexes = record.props.get("globalSecondaryIndexes")
    for index in indexes if isinstance(indexes, list) else ():
        if isinstance(index, dict):
            reads += count(index.get("readCapacity"), "readCapacity") or 0
            writes += count(index.get("writeCapacity"), "writeCapacity") or 0
    return [
        ctx.pricer.hourly(
            "provisioned read capacity", "dynamodb.readCapacityHour", Range.of(reads)
        ),
        ctx.pricer.hourly(
            "provisioned write capacity", "dynamodb.writeCapacityHour", Range.of(writes)
        ),
    ]


def table(record: Record, ctx: Context) -> list[Line]:
    def capacity() -> list[Line]:
        mode = text(record.props.get("billingMode"), "billingMode") or "PROVISIONED"
        if mode != "PAY_PER_REQUEST":
            return _provisioned(record, ctx)
        return [
            ctx.pricer.per_usage(
                "on-demand reads", "dynamodb.readRequest", "tableReadRequestsPerMonth"
            ),
            ctx.pricer.per_usage(
                "on-demand writes", "dynamodb.writeRequest", "tableWriteRequestsPerMonth"
            ),
        ]

    def replicas() -> list[Line]:
        found = record.props.get("replicas")
        if isinstance(found, list) and found:
            return [Gap("replicas", "replicas in other regions are not priced by the estimator")]
        return []

    return [
        *guarded("capacity", capacity),
        ctx.pricer.per_usage("storage", "dynamodb.storageGbMonth", "tableStoredGb"),
        *guarded("replicas", replicas),
    ]


def kms_key(record: Record, ctx: Context) -> list[Line]:
    return [ctx.pricer.line("customer managed KMS key", "kms.keyMonth", Range.of(1))]


def secret(record: Record, ctx: Context) -> list[Line]:
    return [ctx.pricer.line("Secrets Manager secret", SECRET_RATE, Range.of(1))]
