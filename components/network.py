"""A VPC with three subnet tiers over N availability zones.

- public: the internet-facing load balancer and the NAT gateways; the only tier that maps
  public IPs on launch and routes 0.0.0.0/0 to the internet gateway.
- private (app): Elastic Beanstalk instances and the internal load balancer; egress through NAT.
- isolated (data): the database; no route out of the VPC at all.

Subnet CIDRs are fixed per (tier, AZ index), so adding an AZ never renumbers existing subnets.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.iam import policy_document, trust_policy
from components.rules import LOG_RETENTION_DAYS as FLOW_LOG_RETENTION_DAYS
from components.rules import (
    MAX_AZS,
    MIN_AZS,
    TIERS,
    retention_problem,
    subnet_layout_problem,
    vpc_cidr_problem,
)

__all__ = ["FLOW_LOG_RETENTION_DAYS", "MAX_AZS", "MIN_AZS", "TIERS", "Network", "NetworkArgs"]


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of `Network`; every impossible value is reported at once, at construction."""

    cidr_block: str
    """VPC IPv4 CIDR: a private (RFC 1918) range from /16 to /20, e.g. 10.20.0.0/16."""
    availability_zone_count: int
    """How many AZs (the first N available in the region, in name order), 2 to 4."""
    subnet_prefix_length: int
    """Prefix length of every subnet; the VPC must hold 3 tiers x 4 AZs of them."""
    nat_gateways: Literal["single", "per_az"]
    """One NAT gateway shared by all private subnets, or one per AZ."""
    flow_log_retention_days: int
    """CloudWatch Logs retention for the VPC flow logs (a period CloudWatch accepts)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags merged into every taggable child."""

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("invalid NetworkArgs: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Every invariant this network needs that the arguments break."""
        zones, nat = self.availability_zone_count, self.nat_gateways
        found = [
            vpc_cidr_problem(self.cidr_block, "cidr_block"),
            None
            if MIN_AZS <= zones <= MAX_AZS
            else f"availability_zone_count must be {MIN_AZS} to {MAX_AZS} (an RDS subnet group "
            f"spans at least two AZs), got {zones}",
            subnet_layout_problem(
                self.cidr_block, self.subnet_prefix_length, "subnet_prefix_length"
            ),
            None
            if nat in ("single", "per_az")
            else f"nat_gateways must be 'single' or 'per_az', got {nat!r}",
            retention_problem(self.flow_log_retention_days, "flow_log_retention_days"),
        ]
        return [problem for problem in found if problem]

    def subnet_cidr(self, tier: str, az_index: int) -> str:
        """Tier-major layout: public 0..3, private 4..7, isolated 8..11 (as /prefix blocks)."""
        network = ipaddress.IPv4Network(self.cidr_block)
        block_size = 2 ** (32 - self.subnet_prefix_length)
        slot = TIERS.index(tier) * MAX_AZS + az_index
        start = ipaddress.IPv4Address(int(network.network_address) + slot * block_size)
        return f"{start}/{self.subnet_prefix_length}"


class Network(pulumi.ComponentResource):
    """VPC, subnets per tier and AZ, routing, NAT, flow logs, S3 gateway endpoint.

    Outputs: `vpc_id`, `vpc_cidr_block`, `availability_zones` (plain names),
    `public_subnet_ids`, `private_subnet_ids`, `isolated_subnet_ids` (lists in AZ order),
    `nat_gateway_ids`.
    """

    vpc_id: pulumi.Output[str]
    vpc_cidr_block: str
    availability_zones: list[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    isolated_subnet_ids: pulumi.Output[list[str]]
    nat_gateway_ids: pulumi.Output[list[str]]

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webmodel:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)

        # Regular AZs only: Local and Wavelength Zones need opt-in and lack most services.
        zones = aws.get_availability_zones(
            state="available",
            filters=[
                aws.GetAvailabilityZonesFilterArgs(
                    name="opt-in-status", values=["opt-in-not-required"]
                )
            ],
            opts=invoke,
        )
        names = sorted(zones.names)
        if len(names) < args.availability_zone_count:
            raise ValueError(
                f"{name}: {args.availability_zone_count} availability zones requested, "
                f"the region offers {len(names)}: {', '.join(names)}"
            )
        self.availability_zones = names[: args.availability_zone_count]
        self.vpc_cidr_block = args.cidr_block
        region = aws.get_region(opts=invoke).region
        account_id = aws.get_caller_identity(opts=invoke).account_id
        partition = aws.get_partition(opts=invoke).partition

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={**args.tags, "Name": f"{name}-vpc"},
            opts=child,
        )
        # Adopt the VPC's default security group and strip every rule, so nothing can be
        # attached to it by accident and talk freely.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags={**args.tags, "Name": f"{name}-default-deny"},
            opts=child,
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={**args.tags, "Name": f"{name}-igw"}, opts=child
        )

        subnets: dict[str, list[aws.ec2.Subnet]] = {tier: [] for tier in TIERS}
        for tier in TIERS:
            for index, zone in enumerate(self.availability_zones):
                subnets[tier].append(
                    aws.ec2.Subnet(
                        f"{name}-{tier}-{zone}",
                        vpc_id=vpc.id,
                        availability_zone=zone,
                        cidr_block=args.subnet_cidr(tier, index),
                        map_public_ip_on_launch=tier == "public",
                        tags={**args.tags, "Name": f"{name}-{tier}-{zone}", "tier": tier},
                        opts=child,
                    )
                )

        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=vpc.id,
            tags={**args.tags, "Name": f"{name}-public"},
            opts=child,
        )
        aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        for subnet, zone in zip(subnets["public"], self.availability_zones, strict=True):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}",
                subnet_id=subnet.id,
                route_table_id=public_rt.id,
                opts=child,
            )

        nat_zones = (
            self.availability_zones
            if args.nat_gateways == "per_az"
            else self.availability_zones[:1]
        )
        nats: list[aws.ec2.NatGateway] = []
        for index, zone in enumerate(nat_zones):
            eip = aws.ec2.Eip(
                f"{name}-nat-{zone}",
                domain="vpc",
                tags={**args.tags, "Name": f"{name}-nat-{zone}"},
                opts=child,
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{zone}",
                    allocation_id=eip.id,
                    subnet_id=subnets["public"][index].id,
                    connectivity_type="public",
                    tags={**args.tags, "Name": f"{name}-nat-{zone}"},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )

        private_rts: list[aws.ec2.RouteTable] = []
        for index, (subnet, zone) in enumerate(
            zip(subnets["private"], self.availability_zones, strict=True)
        ):
            route_table = aws.ec2.RouteTable(
                f"{name}-private-{zone}-rt",
                vpc_id=vpc.id,
                tags={**args.tags, "Name": f"{name}-private-{zone}"},
                opts=child,
            )
            aws.ec2.Route(
                f"{name}-private-{zone}-nat",
                route_table_id=route_table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats[index if args.nat_gateways == "per_az" else 0].id,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}",
                subnet_id=subnet.id,
                route_table_id=route_table.id,
                opts=child,
            )
            private_rts.append(route_table)

        isolated_rt = aws.ec2.RouteTable(
            f"{name}-isolated-rt",
            vpc_id=vpc.id,
            tags={**args.tags, "Name": f"{name}-isolated"},
            opts=child,
        )
        for subnet, zone in zip(subnets["isolated"], self.availability_zones, strict=True):
            aws.ec2.RouteTableAssociation(
                f"{name}-isolated-{zone}",
                subnet_id=subnet.id,
                route_table_id=isolated_rt.id,
                opts=child,
            )

        # S3 through a gateway endpoint: platform bundles, logs and image layers stay off NAT.
        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in [*private_rts, isolated_rt]],
            tags={**args.tags, "Name": f"{name}-s3"},
            opts=child,
        )

        self._flow_logs(name, args, vpc, region, account_id, partition)

        self.vpc_id = vpc.id
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in subnets["public"]])
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in subnets["private"]])
        self.isolated_subnet_ids = pulumi.Output.all(*[s.id for s in subnets["isolated"]])
        self.nat_gateway_ids = pulumi.Output.all(*[nat.id for nat in nats])
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "availabilityZones": self.availability_zones,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
                "isolatedSubnetIds": self.isolated_subnet_ids,
                "natGatewayIds": self.nat_gateway_ids,
            }
        )

    def _flow_logs(
        self,
        name: str,
        args: NetworkArgs,
        vpc: aws.ec2.Vpc,
        region: str,
        account_id: str,
        partition: str,
    ) -> None:
        """All VPC traffic (accepted and rejected) to a CloudWatch Logs group."""
        child = pulumi.ResourceOptions(parent=self)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name_prefix=f"/vpc/{name}-flow-logs-",
            retention_in_days=args.flow_log_retention_days,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            description="Lets VPC Flow Logs deliver to its CloudWatch Logs group",
            assume_role_policy=trust_policy(
                "vpc-flow-logs.amazonaws.com",
                {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"
                    },
                },
            ),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.id,
            policy=log_group.arn.apply(
                lambda arn: policy_document(
                    {
                        "Effect": "Allow",
                        "Action": [
                            "logs:CreateLogStream",
                            "logs:PutLogEvents",
                            "logs:DescribeLogGroups",
                            "logs:DescribeLogStreams",
                        ],
                        "Resource": [arn, f"{arn}:*"],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={**args.tags, "Name": f"{name}-flow-log"},
            opts=child,
        )
