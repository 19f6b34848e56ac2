"""VPC rules beyond subnet placement (which the Beanstalk and RDS rules check)."""

from __future__ import annotations

from typing import Final

from awsfacts.ec2 import VPC

from .common import ADVISORY, stack_policy
from .stack_index import References
from .subnets import Network

FLOW_LOG: Final = "aws:ec2/flowLog:FlowLog"


def _flow_logs(network: Network) -> list[tuple[str, str | None]]:
    logs = References(network.of_type(FLOW_LOG), "vpcId")
    results: list[tuple[str, str | None]] = []
    for vpc in network.of_type(VPC):
        if not logs.any_refers(network, vpc):
            results.append(
                (
                    f"{vpc.label}: no aws:ec2/flowLog:FlowLog records its traffic; add a flow "
                    "log (trafficType ALL) to CloudWatch Logs or S3 for incident response",
                    vpc.urn,
                )
            )
    return results


POLICIES = [
    stack_policy(
        "vpc-flow-logs-enabled",
        "Every VPC has a flow log.",
        _flow_logs,
        ADVISORY,
    ),
]
