"""Blue/green releases as a user ships them: copies of the prod stack file, planned with
`preview --base` against the export of the step before, exactly as the pull-request workflow
plans them (docs/releases.md).

The adoption of the running environments, then for each tier the three pull requests: add the
green slot (one environment created, and its cost), flip `live` (the records only, no
environment touched), remove the old slot (its deletes, and the saving); rollback is the revert
of the flip. Bad slot config exits 2 naming every key at once.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pricing import compare, estimate_stack
from pricing.usage import usage_for

from tests.policies.cost_support import records_of
from tests.preflight_support import ROOT, copy_project, preflight

ENV = "aws:elasticbeanstalk/environment:Environment"
COMPONENT = "webmodel:beanstalk:Environment"
ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY = "aws:iam/rolePolicy:RolePolicy"
RULE = "aws:lb/listenerRule:ListenerRule"
RECORD = "aws:route53/record:Record"
VERSION = "aws:elasticbeanstalk/applicationVersion:ApplicationVersion"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
DOMAIN = {"domain": "app.example.com", "hostedZone": "example.com", "certificateArn": None}
NEW_PLATFORM = r"^64bit Amazon Linux 2023 v4\.5\.1 running Docker$"
GOLDEN_AMI = "ami-0123456789abcdef0"
TRITON = ("tritonserver:25.01-py3", "tritonserver:25.02-py3")


def slots(*names: str, live: str, **settings: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"slots": list(names), "live": live}
    return {**found, "slotSettings": settings} if settings else found


class Release:
    """A copy of the project whose prod stack file each step rewrites."""

    def __init__(self, folder: Path) -> None:
        self.folder = copy_project(folder)
        self.stack_file = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text("utf-8"))
        self.compose = self.folder / "apps/model/eb/docker-compose.yml"
        self.pack_config = self.folder / "policies/config/prod.json"

    def stage(
        self,
        web: dict[str, Any] | None = None,
        model: dict[str, Any] | None = None,
        *,
        triton: str = TRITON[0],
        ceiling: int = 9000,
    ) -> None:
        document = copy.deepcopy(self.stack_file)
        config = document["config"]
        config["webmodel:web"] = {**config["webmodel:web"], **DOMAIN, **(web or {})}
        config["webmodel:model"] = {**config["webmodel:model"], **(model or {})}
        self.folder.joinpath("Pulumi.prod.yaml").write_text(yaml.safe_dump(document), "utf-8")
        text = (ROOT / "apps/model/eb/docker-compose.yml").read_text("utf-8")
        self.compose.write_text(text.replace(TRITON[0], triton), "utf-8")
        self.pack_config.write_text(
            json.dumps({"stack-monthly-cost": {"maxMonthlyUsd": ceiling}}), "utf-8"
        )

    def export(self, name: str) -> Path:
        path = self.folder / f"{name}.json"
        run = preflight("--project-dir", self.folder, "preview", "--stack", "prod", "--json", path)
        assert run.code == 0, run.stderr + run.stdout
        return path

    def plan(self, base: Path) -> dict[str, Any]:
        path = self.folder / "plan.json"
        args = ("preview", "--stack", "prod", "--base", base, "--plan-json", path)
        run = preflight("--project-dir", self.folder, *args)
        assert run.code == 0, run.stderr + run.stdout
        plan: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return plan


def changes(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(op, type, name) of every step that changes something, sorted."""
    return sorted(
        (step["op"], step["urn"].split("::")[2].rsplit("$", 1)[-1], step["urn"].rsplit("::", 1)[1])
        for step in plan["steps"]
        if step["op"] != "same"
    )


def environment(role: str, slot: str, *, https: bool) -> list[tuple[str, str]]:
    """What one slot is: its component, instance role, policy and profile, the environment,
    and with HTTPS the redirect rule on its load balancer."""
    found = [
        (COMPONENT, f"{role}-{slot}"),
        (ROLE, f"{role}-{slot}-instance-role"),
        (POLICY, f"{role}-{slot}-instance-policy"),
        (PROFILE, f"{role}-{slot}-instance-profile"),
        (ENV, f"webmodel-prod-{role}-{slot}"),
    ]
    return found + ([(RULE, f"{role}-{slot}-http-to-https")] if https else [])


def cost_change(base: Path, head: Path) -> list[tuple[str, bool]]:
    """The estimate's moves, per resource: (resource name, went up)."""
    estimates = [
        estimate_stack(
            records_of(json.loads(p.read_text("utf-8"))), "ap-northeast-2", usage_for("prod")
        )
        for p in (base, head)
    ]
    moved = compare(*estimates).deltas
    return [(delta.urn.rsplit("::", 1)[1], delta.change.max > 0) for delta in moved]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    return Release(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def single(release: Release) -> Path:
    """Prod on its own domain, each tier one environment: the stack before blue/green."""
    release.stage()
    return release.export("single")


@pytest.fixture(scope="module")
def adopted(release: Release, single: Path) -> Path:
    """Both tiers turned into their first slot, `blue`, live."""
    release.stage(web=slots("blue", live="blue"), model=slots("blue", live="blue"))
    return release.export("adopted")


def test_adoption_keeps_every_running_resource_through_its_aliases(
    release: Release, single: Path
) -> None:
    """Whatever the engine answers for aliased resources, the adoption creates and deletes
    nothing of the environments: every resource of the old ones (the environment, its instance
    role, policy and profile, the redirect rule, the application version) is matched through
    its alias, or it would be a delete and a create."""
    release.stage(web=slots("blue", live="blue"), model=slots("blue", live="blue"))
    plan = release.plan(single)
    assert [c for c in changes(plan) if c[0] in ("create", "delete")] == [
        ("create", RECORD, "model-name-alias"),
        ("create", "aws:route53/zone:Zone", "model-name-zone"),
        ("create", "webmodel:domain:PrivateName", "model-name"),
    ]
    assert not [c for c in changes(plan) if c[0] == "replace" and c[1] == ENV]


def test_adoption_plans_the_model_name_and_nothing_of_the_running_environments(
    release: Release, single: Path
) -> None:
    """As `pulumi up` runs it: the model's private name is created and web and worker move
    their MODEL_URL onto it; the environments keep their names (aliases), nothing is replaced."""
    release.stage(web=slots("blue", live="blue"), model=slots("blue", live="blue"))
    plan = release.plan(single)
    assert changes(plan) == [
        ("create", RECORD, "model-name-alias"),
        ("create", "aws:route53/zone:Zone", "model-name-zone"),
        ("create", "webmodel:domain:PrivateName", "model-name"),
        ("update", ENV, "webmodel-prod-web-blue"),
        ("update", ENV, "webmodel-prod-worker"),
    ]


def test_web_release_add_flip_remove_and_rollback(release: Release, adopted: Path) -> None:
    green = {"solutionStackRegex": NEW_PLATFORM}
    model = slots("blue", live="blue")
    release.stage(web=slots("blue", "green", live="blue", green=green), model=model)
    added = release.plan(adopted)
    assert changes(added) == sorted(("create", *r) for r in environment("web", "green", https=True))
    with_green = release.export("web-green")
    assert cost_change(adopted, with_green) == [("webmodel-prod-web-green", True)]

    release.stage(web=slots("blue", "green", live="green", green=green), model=model)
    flipped = release.plan(with_green)
    assert changes(flipped) == [("update", RECORD, "domain-alias")]
    [flip] = [s for s in flipped["steps"] if s["op"] == "update"]
    assert flip["diffReasons"] == ["aliases"]
    live_green = release.export("web-live-green")

    release.stage(web=slots("blue", "green", live="blue", green=green), model=model)
    assert changes(release.plan(live_green)) == [("update", RECORD, "domain-alias")]  # rollback

    release.stage(web=slots("green", live="green", green=green), model=model)
    removed = release.plan(live_green)
    assert changes(removed) == sorted(
        ("delete", *r) for r in environment("web", "blue", https=True)
    )
    release.export("web-removed")
    assert cost_change(live_green, release.folder / "web-removed.json") == [
        ("webmodel-prod-web-blue", False)
    ]


def test_model_release_new_triton_and_ami_without_touching_web_or_worker(
    release: Release, adopted: Path
) -> None:
    """Triton's new major in green (a new model bundle) on a new golden AMI, blue kept on the
    label it runs; prod's cost ceiling raised for the overlap (two GPU fleets)."""
    [stack] = [
        r
        for r in json.loads(adopted.read_text("utf-8"))["deployment"]["resources"]
        if r["type"] == "pulumi:pulumi:Stack"
    ]
    label = stack["outputs"]["modelVersionLabel"]
    web = slots("blue", live="blue")
    pinned = {"blue": {"version": label}, "green": {"imageId": GOLDEN_AMI}}
    release.stage(
        web=web,
        model=slots("blue", "green", live="blue", **pinned),
        triton=TRITON[1],
        ceiling=13000,
    )
    added = changes(release.plan(adopted))
    new_version = next(c[2] for c in added if c[1] == VERSION and c[0] == "create")
    assert added == sorted(
        [
            *(("create", *r) for r in environment("model", "green", https=False)),
            ("create", VERSION, new_version),
            ("replace", OBJECT, "artifacts-model-bundle"),
            ("update", VERSION, f"artifacts-{label}-version"),  # now described as kept
        ]
    )
    with_green = release.export("model-green")

    release.stage(
        web=web,
        model=slots("blue", "green", live="green", **pinned),
        triton=TRITON[1],
        ceiling=13000,
    )
    assert changes(release.plan(with_green)) == [("update", RECORD, "model-name-alias")]
    live_green = release.export("model-live-green")

    release.stage(
        web=web, model=slots("green", live="green", green=pinned["green"]), triton=TRITON[1]
    )
    removed = changes(release.plan(live_green))
    assert removed == sorted(
        [
            *(("delete", *r) for r in environment("model", "blue", https=False)),
            ("delete", VERSION, f"artifacts-{label}-version"),
        ]
    )


def test_bad_slots_exit_2_naming_every_key(tmp_path: Path) -> None:
    release = Release(tmp_path)
    release.stage(
        web={"slots": ["blue", "green", "red"], "live": "blue"},
        model={"slots": ["blue", "a-long-slot-name"], "live": "purple"},
    )
    document = yaml.safe_load((release.folder / "Pulumi.prod.yaml").read_text("utf-8"))
    document["config"]["webmodel:worker"]["slots"] = ["blue"]
    (release.folder / "Pulumi.prod.yaml").write_text(yaml.safe_dump(document), "utf-8")
    run = preflight("--project-dir", release.folder, "preview", "--stack", "prod")
    assert run.code == 2
    assert run.stderr.splitlines()[1:] == [
        "      webmodel:web.slots: one or two slot names (the live slot and the one being "
        'released), not 3 (got ["blue", "green", "red"])',
        "      webmodel:worker.slots: only webmodel:web and webmodel:model run as blue/green "
        "slots (a worker takes no traffic through DNS); remove it",
        "      webmodel:model.live: 'purple' is not one of slots ['blue', 'a-long-slot-name']",
        "      webmodel:model.slots: slot 'a-long-slot-name': the Elastic Beanstalk environment "
        "'webmodel-prod-model-a-long-slot-name' (36 characters) plus Pulumi's 8-character "
        "suffix is longer than EB's 40; keep it to 32 (slot names of at most 12 characters in "
        "this stack)",
    ]
