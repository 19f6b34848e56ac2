"""apps/worker's idempotency stores: one contract, both implementations (`MemoryStore`, and
`DynamoStore` on moto's DynamoDB), on a clock the test moves: a job is claimed once, a release
lets the retry run, a done job is never forgotten, an expired lease or record is claimable
again; the item `DynamoStore` writes, its AWS errors as `StoreError`, and the store the table
setting picks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from apps.worker.workerapp.idempotency import (
    Claim,
    DynamoStore,
    IdempotencyStore,
    MemoryStore,
    StoreError,
)
from apps.worker.workerapp.main import default_store
from apps.worker.workerapp.settings import Settings
from tests.apps.worker_support import REGION, TABLE


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- the idempotency stores: one contract, both implementations --------------------------------


def create_table(client: Any) -> None:
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture(params=["memory", "dynamodb"])
def store_and_clock(request, monkeypatch) -> Iterator[tuple[IdempotencyStore, Clock]]:
    clock = Clock()
    if request.param == "memory":
        yield MemoryStore(clock), clock
        return
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client)
        yield DynamoStore(client, TABLE, clock), clock


def test_store_claims_once_then_reports_done(store_and_clock):
    store, _ = store_and_clock
    assert store.claim("sqs:m1", 60) is Claim.NEW
    assert store.claim("sqs:m1", 60) is Claim.BUSY
    assert store.claim("sqs:m2", 60) is Claim.NEW
    store.complete("sqs:m1", 3600)
    assert store.claim("sqs:m1", 60) is Claim.DONE


def test_store_release_lets_the_retry_run(store_and_clock):
    store, _ = store_and_clock
    assert store.claim("k", 60) is Claim.NEW
    store.release("k")
    assert store.claim("k", 60) is Claim.NEW


def test_store_release_never_forgets_a_done_job(store_and_clock):
    store, _ = store_and_clock
    store.claim("k", 60)
    store.complete("k", 3600)
    store.release("k")
    assert store.claim("k", 60) is Claim.DONE


def test_store_expired_lease_and_expired_record_are_claimable(store_and_clock):
    store, clock = store_and_clock
    assert store.claim("crashed", 60) is Claim.NEW
    clock.now += 59
    assert store.claim("crashed", 60) is Claim.BUSY
    clock.now += 2
    assert store.claim("crashed", 60) is Claim.NEW  # the first process died mid-job
    store.complete("crashed", 3600)
    clock.now += 3599
    assert store.claim("crashed", 60) is Claim.DONE
    clock.now += 2
    assert store.claim("crashed", 60) is Claim.NEW  # past retention (TTL deletion may lag)


def test_dynamo_store_writes_the_documented_item(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client)
        store = DynamoStore(client, TABLE, Clock(1000.0))
        item_key = {"key": {"S": "sqs:m1"}}
        store.claim("sqs:m1", 300)
        busy = {"status": {"S": "busy"}, "lease_until": {"N": "1300"}, "expires_at": {"N": "1300"}}
        assert client.get_item(TableName=TABLE, Key=item_key)["Item"] == {**item_key, **busy}
        store.complete("sqs:m1", 86400)
        done = {"status": {"S": "done"}, "expires_at": {"N": "87400"}}
        assert client.get_item(TableName=TABLE, Key=item_key)["Item"] == {**item_key, **done}


def test_dynamo_store_turns_aws_errors_into_store_errors(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        store = DynamoStore(client, "missing-table")
        with pytest.raises(StoreError) as info:
            store.claim("k", 60)
    assert str(info.value) == (
        "DynamoDB table 'missing-table': ResourceNotFoundException: An error occurred "
        "(ResourceNotFoundException) when calling the PutItem operation: Requested resource "
        "not found"
    )


def test_default_store_follows_the_table_setting(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    assert isinstance(default_store(Settings()), MemoryStore)
    assert isinstance(default_store(Settings(idempotency_table=TABLE, region=REGION)), DynamoStore)
