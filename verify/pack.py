"""The one place verify reads the policy pack's facts from: what an internet gateway is,
the Elastic Beanstalk environment-property budget and how it is counted, and the policies
(names and declared enforcement levels) the stage config tunes. Nothing here is copied; if
the pack moves one of these, only this module changes."""

from __future__ import annotations

from awsfacts.ec2 import is_internet_gateway_id
from guardrails import POLICIES
from guardrails.envprops import LIMIT_BYTES, EnvSize, describe_biggest, measure
from guardrails.settings import ENV_PROPERTIES_NS

__all__ = [
    "ENV_PROPERTIES_NS",
    "LIMIT_BYTES",
    "POLICIES",
    "EnvSize",
    "describe_biggest",
    "is_internet_gateway_id",
    "measure",
]
