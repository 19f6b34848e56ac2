"""What the cost tests share: the program's stacks as estimator records, and price tables."""

from __future__ import annotations

import copy
import functools
import json
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from pricing import PriceTable, Record
from pricing.table import TABLE

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-northeast-2"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


@functools.cache
def stack_export(stack: str) -> dict[str, Any]:
    """`python -m preflight preview --stack STACK --json FILE`: what the program creates."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"{stack}.json"
        subprocess.run(
            [sys.executable, "-m", "preflight", "preview", "--stack", stack, "--json", str(out)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
        document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def _plain(value: Any) -> Any:
    if isinstance(value, dict) and value.get(SECRET_SIG) and "plaintext" in value:
        return json.loads(value["plaintext"])
    return value


def records_of(document: dict[str, Any]) -> list[Record]:
    """An export's resources as the estimator takes them: outputs over inputs, secrets
    unwrapped, with their property dependencies."""
    found = []
    for resource in document["deployment"]["resources"]:
        props = {**resource.get("inputs", {}), **resource.get("outputs", {})}
        found.append(
            Record(
                resource["urn"],
                resource["type"],
                {key: _plain(value) for key, value in props.items()},
                resource.get("propertyDependencies", {}),
            )
        )
    return found


def stack_records(stack: str) -> list[Record]:
    return records_of(copy.deepcopy(stack_export(stack)))


@functools.cache
def committed_table() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return loaded


def price(rate: str, key: str = "", region: str = REGION) -> Decimal:
    """A figure of the committed table, read straight from the JSON (not through the estimator)."""
    regional = committed_table()["rates"][rate]["prices"][region]
    return Decimal(regional[key] if key else regional)


def table_with(rates: dict[str, dict[str, Any]]) -> PriceTable:
    """The committed table plus `rates` (e.g. RDS prices a refresh with credentials would add),
    their services no longer unavailable."""
    data = copy.deepcopy(committed_table())
    for name, prices in rates.items():
        data["rates"][name] = {"source": "fixture", "unit": "unit", "prices": prices}
        data["unavailable"].pop(name.split(".", 1)[0], None)
    data["sources"]["fixture"] = {"what": "a test's own figures", "published": "2025-01-01"}
    return PriceTable(data)


def setting(resource: Record, namespace: str, name: str, value: str) -> Record:
    """`resource` (an EB environment) with one option set to `value`."""
    settings = [
        s for s in resource.props["settings"] if (s["namespace"], s["name"]) != (namespace, name)
    ]
    settings.append({"namespace": namespace, "name": name, "value": value})
    return Record(
        resource.urn, resource.type, {**resource.props, "settings": settings}, resource.deps
    )


def named(records: list[Record], name: str) -> Record:
    return next(r for r in records if r.name == name)


def replaced(records: list[Record], new: Record) -> list[Record]:
    return [new if r.urn == new.urn else r for r in records]
