"""The simulated account's answers for the network: VPC, subnets, gateways, routes, security
groups and their rules, endpoints, flow logs and their log group."""

from __future__ import annotations

from typing import Any

from preflight.simulate.naming import AZ_LETTERS, Account, Shaper, autoname, digest, hexid


def _vpc(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("vpc", seed)
    s.update(
        arn=aws.arn("ec2", f"vpc/{rid}"),
        defaultSecurityGroupId=hexid("sg", seed[::-1]),
        defaultRouteTableId=hexid("rtb", seed[::-1]),
        mainRouteTableId=hexid("rtb", seed[::-1]),
        defaultNetworkAclId=hexid("acl", seed[::-1]),
        ownerId=aws.account_id,
    )
    s.setdefault("enableDnsSupport", True)
    s.setdefault("enableDnsHostnames", False)
    s.setdefault("instanceTenancy", "default")
    return rid


def _subnet(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("subnet", seed)
    s.setdefault("mapPublicIpOnLaunch", False)
    s.update(arn=aws.arn("ec2", f"subnet/{rid}"), ownerId=aws.account_id)
    az = s.get("availabilityZone")
    if az:
        s["availabilityZoneId"] = f"apne2-az{AZ_LETTERS.index(str(az)[-1]) + 1}"
    return rid


def _prefixed(prefix: str, service: str = "ec2", kind: str = "") -> Shaper:
    def shape(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
        rid = hexid(prefix, seed)
        if kind:
            s["arn"] = aws.arn(service, f"{kind}/{rid}")
        s.setdefault("ownerId", aws.account_id)
        return rid

    return shape


def _eip(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("eipalloc", seed)
    octets = [int(seed[i : i + 2], 16) for i in (0, 2)]
    s.update(
        allocationId=rid,
        publicIp=f"3.34.{octets[0]}.{octets[1]}",
        publicDns=f"ec2-3-34-{octets[0]}-{octets[1]}.{aws.region}.compute.amazonaws.com",
        domain=s.get("domain") or "vpc",
        arn=aws.arn("ec2", f"elastic-ip/{rid}"),
    )
    return rid


def _nat(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("nat", seed)
    s.setdefault("connectivityType", "public")
    s["networkInterfaceId"] = hexid("eni", seed)
    return rid


def _route(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    destination = s.get("destinationCidrBlock") or s.get("destinationIpv6CidrBlock") or ""
    number = int(digest(str(destination))[:8], 16)
    s.setdefault("origin", "CreateRoute")
    s.setdefault("state", "active")
    return f"r-{s.get('routeTableId', '')}{number}"


def _association(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    return hexid("rtbassoc", seed)


def _security_group(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("sg", seed)
    autoname(s, "name", name, seed, limit=255)
    s.setdefault("ingress", [])
    s.setdefault("egress", [])
    s.setdefault("revokeRulesOnDelete", False)
    s.update(arn=aws.arn("ec2", f"security-group/{rid}"), ownerId=aws.account_id)
    return rid


def _sg_rule_v2(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("sgr", seed)
    s.update(securityGroupRuleId=rid, arn=aws.arn("ec2", f"security-group-rule/{rid}"))
    return rid


def _sg_rule_v1(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    s["securityGroupRuleId"] = hexid("sgr", seed)
    return f"sgrule-{int(seed[:8], 16)}"


def _default_sg(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("sg", seed)
    s.setdefault("ingress", [])
    s.setdefault("egress", [])
    s.update(name="default", arn=aws.arn("ec2", f"security-group/{rid}"), ownerId=aws.account_id)
    return rid


def _vpc_endpoint(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("vpce", seed)
    s.setdefault("vpcEndpointType", "Gateway")
    s.update(
        arn=aws.arn("ec2", f"vpc-endpoint/{rid}"),
        prefixListId="pl-78a54011",
        state="available",
        ownerId=aws.account_id,
    )
    return rid


def _flow_log(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = hexid("fl", seed)
    s["arn"] = aws.arn("ec2", f"vpc-flow-log/{rid}")
    return rid


def _log_group(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    group = autoname(s, "name", name, seed, limit=512)
    s["arn"] = aws.arn("logs", f"log-group:{group}")
    return group


NETWORK_SHAPERS: dict[str, Shaper] = {
    "aws:ec2/internetGateway:InternetGateway": _prefixed("igw", "ec2", "internet-gateway"),
    "aws:ec2/routeTable:RouteTable": _prefixed("rtb", "ec2", "route-table"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule_v2,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule_v2,
    "aws:ec2/securityGroupRule:SecurityGroupRule": _sg_rule_v1,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/route:Route": _route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _association,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _default_sg,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": _flow_log,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
}
