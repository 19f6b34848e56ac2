"""`make bench`: preflight's cost as ratios measured in one run on this machine.

- preview: wall time of `preflight preview --stack prod` over the wall time of a process
  that merely imports every module that preview ends up importing (both start a fresh
  interpreter, so start-up cancels out of neither and the ratio is honest);
- preview --base: the same preview planned against its own export, over the same import
  floor (goal: at most 1.5x);
- analyze: wall time on generated states of 2,000 and 8,000 resources in four shapes (copies of
  the prod preview's export with fresh IDs, copies sharing AWS IDs, one VPC with thousands of
  subnets, one security group with thousands of rules), as CPU time of reading and evaluating
  in this process (start-up excluded); per shape the growth must stay linear
  (t(8k)/t(2k) <= 5, where 4 is linear).

Every judged figure is printed with "meets goal" or "MISSES GOAL"; the exit status is 1 when
any goal is missed.

Each figure is the best of several runs, since these machines are noisy.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from preflight.export.state import read_export
from preflight.pack.evaluate import evaluate
from preflight.pack.load import load_pack
from preflight.simulate.run import PROJECT_ROOT

_RECORD_MODULES = """
import json, sys
from preflight.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    json.dump(sorted(sys.modules), f)
sys.exit(code)
"""

_IMPORT_ONLY = """
import importlib, json, sys
for name in json.load(open(sys.argv[1])):
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


def _timed(argv: Sequence[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(f"bench: {' '.join(argv[2:4])} failed:\n{done.stderr}")
        best = min(best, elapsed)
    return best


_AWS_ID = re.compile(r"(?<![A-Za-z0-9])(vpc|subnet|sg|rtb|igw|nat|eipalloc|e)-(?=[0-9a-f])")
"""The start of an AWS resource ID, wherever it stands (also inside 'a,b' lists)."""


def replicate(document: dict[str, Any], target: int) -> dict[str, Any]:
    """A state of about `target` resources: copies of `document`'s stack under new names."""
    base = document["deployment"]["resources"]
    text = json.dumps(base)
    out: list[dict[str, Any]] = []
    copy_index = 0
    while len(out) < target:
        # Rename every URN and id of this copy, so copies relate only among themselves.
        replaced = text.replace("::webmodel::", f"::webmodel{copy_index}::")
        replaced = _AWS_ID.sub(rf"\g<1>-c{copy_index}x", replaced)
        out.extend(json.loads(replaced))
        copy_index += 1
    result = copy.deepcopy(document)
    result["deployment"]["resources"] = out[:target]
    return result


def shared_ids(document: dict[str, Any], target: int) -> dict[str, Any]:
    """About `target` resources: copies of `document`'s stack under new URNs, same AWS IDs
    (as when one account's stack is exported under several names)."""
    base = document["deployment"]["resources"]
    text = json.dumps(base)
    out: list[dict[str, Any]] = []
    copy_index = 0
    while len(out) < target:
        out.extend(json.loads(text.replace("::webmodel::", f"::webmodel{copy_index}::")))
        copy_index += 1
    return _with_resources(document, out[:target])


_URN = "urn:pulumi:prod::webmodel::{type}::{name}"


def _resource(type_token: str, name: str, outputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "urn": _URN.format(type=type_token, name=name),
        "custom": True,
        "id": outputs.get("id", ""),
        "type": type_token,
        "inputs": {},
        "outputs": outputs,
    }


def one_vpc_many_subnets(target: int) -> dict[str, Any]:
    """One VPC with `target` subnets, alternately public and private, each associated with its
    tier's route table, and a database whose subnet group names every private subnet and one
    public one (a violation that classifies every subnet)."""
    count = max(2, target // 2)
    resources = [
        _resource("aws:ec2/vpc:Vpc", "vpc", {"id": "vpc-1", "mainRouteTableId": "rtb-main"}),
        _resource("aws:ec2/internetGateway:InternetGateway", "igw", {"id": "igw-1"}),
        _resource(
            "aws:ec2/routeTable:RouteTable",
            "public",
            {"id": "rtb-pub", "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]},
        ),
        _resource("aws:ec2/routeTable:RouteTable", "private", {"id": "rtb-priv", "routes": []}),
    ]
    private: list[str] = []
    for index in range(count):
        tier = "pub" if index % 2 == 0 else "priv"
        subnet_id = f"subnet-{index:x}"
        if tier == "priv":
            private.append(subnet_id)
        resources.append(
            _resource(
                "aws:ec2/subnet:Subnet",
                f"s{index}",
                {"id": subnet_id, "vpcId": "vpc-1", "mapPublicIpOnLaunch": False},
            )
        )
        resources.append(
            _resource(
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                f"a{index}",
                {"id": f"rtbassoc-{index:x}", "subnetId": subnet_id, "routeTableId": f"rtb-{tier}"},
            )
        )
    resources.append(
        _resource(
            "aws:rds/subnetGroup:SubnetGroup",
            "db",
            {"id": "db-subnets", "name": "db-subnets", "subnetIds": ["subnet-0", *private]},
        )
    )
    resources.append(
        _resource(
            "aws:rds/instance:Instance",
            "db",
            {"id": "db-1", "dbSubnetGroupName": "db-subnets", "publiclyAccessible": False},
        )
    )
    return _with_resources({"version": 3, "deployment": {}}, resources)


def one_group_many_rules(target: int) -> dict[str, Any]:
    """One security group with `target` ingress rule resources (one in 50 open to the world)."""
    resources = [
        _resource("aws:ec2/securityGroup:SecurityGroup", "sg", {"id": "sg-1", "ingress": []})
    ]
    for index in range(target - 1):
        cidr = "0.0.0.0/0" if index % 50 == 0 else f"10.{index // 250 % 256}.{index % 250}.0/24"
        resources.append(
            _resource(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                f"r{index}",
                {
                    "id": f"sgr-{index:x}",
                    "securityGroupId": "sg-1",
                    "ipProtocol": "tcp",
                    "fromPort": 1000 + index % 60000,
                    "toPort": 1000 + index % 60000,
                    "cidrIpv4": cidr,
                },
            )
        )
    return _with_resources({"version": 3, "deployment": {}}, resources)


def _with_resources(document: dict[str, Any], resources: list[dict[str, Any]]) -> dict[str, Any]:
    result = {key: value for key, value in document.items() if key != "deployment"}
    deployment = {k: v for k, v in document["deployment"].items() if k != "resources"}
    result["deployment"] = {**deployment, "resources": resources}
    return result


SHAPE_SIZES = (2_000, 8_000)
PLAN_GOAL = 1.5
"""`preview --base` over the import floor (issue 11): the plan adds little to the preview."""

LINEAR_GOAL = 5.0
"""t(8k) / t(2k): 4 is linear; 5 leaves room for noise, quadratic gives ~16."""


def _shapes(document: dict[str, Any]) -> dict[str, Callable[[int], dict[str, Any]]]:
    return {
        "copies with their own IDs": lambda n: replicate(document, n),
        "copies sharing AWS IDs": lambda n: shared_ids(document, n),
        "one VPC, many subnets": one_vpc_many_subnets,
        "one security group, many rules": one_group_many_rules,
    }


def _verdict(ok: bool) -> str:
    return "meets goal" if ok else "MISSES GOAL"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preflight.bench")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (best is kept)")
    args = parser.parse_args(argv)
    python = sys.executable
    rows: list[tuple[str, str, str]] = []
    missed = judged_count = 0

    def judged(name: str, value: str, goal: str, ok: bool) -> None:
        nonlocal missed, judged_count
        missed += not ok
        judged_count += 1
        rows.append((name, value, f"{_verdict(ok)} ({goal})"))

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        modules, export = work / "modules.json", work / "prod.json"
        preview_cmd = [python, "-c", _RECORD_MODULES, str(modules), "preview", "--stack", "prod"]
        subprocess.run(
            [*preview_cmd, "--json", str(export)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            check=False,
        )
        preview = _timed([python, "-m", "preflight", "preview", "--stack", "prod"], args.runs)
        imports = _timed([python, "-c", _IMPORT_ONLY, str(modules)], args.runs)
        rows.append(("preview prod", f"{preview:.2f} s", ""))
        rows.append(("import its modules only", f"{imports:.2f} s", ""))
        judged("preview / import", f"{preview / imports:.2f}x", "<= 3x", preview / imports <= 3)
        plan_cmd = [python, "-m", "preflight", "preview", "--stack", "prod", "--base"]
        planned = _timed(
            [*plan_cmd, str(export), "--plan-json", str(work / "plan.json")], args.runs
        )
        rows.append(("preview prod --base (its own export)", f"{planned:.2f} s", ""))
        judged(
            "preview --base / import",
            f"{planned / imports:.2f}x",
            f"<= {PLAN_GOAL:g}x; the imports are the floor",
            planned / imports <= PLAN_GOAL,
        )

        document = json.loads(export.read_text(encoding="utf-8"))

        pack = load_pack(PROJECT_ROOT / "policies")
        config = PROJECT_ROOT / "policies" / "config" / "prod.json"

        def analyze(state: dict[str, Any], label: str) -> float:
            """CPU seconds to read and evaluate the state in this process (best of runs):
            CPU time, unlike wall time, hardly moves when other jobs share the machine."""
            path = work / f"{label}.json"
            path.write_text(json.dumps(state))
            best = float("inf")
            for _ in range(args.runs):
                gc.collect()
                start = time.process_time()
                evaluate(pack, read_export(path), stage="prod", config_file=config)
                best = min(best, time.process_time() - start)
            return best

        for name, build in _shapes(document).items():
            small, large = (analyze(build(n), f"{name}-{n}") for n in SHAPE_SIZES)
            rows.append((f"analyze {SHAPE_SIZES[0]:,}: {name}", f"{small:.2f} s", "CPU"))
            rows.append((f"analyze {SHAPE_SIZES[1]:,}: {name}", f"{large:.2f} s", "CPU"))
            ratio = large / max(small, 1e-9)
            judged(
                "  t(8k) / t(2k)",
                f"{ratio:.2f}x",
                f"<= {LINEAR_GOAL:g}x; 4x is linear",
                ratio <= LINEAR_GOAL,
            )
    width = max(len(r[0]) for r in rows)
    print(f"preflight bench (best of {args.runs} runs each, {sys.platform}, one run)")
    for name, value, note in rows:
        print(f"  {name.ljust(width)}  {value:>8}  {note}")
    print(f"{missed} of {judged_count} goals missed" if missed else "every goal met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
