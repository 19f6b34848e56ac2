"""The plan gate's blue/green guards on real plans of the prod stack (`preview --base`, then
`python -m preflight.gate`): flipping `live` to a slot the same plan creates, or deleting the
slot that is live, fails; the three pull requests of a release pass; a record pointing at no
environment fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from preflight.gate import main as gate
from preflight.plan.gate import slot_problems
from tests.preflight_support import preflight
from tests.program.test_blue_green import Release, slots

CEILING = 20_000  # two GPU fleets at once: the cost ceiling is not what these tests judge


def _plan(release: Release, base: Path, **stage: Any) -> dict[str, Any]:
    release.stage(**stage, ceiling=CEILING)
    return release.plan(base)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    return Release(tmp_path_factory.mktemp("gate"))


@pytest.fixture(scope="module")
def blue(release: Release) -> Path:
    release.stage(model=slots("blue", live="blue"), ceiling=CEILING)
    return release.export("blue")


@pytest.fixture(scope="module")
def blue_and_green(release: Release, blue: Path) -> Path:
    release.stage(model=slots("blue", "green", live="blue"), ceiling=CEILING)
    return release.export("blue-and-green")


def test_flipping_to_a_slot_the_plan_creates_fails(release: Release, blue: Path) -> None:
    plan = _plan(release, blue, model=slots("blue", "green", live="green"))
    assert slot_problems(plan) == [
        "model-name-alias: flips to webmodel-prod-model-green, which this plan creates; add the "
        "slot in one pull request, check it with `verify --slot`, flip `live` in the next"
    ]


def test_deleting_the_live_slot_fails(release: Release, blue_and_green: Path) -> None:
    plan = _plan(release, blue_and_green, model=slots("green", live="green"))
    assert slot_problems(plan) == [
        "model-name-alias: points at webmodel-prod-model-blue now, which this plan deletes (the "
        "live slot); flip `live` first, and remove the old slot after the bake time"
    ]


@pytest.mark.parametrize(
    ("base", "model"),
    [
        ("blue", slots("blue", "green", live="blue")),  # 1: add green
        ("blue_and_green", slots("blue", "green", live="green")),  # 2: flip
    ],
    ids=["add-green", "flip"],
)
def test_the_release_pull_requests_pass_the_guards(
    request: pytest.FixtureRequest, release: Release, base: str, model: dict[str, Any]
) -> None:
    plan = _plan(release, request.getfixturevalue(base), model=model)
    assert slot_problems(plan) == []


def test_removing_the_old_slot_after_the_flip_passes(
    release: Release, blue_and_green: Path
) -> None:
    release.stage(model=slots("blue", "green", live="green"), ceiling=CEILING)
    flipped = release.export("flipped")
    plan = _plan(release, flipped, model=slots("green", live="green"))
    assert slot_problems(plan) == []


def _record_step(old_env: str | None, new_env: str | None, op: str = "update") -> dict[str, Any]:
    env = "urn:pulumi:prod::p::aws:elasticbeanstalk/environment:Environment::{}"

    def state(name: str | None) -> dict[str, Any]:
        deps = {"aliases": [env.format(name)]} if name else {"aliases": []}
        return {"type": "aws:route53/record:Record", "propertyDependencies": deps}

    return {
        "op": op,
        "urn": "urn:pulumi:prod::p::aws:route53/record:Record::switch",
        "oldState": state(old_env),
        "newState": state(new_env),
    }


def test_a_switch_that_points_nowhere_fails() -> None:
    assert slot_problems({"steps": [_record_step("blue", None)]}) == [
        "switch: would point at no environment of the stack (live names no slot)"
    ]


def test_the_gate_fails_on_a_guard_even_when_stateful_changes_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(
        '{"steps": [' + __import__("json").dumps(_record_step("blue", None)) + "]}",
        encoding="utf-8",
    )
    assert gate([str(plan), "--allow-stateful"]) == 1
    assert capsys.readouterr().out == (
        "no stateful resource is replaced or deleted\n"
        "blue/green guard: switch: would point at no environment of the stack (live names no "
        "slot)\n"
    )


def test_the_comment_and_the_text_show_the_guards(release: Release, blue: Path) -> None:
    release.stage(model=slots("blue", "green", live="green"), ceiling=CEILING)
    markdown = release.folder / "guard.md"
    run = preflight(
        "--project-dir", release.folder, "preview", "--stack", "prod", "--base", blue,
        "--markdown", markdown,
    )  # fmt: skip
    guard = (
        "model-name-alias: flips to webmodel-prod-model-green, which this plan creates; add the "
        "slot in one pull request, check it with `verify --slot`, flip `live` in the next"
    )
    assert f"blue/green guard: {guard}\n" in run.stdout
    assert (
        f"> [!CAUTION]\n> **Blue/green guards the plan breaks** (the gate fails it):\n> - {guard}\n"
    ) in markdown.read_text(encoding="utf-8")


def test_the_drawing_shows_both_slots_and_which_is_live(release: Release, blue: Path) -> None:
    release.stage(model=slots("blue", "green", live="green"), ceiling=CEILING)
    markdown = release.folder / "slots.md"
    assert (
        preflight(
            "--project-dir", release.folder, "preview", "--stack", "prod", "--markdown", markdown
        ).code
        == 0
    )
    drawing = markdown.read_text(encoding="utf-8").split("```mermaid\n", 1)[1]
    lines = [line.strip() for line in drawing.splitlines()]
    assert 'modelgreenlb["model green load balancer (internal) (live)"]' in lines
    assert 'modelbluelb["model blue load balancer (internal) (idle)"]' in lines
    assert 'modelgreeni["model green instances (live)"]' in lines
    assert "webi --> modelgreenlb" in lines
    assert "webi -.-> modelbluelb" in lines
    assert lines.index("webi --> modelgreenlb") < lines.index("webi -.-> modelbluelb")
