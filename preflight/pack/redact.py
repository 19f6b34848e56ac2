"""Secrets kept out of policy messages: every value a state held as secret is shown as
`[secret]` wherever a rule's message embeds it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

from preflight.export.state import StateResource

SECRET_SHOWN = "[secret]"


_MIN_BARE_SECRET = 4


_WORD = "A-Za-z0-9_"


def secret_redactor(resources: Iterable[StateResource]) -> Callable[[str], str]:
    """A function that replaces every secret value of `resources` in a message by `[secret]`.

    Rules embed property values in their messages (`show()`), and they see secrets unwrapped,
    so this is the one place where values that were secret get hidden again, for preview and
    analyze alike. Every secret counts, whether the export held it as ciphertext or, after
    `pulumi stack export --show-secrets`, as a plaintext envelope: the messages end up in CI
    logs and PR comments, which are often public, so a plaintext envelope is no permission to
    print. A value is matched quoted (`'v'`, `"v"`) at any length and bare when it has at
    least four characters and stands as a whole word (shorter bare matches would hit ordinary
    text such as ports or flags).
    """
    quoted: set[str] = set()
    bare: set[str] = set()
    for resource in resources:
        for value in resource.secret_values:
            if not value:
                continue
            quoted.update((repr(value), json.dumps(value), json.dumps(value, ensure_ascii=False)))
            if len(value) >= _MIN_BARE_SECRET:
                bare.add(value)
    if not quoted:
        return lambda text: text
    longest_first = sorted(quoted | bare, key=len, reverse=True)
    alternatives = [
        re.escape(form) if form in quoted else f"(?<![{_WORD}]){re.escape(form)}(?![{_WORD}])"
        for form in longest_first
    ]
    pattern = re.compile("|".join(alternatives))
    return lambda text: pattern.sub(SECRET_SHOWN, text)
