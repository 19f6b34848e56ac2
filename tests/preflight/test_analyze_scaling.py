"""`analyze` stays linear whatever the shape of the stack.

The work is counted, not timed: cProfile's total call count (Python and built-in calls) for an
input four times larger must grow about four times, never sixteen. Counting is exact on a noisy,
shared machine and still catches a rule that rescans the stack per resource, as the route-table
logic once did for stacks whose resources share IDs. The shapes are the ones `make bench` times.
"""

from __future__ import annotations

import cProfile
import gc
import json
import pstats
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from preflight.bench import shapes as bench
from preflight.export.read import parse_export, read_export
from preflight.export.state import State
from preflight.export.write import to_export
from preflight.pack.evaluate import evaluate
from preflight.pack.load import LoadedPack, load_pack
from preflight.plan.base import load_base
from preflight.simulate.run import simulate
from tests.preflight_support import ROOT

SMALL, LARGE = 250, 1_000
LINEAR = 4.6
"""Growth allowed for 4x the resources: linear is <= 4 (fixed costs make it less); a rule that
is quadratic in any part of the stack pushes the whole count well past this."""


@pytest.fixture(scope="module")
def pack() -> LoadedPack:
    return load_pack(ROOT / "policies")


@pytest.fixture(scope="module")
def prod_export() -> dict[str, Any]:
    document = to_export(simulate("prod"), region="eu-west-1")
    return json.loads(json.dumps(document))  # type: ignore[no-any-return]


def calls(pack: LoadedPack, state: State) -> tuple[int, int]:
    """(calls made by one evaluation, violations found)."""
    profile = cProfile.Profile()
    profile.enable()
    report = evaluate(pack, state, stage="prod", config_file=ROOT / "policies/config/prod.json")
    profile.disable()
    return pstats.Stats(profile).total_calls, len(report.violations)  # type: ignore[attr-defined]


SHAPES: dict[str, Callable[[dict[str, Any], int], dict[str, Any]]] = {
    "copies of the stack sharing AWS IDs": bench.shared_ids,
    "copies of the stack with their own IDs": bench.replicate,
    "one VPC with many subnets": lambda _doc, n: bench.one_vpc_many_subnets(n),
    "one security group with many rules": lambda _doc, n: bench.one_group_many_rules(n),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_work_grows_linearly_with_the_stack(
    pack: LoadedPack, prod_export: dict[str, Any], shape: str
) -> None:
    build = SHAPES[shape]
    sizes = (SMALL, LARGE)
    if shape.startswith("copies"):  # whole copies, so both states have the same mix of types
        stack = len(prod_export["deployment"]["resources"])
        sizes = (2 * stack, 8 * stack)
    small = parse_export(build(prod_export, sizes[0]))
    large = parse_export(build(prod_export, sizes[1]))
    assert len(large.resources) >= 3.9 * len(small.resources)
    small_calls, small_violations = calls(pack, small)
    large_calls, large_violations = calls(pack, large)
    growth = large_calls / small_calls
    assert growth <= LINEAR, f"{shape}: {small_calls} -> {large_calls} calls ({growth:.1f}x)"
    assert large_violations >= small_violations


def test_the_shapes_exercise_the_rules_they_are_meant_to(pack: LoadedPack) -> None:
    subnets = evaluate(
        pack, parse_export(bench.one_vpc_many_subnets(40)), stage="prod", config_file=None
    )
    group = [v for v in subnets.violations if v.policy == "rds-subnet-group-private"]
    assert len(group) == 1
    assert "includes public subnets: subnet-0 ('s0'): " in group[0].message
    assert "subnet-1 " not in group[0].message  # private subnets classified as private
    rules = evaluate(
        pack, parse_export(bench.one_group_many_rules(101)), stage="prod", config_file=None
    )
    assert [(v.policy, v.urn.rsplit("::", 1)[-1]) for v in rules.violations] == [
        ("sg-no-world-ingress", "r0"),
        ("sg-no-world-ingress", "r50"),
    ]


@contextmanager
def _collections() -> Iterator[list[int]]:
    """The generation of every cyclic garbage collection that starts meanwhile."""
    started: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield started
    finally:
        gc.callbacks.remove(record)


def test_reading_and_evaluating_leave_the_garbage_collector_paused(
    pack: LoadedPack, prod_export: dict[str, Any], tmp_path: Path
) -> None:
    """Reading and evaluating a state allocate a great many acyclic objects that stay alive;
    the cyclic collector's passes over them (a full one each time the heap grew by a quarter)
    made reading 8,000 resources take 5.4 times as long as 2,000. Both run with it paused: at
    most the one collection that re-enabling it may start (reading ran 67 before)."""
    path = tmp_path / "state.json"
    path.write_text(json.dumps(bench.replicate(prod_export, 2_000)), encoding="utf-8")
    with _collections() as reading:
        state = read_export(path)
    with _collections() as evaluating:
        evaluate(pack, state, stage="prod", config_file=ROOT / "policies/config/prod.json")
    with _collections() as loading_a_base:
        base = load_base(path)  # the same state as preview --base reads it
    assert base.state is not None
    assert len(state.resources) == len(base.state.resources) == 2_000
    assert len(reading) <= 1, reading
    assert len(evaluating) <= 1, evaluating
    assert len(loading_a_base) <= 1, loading_a_base
