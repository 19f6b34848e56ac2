"""Entry point: `python -m preflight preview|analyze ...`."""

import sys

from .cli import main

sys.exit(main())
