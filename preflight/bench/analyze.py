"""`make bench`'s analyze figures: per state shape, reading and evaluating 2,000 and 8,000
resources in turn, in CPU seconds of the measuring process (start-up excluded).

Each shape is measured in a fresh process (`python -m preflight.bench.analyze EXPORT SHAPE RUNS
WORK`, which prints its samples as JSON), as `preflight analyze` runs in one: a process that has
held larger states before lays the next one out in a fragmented heap, which slowed the smaller
shapes measured after the copies of prod by a quarter, more at 8k than at 2k. Within a shape,
each run starts from a heap without the previous state: afterwards the pack evaluates an empty
state (untimed), so the views it keeps of the last stack let go.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from preflight.bench.shapes import one_group_many_rules, one_vpc_many_subnets, replicate, shared_ids
from preflight.bench.timing import Samples, rounds
from preflight.export.read import parse_export, read_export
from preflight.pack.evaluate import evaluate
from preflight.pack.load import LoadedPack, load_pack
from preflight.stackfiles.project import PROJECT_ROOT

SHAPE_SIZES = (2_000, 8_000)
SHAPES = (
    "copies with their own IDs",
    "copies sharing AWS IDs",
    "one VPC, many subnets",
    "one security group, many rules",
)


def build(shape: str, document: dict[str, Any], size: int) -> dict[str, Any]:
    """A state of about `size` resources in `shape`; copies are of `document` (prod's export)."""
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        SHAPES[0]: lambda: replicate(document, size),
        SHAPES[1]: lambda: shared_ids(document, size),
        SHAPES[2]: lambda: one_vpc_many_subnets(size),
        SHAPES[3]: lambda: one_group_many_rules(size),
    }
    return builders[shape]()


def label(size: int) -> str:
    return f"{size:,}"


def _measure(pack: LoadedPack, path: Path, name: str) -> Callable[[], dict[str, float]]:
    config = PROJECT_ROOT / "policies" / "config" / "prod.json"
    empty = parse_export({"version": 3, "deployment": {"resources": []}})

    def measure() -> dict[str, float]:
        gc.collect()
        start = time.process_time()
        evaluate(pack, read_export(path), stage="prod", config_file=config)
        spent = time.process_time() - start
        evaluate(pack, empty, stage="prod", config_file=config)
        return {name: spent}

    return measure


def shape_samples(export: Path, shape: str, runs: int, work: Path) -> Samples:
    """This process's paired runs of one shape at both sizes."""
    document = json.loads(export.read_text(encoding="utf-8"))
    measures: dict[str, Callable[[], dict[str, float]]] = {}
    pack = load_pack(PROJECT_ROOT / "policies")
    for size in SHAPE_SIZES:
        path = work / f"shape{SHAPES.index(shape)}-{size}.json"
        path.write_text(json.dumps(build(shape, document, size)), encoding="utf-8")
        measures[label(size)] = _measure(pack, path, label(size))
    return rounds(runs, measures)


def measure_shape(export: Path, shape: str, runs: int, work: Path) -> Samples:
    """One shape's samples, measured in a fresh process."""
    argv = [sys.executable, "-m", "preflight.bench.analyze", str(export), shape, str(runs)]
    done = subprocess.run(
        [*argv, str(work)], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: analyze of {shape!r} failed:\n{done.stderr}")
    return Samples(json.loads(done.stdout))


def main(argv: Sequence[str]) -> int:
    export, shape, runs, work = argv
    found = shape_samples(Path(export), shape, int(runs), Path(work))
    sys.stdout.write(json.dumps(found.times))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
