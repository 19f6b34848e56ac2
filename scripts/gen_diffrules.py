"""Generate preflight/plan/diffrules.json: what decides each AWS type's diff beyond force-new.

For every type in scripts/gen_forcenew.py's SOURCES, read from a local terraform-provider-aws
tree (scripts/go_rules.py): the top-level attributes that are Optional+Computed (left out of the
program, they keep the deployed value), the properties with a schema default (Check fills
them in, and reuses a deployed value when the base lists no `__defaults`), sets and their
hash functions, `DiffSuppressFunc`s, `StateFunc`s, framework custom types and plan
modifiers, and the conditional decisions of the
resource's `CustomizeDiff` or `ModifyPlan`. Names are Pulumi's (lowerCamelCase plus
pulumi-aws's renames). preflight/plan/provider.py models each recorded rule or names it as a
known limit; tests/preflight/test_diffrules.py fails when one is neither.

    python -m scripts.gen_diffrules TREE --repository REPO --ref REF --commit SHA \\
        > preflight/plan/diffrules.json

The tree must be that commit's files at their repository paths. No network.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from scripts.gen_forcenew import RENAMES, SOURCES, camel
from scripts.go_rules import Attribute, attribute_rules
from scripts.go_schema import attr_constants


def _pulumi(type_token: str, name: str) -> str:
    return RENAMES.get(type_token, {}).get(name, camel(name)) if name != "*" else "*"


def _type_entry(type_token: str, attributes: dict[str, Attribute]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    named = {_pulumi(type_token, k): v for k, v in attributes.items()}
    groups = {
        "optionalComputed": sorted(k for k, a in named.items() if a.optional and a.computed),
        "defaults": sorted(k for k, a in named.items() if a.default),
        "sets": {k: a.set_hash for k, a in sorted(named.items()) if a.set_hash},
        "suppress": {k: a.suppress for k, a in sorted(named.items()) if a.suppress},
        "normalise": {k: a.state_func for k, a in sorted(named.items()) if a.state_func},
        "customType": {k: a.custom_type for k, a in sorted(named.items()) if a.custom_type},
        "planModifiers": {
            k: a.plan_modifiers for k, a in sorted(named.items()) if a.plan_modifiers
        },
    }
    for key, value in groups.items():
        if value:
            entry[key] = value
    return entry


def generate(root: Path, repository: str, ref: str, commit: str) -> dict[str, Any]:
    consts = attr_constants(root)
    types: dict[str, Any] = {}
    read_from: dict[str, str] = {}
    for type_token, (source, resource) in sorted(SOURCES.items()):
        path = root / source
        if not path.is_file():
            raise SystemExit(f"gen_diffrules: {path}: not found; is {root} that tree?")
        try:
            rules = attribute_rules(path.read_text(encoding="utf-8"), consts, resource)
        except ValueError as err:
            raise SystemExit(f"gen_diffrules: {source}: {err}") from None
        entry = {"framework": rules.framework, **_type_entry(type_token, rules.attributes)}
        conditional = [
            {**c, "attribute": _pulumi(type_token, c["attribute"])} for c in rules.conditional
        ]
        if conditional:
            entry["conditional"] = [
                dict(t) for t in sorted({tuple(c.items()) for c in conditional})
            ]
        types[type_token] = entry
        read_from[type_token] = f"{source}@{commit[:12]}"
    return {
        "generator": "scripts/gen_diffrules.py",
        "upstream": {
            "repository": repository,
            "ref": ref,
            "commit": commit,
            "readFromSource": read_from,
        },
        "types": types,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("checkout", type=Path, help="terraform-provider-aws tree at --commit")
    parser.add_argument("--repository", required=True, help="where the tree comes from")
    parser.add_argument("--ref", required=True, help="the branch or tag of --commit")
    parser.add_argument("--commit", required=True, help="the commit the tree holds (40 hex)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[0-9a-f]{40}", args.commit):
        raise SystemExit("gen_diffrules: --commit must be a full 40-hex commit")
    document = generate(args.checkout, args.repository, args.ref, args.commit)
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
