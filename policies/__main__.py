"""Entry point the Pulumi CLI runs: build the pack from the importable rule modules.

`PolicyPack(...)` starts the analyzer gRPC server and blocks, so nothing else belongs here.
"""

from guardrails import PACK_DESCRIPTION, PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description=PACK_DESCRIPTION,
)
