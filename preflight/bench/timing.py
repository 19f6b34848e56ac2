"""Paired timings: the commands of a ratio run in turn, round after round, and each ratio is the
median of its rounds' ratios, so a machine that speeds up or slows down while the bench runs
(other jobs starting and stopping) moves both sides of a ratio alike.

A command's time is the CPU seconds (user + system) the operating system accounts to its whole
process: preflight's commands are single-threaded and wait for nothing, so on an idle machine
that is their wall time (start-up included), and unlike wall time it hardly moves when other
jobs take turns on the processors. Wall time is kept beside it.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Samples:
    """Each command's time per round (seconds), in round order."""

    times: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.times.setdefault(name, []).append(seconds)

    def median(self, name: str) -> float:
        return statistics.median(self.times[name])

    def ratio(self, name: str, over: str) -> float:
        """The median, over rounds, of `name`'s time over `over`'s time in the same round."""
        pairs = zip(self.times[name], self.times[over], strict=True)
        return statistics.median(a / max(b, 1e-9) for a, b in pairs)


@dataclass(frozen=True)
class Run:
    """One whole process: CPU seconds (user + system, its children included) and wall seconds."""

    cpu: float
    wall: float


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_command(argv: Sequence[str], cwd: Path) -> Run:
    """Run one whole process, start-up included; exit 0 or 1 (a policy verdict) is a run,
    anything else stops the bench."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(argv[2:5])} failed:\n{done.stderr}")
    return Run(_children_cpu() - cpu, elapsed)


def rounds(runs: int, measures: Mapping[str, Callable[[], Mapping[str, float]]]) -> Samples:
    """A warm-up round that is not counted (caches, lazy imports), then `runs` rounds, each
    taking every measure once (a measure gives one or more named figures); the order turns by
    one each round, so no measure always runs first or right after the same neighbour."""
    samples = Samples()
    names = list(measures)
    for name in names:
        measures[name]()
    for round_index in range(runs):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            for figure, seconds in measures[name]().items():
                samples.add(figure, seconds)
    return samples
