"""Amazon SQS limits the program's queue and verify's checks both rely on (standard library
only, like every `awsfacts` module)."""

from __future__ import annotations

from typing import Final

MAX_VISIBILITY_SECONDS: Final = 43200
"""A queue's longest visibility timeout (12 hours)."""
MIN_RETENTION_SECONDS: Final = 60
"""A queue's shortest message retention (one minute)."""
MAX_RETENTION_SECONDS: Final = 1209600
"""A queue's longest message retention (14 days)."""
MAX_RECEIVE_COUNT: Final = 1000
"""The largest maxReceiveCount of a redrive policy."""
