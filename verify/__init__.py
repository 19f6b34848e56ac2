"""Post-deploy verification: check a deployed stack's live AWS resources against the
guarantees the policy pack enforces before deployment (private subnets, no public IPs,
the EB 4 KB environment-property limit, an internal model load balancer, a private,
encrypted and, where the stage's pack config makes it mandatory, multi-AZ database; for a
stack with a worker tier, a `Worker` environment reading the stack's encrypted queue, which
dead-letters into its encrypted DLQ).

`python -m verify --stack NAME [--outputs FILE] [--region R]`; exit 0 when every check
passes, 1 when a guarantee is broken, 2 on bad input or an AWS call that failed.

verify reuses the pack's own facts (what "the whole internet" is, the EB limit and how it
is counted, the policies' enforcement levels) instead of copying them. The pack lives in
`policies/` and is imported the way the Pulumi CLI loads it, with that folder on
`sys.path` (pytest's `pythonpath` does the same); the pack never imports verify.
"""

import sys
from pathlib import Path

PACK_DIR = Path(__file__).resolve().parent.parent / "policies"

if str(PACK_DIR) not in sys.path:
    sys.path.append(str(PACK_DIR))
