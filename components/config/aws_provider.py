"""What the AWS side accepts under `aws:` in a stack file: the AWS provider's own config keys
and the regions AWS has. Read from the installed packages, never copied: the keys from the
pulumi-aws SDK's `config/vars.py` (parsed, not imported: reading config imports no Pulumi),
the regions from botocore's endpoint data (`botocore/data/endpoints.json`, every partition).

The Pulumi CLI itself accepts any `aws:` key and any region-shaped string: a typo like
`aws:profil` reaches the provider, which fails its config check at `pulumi up` (or, for a key
it ignores, silently uses its default), and `ap-northeast-9` fails at the first AWS call. The
program refuses both at the start, naming the key.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from components.config.errors import closest

_CONFIG_GET = re.compile(r"__config__\.get(?:_bool|_int|_float|_object)?\('([A-Za-z0-9]+)'")


@functools.cache
def provider_keys() -> frozenset[str]:
    """The AWS provider's config keys (`aws:<key>`), as the installed pulumi-aws SDK reads
    them; empty when the SDK is not installed (nothing is refused then)."""
    try:
        files = importlib.metadata.files("pulumi-aws") or []
    except importlib.metadata.PackageNotFoundError:
        return frozenset()
    source = next((f for f in files if str(f).endswith("config/vars.py")), None)
    if source is None:
        return frozenset()
    return frozenset(_CONFIG_GET.findall(Path(str(source.locate())).read_text(encoding="utf-8")))


@functools.cache
def regions() -> frozenset[str]:
    """Every region of every AWS partition in botocore's endpoint data (empty without it)."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        return frozenset()
    data = json.loads((Path(spec.origin).parent / "data" / "endpoints.json").read_text("utf-8"))
    return frozenset(region for p in data["partitions"] for region in p.get("regions", {}))


def unknown_region(region: str) -> str | None:
    """Why a region-shaped code is no region AWS has, or None."""
    known = regions()
    if not known or region in known:
        return None
    return (
        f"must be a region AWS has; {region!r} is none of the {len(known)} in botocore's "
        f"endpoint data{closest(region, sorted(known))}"
    )


def provider_key_problems(values: Mapping[str, Any]) -> list[str]:
    """`aws:` keys the AWS provider does not read, each named with the closest one it does."""
    known = provider_keys()
    if not known:
        return []
    names = sorted(f"aws:{k}" for k in known)
    return [
        f"{key}: not a config key of the AWS provider{closest(key, names)}; it reads "
        f"{len(names)} keys (pulumi-aws's configuration reference lists them)"
        for key in sorted(values)
        if key.startswith("aws:") and key[4:] not in known
    ]
