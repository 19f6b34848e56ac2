"""The webmodel guardrails: the rules `policies/__main__.py` builds the pack from.

Importing this package has no side effects: it only defines policy objects. Rules look at
resource types, properties and references (IDs, names, `propertyDependencies`), never at
resource names or component types, so they judge any stack.

Elastic Beanstalk modules, by responsibility:
- `awsfacts.eb` (beside this package, shared with the program and verify): AWS facts (type
  tokens, option namespaces, the 4,096-byte limit and how `key=value` bytes are counted, key
  patterns, EB's defaults for unset options);
- `settings`: parsing `settings` lists (unknown, secret and ciphertext forms);
- `templates`: the settings an environment runs with (its own over its configuration
  template's), shared by every rule that reads settings, all of them stack rules;
- `envprops`: measuring properties and judging keys; `eb_properties`, `eb_options` and
  `beanstalk`: the rule bodies (properties; single options; placement and capacity), with
  `beanstalk.POLICIES` listing them all;
- `eb_ssh`: the SSH ingress EB opens on the security group it creates (`EC2KeyName`,
  `SSHSourceRestriction`), judged by `security_groups` and by the worker rule in `queues`;
- `slots`: blue/green (two environments of one role, and the DNS record that switches
  between them, related by `awsfacts.dns`).
Rules that cannot decide a fact raise `CannotCheck` with wording right for a preview (a value
"is not known yet (unknown during preview)") and for a saved state (a value "is encrypted in
the state"); see `common.unreadable`.
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import Policy

from . import (
    beanstalk,
    cost,
    database,
    network,
    queues,
    security_groups,
    slots,
    storage,
    versions,
)

PACK_NAME: Final = "webmodel-guardrails"
PACK_DESCRIPTION: Final = (
    "Private subnets, the Elastic Beanstalk 4 KB environment-property limit, and the "
    "guardrails around them (security groups, RDS, IMDSv2, prod safety)."
)

POLICIES: Final[list[Policy]] = [
    *beanstalk.POLICIES,
    *database.POLICIES,
    *security_groups.POLICIES,
    *network.POLICIES,
    *storage.POLICIES,
    *versions.POLICIES,
    *slots.POLICIES,
    *queues.POLICIES,
    *cost.POLICIES,
]
