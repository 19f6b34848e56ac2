"""Suite-wide settings that must be in place before any test module imports moto."""

from __future__ import annotations

import os

# moto loads a few thousand default AMIs into every new EC2 backend (about 0.2 s each time);
# no test launches from a named public AMI, so the suite skips them.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
