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

from components.base import Component
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


class Network(Component):
    """VPC, subnets per tier and AZ, routing, NAT, flow logs, S3 gateway endpoint.

    Outputs: `vpc_id`, `vpc_cidr_block`, `availability_zones` (plain names),
    `public_subnet_ids`, `private_subnet_ids`, `isolated_subnet_ids` (lists in AZ order),
    `nat_gateway_ids`.
    """

    type_token = "webmodel:network:Network"
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
        super().__init__(name, opts)
        self._name, self._args = name, args
        self.availability_zones = self._zones()
        self.vpc_cidr_block = args.cidr_block

        vpc, igw = self._vpc()
        subnets = {tier: self._subnets(vpc, tier) for tier in TIERS}
        self._public_routes(vpc, igw, subnets["public"])
        nats = self._nat_gateways(igw, subnets["public"])
        private_tables = self._private_routes(vpc, nats, subnets["private"])
        isolated_table = self._isolated_routes(vpc, subnets["isolated"])
        self._s3_endpoint(vpc, [*private_tables, isolated_table])
        self._flow_logs(vpc)

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

    def _tags(self, label: str, **more: str) -> dict[str, str]:
        """The caller's tags, the child's `Name` (`<network>-<label>`) and `more`."""
        return {**self._args.tags, "Name": f"{self._name}-{label}", **more}

    def _zones(self) -> list[str]:
        """The first N regular AZs by name: Local and Wavelength Zones need opt-in and lack
        most services."""
        zones = aws.get_availability_zones(
            state="available",
            filters=[
                aws.GetAvailabilityZonesFilterArgs(
                    name="opt-in-status", values=["opt-in-not-required"]
                )
            ],
            opts=self.invoke_opts,
        )
        names, wanted = sorted(zones.names), self._args.availability_zone_count
        if len(names) < wanted:
            raise ValueError(
                f"{self._name}: {wanted} availability zones requested, "
                f"the region offers {len(names)}: {', '.join(names)}"
            )
        return names[:wanted]

    def _vpc(self) -> tuple[aws.ec2.Vpc, aws.ec2.InternetGateway]:
        """The VPC, its default security group stripped of every rule (so nothing attached to
        it by accident can talk freely), and its internet gateway."""
        name = self._name
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=self._args.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self._tags("vpc"),
            opts=self.child_opts,
        )
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags=self._tags("default-deny"),
            opts=self.child_opts,
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags=self._tags("igw"), opts=self.child_opts
        )
        return vpc, igw

    def _subnets(self, vpc: aws.ec2.Vpc, tier: str) -> list[aws.ec2.Subnet]:
        """One subnet of `tier` per AZ, at its fixed slot; only public ones map public IPs."""
        return [
            aws.ec2.Subnet(
                f"{self._name}-{tier}-{zone}",
                vpc_id=vpc.id,
                availability_zone=zone,
                cidr_block=self._args.subnet_cidr(tier, index),
                map_public_ip_on_launch=tier == "public",
                tags=self._tags(f"{tier}-{zone}", tier=tier),
                opts=self.child_opts,
            )
            for index, zone in enumerate(self.availability_zones)
        ]

    def _route_table(self, vpc: aws.ec2.Vpc, label: str, tag: str) -> aws.ec2.RouteTable:
        return aws.ec2.RouteTable(
            f"{self._name}-{label}", vpc_id=vpc.id, tags=self._tags(tag), opts=self.child_opts
        )

    def _associate(self, label: str, subnet: aws.ec2.Subnet, table: aws.ec2.RouteTable) -> None:
        aws.ec2.RouteTableAssociation(
            f"{self._name}-{label}",
            subnet_id=subnet.id,
            route_table_id=table.id,
            opts=self.child_opts,
        )

    def _public_routes(
        self, vpc: aws.ec2.Vpc, igw: aws.ec2.InternetGateway, subnets: list[aws.ec2.Subnet]
    ) -> None:
        """One table for every public subnet, its default route to the internet gateway."""
        table = self._route_table(vpc, "public-rt", "public")
        aws.ec2.Route(
            f"{self._name}-public-internet",
            route_table_id=table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=self.child_opts,
        )
        for subnet, zone in zip(subnets, self.availability_zones, strict=True):
            self._associate(f"public-{zone}", subnet, table)

    def _nat_gateways(
        self, igw: aws.ec2.InternetGateway, public: list[aws.ec2.Subnet]
    ) -> list[aws.ec2.NatGateway]:
        """A NAT gateway with its Elastic IP in the first AZ's public subnet, or in each."""
        per_az = self._args.nat_gateways == "per_az"
        zones = self.availability_zones if per_az else self.availability_zones[:1]
        nats: list[aws.ec2.NatGateway] = []
        for index, zone in enumerate(zones):
            label = f"nat-{zone}"
            eip = aws.ec2.Eip(
                f"{self._name}-{label}", domain="vpc", tags=self._tags(label), opts=self.child_opts
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{self._name}-{label}",
                    allocation_id=eip.id,
                    subnet_id=public[index].id,
                    connectivity_type="public",
                    tags=self._tags(label),
                    opts=self.child_opts_with(depends_on=[igw]),
                )
            )
        return nats

    def _private_routes(
        self, vpc: aws.ec2.Vpc, nats: list[aws.ec2.NatGateway], subnets: list[aws.ec2.Subnet]
    ) -> list[aws.ec2.RouteTable]:
        """A table per private subnet, its default route to its AZ's NAT gateway (or the one)."""
        per_az = self._args.nat_gateways == "per_az"
        tables: list[aws.ec2.RouteTable] = []
        for index, (subnet, zone) in enumerate(zip(subnets, self.availability_zones, strict=True)):
            table = self._route_table(vpc, f"private-{zone}-rt", f"private-{zone}")
            aws.ec2.Route(
                f"{self._name}-private-{zone}-nat",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats[index if per_az else 0].id,
                opts=self.child_opts,
            )
            self._associate(f"private-{zone}", subnet, table)
            tables.append(table)
        return tables

    def _isolated_routes(
        self, vpc: aws.ec2.Vpc, subnets: list[aws.ec2.Subnet]
    ) -> aws.ec2.RouteTable:
        """One table for every isolated subnet, with no route out of the VPC."""
        table = self._route_table(vpc, "isolated-rt", "isolated")
        for subnet, zone in zip(subnets, self.availability_zones, strict=True):
            self._associate(f"isolated-{zone}", subnet, table)
        return table

    def _s3_endpoint(self, vpc: aws.ec2.Vpc, tables: list[aws.ec2.RouteTable]) -> None:
        """S3 through a gateway endpoint: platform bundles, logs and image layers stay off NAT."""
        aws.ec2.VpcEndpoint(
            f"{self._name}-s3",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{self.aws_context.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in tables],
            tags=self._tags("s3"),
            opts=self.child_opts,
        )

    def _flow_logs(self, vpc: aws.ec2.Vpc) -> None:
        """All VPC traffic (accepted and rejected) to a CloudWatch Logs group."""
        name, where = self._name, self.aws_context
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name_prefix=f"/vpc/{name}-flow-logs-",
            retention_in_days=self._args.flow_log_retention_days,
            opts=self.child_opts,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            description="Lets VPC Flow Logs deliver to its CloudWatch Logs group",
            assume_role_policy=trust_policy(
                "vpc-flow-logs.amazonaws.com",
                {
                    "StringEquals": {"aws:SourceAccount": where.account_id},
                    "ArnLike": {"aws:SourceArn": where.arn("ec2", "vpc-flow-log/*")},
                },
            ),
            opts=self.child_opts,
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
            opts=self.child_opts,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=self._tags("flow-log"),
            opts=self.child_opts,
        )
