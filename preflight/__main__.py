"""Entry point: `python -m preflight preview|analyze ...`."""

import sys

from preflight.cli import main

sys.exit(main())
