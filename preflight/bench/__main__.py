"""Entry point: `python -m preflight.bench`."""

import sys

from preflight.bench.measure import main

sys.exit(main())
