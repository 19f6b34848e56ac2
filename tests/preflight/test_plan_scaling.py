"""A base of 10,000 resources plans in linear time.

The work is counted, not timed (cProfile's total call count, as tests/test_analyze_scaling.py
counts analyze's): the plan of prod against its deployed export plus 2,500 and plus 10,000
resources the program no longer registers (deletes). The program's run is the same in all
three, so the growth is measured on what the base adds: four times the resources must cost
about four times the calls, never sixteen.
"""

from __future__ import annotations

import cProfile
import pstats
from typing import Any

from preflight.bench.deployed import with_extra
from preflight.plan.base import index_base
from preflight.plan.compute import compute
from preflight.plan.render_json import to_json
from preflight.plan.render_text import render_text
from preflight.stackfiles.program_config import ProgramConfig

SMALL, LARGE = 2_500, 10_000
LINEAR = 4.6
"""Growth allowed for 4x the extra resources (4 is linear)."""


def _calls(config: ProgramConfig, document: dict[str, Any]) -> tuple[int, int]:
    """(calls made by reading, planning and rendering against `document`, steps planned)."""
    profile = cProfile.Profile()
    profile.enable()
    plan, _ = compute(config, index_base(document, "base.json"))
    render_text(plan)
    to_json(plan)
    profile.disable()
    return pstats.Stats(profile).total_calls, len(plan.steps)  # type: ignore[attr-defined]


def test_planning_grows_linearly_with_the_base(
    prod_config: ProgramConfig, deployed: dict[str, Any]
) -> None:
    floor, steps = _calls(prod_config, deployed)
    small, small_steps = _calls(prod_config, with_extra(deployed, SMALL))
    large, large_steps = _calls(prod_config, with_extra(deployed, LARGE))
    assert (small_steps, large_steps) == (steps + SMALL, steps + LARGE)  # every extra: a delete
    growth = (large - floor) / (small - floor)
    assert growth <= LINEAR, f"{small - floor} -> {large - floor} calls ({growth:.1f}x)"
