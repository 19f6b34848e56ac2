"""`python -m preflight.bench.probe REPORT.json ARGS...`: preflight's CLI run with ARGS, as
`python -m preflight ARGS...` runs it, reporting from inside the process what `make bench` shows
as shares of a preview (CPU seconds of this process, `time.process_time`):

- `cost`: the cost line's own work: importing `preflight.cost` (on top of the modules it shares
  with the rest of preview), `preview_cost` (the estimate with the stage's usage assumptions,
  and the change against a base) and rendering the line and the Markdown section. The pricing
  package itself is not counted: the pack's `stack-monthly-cost` policy imports and runs it
  whether or not preview prints a line;
- `previewed`: the preview-mode run of the program that shows stack outputs as `pulumi
  preview` does (`preflight.commands.preview._previewed`);
- `modules`: every module the command imported (the bench's import floor imports them all).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_spent: dict[str, float] = {"cost": 0.0, "previewed": 0.0}

_COST_MODULES = ("preflight.cost.estimate", "preflight.cost.text")
_SHARED_WITH_COST = ("preflight.export.state", "preflight.inputs.errors", "preflight.render.tree")
"""What the cost modules import that the rest of preview imports anyway."""


def _timed(name: str, function: F) -> F:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            _spent[name] += time.process_time() - start

    return timed  # type: ignore[return-value]


def _instrument() -> None:
    for name in _SHARED_WITH_COST:
        importlib.import_module(name)
    start = time.process_time()
    for name in _COST_MODULES:
        importlib.import_module(name)
    _spent["cost"] += time.process_time() - start
    from preflight.commands import preview

    timed: list[tuple[object, str, str]] = [
        (preview, "preview_cost", "cost"),
        (preview.Cost, "line", "cost"),
        (preview.Cost, "markdown", "cost"),
        (preview, "_previewed", "previewed"),
    ]
    for owner, attribute, share in timed:
        setattr(owner, attribute, _timed(share, getattr(owner, attribute)))


def main(argv: Sequence[str]) -> int:
    report, args = Path(argv[0]), list(argv[1:])
    _instrument()
    from preflight.cli import main as cli

    code = cli(args)
    found: dict[str, Any] = dict(_spent)
    found["modules"] = sorted(m for m in sys.modules if not m.startswith("preflight.bench"))
    report.write_text(json.dumps(found), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
