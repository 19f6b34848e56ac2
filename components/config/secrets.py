"""Which config values may be `secure:`, what stands in for one preflight cannot decrypt, and
the one `aws:region` rule, checked before anything derives from the region.

Only the stack file says which leaf of an object is secure (the CLI hands the program just
"this key holds a secret"), so preflight applies these rules when it reads the file
(stackfile_rules.py hands them over), and loading.py again for the keys the CLI marks secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from components.config.aws_provider import unknown_region
from components.config.models import PROJECT
from components.config.roles import CONFIG_KEYS, ROLES

SECRET_FIELDS: Mapping[str, frozenset[str]] = {
    "database": frozenset({"snapshotIdentifier", "masterUsername"}),
    **{
        role: frozenset({"secrets", "certificateArn"} & {f.alias for f in fields.values()})
        for role, fields in ((role, spec.config.model_fields) for role, spec in ROLES.items())
    },
}
"""Per `webmodel:` key, the fields that may hold a `secure:` value. The program passes their
values on as secrets (`pulumi.Output.secret`), so every resource input, output and stack
output derived from them is encrypted in the checkpoint and shown as `[secret]`. Any other
field (CIDRs, counts, sizes, names, regexes) can never sensibly be secret and is refused;
`env` is refused with the advice to use `secrets` instead. docs/configuration.md lists it."""

AWS_REGION_PATTERN = re.compile(r"[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}")
"""An AWS region code: ap-northeast-2, us-gov-west-1, cn-north-1, eusc-de-east-1."""
AWS_REGION_MAX_LENGTH = 25


def region_problem(value: object) -> str | None:
    """Why `aws:region` is not a region code, or None. Checked before anything derives from
    it (ARNs, RDS and EB host names in the 4 KB budget), so the error names `aws:region`."""
    if not isinstance(value, str):
        return "must be a string, an AWS region code like ap-northeast-2"
    if len(value) > AWS_REGION_MAX_LENGTH or not AWS_REGION_PATTERN.fullmatch(value):
        shown = value if len(value) <= 40 else f"{value[:40]}... ({len(value):,} characters)"
        return f"must be an AWS region code like ap-northeast-2 (got {shown!r})"
    return unknown_region(value)


def never_secret_problem(full_key: str) -> str:
    return (
        f"{full_key}: cannot be secret (secure:); it is not sensitive and the program and "
        "the policies need its plain value. Set it with `pulumi config set` (no --secret)"
    )


def _path_label(path: Sequence[str]) -> str:
    return "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in path)


def secure_value_problem(section: str, path: Sequence[str]) -> str | None:
    """Why a `secure:` value at `webmodel:<section><path>` is refused, or None when allowed."""
    full_key = f"{PROJECT}:{section}{_path_label(path)}"
    if section not in CONFIG_KEYS:
        return None  # an unknown key: refused by name when the config is parsed
    if section in ROLES and path[:1] == ("env",):
        return (
            f"{full_key}: a secret must not be a plain environment property (anyone with "
            "elasticbeanstalk:Describe* can read those); put it in Secrets Manager or SSM "
            f"Parameter Store and list its ARN under {PROJECT}:{section}.secrets"
        )
    allowed = SECRET_FIELDS.get(section, frozenset())
    if not path:
        if not allowed:
            return never_secret_problem(full_key)
        fields = ", ".join(f"{full_key}.{name}" for name in sorted(allowed))
        return (
            f"{full_key}: the whole object cannot be one secret; make only the fields that may "
            f"be secret secure ({fields}), e.g. `pulumi config set --secret --path "
            f"'{full_key}.{sorted(allowed)[0]}' VALUE`"
        )
    if path[0] in allowed:
        return None
    return never_secret_problem(full_key)


def secret_stand_in(section: str, path: Sequence[str], digest: str, region: str) -> str:
    """A deterministic value of the right shape for a secret that is known only as ciphertext
    (preflight has no secrets provider), so the rest of the config can still be checked."""
    field = path[0] if path else ""
    if field == "certificateArn":
        uuid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        return f"arn:aws:acm:{region}:000000000000:certificate/{uuid}"
    if field == "secrets":
        return f"arn:aws:secretsmanager:{region}:000000000000:secret:preflight-{digest[:16]}"
    if field == "masterUsername":
        return f"u{digest[:15]}"
    return generic_stand_in(digest)


def generic_stand_in(digest: str) -> str:
    """The stand-in of a secret whose shape nothing here knows."""
    return f"preflight-secret-{digest[:16]}"
