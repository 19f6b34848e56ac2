"""States for the bench and the scaling tests: copies of a stack's export (with their own AWS IDs
or sharing them), one VPC with thousands of subnets, one security group with thousands of rules."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

_AWS_ID = re.compile(r"(?<![A-Za-z0-9])(vpc|subnet|sg|rtb|igw|nat|eipalloc|e)-(?=[0-9a-f])")
"""The start of an AWS resource ID, wherever it stands (also inside 'a,b' lists)."""


def replicate(document: dict[str, Any], target: int) -> dict[str, Any]:
    """A state of about `target` resources: copies of `document`'s stack under new names."""
    base = document["deployment"]["resources"]
    text = json.dumps(base)
    out: list[dict[str, Any]] = []
    copy_index = 0
    while len(out) < target:
        # Rename every URN and id of this copy, so copies relate only among themselves.
        replaced = text.replace("::webmodel::", f"::webmodel{copy_index}::")
        replaced = _AWS_ID.sub(rf"\g<1>-c{copy_index}x", replaced)
        out.extend(json.loads(replaced))
        copy_index += 1
    result = copy.deepcopy(document)
    result["deployment"]["resources"] = out[:target]
    return result


def shared_ids(document: dict[str, Any], target: int) -> dict[str, Any]:
    """About `target` resources: copies of `document`'s stack under new URNs, same AWS IDs
    (as when one account's stack is exported under several names)."""
    base = document["deployment"]["resources"]
    text = json.dumps(base)
    out: list[dict[str, Any]] = []
    copy_index = 0
    while len(out) < target:
        out.extend(json.loads(text.replace("::webmodel::", f"::webmodel{copy_index}::")))
        copy_index += 1
    return _with_resources(document, out[:target])


_URN = "urn:pulumi:prod::webmodel::{type}::{name}"


def _resource(type_token: str, name: str, outputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "urn": _URN.format(type=type_token, name=name),
        "custom": True,
        "id": outputs.get("id", ""),
        "type": type_token,
        "inputs": {},
        "outputs": outputs,
    }


def one_vpc_many_subnets(target: int) -> dict[str, Any]:
    """One VPC with `target` subnets, alternately public and private, each associated with its
    tier's route table, and a database whose subnet group names every private subnet and one
    public one (a violation that classifies every subnet)."""
    count = max(2, target // 2)
    resources = [
        _resource("aws:ec2/vpc:Vpc", "vpc", {"id": "vpc-1", "mainRouteTableId": "rtb-main"}),
        _resource("aws:ec2/internetGateway:InternetGateway", "igw", {"id": "igw-1"}),
        _resource(
            "aws:ec2/routeTable:RouteTable",
            "public",
            {"id": "rtb-pub", "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]},
        ),
        _resource("aws:ec2/routeTable:RouteTable", "private", {"id": "rtb-priv", "routes": []}),
    ]
    private: list[str] = []
    for index in range(count):
        tier = "pub" if index % 2 == 0 else "priv"
        subnet_id = f"subnet-{index:x}"
        if tier == "priv":
            private.append(subnet_id)
        resources.append(
            _resource(
                "aws:ec2/subnet:Subnet",
                f"s{index}",
                {"id": subnet_id, "vpcId": "vpc-1", "mapPublicIpOnLaunch": False},
            )
        )
        resources.append(
            _resource(
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                f"a{index}",
                {"id": f"rtbassoc-{index:x}", "subnetId": subnet_id, "routeTableId": f"rtb-{tier}"},
            )
        )
    resources.append(
        _resource(
            "aws:rds/subnetGroup:SubnetGroup",
            "db",
            {"id": "db-subnets", "name": "db-subnets", "subnetIds": ["subnet-0", *private]},
        )
    )
    resources.append(
        _resource(
            "aws:rds/instance:Instance",
            "db",
            {"id": "db-1", "dbSubnetGroupName": "db-subnets", "publiclyAccessible": False},
        )
    )
    return _with_resources({"version": 3, "deployment": {}}, resources)


def one_group_many_rules(target: int) -> dict[str, Any]:
    """One security group with `target` ingress rule resources (one in 50 open to the world)."""
    resources = [
        _resource("aws:ec2/securityGroup:SecurityGroup", "sg", {"id": "sg-1", "ingress": []})
    ]
    for index in range(target - 1):
        cidr = "0.0.0.0/0" if index % 50 == 0 else f"10.{index // 250 % 256}.{index % 250}.0/24"
        resources.append(
            _resource(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                f"r{index}",
                {
                    "id": f"sgr-{index:x}",
                    "securityGroupId": "sg-1",
                    "ipProtocol": "tcp",
                    "fromPort": 1000 + index % 60000,
                    "toPort": 1000 + index % 60000,
                    "cidrIpv4": cidr,
                },
            )
        )
    return _with_resources({"version": 3, "deployment": {}}, resources)


def _with_resources(document: dict[str, Any], resources: list[dict[str, Any]]) -> dict[str, Any]:
    result = {key: value for key, value in document.items() if key != "deployment"}
    deployment = {k: v for k, v in document["deployment"].items() if k != "resources"}
    result["deployment"] = {**deployment, "resources": resources}
    return result
