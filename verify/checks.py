"""The live checks of the Elastic Beanstalk environments and what they run on (instances,
subnets, load balancers). Each is a small function over boto3 clients passed in (so tests
give moto or Stubber clients) that returns a `CheckResult`; none of them prints, exits or
handles AWS errors (the clients are guarded: see verify/aws.py).

The guarantees are the policy pack's, seen from the running account instead of the plan:
a plan can be right and the account can still drift (a console edit, a manual
`eb setenv`, an instance launched by hand), which is what this catches after `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from verify.aws import AwsCallFailed
from verify.pack import (
    ENV_PROPERTIES_NS,
    LIMIT_BYTES,
    describe_biggest,
    is_internet_gateway_id,
    measure,
)
from verify.result import CheckResult

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import RouteTableTypeDef, SubnetTypeDef
    from mypy_boto3_elasticbeanstalk import ElasticBeanstalkClient
    from mypy_boto3_elasticbeanstalk.type_defs import (
        ConfigurationOptionSettingTypeDef,
        EnvironmentDescriptionTypeDef,
    )
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_elbv2.type_defs import (
        DescribeLoadBalancersOutputTypeDef,
        LoadBalancerTypeDef,
    )

Role = Literal["web", "model", "worker"]

# The pack policies these checks mirror; their level in the stage decides FAIL or WARN.
PRIVATE_SUBNETS_POLICY = "eb-instances-in-private-subnets"
ENV_PROPERTIES_POLICY = "eb-env-properties-size-limit"
INTERNAL_MODEL_POLICY = "eb-model-environment-internal"
STACK_VERSION_POLICY = "eb-runs-stack-version"


@dataclass(frozen=True)
class EnvironmentResources:
    """What `describe_environment_resources` says an EB environment runs on."""

    instance_ids: tuple[str, ...]
    load_balancers: tuple[str, ...]  # ARNs for ALB/NLB, names for classic ELBs


@dataclass(frozen=True)
class Instance:
    instance_id: str
    subnet_id: str | None
    public_ip: str | None


# --- Elastic Beanstalk environments ---------------------------------------------------


def find_environment(
    eb: ElasticBeanstalkClient, application: str, environment: str
) -> EnvironmentDescriptionTypeDef | None:
    """The live (not terminated) environment of that name, or None."""
    found = eb.describe_environments(
        ApplicationName=application, EnvironmentNames=[environment], IncludeDeleted=False
    )["Environments"]
    live = [e for e in found if e.get("Status") not in ("Terminated", "Terminating")]
    return live[0] if live else None


def check_environment_health(
    role: Role,
    application: str,
    environment: str,
    description: EnvironmentDescriptionTypeDef | None,
) -> CheckResult:
    """The environment exists and is Ready with Green health."""
    check_id = f"{role}-env-ready-green"
    if description is None:
        return CheckResult(
            check_id,
            False,
            f"{role} environment {environment!r} not found in application {application!r}",
            "run `pulumi up` for this stack (after `pulumi refresh` if it was deleted by hand)",
        )
    status, health = description.get("Status", "?"), description.get("Health", "?")
    if status == "Ready" and health == "Green":
        return CheckResult(check_id, True, f"{role} environment {environment!r} is Ready/Green")
    return CheckResult(
        check_id,
        False,
        f"{role} environment {environment!r} is {status}/{health}, expected Ready/Green",
        "read the environment's health and Events in the EB console (or `eb health`); "
        "an update in progress may only need time",
    )


def check_runs_stack_version(
    role: Role, environment: str, description: EnvironmentDescriptionTypeDef, expected: str
) -> CheckResult:
    """The environment runs the application version the stack outputs: a deploy that EB
    rolled back, or a version deployed by hand, shows here."""
    check_id = f"{role}-runs-stack-version"
    running = description.get("VersionLabel") or "no version (the sample application)"
    if running == expected:
        return CheckResult(
            check_id,
            True,
            f"{role} environment {environment!r} runs {expected!r}",
            policy=STACK_VERSION_POLICY,
        )
    return CheckResult(
        check_id,
        False,
        f"{role} environment {environment!r} runs {running!r}, but the stack deployed {expected!r}",
        "read the environment's Events (a failed deploy rolls back); run `pulumi up` again, "
        "or `pulumi refresh` if the version was changed outside Pulumi",
        STACK_VERSION_POLICY,
    )


def fetch_environment_resources(
    eb: ElasticBeanstalkClient, environment: str
) -> EnvironmentResources:
    resources = eb.describe_environment_resources(EnvironmentName=environment)[
        "EnvironmentResources"
    ]
    return EnvironmentResources(
        instance_ids=tuple(i["Id"] for i in resources.get("Instances", []) if "Id" in i),
        load_balancers=tuple(
            lb["Name"] for lb in resources.get("LoadBalancers", []) if "Name" in lb
        ),
    )


def describe_instances(ec2: EC2Client, instance_ids: Sequence[str]) -> list[Instance]:
    if not instance_ids:
        return []
    reservations = ec2.describe_instances(InstanceIds=list(instance_ids))["Reservations"]
    return [
        Instance(
            instance_id=i["InstanceId"],
            subnet_id=i.get("SubnetId"),
            public_ip=i.get("PublicIpAddress"),
        )
        for r in reservations
        for i in r.get("Instances", [])
    ]


def check_no_public_ip(role: Role, instances: Sequence[Instance]) -> CheckResult:
    check_id = f"{role}-instances-no-public-ip"
    if not instances:
        return _no_instances(check_id, role)
    exposed = [f"{i.instance_id} has {i.public_ip}" for i in instances if i.public_ip]
    if exposed:
        return CheckResult(
            check_id,
            False,
            f"{role} instance(s) with a public IP: {'; '.join(exposed)}",
            "set aws:ec2:vpc AssociatePublicIpAddress=false and launch in private subnets, "
            "then rebuild the environment's instances",
            PRIVATE_SUBNETS_POLICY,
        )
    return CheckResult(
        check_id,
        True,
        f"no public IP on {len(instances)} {role} instance(s)",
        policy=PRIVATE_SUBNETS_POLICY,
    )


def subnet_public_reason(
    subnet: SubnetTypeDef, route_tables: Iterable[RouteTableTypeDef]
) -> str | None:
    """Why a subnet is public (DESIGN: auto-assigned public IPs or a route to an internet
    gateway, whatever the destination, as AWS defines a public subnet), or None when it is
    private. A NAT route is fine. "An internet gateway" is the pack's `is_internet_gateway_id`."""
    if subnet.get("MapPublicIpOnLaunch"):
        return "mapPublicIpOnLaunch is true"
    for table in route_tables:
        for route in table.get("Routes", []):
            destination = (
                route.get("DestinationCidrBlock")
                or route.get("DestinationIpv6CidrBlock")
                or route.get("DestinationPrefixListId")
                or "?"
            )
            gateway = route.get("GatewayId", "")
            if is_internet_gateway_id(gateway):
                return f"route {destination} -> {gateway} in {table.get('RouteTableId', '?')}"
    return None


def route_tables_for_subnet(ec2: EC2Client, subnet: SubnetTypeDef) -> list[RouteTableTypeDef]:
    """The subnet's explicitly associated route table, else its VPC's main table."""
    explicit = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}]
    )["RouteTables"]
    if explicit:
        return explicit
    return ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [subnet["VpcId"]]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]


def check_private_subnets(ec2: EC2Client, role: Role, instances: Sequence[Instance]) -> CheckResult:
    check_id = f"{role}-instances-private-subnets"
    if not instances:
        return _no_instances(check_id, role)
    subnet_ids = sorted({i.subnet_id for i in instances if i.subnet_id})
    subnets = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"] if subnet_ids else []
    public: dict[str, str] = {}
    for subnet in subnets:
        reason = subnet_public_reason(subnet, route_tables_for_subnet(ec2, subnet))
        if reason:
            public[subnet["SubnetId"]] = reason
    offending = [
        f"{i.instance_id} in {i.subnet_id} ({public[i.subnet_id]})"
        for i in instances
        if i.subnet_id in public
    ]
    outside_vpc = [i.instance_id for i in instances if not i.subnet_id]
    if outside_vpc:
        offending.append(f"{', '.join(outside_vpc)} not in a VPC subnet")
    if offending:
        return CheckResult(
            check_id,
            False,
            f"{role} instance(s) in public subnets: {'; '.join(offending)}",
            "set aws:ec2:vpc Subnets to the stack's private subnets (privateSubnetIds) "
            "and run `pulumi up`",
            PRIVATE_SUBNETS_POLICY,
        )
    return CheckResult(
        check_id,
        True,
        f"{len(instances)} {role} instance(s) in private subnets {', '.join(subnet_ids)}",
        policy=PRIVATE_SUBNETS_POLICY,
    )


def fetch_option_settings(
    eb: ElasticBeanstalkClient, application: str, environment: str
) -> list[ConfigurationOptionSettingTypeDef]:
    """The environment's effective option settings (its own and its template's), as EB
    reports them for the environment."""
    settings = eb.describe_configuration_settings(
        ApplicationName=application, EnvironmentName=environment
    )["ConfigurationSettings"]
    return [option for config in settings[:1] for option in config.get("OptionSettings", [])]


def check_environment_properties(
    eb: ElasticBeanstalkClient,
    application: str,
    environment: str,
    role: Role,
    options: Sequence[ConfigurationOptionSettingTypeDef] | None = None,
) -> CheckResult:
    """The EB limit as the pack counts it: all `key=value` strings of the environment's
    effective settings (its own and its template's, as EB reports them) in UTF-8 bytes.
    `options` are those settings when the caller has already read them."""
    check_id = f"{role}-env-properties-size"
    if options is None:
        options = fetch_option_settings(eb, application, environment)
    properties: dict[str, str] = {}
    for option in options:
        if option.get("Namespace") == ENV_PROPERTIES_NS and "OptionName" in option:
            properties[option["OptionName"]] = option.get("Value") or ""
    size = measure(properties)
    if not size.over(LIMIT_BYTES):
        return CheckResult(
            check_id,
            True,
            f"{role} environment properties use {size.known_bytes:,} of {LIMIT_BYTES:,} bytes "
            f"({len(properties)} properties)",
            policy=ENV_PROPERTIES_POLICY,
        )
    return CheckResult(
        check_id,
        False,
        f"{role} environment properties use {size.known_bytes:,} bytes, over the "
        f"{LIMIT_BYTES:,}-byte limit; biggest: {describe_biggest(size)}",
        "move big or secret values to Secrets Manager / SSM and list them under the stack "
        "config's `secrets:` (delivered through the environmentsecrets namespace)",
        ENV_PROPERTIES_POLICY,
    )


def check_load_balancer_internal(
    elbv2: ElasticLoadBalancingv2Client, role: Role, resources: EnvironmentResources
) -> CheckResult:
    check_id = f"{role}-lb-internal"
    if not resources.load_balancers:
        return CheckResult(
            check_id,
            False,
            f"{role} environment has no load balancer",
            "make it load-balanced with aws:ec2:vpc ELBScheme=internal; a single-instance "
            "environment gets a public Elastic IP",
            INTERNAL_MODEL_POLICY,
        )
    arns = [lb for lb in resources.load_balancers if lb.startswith("arn:")]
    names = [lb for lb in resources.load_balancers if not lb.startswith("arn:")]
    found = _existing(lambda: elbv2.describe_load_balancers(LoadBalancerArns=arns)) if arns else []
    found += _existing(lambda: elbv2.describe_load_balancers(Names=names)) if names else []
    facing = [
        f"{lb.get('LoadBalancerName', '?')} is {lb.get('Scheme', '?')}"
        for lb in found
        if lb.get("Scheme") != "internal"
    ]
    if facing:
        return CheckResult(
            check_id,
            False,
            f"{role} load balancer not internal: {'; '.join(facing)}",
            "set aws:ec2:vpc ELBScheme=internal with ELBSubnets in private subnets; the "
            "scheme cannot change in place, so the environment's load balancer is replaced",
            INTERNAL_MODEL_POLICY,
        )
    if not found:
        return CheckResult(
            check_id,
            False,
            f"{role} load balancer(s) {', '.join(resources.load_balancers)} not found",
            "run `pulumi refresh` and `pulumi up`",
            INTERNAL_MODEL_POLICY,
        )
    return CheckResult(
        check_id,
        True,
        f"{role} load balancer {', '.join(lb.get('LoadBalancerName', '?') for lb in found)} "
        "is internal",
        policy=INTERNAL_MODEL_POLICY,
    )


def _existing(
    describe: Callable[[], DescribeLoadBalancersOutputTypeDef],
) -> list[LoadBalancerTypeDef]:
    """The load balancers described; none when AWS says they do not exist (a finding)."""
    try:
        return describe()["LoadBalancers"]
    except AwsCallFailed as failure:
        if failure.code == "LoadBalancerNotFound":
            return []
        raise


def _no_instances(check_id: str, role: Role) -> CheckResult:
    return CheckResult(
        check_id,
        False,
        f"{role} environment has no instances to check",
        "a Ready/Green environment runs at least one instance; check the Auto Scaling group",
        PRIVATE_SUBNETS_POLICY,
    )
