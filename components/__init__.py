"""The program's ComponentResources, their flat Args, and the typed stack config (`config/`).

The components read AWS facts (EB's 4 KB limit and option namespaces, SQS's limits) from the
policy pack's `awsfacts`, the very objects the pack judges with. The pack lives in `policies/`
and must stay publishable on its own, so it is imported the way the Pulumi CLI loads it: with
that folder on `sys.path` (as verify does, and pytest's `pythonpath`). The pack never imports
the components.
"""

import sys
from pathlib import Path

PACK_DIR = Path(__file__).resolve().parent.parent / "policies"

if str(PACK_DIR) not in sys.path:
    sys.path.append(str(PACK_DIR))
