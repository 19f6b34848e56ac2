"""A simulated AWS account behind Pulumi's mock monitor.

It plays the part the AWS provider plays in a real deployment: it answers the data-source
calls the program makes and returns, for each resource, the outputs AWS would compute
(ids, ARNs, endpoints, auto-generated names). Every value is derived from the resource's
type, logical name and stack, so two runs with the same program give the same values.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from .simulated_queues import SHAPERS as SQS_SHAPERS

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

_AZ_LETTERS = "abcd"
ACM_VALIDATIONS = "jkddzztszm.acm-validations.aws."

# Canonical hosted zone of application load balancers per region (Route 53 alias targets).
ALB_ZONE_IDS: dict[str, str] = {
    "ap-northeast-2": "ZWKZPGTI48KDX",
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
}


class SimulationError(Exception):
    """A call the simulated account cannot answer, with what the program asked for."""


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class SimulatedAws(pulumi.runtime.Mocks):
    """Deterministic stand-in for the AWS provider and the account behind it."""

    def __init__(self, region: str = "ap-northeast-2", account_id: str = "123456789012") -> None:
        self.region = region
        self.account_id = account_id
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
        self.load_balancers: dict[str, str] = {}
        """ALB ARN -> DNS name, for the load balancers EB environments created."""

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
        names = [f"{self.region}{letter}" for letter in _AZ_LETTERS]
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
                out["Action"] = _one_or_many(stmt["actions"])
            if stmt.get("resources"):
                out["Resource"] = _one_or_many(stmt["resources"])
            principals = stmt.get("principals") or []
            if principals:
                out["Principal"] = {p["type"]: _one_or_many(p["identifiers"]) for p in principals}
            conditions = stmt.get("conditions") or []
            if conditions:
                cond: dict[str, dict[str, Any]] = {}
                for c in conditions:
                    cond.setdefault(c["test"], {})[c["variable"]] = _one_or_many(c["values"])
                out["Condition"] = cond
            statements.append(out)
        document = {"Version": "2012-10-17", "Statement": statements}
        return {
            "id": _digest(json.dumps(document, sort_keys=True))[:10],
            "json": json.dumps(document, indent=2),
            "minifiedJson": json.dumps(document, separators=(",", ":")),
        }

    def _listener(self, args: dict[str, Any]) -> dict[str, Any]:
        """A listener of a load balancer EB created (EB makes port 80 HTTP by default)."""
        balancer = str(args.get("loadBalancerArn") or "")
        if ":loadbalancer/" not in balancer:
            raise SimulationError(f"getListener: {balancer!r} is not a load balancer ARN")
        port = int(args.get("port") or 80)
        arn = (
            balancer.replace(":loadbalancer/", ":listener/")
            + f"/{_digest(balancer, str(port))[:16]}"
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
        zone_id = "Z" + _digest(name).upper()[:20]
        return {
            "id": zone_id,
            "zoneId": zone_id,
            "name": name,
            "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
            "privateZone": False,
            "resourceRecordSetCount": 2,
            "nameServers": [f"ns-{i}.awsdns-{i:02d}.com" for i in (1, 2, 3, 4)],
            "callerReference": _digest("zone", name)[:36],
            "comment": "",
            "tags": {},
        }

    # -- resources ----------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        stack = pulumi.get_stack()
        seed = _digest(stack, args.typ, args.name)
        state: dict[str, Any] = dict(args.inputs)
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

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        where = self.region if region else ""
        return f"arn:aws:{service}:{where}:{self.account_id}:{resource}"


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else sorted(values)


def _autoname(state: dict[str, Any], key: str, name: str, seed: str, limit: int = 63) -> str:
    """Pulumi auto-names resources as `<logical name>-<7 hex>` when no name is given."""
    if not state.get(key):
        suffix = seed[-7:]
        state[key] = f"{name[: limit - 8]}-{suffix}"
    return str(state[key])


def _hexid(prefix: str, seed: str, length: int = 17) -> str:
    return f"{prefix}-{seed[:length]}"


def _generic(args: pulumi.runtime.MockResourceArgs, seed: str, state: dict[str, Any]) -> str:
    if not args.custom:
        return ""
    return f"{args.name}-{seed[:8]}"


Shaper = Callable[[SimulatedAws, str, str, dict[str, Any]], str]


def _vpc(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("vpc", seed)
    s.update(
        arn=aws.arn("ec2", f"vpc/{rid}"),
        defaultSecurityGroupId=_hexid("sg", seed[::-1]),
        defaultRouteTableId=_hexid("rtb", seed[::-1]),
        mainRouteTableId=_hexid("rtb", seed[::-1]),
        defaultNetworkAclId=_hexid("acl", seed[::-1]),
        ownerId=aws.account_id,
    )
    s.setdefault("enableDnsSupport", True)
    s.setdefault("enableDnsHostnames", False)
    s.setdefault("instanceTenancy", "default")
    return rid


def _subnet(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("subnet", seed)
    s.setdefault("mapPublicIpOnLaunch", False)
    s.update(arn=aws.arn("ec2", f"subnet/{rid}"), ownerId=aws.account_id)
    az = s.get("availabilityZone")
    if az:
        s["availabilityZoneId"] = f"apne2-az{_AZ_LETTERS.index(str(az)[-1]) + 1}"
    return rid


def _prefixed(prefix: str, service: str = "ec2", kind: str = "") -> Shaper:
    def shape(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
        rid = _hexid(prefix, seed)
        if kind:
            s["arn"] = aws.arn(service, f"{kind}/{rid}")
        s.setdefault("ownerId", aws.account_id)
        return rid

    return shape


def _eip(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("eipalloc", seed)
    octets = [int(seed[i : i + 2], 16) for i in (0, 2)]
    s.update(
        allocationId=rid,
        publicIp=f"3.34.{octets[0]}.{octets[1]}",
        publicDns=f"ec2-3-34-{octets[0]}-{octets[1]}.{aws.region}.compute.amazonaws.com",
        domain=s.get("domain") or "vpc",
        arn=aws.arn("ec2", f"elastic-ip/{rid}"),
    )
    return rid


def _nat(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("nat", seed)
    s.setdefault("connectivityType", "public")
    s["networkInterfaceId"] = _hexid("eni", seed)
    return rid


def _route(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    destination = s.get("destinationCidrBlock") or s.get("destinationIpv6CidrBlock") or ""
    digest = int(_digest(str(destination))[:8], 16)
    s.setdefault("origin", "CreateRoute")
    s.setdefault("state", "active")
    return f"r-{s.get('routeTableId', '')}{digest}"


def _association(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    return _hexid("rtbassoc", seed)


def _security_group(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("sg", seed)
    _autoname(s, "name", name, seed, limit=255)
    s.setdefault("ingress", [])
    s.setdefault("egress", [])
    s.setdefault("revokeRulesOnDelete", False)
    s.update(arn=aws.arn("ec2", f"security-group/{rid}"), ownerId=aws.account_id)
    return rid


def _sg_rule_v2(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("sgr", seed)
    s.update(securityGroupRuleId=rid, arn=aws.arn("ec2", f"security-group-rule/{rid}"))
    return rid


def _sg_rule_v1(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    s["securityGroupRuleId"] = _hexid("sgr", seed)
    return f"sgrule-{int(seed[:8], 16)}"


def _default_sg(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("sg", seed)
    s.setdefault("ingress", [])
    s.setdefault("egress", [])
    s.update(name="default", arn=aws.arn("ec2", f"security-group/{rid}"), ownerId=aws.account_id)
    return rid


def _vpc_endpoint(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("vpce", seed)
    s.setdefault("vpcEndpointType", "Gateway")
    s.update(
        arn=aws.arn("ec2", f"vpc-endpoint/{rid}"),
        prefixListId="pl-78a54011",
        state="available",
        ownerId=aws.account_id,
    )
    return rid


def _flow_log(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    rid = _hexid("fl", seed)
    s["arn"] = aws.arn("ec2", f"vpc-flow-log/{rid}")
    return rid


def _log_group(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    group = _autoname(s, "name", name, seed, limit=512)
    s["arn"] = aws.arn("logs", f"log-group:{group}")
    return group


def _iam_role(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    role = _autoname(s, "name", name, seed, limit=64)
    s.update(
        arn=aws.arn("iam", f"role{s.get('path') or '/'}{role}", region=False),
        uniqueId="AROA" + seed[:17].upper(),
        createDate="2026-01-01T00:00:00Z",
    )
    return role


def _iam_policy(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    policy = _autoname(s, "name", name, seed, limit=128)
    arn = aws.arn("iam", f"policy{s.get('path') or '/'}{policy}", region=False)
    s.update(arn=arn, policyId="ANPA" + seed[:17].upper())
    return arn


def _role_policy(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    policy = _autoname(s, "name", name, seed, limit=128)
    return f"{s.get('role', '')}:{policy}"


def _attachment(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    return f"{s.get('role', '')}-{seed[:20]}"


def _instance_profile(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    profile = _autoname(s, "name", name, seed, limit=128)
    s.update(
        arn=aws.arn("iam", f"instance-profile{s.get('path') or '/'}{profile}", region=False),
        uniqueId="AIPA" + seed[:17].upper(),
    )
    return profile


def _db_subnet_group(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    group = _autoname(s, "name", name.lower(), seed, limit=255)
    s.update(arn=aws.arn("rds", f"subgrp:{group}"), vpcId=s.get("vpcId", ""))
    return group


def _db_parameter_group(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    group = _autoname(s, "name", name.lower(), seed, limit=255)
    s["arn"] = aws.arn("rds", f"pg:{group}")
    return group


def _db_instance(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    identifier = _autoname(s, "identifier", name.lower(), seed, limit=63)
    port = int(s.get("port") or 5432)
    address = f"{identifier}.c{seed[:11]}.{aws.region}.rds.amazonaws.com"
    s.update(
        address=address,
        endpoint=f"{address}:{port}",
        port=port,
        arn=aws.arn("rds", f"db:{identifier}"),
        resourceId="db-" + seed[:26].upper(),
        hostedZoneId="ZLA2NUCOLGUUR",
        status="available",
        engineVersionActual=str(s.get("engineVersion") or "16.4"),
    )
    s.setdefault("publiclyAccessible", False)
    s.setdefault("multiAz", False)
    s.setdefault("storageEncrypted", False)
    s.setdefault("backupRetentionPeriod", 1)
    s.setdefault("deletionProtection", False)
    if s.get("storageEncrypted") and not s.get("kmsKeyId"):
        s["kmsKeyId"] = aws.arn("kms", "key/" + _uuid(seed))
    if s.get("manageMasterUserPassword"):
        secret = f"rds!db-{_uuid(seed[::-1])}"
        s["masterUserSecrets"] = [
            {
                "kmsKeyId": aws.arn("kms", "key/" + _uuid(seed[1:] + seed[0])),
                "secretArn": aws.arn("secretsmanager", f"secret:{secret}-{seed[:6]}"),
                "secretStatus": "active",
            }
        ]
    return identifier


def _eb_application(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    app = _autoname(s, "name", name, seed, limit=100)
    s["arn"] = aws.arn("elasticbeanstalk", f"application/{app}")
    return app


def _eb_environment(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    env_name = _autoname(s, "name", name, seed, limit=40)
    env_id = "e-" + seed[:10]
    settings = _settings_map(s.get("settings"))
    scheme = settings.get(("aws:ec2:vpc", "ELBScheme"), "public")
    env_type = settings.get(("aws:elasticbeanstalk:environment", "EnvironmentType"))
    short = env_id[2:]
    cname = f"{env_name}.{seed[10:20]}.{aws.region}.elasticbeanstalk.com"
    worker = str(s.get("tier") or "").lower() == "worker"
    load_balancers: list[str] = []
    if worker:  # no load balancer, no CNAME: sqsd feeds it from its queue
        cname, endpoint = "", ""
    elif env_type == "SingleInstance":
        octets = [int(seed[i : i + 2], 16) for i in (20, 22)]
        endpoint = f"13.125.{octets[0]}.{octets[1]}"
    else:
        lb = f"awseb-{env_id}-{seed[20:30]}"
        dns = f"{lb}-{int(seed[30:38], 16)}.{aws.region}.elb.amazonaws.com"
        endpoint = f"internal-{dns}" if scheme == "internal" else dns
        load_balancers = [aws.arn("elasticloadbalancing", f"loadbalancer/app/{lb}/{seed[38:54]}")]
        aws.load_balancers[load_balancers[0]] = endpoint
    s.update(
        arn=aws.arn("elasticbeanstalk", f"environment/{s.get('application', '')}/{env_name}"),
        cname=cname,
        endpointUrl=endpoint,
        tier=s.get("tier") or "WebServer",
        loadBalancers=load_balancers,
        autoscalingGroups=[f"awseb-{env_id}-stack-AWSEBAutoScalingGroup-{short.upper()}"],
        launchConfigurations=[],
        instances=[],
        queues=[settings[("aws:elasticbeanstalk:sqsd", "WorkerQueueURL")]]
        if worker and ("aws:elasticbeanstalk:sqsd", "WorkerQueueURL") in settings
        else [],
        triggers=[],
        allSettings=s.get("settings") or [],
    )
    return env_id


def _bucket(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    bucket = _autoname(s, "bucket", name.lower(), seed, limit=63)
    s.update(
        arn=f"arn:aws:s3:::{bucket}",
        bucketDomainName=f"{bucket}.s3.amazonaws.com",
        bucketRegionalDomainName=f"{bucket}.s3.{aws.region}.amazonaws.com",
        hostedZoneId="Z3W03O7B5YMIYP",
        region=aws.region,
    )
    s.setdefault("forceDestroy", False)
    return bucket


def _bucket_child(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    """Versioning, encryption, public-access block, ownership, policy: their id is the bucket."""
    return str(s.get("bucket") or "")


def _bucket_object(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    key = str(s.get("key") or "")
    s.update(
        etag=seed[:32],
        versionId=seed[32:64],
        serverSideEncryption="AES256",
        storageClass="STANDARD",
        arn=f"arn:aws:s3:::{s.get('bucket', '')}/{key}",
    )
    return key


def _app_version(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    label = _autoname(s, "name", name, seed, limit=100)
    s["arn"] = aws.arn("elasticbeanstalk", f"applicationversion/{s.get('application', '')}/{label}")
    return label


def _certificate(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    arn = aws.arn("acm", f"certificate/{_uuid(seed)}")
    domain = str(s.get("domainName") or "")
    names = [domain, *(s.get("subjectAlternativeNames") or [])]
    s.update(
        arn=arn,
        status="PENDING_VALIDATION",
        domainValidationOptions=[
            {
                "domainName": each,
                "resourceRecordName": f"_{_digest(each)[:32]}.{each}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_digest(each, 'v')[:32]}.{ACM_VALIDATIONS}",
            }
            for each in names
        ],
        subjectAlternativeNames=names,
        type="AMAZON_ISSUED",
    )
    return arn


def _certificate_validation(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    return str(s.get("certificateArn") or "")


def _record(aws: SimulatedAws, name: str, seed: str, s: dict[str, Any]) -> str:
    fqdn = str(s.get("name") or "").rstrip(".")
    s["fqdn"] = fqdn
    return f"{s.get('zoneId', '')}_{fqdn}_{s.get('type', '')}"


def _settings_map(settings: Any) -> dict[tuple[str, str], str]:
    if not isinstance(settings, list):
        return {}
    return {
        (str(item.get("namespace")), str(item.get("name"))): str(item.get("value"))
        for item in settings
        if isinstance(item, Mapping)
    }


def _uuid(seed: str) -> str:
    return f"{seed[:8]}-{seed[8:12]}-{seed[12:16]}-{seed[16:20]}-{seed[20:32]}"


_SHAPERS: dict[str, Shaper] = {
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/internetGateway:InternetGateway": _prefixed("igw", "ec2", "internet-gateway"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/routeTable:RouteTable": _prefixed("rtb", "ec2", "route-table"),
    "aws:ec2/route:Route": _route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _association,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _default_sg,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule_v2,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule_v2,
    "aws:ec2/securityGroupRule:SecurityGroupRule": _sg_rule_v1,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/flowLog:FlowLog": _flow_log,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _attachment,
    "aws:iam/instanceProfile:InstanceProfile": _instance_profile,
    "aws:rds/subnetGroup:SubnetGroup": _db_subnet_group,
    "aws:rds/parameterGroup:ParameterGroup": _db_parameter_group,
    "aws:rds/instance:Instance": _db_instance,
    "aws:elasticbeanstalk/application:Application": _eb_application,
    "aws:elasticbeanstalk/environment:Environment": _eb_environment,
    "aws:elasticbeanstalk/applicationVersion:ApplicationVersion": _app_version,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_child,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _bucket_child
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_child,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _bucket_child,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_child,
    "aws:s3/bucketObjectv2:BucketObjectv2": _bucket_object,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:acm/certificateValidation:CertificateValidation": _certificate_validation,
    "aws:route53/record:Record": _record,
    **SQS_SHAPERS,
}
