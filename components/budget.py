"""Elastic Beanstalk's 4 KB limit on environment properties, counted the way EB counts it.

Pure functions, no Pulumi: the stack config checks the budget when it is built, the
`Environment` component checks it again for its own arguments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ENV_PROPERTY_LIMIT_BYTES = 4096
"""EB: "the combined size of all environment properties cannot exceed 4,096 bytes when stored
as strings with the format key=value"."""

ENV_KEY_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def property_bytes(key: str, value: str) -> int:
    """Size EB counts for one property: the UTF-8 bytes of `key=value`."""
    return len(f"{key}={value}".encode())


def budget_problem(
    full_key: str,
    plain: Mapping[str, str],
    reserved: Mapping[str, int],
    limit: int = ENV_PROPERTY_LIMIT_BYTES,
) -> str | None:
    """Why these properties would not fit EB's limit, or None when they fit.

    `plain` are the properties with known values; `reserved` are program-added ones, given as
    the longest value each can take. The message names property keys and sizes, never values.
    """
    sizes = {key: property_bytes(key, value) for key, value in plain.items()}
    sizes.update({key: len(key.encode()) + 1 + length for key, length in reserved.items()})
    total = sum(sizes.values())
    if total <= limit:
        return None
    biggest = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))[:5]
    listing = ", ".join(f"{key} ({size:,} B)" for key, size in biggest)
    program = (
        f", including {sum(len(k) + 1 + v for k, v in reserved.items()):,} B reserved for "
        f"{', '.join(sorted(reserved))} that the program adds"
        if reserved
        else ""
    )
    return (
        f"{full_key}: environment properties take {total:,} bytes as key=value strings, over "
        f"Elastic Beanstalk's limit of {limit:,} bytes{program}. Biggest: {listing}. Move large "
        f"or sensitive values to {full_key.rsplit('.', 1)[0]}.secrets (Secrets Manager or SSM "
        "Parameter Store ARNs, injected at boot and not counted toward the limit)."
    )
