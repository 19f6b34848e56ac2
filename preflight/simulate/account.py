"""A simulated AWS account behind Pulumi's mock monitor.

It plays the part the AWS provider plays in a real deployment: it answers the data-source
calls the program makes and returns, for each resource, the outputs AWS would compute
(ids, ARNs, endpoints, auto-generated names). Every value is derived from the resource's
type, logical name and stack, so two runs with the same program give the same values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from preflight.simulate.check import AUTONAMED, Checked, check
from preflight.simulate.deployment import map_leaves
from preflight.simulate.existing import Existing
from preflight.simulate.naming import AZ_LETTERS, Shaper, digest, one_or_many
from preflight.simulate.network_shapes import NETWORK_SHAPERS
from preflight.simulate.queue_shapes import SHAPERS as SQS_SHAPERS
from preflight.simulate.service_shapes import SERVICE_SHAPERS

# Newest first, as `aws elasticbeanstalk list-available-solution-stacks` lists them.
SOLUTION_STACKS: tuple[str, ...] = (
    "64bit Amazon Linux 2023 v4.5.2 running Docker",
    "64bit Amazon Linux 2023 v4.5.1 running Docker",
    "64bit Amazon Linux 2023 v4.4.4 running ECS",
    "64bit Amazon Linux 2 v4.1.3 running Docker",
    "64bit Amazon Linux 2023 v4.6.1 running Python 3.12",
    "64bit Amazon Linux 2023 v4.6.1 running Python 3.11",
    "64bit Amazon Linux 2023 v6.5.1 running Node.js 22",
)


# Canonical hosted zone of application load balancers per region (Route 53 alias targets).
ALB_ZONE_IDS: dict[str, str] = {
    "ap-northeast-2": "ZWKZPGTI48KDX",
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
}


class SimulationError(Exception):
    """A call the simulated account cannot answer, with what the program asked for."""


class SimulatedAws(pulumi.runtime.Mocks):
    """Deterministic stand-in for the AWS provider and the account behind it."""

    def __init__(
        self,
        region: str = "ap-northeast-2",
        account_id: str = "123456789012",
        existing: Existing | None = None,
        default_tags: dict[str, Any] | None = None,
    ) -> None:
        self.region = region
        self.existing = existing or Existing()
        self.account_id = self.existing.account_id or account_id
        self.default_tags = default_tags or {}
        self._calls: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._availability_zones,
            "aws:elasticbeanstalk/getSolutionStack:getSolutionStack": self._solution_stack,
            "aws:index/getCallerIdentity:getCallerIdentity": self._caller_identity,
            "aws:index/getPartition:getPartition": self._partition,
            "aws:index/getRegion:getRegion": self._get_region,
            "aws:iam/getPolicyDocument:getPolicyDocument": self._policy_document,
            "aws:lb/getListener:getListener": self._listener,
            "aws:lb/getLoadBalancer:getLoadBalancer": self._load_balancer,
            "aws:route53/getZone:getZone": self._zone,
        }
        self.load_balancers: dict[str, str] = dict(self.existing.load_balancers)
        """ALB ARN -> DNS name, for the load balancers EB environments created (or that a
        base export says exist)."""

    # -- data sources -------------------------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        # The mock monitor accepts a bare dict (no check failures); the base class's
        # annotation promises a tuple, but a tuple with `None` failures crashes the monitor.
        handler = self._calls.get(args.token)
        if handler is None:
            known = ", ".join(sorted(self._calls))
            raise SimulationError(
                f"the simulated AWS account does not answer the data source {args.token!r}; "
                f"it answers: {known}"
            )
        return handler(dict(args.args))

    def _availability_zones(self, _args: dict[str, Any]) -> dict[str, Any]:
        names = [f"{self.region}{letter}" for letter in AZ_LETTERS]
        short = "".join(part[0] for part in self.region.split("-")[:2]) + self.region[-1]
        return {
            "id": self.region,
            "names": names,
            "zoneIds": [f"{short}-az{i}" for i in range(1, len(names) + 1)],
            "groupNames": [self.region] * len(names),
            "state": "available",
        }

    def _solution_stack(self, args: dict[str, Any]) -> dict[str, Any]:
        pattern = str(args.get("nameRegex", ""))
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise SimulationError(
                f"getSolutionStack: nameRegex {pattern!r} is invalid: {exc}"
            ) from None
        matches = [name for name in SOLUTION_STACKS if regex.search(name)]
        if not matches:
            raise SimulationError(
                f"getSolutionStack: no solution stack matches nameRegex {pattern!r} "
                f"(available: {'; '.join(SOLUTION_STACKS)})"
            )
        if len(matches) > 1 and not args.get("mostRecent"):
            raise SimulationError(
                f"getSolutionStack: nameRegex {pattern!r} matches {len(matches)} stacks; "
                "set most_recent=True or narrow the regex"
            )
        return {"id": self.region, "name": matches[0], "nameRegex": pattern}

    def _caller_identity(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.account_id,
            "accountId": self.account_id,
            "arn": f"arn:aws:sts::{self.account_id}:assumed-role/preflight/preflight",
            "userId": "AROAPREFLIGHTSIMULATED:preflight",
        }

    def _partition(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": "aws",
            "partition": "aws",
            "dnsSuffix": "amazonaws.com",
            "reverseDnsPrefix": "com.amazonaws",
        }

    def _get_region(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.region,
            "name": self.region,
            "region": self.region,
            "endpoint": f"ec2.{self.region}.amazonaws.com",
            "description": "Asia Pacific (Seoul)" if self.region == "ap-northeast-2" else "",
        }

    def _policy_document(self, args: dict[str, Any]) -> dict[str, Any]:
        statements = []
        for stmt in args.get("statements") or []:
            out: dict[str, Any] = {"Effect": stmt.get("effect", "Allow")}
            if stmt.get("sid"):
                out["Sid"] = stmt["sid"]
            if stmt.get("actions"):
                out["Action"] = one_or_many(stmt["actions"])
            if stmt.get("resources"):
                out["Resource"] = one_or_many(stmt["resources"])
            principals = stmt.get("principals") or []
            if principals:
                out["Principal"] = {p["type"]: one_or_many(p["identifiers"]) for p in principals}
            conditions = stmt.get("conditions") or []
            if conditions:
                cond: dict[str, dict[str, Any]] = {}
                for c in conditions:
                    cond.setdefault(c["test"], {})[c["variable"]] = one_or_many(c["values"])
                out["Condition"] = cond
            statements.append(out)
        document = {"Version": "2012-10-17", "Statement": statements}
        return {
            "id": digest(json.dumps(document, sort_keys=True))[:10],
            "json": json.dumps(document, indent=2),
            "minifiedJson": json.dumps(document, separators=(",", ":")),
        }

    def _listener(self, args: dict[str, Any]) -> dict[str, Any]:
        """A listener of a load balancer EB created (EB makes port 80 HTTP by default)."""
        balancer = str(args.get("loadBalancerArn") or "")
        if ":loadbalancer/" not in balancer:
            raise SimulationError(f"getListener: {balancer!r} is not a load balancer ARN")
        port = int(args.get("port") or 80)
        arn = self.existing.listener(balancer) or (
            balancer.replace(":loadbalancer/", ":listener/")
            + f"/{digest(balancer, str(port))[:16]}"
        )
        protocol = "HTTPS" if port == 443 else "HTTP"
        return {
            "id": arn,
            "arn": arn,
            "loadBalancerArn": balancer,
            "port": port,
            "protocol": protocol,
        }

    def _load_balancer(self, args: dict[str, Any]) -> dict[str, Any]:
        """An ALB an EB environment of this program created (EB names them awseb-...)."""
        arn = str(args.get("arn") or "")
        dns = self.load_balancers.get(arn)
        if dns is None:
            raise SimulationError(
                f"getLoadBalancer: no load balancer {arn!r} in the simulated account; "
                "it knows only those its EB environments created"
            )
        internal = dns.startswith("internal-")
        return {
            "id": arn,
            "arn": arn,
            "arnSuffix": arn.split(":loadbalancer/", 1)[-1],
            "name": arn.split("/")[-2],
            "dnsName": dns,
            "zoneId": ALB_ZONE_IDS.get(self.region, "ZWKZPGTI48KDX"),
            "internal": internal,
            "loadBalancerType": "application",
        }

    def _zone(self, args: dict[str, Any]) -> dict[str, Any]:
        """A public hosted zone for any name asked for (private zones are not simulated)."""
        name = str(args.get("name") or "").rstrip(".")
        if not name:
            raise SimulationError("getZone: give the hosted zone's name")
        if args.get("privateZone"):
            raise SimulationError(f"getZone: {name!r}: private zones are not simulated")
        zone_id = self.existing.zone_id(name) or "Z" + digest(name).upper()[:20]
        return {
            "id": zone_id,
            "zoneId": zone_id,
            "name": name,
            "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
            "privateZone": False,
            "resourceRecordSetCount": 2,
            "nameServers": [f"ns-{i}.awsdns-{i:02d}.com" for i in (1, 2, 3, 4)],
            "callerReference": digest("zone", name)[:36],
            "comment": "",
            "tags": {},
        }

    # -- resources ----------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        stack = pulumi.get_stack()
        seed = digest(stack, args.typ, args.name)
        state: dict[str, Any] = _known(dict(args.inputs))
        shaper = _SHAPERS.get(args.typ)
        resource_id = (
            shaper(self, args.name, seed, state) if shaper else _generic(args, seed, state)
        )
        if args.resource_id:
            resource_id = args.resource_id
        state.setdefault("id", resource_id)
        state["id"] = resource_id
        if "tags" in state:
            state["tagsAll"] = dict(state.get("tags") or {})
        return resource_id, state

    def check(
        self, type_token: str, name: str, inputs: dict[str, Any], state: dict[str, Any]
    ) -> Checked:
        """What the provider's Check adds to these inputs; an auto-name is the one the
        account gave the resource (its shaper's), else `<name>-<7 hex>`."""
        key = AUTONAMED.get(type_token, "")
        generated = state.get(key) or f"{name}-{digest(pulumi.get_stack(), type_token, name)[-7:]}"
        return check(type_token, inputs, str(generated), self.region, self.default_tags)

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        where = self.region if region else ""
        return f"arn:aws:{service}:{where}:{self.account_id}:{resource}"


def _known(value: Any) -> Any:
    """`value` with the SDK's unknowns (a preview's) as the engine's unknown string."""
    return map_leaves(value, lambda v: UNKNOWN if isinstance(v, Unknown) else v)


def _generic(args: pulumi.runtime.MockResourceArgs, seed: str, state: dict[str, Any]) -> str:
    if not args.custom:
        return ""
    return f"{args.name}-{seed[:8]}"


_SHAPERS: dict[str, Shaper] = {**NETWORK_SHAPERS, **SERVICE_SHAPERS, **SQS_SHAPERS}
