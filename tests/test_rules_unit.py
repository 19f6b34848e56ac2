"""Each rule of the pack through pulumi-policy's own argument types, in every AWS form.

Resources are built with `ResourceValidationArgs` / `StackValidationArgs` / `PolicyResource`
(via `tests.policy_support`), their properties deserialized and wrapped in pulumi-policy's
unknown-checking proxy exactly as the analyzer does, so unknowns and secrets arrive in the
shapes a real `pulumi preview` produces.
"""

from __future__ import annotations

from typing import Any

import pytest
from guardrails import POLICIES
from pulumi_policy import (
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from tests.policy_support import (
    BY_NAME,
    IGW,
    NAT,
    SECRET,
    UNKNOWN,
    VPC,
    Outcome,
    Res,
    _options,
    _props,
    associate,
    check_resource,
    check_stack,
    eb_environment,
    passes,
    setting,
    subnet,
    table,
    urn,
)

IS_NOT_KNOWN = "is not known yet (unknown during preview) or is encrypted in the state"
ARE_NOT_KNOWN = "are not known yet (unknown during preview) or are encrypted in the state"
"""How a rule says it cannot read a value (unknown during a preview; a ciphertext-only
secret reaches the pack as unknown on a saved state)."""

ENV = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
RDS = "aws:rds/instance:Instance"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
ROUTE = "aws:ec2/route:Route"
PROPS_NS = "aws:elasticbeanstalk:application:environment"
FIX_PRIVATE = (
    "Put the instances in private subnets (a default route to a NAT gateway, not an internet "
    "gateway, and mapPublicIpOnLaunch false)."
)

# -- a VPC: two private subnets behind a NAT (two AZs), one public subnet -------------------

PUB = subnet("pub-a", "subnet-pub")
PRIV_A = subnet("priv-a", "subnet-priva", "ap-northeast-2a")
PRIV_B = subnet("priv-b", "subnet-privb", "ap-northeast-2b")
PUB_RT = table("pub-rt", "rtb-pub", [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"}])
NAT_RT = table("nat-rt", "rtb-nat", [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-01"}])
BASE = [
    VPC,
    IGW,
    NAT,
    PUB,
    PRIV_A,
    PRIV_B,
    PUB_RT,
    NAT_RT,
    associate(PUB, PUB_RT),
    associate(PRIV_A, NAT_RT),
    associate(PRIV_B, NAT_RT),
]
PRIVATE_IDS = "subnet-priva,subnet-privb"


def vpc(subnets: Any, elb_subnets: Any = "subnet-pub", **extra: str) -> list[dict[str, Any]]:
    items = [
        setting("aws:ec2:vpc", "VPCId", "vpc-01"),
        setting("aws:ec2:vpc", "Subnets", subnets),
        setting("aws:ec2:vpc", "ELBSubnets", elb_subnets),
    ]
    return items + [setting("aws:ec2:vpc", k, v) for k, v in extra.items()]


def public_message(env: Res, detail: str, option: str = "Subnets") -> tuple[str, str]:
    return (
        f"{ENV} '{env.name}': aws:ec2:vpc {option} includes public subnets: {detail}. "
        f"{FIX_PRIVATE}",
        env.urn,
    )


def check_eb(policy: str, type_token: str, props: dict[str, Any], name: str = "r") -> Outcome:
    """One EB resource alone in a stack, through the policy whatever its kind (the
    settings rules are stack rules so they can read configuration templates)."""
    if isinstance(BY_NAME[policy], StackValidationPolicy):
        return check_stack(policy, [Res(type_token, name, props)])
    return check_resource(policy, type_token, props, name)


def placement(resources: list[Res]) -> Any:
    return check_stack("eb-instances-in-private-subnets", resources)


# -- eb-instances-in-private-subnets: every way a subnet becomes public --------------------


def test_private_instances_behind_a_public_alb_in_public_subnets_pass() -> None:
    env = eb_environment(vpc(PRIVATE_IDS, elb_subnets="subnet-pub"))
    passes(placement([*BASE, env]))


def test_inline_route_to_an_igw_prefixed_id_is_public() -> None:
    env = eb_environment(vpc("subnet-priva,subnet-pub"))
    assert placement([*BASE, env]).violations == [
        public_message(
            env,
            "subnet-pub ('pub-a'): aws:ec2/routeTable:RouteTable 'pub-rt' (inline route 0) "
            "routes 0.0.0.0/0 to internet gateway igw-01",
        )
    ]


def test_inline_route_to_the_id_of_a_stack_internet_gateway_is_public() -> None:
    gateway = Res("aws:ec2/internetGateway:InternetGateway", "gw", {"id": "gw-custom7"})
    rt = table("odd-rt", "rtb-odd", [{"ipv6CidrBlock": "::/0", "gatewayId": "gw-custom7"}])
    app = subnet("app", "subnet-app")
    env = eb_environment(vpc("subnet-app"))
    assert placement([VPC, gateway, app, rt, associate(app, rt), env]).violations == [
        public_message(
            env,
            "subnet-app ('app'): aws:ec2/routeTable:RouteTable 'odd-rt' (inline route 0) "
            "routes ::/0 to internet gateway gw-custom7",
        )
    ]


def test_inline_route_to_an_unknown_gateway_id_depending_on_the_igw_is_public() -> None:
    rt = table("rt", "rtb-x", [{"cidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN}])
    rt.deps = {"routes": [IGW]}
    app = subnet("app", "subnet-app")
    env = eb_environment(vpc("subnet-app"))
    assert placement([VPC, IGW, app, rt, associate(app, rt), env]).violations == [
        public_message(
            env,
            "subnet-app ('app'): aws:ec2/routeTable:RouteTable 'rt' (inline route 0) "
            "routes 0.0.0.0/0 to internet gateway (by dependency)",
        )
    ]


def test_separate_route_resource_to_the_igw_is_public() -> None:
    rt = table("rt", "rtb-x")
    app = subnet("app", "subnet-app")
    route = Res(
        ROUTE,
        "default",
        {"routeTableId": "rtb-x", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"},
    )
    env = eb_environment(vpc("subnet-app"))
    assert placement([VPC, IGW, app, rt, associate(app, rt), route, env]).violations == [
        public_message(
            env,
            f"subnet-app ('app'): {ROUTE} 'default' in aws:ec2/routeTable:RouteTable 'rt' "
            "routes 0.0.0.0/0 to internet gateway igw-01",
        )
    ]


def test_route_resource_with_unknown_ids_related_by_property_dependencies_is_public() -> None:
    rt = table("rt", "rtb-x")
    app = subnet("app", "subnet-app")
    route = Res(
        ROUTE,
        "default",
        {"routeTableId": UNKNOWN, "destinationCidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN},
        deps={"routeTableId": [rt], "gatewayId": [IGW]},
    )
    env = eb_environment(vpc("subnet-app"))
    outcome = placement([VPC, IGW, app, rt, associate(app, rt), route, env])
    assert outcome.violations == [
        public_message(
            env,
            f"subnet-app ('app'): {ROUTE} 'default' in aws:ec2/routeTable:RouteTable 'rt' "
            "routes 0.0.0.0/0 to internet gateway (by dependency)",
        )
    ]


def test_subnet_without_association_uses_the_vpc_main_route_table() -> None:
    lone = subnet("lone", "subnet-lone")
    env = eb_environment(vpc("subnet-lone"))
    passes(placement([VPC, IGW, lone, env]))  # the original main table has only local routes
    route = Res(
        ROUTE,
        "main-default",
        {"routeTableId": "rtb-main", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"},
    )
    assert placement([VPC, IGW, lone, route, env]).violations == [
        public_message(
            env,
            f"subnet-lone ('lone'): {ROUTE} 'main-default' in the main route table of "
            "aws:ec2/vpc:Vpc 'vpc' routes 0.0.0.0/0 to internet gateway igw-01",
        )
    ]


def test_map_public_ip_on_launch_makes_a_nat_routed_subnet_public() -> None:
    auto = subnet("auto", "subnet-auto", mapPublicIpOnLaunch=True)
    env = eb_environment(vpc("subnet-auto"))
    assert placement([*BASE, auto, associate(auto, NAT_RT), env]).violations == [
        public_message(env, "subnet-auto ('auto'): mapPublicIpOnLaunch is true")
    ]


def test_nat_default_route_is_private() -> None:
    nat_route = Res(
        ROUTE,
        "nat-default",
        {"routeTableId": "rtb-y", "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": "nat-01"},
    )
    rt = table("rt", "rtb-y")
    app = subnet("app", "subnet-app")
    env = eb_environment(vpc("subnet-app"))
    passes(placement([VPC, IGW, NAT, app, rt, associate(app, rt), nat_route, env]))


def test_associate_public_ip_address_is_a_violation_even_in_private_subnets() -> None:
    env = eb_environment(vpc(PRIVATE_IDS, AssociatePublicIpAddress="true"))
    assert placement([*BASE, env]).violations == [
        (
            f"{ENV} 'api': aws:ec2:vpc AssociatePublicIpAddress is 'true'; instances in private "
            "subnets need no public IP: remove it or set 'false'",
            env.urn,
        )
    ]


def test_unset_subnets_fall_back_to_the_default_vpc_and_fail() -> None:
    env = eb_environment([setting("aws:elasticbeanstalk:environment", "EnvironmentType", "X")])
    assert placement([*BASE, env]).violations == [
        (
            f"{ENV} 'api': aws:ec2:vpc Subnets is not set, so Elastic Beanstalk launches the "
            "instances in the default VPC's public subnets; set VPCId and Subnets to private "
            "subnets",
            env.urn,
        )
    ]


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda s: {**SECRET, "value": s}, id="engine-envelope"),
        pytest.param(Secret, id="pulumi_policy.Secret"),
    ],
)
def test_secret_wrapped_settings_are_still_checked(wrap: Any) -> None:
    env = eb_environment(wrap(vpc("subnet-pub")))
    outcome = placement([*BASE, env])
    assert [m for m, _ in outcome.violations] == [
        public_message(
            env,
            "subnet-pub ('pub-a'): aws:ec2/routeTable:RouteTable 'pub-rt' (inline route 0) "
            "routes 0.0.0.0/0 to internet gateway igw-01",
        )[0]
    ]
    passes(placement([*BASE, eb_environment(wrap(vpc(PRIVATE_IDS)))]))


def test_unknown_subnets_depending_only_on_private_subnets_pass() -> None:
    env = eb_environment(vpc(UNKNOWN))
    env.deps = {"settings": [PRIV_A, PRIV_B]}
    passes(placement([*BASE, env]))


def test_unknown_subnets_depending_on_a_public_subnet_are_advisory_not_silent() -> None:
    env = eb_environment(vpc(UNKNOWN))
    env.deps = {"settings": [PRIV_A, PUB]}
    outcome = placement([*BASE, env])
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': aws:ec2:vpc Subnets {IS_NOT_KNOWN} and the "
        "settings depend on public subnets (subnet-pub ('pub-a'): "
        "aws:ec2/routeTable:RouteTable 'pub-rt' (inline route 0) routes 0.0.0.0/0 to internet "
        "gateway igw-01); it is checked again on up"
    )


def test_unknown_subnets_with_no_dependency_cannot_be_checked() -> None:
    env = eb_environment(vpc(UNKNOWN))
    outcome = placement([*BASE, env])
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': aws:ec2:vpc Subnets {IS_NOT_KNOWN} and the settings depend on no subnet"
    )


def test_unknown_settings_list_raises_unknown_value_error_through_the_real_proxy() -> None:
    """Straight through the policy object: what the analyzer sees is an UnknownValueError."""
    policy = next(p for p in POLICIES if p.name == "eb-instances-in-private-subnets")
    assert isinstance(policy, StackValidationPolicy)
    env = PolicyResource(
        ENV,
        _props({"settings": UNKNOWN, "tags": {"role": "web"}}),
        urn(ENV, "api"),
        "api",
        _options(),
        None,
        None,
        [],
        {},
    )
    seen: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        seen.append(message)

    with pytest.raises(UnknownValueError) as raised:
        policy.validate(StackValidationArgs([env], None, {}), report)
    assert seen == []
    assert str(raised.value) == (f"{ENV} 'api': its option settings {ARE_NOT_KNOWN}")


# -- eb-model-environment-internal ---------------------------------------------------------


def model(**extra: str) -> Res:
    return eb_environment(vpc(PRIVATE_IDS, elb_subnets=PRIVATE_IDS, **extra), "model", "triton")


def test_internal_model_environment_in_private_subnets_passes() -> None:
    passes(check_stack("eb-model-environment-internal", [*BASE, model(ELBScheme="internal")]))


def test_web_role_may_have_a_public_load_balancer() -> None:
    web = eb_environment(vpc(PRIVATE_IDS, ELBScheme="public"))
    passes(check_stack("eb-model-environment-internal", [*BASE, web]))


def test_public_model_load_balancer_fails() -> None:
    env = model(ELBScheme="public")
    assert check_stack("eb-model-environment-internal", [*BASE, env]).violations == [
        (
            f"{ENV} 'triton' (role=model): aws:ec2:vpc ELBScheme is 'public'; the model server "
            "must only be reachable inside the VPC: set ELBScheme to 'internal'",
            env.urn,
        )
    ]


def test_a_role_from_provider_default_tags_counts() -> None:
    env = model(ELBScheme="public")
    env.props["tags"] = {}
    env.props["tagsAll"] = {"role": "model"}
    outcome = check_stack("eb-model-environment-internal", [*BASE, env])
    assert [urn for _, urn in outcome.violations] == [env.urn]


def test_internal_model_load_balancer_in_a_public_subnet_fails() -> None:
    env = eb_environment(
        vpc(PRIVATE_IDS, elb_subnets="subnet-pub", ELBScheme="internal"), "model", "triton"
    )
    outcome = check_stack("eb-model-environment-internal", [*BASE, env])
    assert outcome.violations == [
        (
            f"{ENV} 'triton': aws:ec2:vpc ELBSubnets includes public subnets: subnet-pub "
            "('pub-a'): aws:ec2/routeTable:RouteTable 'pub-rt' (inline route 0) routes "
            f"0.0.0.0/0 to internet gateway igw-01. {FIX_PRIVATE}",
            env.urn,
        )
    ]


# -- environment properties: size and names -----------------------------------------------


def props_settings(properties: dict[str, Any]) -> list[dict[str, Any]]:
    return [setting(PROPS_NS, k, v) for k, v in properties.items()]


BIG = {"BLOB_A": "a" * 2500, "BLOB_B": "b" * 1500, "SMALL": "c" * 180}
"""4,200 bytes as key=value strings: 2,507 + 1,507 + 186."""


def test_big_properties_measure_4200_bytes() -> None:
    assert sum(len(f"{k}={v}".encode()) for k, v in BIG.items()) == 4200


SIZE_MESSAGE = (
    "{type} '{name}': environment properties (aws:elasticbeanstalk:application:environment) "
    "take 4,200 bytes as key=value strings, over Elastic Beanstalk's limit of 4,096 bytes; "
    "biggest: BLOB_A (2,507 B), BLOB_B (1,507 B), SMALL (186 B). Move large or sensitive values "
    "to Secrets Manager or SSM Parameter Store and reference them through "
    "aws:elasticbeanstalk:application:environmentsecrets (the stack config's `secrets:`), which "
    "does not count toward the limit."
)


@pytest.mark.parametrize("type_token", [ENV, TEMPLATE])
def test_4200_bytes_of_properties_fail_with_size_limit_and_biggest(type_token: str) -> None:
    outcome = check_eb(
        "eb-env-properties-size-limit", type_token, {"settings": props_settings(BIG)}, "cfg"
    )
    assert outcome.messages == [SIZE_MESSAGE.format(type=type_token, name="cfg")]
    assert outcome.undecided is None


@pytest.mark.parametrize("type_token", [ENV, TEMPLATE])
def test_properties_within_4096_bytes_pass(type_token: str) -> None:
    small = {"DB_HOST": "db.internal", "LOG_LEVEL": "info", "PAD": "x" * (4096 - 50)}
    assert sum(len(f"{k}={v}".encode()) for k, v in small.items()) <= 4096
    passes(
        check_eb("eb-env-properties-size-limit", type_token, {"settings": props_settings(small)})
    )


def test_secret_wrapped_oversized_properties_are_still_measured() -> None:
    wrapped = {**SECRET, "value": props_settings(BIG)}
    outcome = check_eb("eb-env-properties-size-limit", ENV, {"settings": wrapped}, "cfg")
    assert outcome.messages == [SIZE_MESSAGE.format(type=ENV, name="cfg")]


def test_an_unknown_property_value_under_the_limit_is_advisory() -> None:
    outcome = check_eb(
        "eb-env-properties-size-limit",
        ENV,
        {"settings": props_settings({"DB_HOST": UNKNOWN, "LOG": "info"})},
        "api",
    )
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': the value of DB_HOST {IS_NOT_KNOWN}; the known "
        "environment properties take 16 of 4,096 bytes"
    )


def test_environment_secrets_namespace_does_not_count() -> None:
    settings = [setting("aws:elasticbeanstalk:application:environmentsecrets", "BLOB", "x" * 5000)]
    passes(check_eb("eb-env-properties-size-limit", ENV, {"settings": settings}))


def test_property_names_eb_rejects_fail_and_portable_names_pass() -> None:
    good = props_settings({"DB_HOST": "h", "_X1": "y"})
    passes(check_eb("eb-env-property-names", ENV, {"settings": good}))
    bad = props_settings({"DB HOST": "h", "OK": "y"})
    assert check_eb("eb-env-property-names", ENV, {"settings": bad}, "api").messages == [
        f"{ENV} 'api': environment property name 'DB HOST' has characters Elastic Beanstalk "
        "rejects (allowed: letters, digits and _ . : / + \\ - @); rename it, e.g. 'DB_HOST'"
    ]


def test_names_in_the_wider_aws_set_are_only_advisory_not_portable() -> None:
    dotted = props_settings({"app.mode": "x"})
    passes(check_eb("eb-env-property-names", ENV, {"settings": dotted}))
    assert check_eb(
        "eb-env-property-names-portable", ENV, {"settings": dotted}, "api"
    ).messages == [
        f"{ENV} 'api': environment property name 'app.mode' is accepted by Elastic Beanstalk "
        "but is not a shell identifier ([A-Za-z_][A-Za-z0-9_]*), so some platforms cannot read "
        "it as an environment variable; rename it, e.g. 'app_mode'"
    ]
    passes(
        check_eb("eb-env-property-names-portable", ENV, {"settings": props_settings({"A_1": "x"})})
    )


def test_secret_like_plain_property_is_reported_but_not_references_or_lookalikes() -> None:
    settings = props_settings(
        {
            "DB_PASSWORD": "hunter2",
            "TOKENIZER_PATH": "/models/tok",
            "API_KEY": "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:k",
        }
    )
    outcome = check_eb("eb-secret-like-plain-property", ENV, {"settings": settings}, "api")
    assert outcome.messages == [
        f"{ENV} 'api': environment property 'DB_PASSWORD' looks like a credential but is a plain "
        "property (visible in the console, the API and the stack state); store it in Secrets "
        "Manager or SSM and reference it through "
        "aws:elasticbeanstalk:application:environmentsecrets"
    ]
    clean = props_settings({"TOKENIZER_PATH": "/models/tok"})
    passes(check_eb("eb-secret-like-plain-property", ENV, {"settings": clean}))


def test_ciphertext_settings_cannot_be_checked() -> None:
    """A stack export without --show-secrets: the settings are present but unreadable."""
    blob = {**SECRET, "ciphertext": "AAAA"}
    check = next(p for p in POLICIES if p.name == "eb-env-property-names")
    assert isinstance(check, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        ENV, {"settings": blob}, urn(ENV, "api"), "api", _options(), None, None, {}
    )
    seen: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        seen.append(message)

    with pytest.raises(UnknownValueError) as raised:
        check.validate(args, report)
    assert seen == []
    assert str(raised.value) == (
        f"{ENV} 'api': its option settings are encrypted in the state (export the stack with "
        "--show-secrets to check it)"
    )


# -- single EB settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "namespace", "name", "good", "bad", "message"),
    [
        (
            "eb-imdsv2-required",
            "aws:autoscaling:launchconfiguration",
            "DisableIMDSv1",
            "true",
            "false",
            "is 'false'; set it to 'true' so instance credentials need an IMDSv2 session token",
        ),
        (
            "eb-enhanced-health",
            "aws:elasticbeanstalk:healthreporting:system",
            "SystemType",
            "enhanced",
            "basic",
            "is 'basic'; set it to 'enhanced' for instance-level health and health-based rollouts",
        ),
        (
            "eb-managed-platform-updates",
            "aws:elasticbeanstalk:managedactions",
            "ManagedActionsEnabled",
            "true",
            "false",
            "is 'false'; set it to 'true' (with a PreferredStartTime) so security patches are "
            "applied",
        ),
        (
            "eb-deployment-policy-safe",
            "aws:elasticbeanstalk:command",
            "DeploymentPolicy",
            "Immutable",
            "AllAtOnce",
            "is 'AllAtOnce': a failed deploy takes every instance down at once; use 'Immutable' "
            "or 'RollingWithAdditionalBatch' (or 'Rolling')",
        ),
    ],
)
def test_single_setting_rules(
    policy: str, namespace: str, name: str, good: str, bad: str, message: str
) -> None:
    passes(check_eb(policy, ENV, {"settings": [setting(namespace, name, good)]}))
    outcome = check_eb(policy, ENV, {"settings": [setting(namespace, name, bad)]}, "api")
    assert outcome.messages == [f"{ENV} 'api': {namespace} {name} {message}"]
    unknown = check_eb(policy, ENV, {"settings": [setting(namespace, name, UNKNOWN)]}, "api")
    assert unknown.violations == []
    assert unknown.undecided == (f"{ENV} 'api': {namespace} {name} {IS_NOT_KNOWN}")


def test_imdsv1_unset_uses_eb_default_and_fails_on_environments_not_templates() -> None:
    outcome = check_eb("eb-imdsv2-required", ENV, {"settings": []}, "api")
    assert outcome.messages == [
        f"{ENV} 'api': aws:autoscaling:launchconfiguration DisableIMDSv1 is not set (EB uses "
        "'false'); set it to 'true' so instance credentials need an IMDSv2 session token"
    ]
    passes(check_eb("eb-imdsv2-required", TEMPLATE, {"settings": []}))


def test_deployment_policy_unset_is_all_at_once() -> None:
    outcome = check_eb("eb-deployment-policy-safe", ENV, {"settings": []}, "api")
    assert outcome.messages == [
        f"{ENV} 'api': aws:elasticbeanstalk:command DeploymentPolicy is not set (EB uses "
        "'AllAtOnce'): a failed deploy takes every instance down at once; use 'Immutable' or "
        "'RollingWithAdditionalBatch' (or 'Rolling')"
    ]


# -- eb-multi-az-capacity ------------------------------------------------------------------


def test_two_azs_and_two_instances_pass() -> None:
    env = eb_environment([*vpc(PRIVATE_IDS), setting("aws:autoscaling:asg", "MinSize", "2")])
    passes(check_stack("eb-multi-az-capacity", [*BASE, env]))


def test_one_az_and_one_instance_fail() -> None:
    env = eb_environment([*vpc("subnet-priva"), setting("aws:autoscaling:asg", "MinSize", "1")])
    outcome = check_stack("eb-multi-az-capacity", [*BASE, env])
    assert outcome.violations == [
        (
            f"{ENV} 'api': aws:autoscaling:asg MinSize is '1'; run at least 2 instances so one "
            "AZ or instance can fail",
            env.urn,
        ),
        (
            f"{ENV} 'api': aws:ec2:vpc Subnets span 1 availability zone(s) (ap-northeast-2a); "
            "use subnets in at least 2 AZs",
            env.urn,
        ),
    ]


# -- RDS -----------------------------------------------------------------------------------

GOOD_DB: dict[str, Any] = {
    "publiclyAccessible": False,
    "storageEncrypted": True,
    "multiAz": True,
    "deletionProtection": True,
    "backupRetentionPeriod": 7,
    "skipFinalSnapshot": False,
    "dbSubnetGroupName": "db-private",
}
DB = f"{RDS} 'db'"


@pytest.mark.parametrize(
    ("policy", "change", "message"),
    [
        (
            "rds-not-publicly-accessible",
            {"publiclyAccessible": True},
            f"{DB}: publiclyAccessible is true; set it to false; reach the database from the "
            "app's security group only",
        ),
        (
            "rds-storage-encrypted",
            {"storageEncrypted": False},
            f"{DB}: storageEncrypted is false; set storageEncrypted to true (this replaces an "
            "existing instance: restore from an encrypted snapshot copy)",
        ),
        (
            "rds-multi-az",
            {"multiAz": False},
            f"{DB}: multiAz is false; set multiAz to true for automatic failover",
        ),
        (
            "rds-deletion-protection",
            {"deletionProtection": False},
            f"{DB}: deletionProtection is false; set deletionProtection to true so the database "
            "cannot be deleted by accident",
        ),
        (
            "rds-backup-retention",
            {"backupRetentionPeriod": 1},
            f"{DB}: backupRetentionPeriod is 1 day(s); keep at least 7 days of automated "
            "backups for point-in-time recovery",
        ),
        (
            "rds-final-snapshot",
            {"skipFinalSnapshot": True},
            f"{DB}: skipFinalSnapshot is true; set skipFinalSnapshot to false (with a "
            "finalSnapshotIdentifier)",
        ),
    ],
)
def test_rds_resource_rules(policy: str, change: dict[str, Any], message: str) -> None:
    passes(check_resource(policy, RDS, GOOD_DB, "db"))
    assert check_resource(policy, RDS, {**GOOD_DB, **change}, "db").messages == [message]


def test_unset_storage_encryption_uses_the_aws_default_and_fails() -> None:
    props = {k: v for k, v in GOOD_DB.items() if k != "storageEncrypted"}
    assert check_resource("rds-storage-encrypted", RDS, props, "db").messages == [
        f"{DB}: storageEncrypted is not set (AWS uses false); set storageEncrypted to true (this "
        "replaces an existing instance: restore from an encrypted snapshot copy)"
    ]


def test_unknown_public_accessibility_is_advisory() -> None:
    outcome = check_resource(
        "rds-not-publicly-accessible", RDS, {**GOOD_DB, "publiclyAccessible": UNKNOWN}, "db"
    )
    assert outcome.violations == []
    assert outcome.undecided == f"{DB}: publiclyAccessible is not known yet"


def db_stack(*subnet_ids: str, deps: list[Res] | None = None) -> tuple[Res, Res]:
    ids: Any = list(subnet_ids) if subnet_ids else UNKNOWN
    group = Res(
        "aws:rds/subnetGroup:SubnetGroup",
        "db-group",
        {"name": "db-private", "subnetIds": ids},
        deps={"subnetIds": deps or []},
    )
    return group, Res(RDS, "db", GOOD_DB)


def test_db_subnet_group_of_private_subnets_passes() -> None:
    passes(
        check_stack("rds-subnet-group-private", [*BASE, *db_stack("subnet-priva", "subnet-privb")])
    )


def test_db_subnet_group_with_unknown_ids_depending_on_private_subnets_passes() -> None:
    passes(check_stack("rds-subnet-group-private", [*BASE, *db_stack(deps=[PRIV_A, PRIV_B])]))


def test_db_subnet_group_with_a_public_subnet_fails() -> None:
    group, db = db_stack("subnet-priva", "subnet-pub")
    outcome = check_stack("rds-subnet-group-private", [*BASE, group, db])
    assert outcome.violations == [
        (
            "aws:rds/subnetGroup:SubnetGroup 'db-group' (used by aws:rds/instance:Instance 'db') "
            "includes public subnets: subnet-pub ('pub-a'): aws:ec2/routeTable:RouteTable "
            "'pub-rt' (inline route 0) routes 0.0.0.0/0 to internet gateway igw-01. Use only "
            "private (isolated) subnets for the database.",
            group.urn,
        )
    ]


def test_db_without_subnet_group_uses_the_default_vpc_and_fails() -> None:
    db = Res(RDS, "db", {k: v for k, v in GOOD_DB.items() if k != "dbSubnetGroupName"})
    assert check_stack("rds-subnet-group-private", [*BASE, db]).violations == [
        (
            f"{DB}: dbSubnetGroupName is not set, so RDS uses the default VPC's default subnet "
            "group, whose subnets are public; create a DB subnet group of private subnets and "
            "set dbSubnetGroupName",
            db.urn,
        )
    ]


# -- sg-no-world-ingress: inline, SecurityGroupIngressRule, SecurityGroupRule ---------------

WORLD_TAIL = (
    "; only TCP 80 and 443 may be open to the world. Restrict the source to a security group "
    "or a known CIDR (use SSM Session Manager instead of SSH)"
)


def sg_check(type_token: str, props: dict[str, Any]) -> Any:
    return check_resource("sg-no-world-ingress", type_token, props, "sg")


def rule(protocol: str, low: int, high: int, cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    key = "ipv6CidrBlocks" if ":" in cidr else "cidrBlocks"
    return {"protocol": protocol, "fromPort": low, "toPort": high, key: [cidr]}


def test_inline_ingress_http_https_from_the_world_and_egress_anywhere_pass() -> None:
    props = {
        "ingress": [rule("tcp", 80, 80), rule("tcp", 443, 443, "::/0")],
        "egress": [rule("-1", 0, 0), rule("-1", 0, 0, "::/0")],
    }
    passes(sg_check(SG, props))


def test_inline_ssh_from_the_world_fails() -> None:
    props = {"ingress": [rule("tcp", 443, 443), rule("tcp", 22, 22)]}
    assert sg_check(SG, props).messages == [
        f"{SG} 'sg': ingress[1] admits TCP port(s) 22 from 0.0.0.0/0{WORLD_TAIL}"
    ]


def test_ingress_rule_resource_all_traffic_from_ipv6_world_fails() -> None:
    props = {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv6": "::/0"}
    assert sg_check(INGRESS_RULE, props).messages == [
        f"{INGRESS_RULE} 'sg': the rule admits all traffic from ::/0{WORLD_TAIL}"
    ]


def test_the_world_is_recognised_in_any_spelling() -> None:
    props = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv6": "0:0:0:0:0:0:0:0/0"}
    assert sg_check(INGRESS_RULE, props).messages == [
        f"{INGRESS_RULE} 'sg': the rule admits TCP port(s) 22 from 0:0:0:0:0:0:0:0/0{WORLD_TAIL}"
    ]
    narrow = {**props, "cidrIpv6": "2001:db8::/32"}
    passes(sg_check(INGRESS_RULE, narrow))


def test_ingress_rule_resource_https_from_the_world_passes() -> None:
    props = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"}
    passes(sg_check(INGRESS_RULE, props))
    passes(
        sg_check(INGRESS_RULE, {**props, "fromPort": 22, "toPort": 22, "cidrIpv4": "10.0.0.0/16"})
    )


def test_legacy_rule_ingress_ssh_fails_and_egress_passes() -> None:
    ssh = {"type": "ingress", **rule("tcp", 22, 22)}
    assert sg_check(LEGACY_RULE, ssh).messages == [
        f"{LEGACY_RULE} 'sg': the ingress rule admits TCP port(s) 22 from 0.0.0.0/0{WORLD_TAIL}"
    ]
    passes(sg_check(LEGACY_RULE, {"type": "egress", **rule("-1", 0, 0)}))
    passes(sg_check(LEGACY_RULE, {"type": "ingress", **rule("tcp", 80, 80)}))


def test_unknown_ingress_source_is_advisory() -> None:
    props = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": UNKNOWN}
    outcome = sg_check(INGRESS_RULE, props)
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{INGRESS_RULE} 'sg': the source or ports of the rule {ARE_NOT_KNOWN}"
    )


def undecided_raw(policy: str, type_token: str, props: dict[str, Any]) -> str:
    """A resource policy on props as a stack export holds them (ciphertext envelopes, which
    pulumi-policy's deserializer refuses, are what preflight hands the pack after reading
    a state exported without --show-secrets): the advisory's text."""
    check = BY_NAME[policy]
    assert isinstance(check, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        type_token, props, urn(type_token, "sg"), "sg", _options(), None, None, {}
    )
    seen: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        seen.append(message)

    with pytest.raises(UnknownValueError) as raised:
        check.validate(args, report)
    assert seen == []
    return str(raised.value)


def test_an_encrypted_ingress_source_in_a_saved_state_says_so() -> None:
    """A stack export without --show-secrets: nothing is 'unknown', the value is ciphertext."""
    hidden = {**SECRET, "ciphertext": "AAAA"}
    props = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": hidden}
    assert undecided_raw("sg-no-world-ingress", INGRESS_RULE, props) == (
        f"{INGRESS_RULE} 'sg': the source or ports of the rule are encrypted in the state "
        "(export the stack with --show-secrets to check it)"
    )
    sg = {"ingress": [{**rule("tcp", 22, 22), "cidrBlocks": hidden}, rule("tcp", 80, 80)]}
    assert undecided_raw("sg-no-world-ingress", SG, sg) == (
        f"{SG} 'sg': the source or ports of ingress[0] are encrypted in the state (export the "
        "stack with --show-secrets to check it)"
    )


# ICMP rules: fromPort is the ICMP type and toPort the code; -1 means all.
ICMP_CASES = [
    ("icmp", 8, 0, "ICMP type 8 code 0"),
    ("ICMP", 3, 4, "ICMP type 3 code 4"),
    ("1", 8, -1, "ICMP type 8 (all codes)"),
    ("icmp", -1, -1, "all ICMP types and codes"),
    ("icmpv6", 128, 0, "ICMPv6 type 128 code 0"),
    ("58", -1, -1, "all ICMPv6 types and codes"),
    ("58", 135, -1, "ICMPv6 type 135 (all codes)"),
]


@pytest.mark.parametrize(("protocol", "icmp_type", "code", "what"), ICMP_CASES)
@pytest.mark.parametrize("form", ["inline", "ingress-rule", "legacy-rule"])
def test_icmp_rules_are_described_by_type_and_code(
    form: str, protocol: str, icmp_type: int, code: int, what: str
) -> None:
    cidr = "::/0" if protocol.lower() in ("icmpv6", "58") else "0.0.0.0/0"
    if form == "inline":
        type_token, where = SG, "ingress[0]"
        props: dict[str, Any] = {"ingress": [rule(protocol, icmp_type, code, cidr)]}
    elif form == "ingress-rule":
        type_token, where = INGRESS_RULE, "the rule"
        field = "cidrIpv6" if ":" in cidr else "cidrIpv4"
        props = {"ipProtocol": protocol, "fromPort": icmp_type, "toPort": code, field: cidr}
    else:
        type_token, where = LEGACY_RULE, "the ingress rule"
        props = {"type": "ingress", **rule(protocol, icmp_type, code, cidr)}
    assert sg_check(type_token, props).messages == [
        f"{type_token} 'sg': {where} admits {what} from {cidr}{WORLD_TAIL}"
    ]
    if form == "inline":
        passes(sg_check(SG, {"ingress": [rule(protocol, icmp_type, code, "10.0.0.0/8")]}))


@pytest.mark.parametrize(
    ("protocol", "low", "high", "what"),
    [
        ("udp", 53, 53, "UDP port(s) 53"),
        ("17", 1000, 2000, "UDP port(s) 1000-2000"),
        ("6", 22, 22, "TCP port(s) 22"),
        ("tcp", 0, 65535, "TCP port(s) 0-65535"),
        ("50", 0, 0, "all traffic of IP protocol 50"),
        ("all", 0, 0, "all traffic"),
    ],
)
def test_other_protocols_are_described_in_their_own_terms(
    protocol: str, low: int, high: int, what: str
) -> None:
    props = {"ipProtocol": protocol, "fromPort": low, "toPort": high, "cidrIpv4": "0.0.0.0/0"}
    assert sg_check(INGRESS_RULE, props).messages == [
        f"{INGRESS_RULE} 'sg': the rule admits {what} from 0.0.0.0/0{WORLD_TAIL}"
    ]


# -- vpc-flow-logs-enabled ------------------------------------------------------------------


def test_vpc_without_flow_log_is_reported_and_with_one_passes() -> None:
    outcome = check_stack("vpc-flow-logs-enabled", [VPC])
    assert outcome.violations == [
        (
            "aws:ec2/vpc:Vpc 'vpc': no aws:ec2/flowLog:FlowLog records its traffic; add a flow "
            "log (trafficType ALL) to CloudWatch Logs or S3 for incident response",
            VPC.urn,
        )
    ]
    log = Res("aws:ec2/flowLog:FlowLog", "flow", {"vpcId": "vpc-01", "trafficType": "ALL"})
    passes(check_stack("vpc-flow-logs-enabled", [VPC, log]))


def test_every_policy_has_a_test_here() -> None:
    import pathlib

    here = pathlib.Path(__file__).parent
    text = "".join(
        (here / f).read_text()
        for f in (
            "test_rules_unit.py",
            "test_storage_rules.py",
            "test_queue_rules.py",
            "policies/test_cost_policy.py",
        )
    )
    assert [p.name for p in POLICIES if f'"{p.name}"' not in text] == []
    assert all(isinstance(p, ResourceValidationPolicy | StackValidationPolicy) for p in POLICIES)


# -- rule bugs found while writing these tests (were strict xfail; fixed in the pack) -----


def from_template(*settings: dict[str, Any]) -> tuple[Res, Res]:
    """An environment launched from a configuration template: its settings live there."""
    template = Res(
        TEMPLATE, "base", {"name": "base", "application": "app", "settings": list(settings)}
    )
    environment = Res(
        ENV, "api", {"application": "app", "templateName": "base", "tags": {"role": "web"}}
    )
    return template, environment


def test_environment_whose_template_sets_private_subnets_passes() -> None:
    template, environment = from_template(*vpc(PRIVATE_IDS))
    passes(placement([*BASE, template, environment]))


def test_environment_whose_template_sets_public_subnets_is_still_caught() -> None:
    template, environment = from_template(*vpc("subnet-pub"))
    outcome = placement([*BASE, template, environment])
    assert any("includes public subnets: subnet-pub ('pub-a')" in m for m in outcome.messages)


def test_environment_whose_template_requires_imdsv2_is_judged_on_the_template() -> None:
    template, environment = from_template(
        setting("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true")
    )
    passes(check_stack("eb-imdsv2-required", [template, environment]))
    outcome = check_stack("eb-imdsv2-required", [environment])
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': aws:autoscaling:launchconfiguration DisableIMDSv1 is not set on the "
        "environment and its configuration template 'base' is not in this stack"
    )


def test_a_template_outside_the_stack_is_advisory_not_a_default_vpc_violation() -> None:
    environment = Res(ENV, "api", {"application": "app", "templateName": "shared", "tags": {}})
    outcome = placement([*BASE, environment])
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': aws:ec2:vpc Subnets is not set on the environment and its configuration "
        f"template 'shared' is not in this stack; {ENV} 'api': aws:ec2:vpc "
        "AssociatePublicIpAddress is not set on the environment and its configuration template "
        "'shared' is not in this stack"
    )


def test_a_property_name_starting_with_angle_bracket_is_rejected() -> None:
    settings = props_settings({"<bad>": "x"})
    outcome = check_eb("eb-env-property-names", ENV, {"settings": settings}, "api")
    assert len(outcome.messages) == 1
    assert "'<bad>' has characters Elastic Beanstalk rejects" in outcome.messages[0]


def test_an_entry_with_an_unknown_name_does_not_inflate_the_lower_bound() -> None:
    settings = [setting(PROPS_NS, "PAD", "x" * (4080 - 4)), setting(PROPS_NS, UNKNOWN, "x")]
    outcome = check_eb("eb-env-properties-size-limit", ENV, {"settings": settings}, "api")
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': a property whose name {IS_NOT_KNOWN}; the "
        "known environment properties take 4,083 of 4,096 bytes"
    )
    over = [setting(PROPS_NS, "PAD", "x" * 4090), setting(PROPS_NS, UNKNOWN, "xx")]
    outcome = check_eb("eb-env-properties-size-limit", ENV, {"settings": over}, "api")
    assert "take at least 4,098 bytes" in outcome.messages[0]


def test_multibyte_values_count_in_utf8_bytes() -> None:
    # 1,366 three-byte characters: 4,098 bytes + "K=" = 4,100 bytes, though only 1,368 chars.
    settings = props_settings({"K": "한" * 1366})
    outcome = check_eb("eb-env-properties-size-limit", ENV, {"settings": settings})
    assert "take 4,100 bytes" in outcome.messages[0]


def test_single_instance_model_environment_fails() -> None:
    single = model(ELBScheme="internal")
    single.props["settings"].append(
        setting("aws:elasticbeanstalk:environment", "EnvironmentType", "SingleInstance")
    )
    outcome = check_stack("eb-model-environment-internal", [*BASE, single])
    assert outcome.messages == [
        f"{ENV} 'triton' (role=model): aws:elasticbeanstalk:environment EnvironmentType is "
        "'SingleInstance', which gives the instance an Elastic IP and a public endpoint; use "
        "'LoadBalanced' with an internal load balancer"
    ]
