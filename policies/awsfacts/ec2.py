"""EC2 and VPC facts the network rules rely on, in one place.

Resource type tokens, what "the whole internet" is as a CIDR, and what an internet gateway's
ID looks like. Like `awsfacts.eb`, the module imports only the standard library, so any tool
can read it (verify takes `is_world` and `is_internet_gateway_id` from here).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final

SUBNET: Final = "aws:ec2/subnet:Subnet"
VPC: Final = "aws:ec2/vpc:Vpc"
ROUTE_TABLE: Final = "aws:ec2/routeTable:RouteTable"
DEFAULT_ROUTE_TABLE: Final = "aws:ec2/defaultRouteTable:DefaultRouteTable"
ROUTE: Final = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION: Final = "aws:ec2/routeTableAssociation:RouteTableAssociation"
MAIN_ROUTE_TABLE_ASSOCIATION: Final = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"
INTERNET_GATEWAY: Final = "aws:ec2/internetGateway:InternetGateway"
INTERNET_GATEWAY_ATTACHMENT: Final = "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment"

SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP: Final = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"
MANAGED_PREFIX_LIST: Final = "aws:ec2/managedPrefixList:ManagedPrefixList"
MANAGED_PREFIX_LIST_ENTRY: Final = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"

TABLE_TYPES: Final = (ROUTE_TABLE, DEFAULT_ROUTE_TABLE)
IGW_TYPES: Final = (INTERNET_GATEWAY, INTERNET_GATEWAY_ATTACHMENT)


def is_internet_gateway_id(gateway: Any) -> bool:
    """An internet gateway's ID (`igw-...`): a route to one makes a subnet public, whatever
    its destination ("Public subnet - The subnet has a direct route to an internet gateway",
    VPC User Guide, "Subnets for your VPC"). An egress-only internet gateway is `eigw-`."""
    return isinstance(gateway, str) and gateway.startswith("igw-")


def is_world(cidr: Any) -> bool:
    """`0.0.0.0/0` or `::/0` in any spelling AWS accepts (e.g. `0:0:0:0:0:0:0:0/0`)."""
    if not isinstance(cidr, str) or "/" not in cidr:
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False
