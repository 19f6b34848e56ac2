"""verify's checks of a deployed worker tier (issue 13): the worker environment (tier, health,
version, instances, its sqsd queue URL and timeouts) and its queues (encryption, redrive to the
dead-letter queue). moto in process for SQS and EC2; `botocore.stub.Stubber` for the Elastic
Beanstalk calls moto does not implement (tests/verify/worker_tier.py builds the tier), as for
tests/verify/account.py's healthy account, which the whole-report test reuses. A healthy worker
first, then one kind of drift per case, each asserting the exact line of the one check it
breaks; then the checks alone. Mirrors verify/worker.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tests.verify.account import (
    APP,
    HEALTHY_CHECKS,
    REGION,
    Drift,
    build_account,
    make_clients,
    rerun,
)
from tests.verify.support import fake_aws
from tests.verify.worker_tier import (
    WORKER_ENV,
    WORKER_VERSION,
    Queues,
    WorkerDrift,
    add_worker_answers,
    build_queues,
    launch_worker,
    worker_outputs,
)
from verify.aws import AwsCallFailed, Clients, guard
from verify.enforcement import load_enforcement
from verify.outputs import WorkerOutputs
from verify.runner import apply_level, verify_worker
from verify.worker import Queue, check_queue_redrive, check_queues_encrypted, fetch_queue

WORKER_CHECKS = [
    "worker-env-ready-green",
    "worker-tier",
    "worker-runs-stack-version",
    "worker-instances-no-public-ip",
    "worker-instances-private-subnets",
    "worker-env-properties-size",
    "worker-reads-queue",
    "worker-sqsd-timeouts",
    "work-queue-encrypted",
    "work-queue-redrive",
]


@dataclass(frozen=True)
class Shared:
    """One moto account for the module (building a VPC is the slow part): a worker instance
    in a private subnet, and clients. Each test makes its own queues (`worker_account`
    deletes them)."""

    clients: Clients
    sqs: Any
    """`clients.sqs`, as botocore's client (boto3 types it Any here: no SQS stubs)."""
    instance: str


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    with pytest.MonkeyPatch.context() as env, mock_aws():
        fake_aws(env, tmp_path_factory.mktemp("aws") / "none")
        session = boto3.Session(region_name=REGION)
        ec2 = session.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.10.0/24")["Subnet"]["SubnetId"]
        sqs = session.client("sqs")
        clients = Clients(
            elasticbeanstalk=session.client("elasticbeanstalk"),
            ec2=ec2,
            elbv2=session.client("elbv2"),
            rds=session.client("rds"),
            sqs=sqs,
        )
        yield Shared(clients, sqs, launch_worker(ec2, subnet))


@pytest.fixture
def worker_account(shared: Shared) -> Iterator[Shared]:
    """The shared account, with no queue left over from another test."""
    yield shared
    for url in shared.sqs.list_queues().get("QueueUrls", []):
        shared.sqs.delete_queue(QueueUrl=url)


@dataclass
class WorkerRun:
    lines: list[str]
    instance: str
    queues: Queues

    @property
    def failures(self) -> list[str]:
        return [line for line in self.lines if not line.startswith("PASS")]


def run_worker_checks(account: Shared, drift: WorkerDrift) -> WorkerRun:
    """The worker's checks alone (`verify_worker`), every EB answer consumed."""
    clients = account.clients
    queues = build_queues(account.sqs, drift)
    worker = WorkerOutputs(WORKER_ENV, WORKER_VERSION, queues.work_url, queues.dlq_url)
    with Stubber(clients.elasticbeanstalk) as stubber:
        add_worker_answers(stubber, drift, account.instance, queues)
        results = verify_worker(clients.guarded(), APP, worker)
        stubber.assert_no_pending_responses()
    assert [r.check_id for r in results] == WORKER_CHECKS
    return WorkerRun([r.line for r in results], account.instance, queues)


# --- the whole report -------------------------------------------------------------------


def test_a_healthy_worker_passes_every_check_in_the_whole_report(
    worker_account: Shared, tmp_path: Path
) -> None:
    """tests/verify/account.py's healthy account with a worker: its checks come after the
    model's and before the database's, and each passes."""
    clients = make_clients()
    account = build_account(clients.ec2, clients.elbv2, clients.rds, Drift())
    instance = launch_worker(clients.ec2, account.private_subnets[1])
    sqs = worker_account.sqs
    queues = build_queues(sqs, WorkerDrift())
    run = rerun(
        tmp_path,
        replace(clients, sqs=sqs),
        account,
        Drift(),
        more_outputs=worker_outputs(queues),
        more_answers=lambda stubber: add_worker_answers(stubber, WorkerDrift(), instance, queues),
    )
    lines = run.lines
    assert (run.code, run.err) == (0, ""), run.out
    expected = HEALTHY_CHECKS[:9] + WORKER_CHECKS + HEALTHY_CHECKS[9:]
    assert [line.split(":")[0] for line in lines[1:-1]] == [f"PASS  {c}" for c in expected]
    subnet = account.private_subnets[1]
    assert lines[10:20] == [
        "PASS  worker-env-ready-green: worker environment 'webmodel-prod-worker' is Ready/Green",
        "PASS  worker-tier: worker environment 'webmodel-prod-worker' is tier Worker (SQS/HTTP)",
        "PASS  worker-runs-stack-version: worker environment 'webmodel-prod-worker' runs "
        "'worker-3f9c2a1b'",
        "PASS  worker-instances-no-public-ip: no public IP on 1 worker instance(s)",
        f"PASS  worker-instances-private-subnets: 1 worker instance(s) in private subnets {subnet}",
        "PASS  worker-env-properties-size: worker environment properties use 12 of 4,096 bytes "
        "(1 properties)",
        "PASS  worker-reads-queue: worker environment 'webmodel-prod-worker' reads the work "
        f"queue {queues.work_url}",
        "PASS  worker-sqsd-timeouts: worker environment 'webmodel-prod-worker': sqsd "
        "VisibilityTimeout 300 s is greater than InactivityTimeout 240 s",
        "PASS  work-queue-encrypted: work queue webmodel-prod-work (SSE-KMS key alias/aws/sqs) "
        "and dead-letter queue webmodel-prod-work-dlq (SSE-SQS) are encrypted at rest",
        "PASS  work-queue-redrive: work queue webmodel-prod-work moves a message to dead-letter "
        "queue webmodel-prod-work-dlq after 5 receive(s)",
    ]
    assert lines[-1] == "stack prod: 22 of 22 checks passed; every guarantee holds (exit 0)"
    assert instance not in account.web_instances + account.model_instances


# --- one drift per test -----------------------------------------------------------------


WORKER = "worker environment 'webmodel-prod-worker'"
NOT_CHECKED = f"not checked: {WORKER} does not exist"


def sqsd_timeouts(visibility: str, inactivity: str) -> str:
    return (
        f"FAIL  worker-sqsd-timeouts: {WORKER}: sqsd VisibilityTimeout {visibility} s is not "
        f"greater than InactivityTimeout {inactivity} s, so a message reappears on the queue "
        "while its job still runs and another instance runs it again"
    )


def unencrypted(queue: str) -> str:
    return (
        f"FAIL  work-queue-encrypted: {queue} is not encrypted at rest (SqsManagedSseEnabled "
        "is false and there is no KmsMasterKeyId)"
    )


def receive_count(count: int) -> str:
    return (
        "FAIL  work-queue-redrive: work queue webmodel-prod-work has RedrivePolicy "
        f"maxReceiveCount {count}, expected 1 to 1000"
    )


DRIFTS = [
    pytest.param(WorkerDrift(), [], id="a-healthy-worker-passes"),
    pytest.param(
        WorkerDrift(tier="WebServer"),
        [
            f"FAIL  worker-tier: {WORKER} is tier WebServer, expected Worker: nothing reads the "
            "work queue"
        ],
        id="a-web-server-tier-fails-worker-tier",
    ),
    pytest.param(
        WorkerDrift(status=("Ready", "Red")),
        [f"FAIL  worker-env-ready-green: {WORKER} is Ready/Red, expected Ready/Green"],
        id="a-worker-not-green-fails-its-health",
    ),
    pytest.param(
        WorkerDrift(version="worker-0000aaaa"),
        [
            f"FAIL  worker-runs-stack-version: {WORKER} runs 'worker-0000aaaa', but the stack "
            "deployed 'worker-3f9c2a1b'"
        ],
        id="another-version-fails-worker-runs-stack-version",
    ),
    *[
        pytest.param(
            WorkerDrift(visibility=visibility, inactivity=inactivity),
            [sqsd_timeouts(visibility, inactivity)],
            id=f"visibility-{visibility}-not-above-inactivity-{inactivity}",
        )
        for visibility, inactivity in (("240", "240"), ("60", "240"))
    ],
    pytest.param(
        WorkerDrift(visibility=None, inactivity="4 min"),
        [
            f"FAIL  worker-sqsd-timeouts: {WORKER} sets no sqsd VisibilityTimeout and has sqsd "
            "InactivityTimeout '4 min', not a whole number of seconds"
        ],
        id="missing-or-malformed-sqsd-timeouts-fail-by-name",
    ),
    pytest.param(
        WorkerDrift(work_queue_sse=False),
        [unencrypted("work queue webmodel-prod-work")],
        id="an-unencrypted-work-queue",
    ),
    pytest.param(
        WorkerDrift(dlq_sse=False),
        [unencrypted("dead-letter queue webmodel-prod-work-dlq")],
        id="an-unencrypted-dead-letter-queue",
    ),
    *[
        pytest.param(
            WorkerDrift(max_receive_count=count),
            [receive_count(count)],
            id=f"a-receive-count-of-{count}-outside-1-to-1000",
        )
        for count in (0, 1001)
    ],
    pytest.param(
        WorkerDrift(missing=True),
        [
            f"FAIL  worker-env-ready-green: {WORKER} not found in application 'webmodel-prod'",
            # the queues do not depend on the environment: still checked, and healthy
            *[f"FAIL  {check}: {NOT_CHECKED}" for check in WORKER_CHECKS[1:8]],
        ],
        id="a-missing-worker-fails-health-and-every-check-that-needs-it",
    ),
]


@pytest.mark.parametrize(("drift", "failures"), DRIFTS)
def test_each_drift_fails_its_check(
    worker_account: Shared, drift: WorkerDrift, failures: list[str]
) -> None:
    assert run_worker_checks(worker_account, drift).failures == failures


def test_sqsd_reading_another_queue_fails_worker_reads_queue(worker_account: Shared) -> None:
    elsewhere = "https://sqs.ap-northeast-2.amazonaws.com/123456789012/awseb-e-abc-WorkerQueue"
    run = run_worker_checks(worker_account, WorkerDrift(sqsd_queue=elsewhere))
    assert run.failures == [
        f"FAIL  worker-reads-queue: {WORKER} reads {elsewhere}, not the stack's work queue "
        f"{run.queues.work_url}"
    ]


def test_redrive_to_another_queue_fails_work_queue_redrive(worker_account: Shared) -> None:
    run = run_worker_checks(worker_account, WorkerDrift(redrive_to_other=True))
    assert run.failures == [
        "FAIL  work-queue-redrive: work queue webmodel-prod-work sends its dead letters to "
        f"{run.queues.other_arn}, not to the stack's dead-letter queue webmodel-prod-work-dlq "
        f"({run.queues.dlq_arn})"
    ]


# --- the checks alone ---------------------------------------------------------------------


def test_a_deleted_queue_is_a_finding_not_an_aws_failure(worker_account: Shared) -> None:
    sqs = worker_account.sqs
    queues = build_queues(sqs, WorkerDrift())
    sqs.delete_queue(QueueUrl=queues.dlq_url)
    work = fetch_queue(guard(sqs), "work queue", queues.work_url)
    dlq = fetch_queue(guard(sqs), "dead-letter queue", queues.dlq_url)
    assert dlq.attributes is None
    encrypted, redrive = check_queues_encrypted([work, dlq]), check_queue_redrive(work, dlq)
    assert encrypted.line == (
        "FAIL  work-queue-encrypted: dead-letter queue webmodel-prod-work-dlq does not exist"
    )
    assert redrive.line == (
        "FAIL  work-queue-redrive: dead-letter queue webmodel-prod-work-dlq does not exist"
    )


def test_an_sqs_failure_is_an_aws_call_failure_naming_the_call(worker_account: Shared) -> None:
    clients = worker_account.clients
    worker = WorkerOutputs(WORKER_ENV, WORKER_VERSION, "https://q/work", "https://q/dlq")
    with Stubber(clients.elasticbeanstalk) as eb, Stubber(worker_account.sqs) as sqs:
        eb.add_response("describe_environments", {"Environments": []})
        sqs.add_client_error("get_queue_attributes", "AccessDenied", "not allowed")
        with pytest.raises(AwsCallFailed) as failed:
            verify_worker(clients.guarded(), APP, worker)
    assert str(failed.value) == "AWS call sqs:GetQueueAttributes failed: AccessDenied: not allowed"


def test_queue_checks_count_at_their_pack_policys_level(tmp_path: Path) -> None:
    """Mandatory in both stage files; a pack config that disables the policy skips it."""
    work = Queue("work queue", "https://q/work", {"QueueArn": "arn:aws:sqs:r:1:work"})
    dlq = Queue("dead-letter queue", "https://q/dlq", {"QueueArn": "arn:aws:sqs:r:1:dlq"})
    result = check_queue_redrive(work, dlq)
    assert (result.policy, result.detail) == (
        "sqs-queue-has-dlq",
        "work queue work has no RedrivePolicy: a message that always fails is received again "
        "and again until it expires",
    )
    off = tmp_path / "off.json"
    off.write_text(json.dumps({"sqs-queue-has-dlq": "disabled"}))
    statuses = [
        apply_level(result, load_enforcement(stage, config)).status
        for stage, config in (("dev", None), ("prod", None), ("prod", off))
    ]
    assert statuses == ["FAIL", "FAIL", "SKIP"]
