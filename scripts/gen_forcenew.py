"""Generate preflight/plan/forcenew.json: the properties that force a new resource, per AWS type.

Reads a local copy of terraform-provider-aws sources (a checkout of hashicorp's or pulumi's fork,
or a tree of the files named in SOURCES saved at their repository paths) and, for every resource
type the program and the pack use (SOURCES, listed in scripts/forcenew_sources.json), collects
the top-level schema attributes marked `ForceNew: true` (SDKv2) or given a `RequiresReplace()`
plan modifier (plugin framework). Attribute names are converted to Pulumi's property names
(lowerCamelCase, with pulumi-aws's renames).

The schema read is the resource's own (scripts/go_schema.py): the function after the file's
`// @SDKResource("aws_...")` annotation (or the function its `Schema`/`SchemaFunc` names), and
the `Schema` method of a framework resource; other maps in the file (flatteners, data sources)
are never taken for the schema.

    python -m scripts.gen_forcenew TREE --version TAG [--provenance FILE] \
        > preflight/plan/forcenew.json

`--provenance FILE` is a JSON object mapping source paths (as in SOURCES) to the upstream commit
each file was read at, for a tree assembled file by file; the output then records, per type,
`path@commit` under `upstream.readFromSource`. Every source must be named in it.

No network: CI runs it against a tree it already has.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from scripts.go_schema import attr_constants, force_new

REPOSITORY = "github.com/hashicorp/terraform-provider-aws"

SOURCES_FILE = Path(__file__).with_name("forcenew_sources.json")
"""Every type's source as data, with a note where a type reads another type's file."""


def _load_sources() -> dict[str, tuple[str, str]]:
    listed = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))["sources"]
    return {type_token: (source, resource) for type_token, (source, resource) in listed.items()}


SOURCES: dict[str, tuple[str, str]] = _load_sources()
"""Pulumi type token -> (source file in the provider, Terraform resource name)."""

# pulumi-aws renames (provider/resources.go): Terraform attribute -> Pulumi property.
RENAMES: dict[str, dict[str, str]] = {
    "aws:acm/certificate:Certificate": {"validation_option": "validationOptions"},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"alarm_name": "name"},
    "aws:dynamodb/table:Table": {"local_secondary_index": "localSecondaryIndexes"},
    "aws:elasticbeanstalk/environment:Environment": {"setting": "settings"},
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _short(commit: str) -> str:
    """A git commit as its first 12 hex digits; any other revision note unchanged."""
    return commit[:12] if re.fullmatch(r"[0-9a-f]{40}", commit) else commit


def generate(
    root: Path, version: str, provenance: dict[str, str] | None = None
) -> dict[str, object]:
    consts = attr_constants(root)
    table: dict[str, list[str]] = {}
    read_from: dict[str, str] = {}
    derived: dict[str, str] = {}
    for type_token, (source, resource) in sorted(SOURCES.items()):
        path = root / source
        if not path.is_file():
            raise SystemExit(
                f"gen_forcenew: {path}: not found; is {root} a terraform-provider-aws tree?"
            )
        if provenance is not None:
            if source not in provenance:
                raise SystemExit(f"gen_forcenew: --provenance names no commit for {source}")
            read_from[type_token] = f"{source}@{_short(provenance[source])}"
        renames = RENAMES.get(type_token, {})
        try:
            attrs = force_new(path.read_text(encoding="utf-8"), consts, resource, derived)
        except ValueError as err:
            raise SystemExit(f"gen_forcenew: {source}: {err}") from None
        table[type_token] = sorted(renames.get(a, camel(a)) for a in attrs)
    upstream: dict[str, object] = {"repository": REPOSITORY, "version": version}
    if provenance is not None:
        upstream["readFromSource"] = read_from
    if derived:
        upstream["derivedConstants"] = dict(sorted(derived.items()))
    return {"upstream": upstream, "generator": "scripts/gen_forcenew.py", "forceNew": table}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("checkout", type=Path, help="terraform-provider-aws checkout or tree")
    parser.add_argument("--version", required=True, help="the sources' tag or commit, recorded")
    parser.add_argument(
        "--provenance",
        type=Path,
        help="JSON object: source path -> commit it was read at (recorded per type)",
    )
    args = parser.parse_args(argv)
    provenance: dict[str, str] | None = None
    if args.provenance is not None:
        loaded = json.loads(args.provenance.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
        ):
            raise SystemExit(f"gen_forcenew: {args.provenance}: not an object of path -> commit")
        provenance = loaded
    document = generate(args.checkout, args.version, provenance)
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
