"""Every rule of the pack: a passing and a violating case, in each form AWS allows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy_support import (
    IGW,
    NAT,
    SECRET,
    UNKNOWN,
    VPC,
    Res,
    associate,
    check_resource,
    check_stack,
    eb_environment,
    passes,
    setting,
    subnet,
    table,
)

ENV = "aws:elasticbeanstalk/environment:Environment"
TEMPLATE = "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate"
RDS = "aws:rds/instance:Instance"
PROPS_NS = "aws:elasticbeanstalk:application:environment"

PUBLIC_A = subnet("public-a", "subnet-0pub")
PRIVATE_A = subnet("private-a", "subnet-0priv", "ap-northeast-2a")
PRIVATE_B = subnet("private-b", "subnet-0privb", "ap-northeast-2b")
PUBLIC_RT = table("public-rt", "rtb-pub", [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"}])
PRIVATE_RT = table("private-rt", "rtb-priv", [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-01"}])
NETWORK = [
    VPC,
    IGW,
    NAT,
    PUBLIC_A,
    PRIVATE_A,
    PRIVATE_B,
    PUBLIC_RT,
    PRIVATE_RT,
    associate(PUBLIC_A, PUBLIC_RT),
    associate(PRIVATE_A, PRIVATE_RT),
    associate(PRIVATE_B, PRIVATE_RT),
]


def vpc_settings(
    subnets: str, elb_subnets: str = "subnet-0pub", **extra: str
) -> list[dict[str, Any]]:
    items = [
        setting("aws:ec2:vpc", "VPCId", "vpc-01"),
        setting("aws:ec2:vpc", "Subnets", subnets),
        setting("aws:ec2:vpc", "ELBSubnets", elb_subnets),
    ]
    items += [setting("aws:ec2:vpc", key, value) for key, value in extra.items()]
    return items


# -- eb-instances-in-private-subnets ------------------------------------------------------


def test_private_instances_behind_a_public_alb_pass() -> None:
    env = eb_environment(vpc_settings("subnet-0priv,subnet-0privb"))
    passes(check_stack("eb-instances-in-private-subnets", [*NETWORK, env]))


def test_instances_in_a_subnet_routed_inline_to_the_igw_fail() -> None:
    env = eb_environment(vpc_settings("subnet-0priv,subnet-0pub"))
    outcome = check_stack("eb-instances-in-private-subnets", [*NETWORK, env])
    assert outcome.violations == [
        (
            f"{ENV} 'api': aws:ec2:vpc Subnets includes public subnets: subnet-0pub ('public-a'): "
            "aws:ec2/routeTable:RouteTable 'public-rt' (inline route 0) routes 0.0.0.0/0 to "
            "internet gateway igw-01. Put the instances in private subnets (a default route to a "
            "NAT gateway, not an internet gateway, and mapPublicIpOnLaunch false).",
            env.urn,
        )
    ]


def test_a_separate_route_resource_to_the_igw_makes_a_subnet_public() -> None:
    bare = table("app-rt", "rtb-app")
    app = subnet("app-a", "subnet-0app")
    route = Res(
        "aws:ec2/route:Route",
        "app-default",
        {"routeTableId": "rtb-app", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"},
    )
    env = eb_environment(vpc_settings("subnet-0app"))
    outcome = check_stack(
        "eb-instances-in-private-subnets", [VPC, IGW, app, bare, associate(app, bare), route, env]
    )
    assert len(outcome.violations) == 1
    assert (
        "subnet-0app ('app-a'): aws:ec2/route:Route 'app-default' in "
        "aws:ec2/routeTable:RouteTable 'app-rt' routes 0.0.0.0/0 to internet gateway igw-01"
        in outcome.messages[0]
    )


def test_an_ipv6_default_route_to_the_igw_counts_too() -> None:
    v6 = table("v6-rt", "rtb-v6", [{"ipv6CidrBlock": "::/0", "gatewayId": "igw-01"}])
    app = subnet("app-a", "subnet-0app")
    env = eb_environment(vpc_settings("subnet-0app"))
    outcome = check_stack(
        "eb-instances-in-private-subnets", [VPC, IGW, app, v6, associate(app, v6), env]
    )
    assert "routes ::/0 to internet gateway igw-01" in outcome.messages[0]


def test_map_public_ip_on_launch_makes_a_subnet_public() -> None:
    auto = subnet("auto-a", "subnet-0auto", mapPublicIpOnLaunch=True)
    env = eb_environment(vpc_settings("subnet-0auto"))
    outcome = check_stack(
        "eb-instances-in-private-subnets", [*NETWORK, auto, associate(auto, PRIVATE_RT), env]
    )
    assert "subnet-0auto ('auto-a'): mapPublicIpOnLaunch is true" in outcome.messages[0]


def test_a_subnet_without_association_uses_the_main_route_table() -> None:
    loose = subnet("loose-a", "subnet-0loose")
    main_route = Res(
        "aws:ec2/route:Route",
        "main-default",
        {"routeTableId": "rtb-main", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-01"},
    )
    env = eb_environment(vpc_settings("subnet-0loose"))
    passes(check_stack("eb-instances-in-private-subnets", [VPC, IGW, loose, env]))
    outcome = check_stack("eb-instances-in-private-subnets", [VPC, IGW, loose, main_route, env])
    assert "routes 0.0.0.0/0 to internet gateway igw-01" in outcome.messages[0]


def test_associate_public_ip_address_fails() -> None:
    env = eb_environment(vpc_settings("subnet-0priv", AssociatePublicIpAddress="true"))
    outcome = check_stack("eb-instances-in-private-subnets", [*NETWORK, env])
    assert outcome.messages == [
        f"{ENV} 'api': aws:ec2:vpc AssociatePublicIpAddress is 'true'; instances in private "
        "subnets need no public IP: remove it or set 'false'"
    ]


def test_no_subnets_means_the_default_vpc() -> None:
    env = eb_environment([setting("aws:autoscaling:asg", "MinSize", "2")])
    outcome = check_stack("eb-instances-in-private-subnets", [env])
    assert outcome.messages == [
        f"{ENV} 'api': aws:ec2:vpc Subnets is not set, so Elastic Beanstalk launches the "
        "instances in the default VPC's public subnets; set VPCId and Subnets to private subnets"
    ]


def test_secret_wrapped_settings_are_unwrapped_and_checked() -> None:
    env = eb_environment({**SECRET, "value": vpc_settings("subnet-0pub")})
    outcome = check_stack("eb-instances-in-private-subnets", [*NETWORK, env])
    assert "includes public subnets: subnet-0pub" in outcome.messages[0]


def test_unknown_subnets_relate_by_property_dependencies() -> None:
    private_only = eb_environment(vpc_settings(UNKNOWN, elb_subnets=UNKNOWN))
    private_only.deps = {"settings": [PRIVATE_A, PRIVATE_B]}
    passes(check_stack("eb-instances-in-private-subnets", [*NETWORK, private_only]))

    mixed = eb_environment(vpc_settings(UNKNOWN, elb_subnets=UNKNOWN))
    mixed.deps = {"settings": [PRIVATE_A, PUBLIC_A]}
    outcome = check_stack("eb-instances-in-private-subnets", [*NETWORK, mixed])
    assert outcome.violations == []
    assert outcome.undecided is not None
    assert "aws:ec2:vpc Subnets is not known yet and the settings depend on public subnets" in (
        outcome.undecided
    )


def test_an_unknown_igw_id_relates_by_dependency() -> None:
    app = subnet("app-a", "subnet-0app")
    rt = table("app-rt", "rtb-app", [{"cidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN}])
    rt.deps = {"routes": [IGW]}
    env = eb_environment(vpc_settings("subnet-0app"))
    outcome = check_stack(
        "eb-instances-in-private-subnets", [VPC, IGW, app, rt, associate(app, rt), env]
    )
    assert "routes 0.0.0.0/0 to internet gateway (by dependency)" in outcome.messages[0]


def test_unknown_settings_are_advisory_not_silent() -> None:
    env = eb_environment(UNKNOWN)
    outcome = check_stack("eb-instances-in-private-subnets", [env])
    assert outcome.violations == []
    assert outcome.undecided == f"{ENV} 'api': its option settings are unreadable"


# -- eb-model-environment-internal --------------------------------------------------------


def _model(scheme: str | None, elb_subnets: str = "subnet-0priv,subnet-0privb") -> Res:
    items = vpc_settings("subnet-0priv,subnet-0privb", elb_subnets=elb_subnets)
    if scheme is not None:
        items.append(setting("aws:ec2:vpc", "ELBScheme", scheme))
    return eb_environment(items, role="model", name="triton")


def test_internal_model_environment_passes() -> None:
    passes(check_stack("eb-model-environment-internal", [*NETWORK, _model("internal")]))


def test_model_environment_with_default_scheme_fails() -> None:
    outcome = check_stack("eb-model-environment-internal", [*NETWORK, _model(None)])
    assert outcome.messages == [
        f"{ENV} 'triton' (role=model): aws:ec2:vpc ELBScheme is not set (EB uses 'public'); "
        "the model server must only be reachable inside the VPC: set ELBScheme to 'internal'"
    ]


def test_internal_model_lb_in_a_public_subnet_fails() -> None:
    outcome = check_stack(
        "eb-model-environment-internal", [*NETWORK, _model("internal", elb_subnets="subnet-0pub")]
    )
    assert "aws:ec2:vpc ELBSubnets includes public subnets: subnet-0pub" in outcome.messages[0]


def test_web_environment_may_be_public() -> None:
    web = eb_environment(
        [*vpc_settings("subnet-0priv"), setting("aws:ec2:vpc", "ELBScheme", "public")]
    )
    passes(check_stack("eb-model-environment-internal", [*NETWORK, web]))


def test_single_instance_model_environment_fails() -> None:
    model = _model("internal")
    model.props["settings"].append(
        setting("aws:elasticbeanstalk:environment", "EnvironmentType", "SingleInstance")
    )
    outcome = check_stack("eb-model-environment-internal", [*NETWORK, model])
    assert "EnvironmentType is 'SingleInstance'" in outcome.messages[0]


# -- the 4 KB budget and property names ---------------------------------------------------


def _with_props(props: dict[str, str], type_token: str = ENV) -> dict[str, Any]:
    return {"settings": [setting(PROPS_NS, key, value) for key, value in props.items()]}


def test_properties_within_4_kb_pass() -> None:
    # 4,096 bytes exactly: "BIG=" is 4 bytes.
    passes(check_resource("eb-env-properties-size-limit", ENV, _with_props({"BIG": "x" * 4092})))


def test_properties_over_4_kb_fail_with_size_limit_and_biggest() -> None:
    props = {"BLOB": "x" * 4200, "LOG_LEVEL": "info", "APP_ENV": "prod"}
    outcome = check_resource("eb-env-properties-size-limit", ENV, _with_props(props), name="api")
    assert outcome.messages == [
        f"{ENV} 'api': environment properties ({PROPS_NS}) take 4,231 bytes as key=value "
        "strings, over Elastic Beanstalk's limit of 4,096 bytes; biggest: BLOB (4,205 B), "
        "LOG_LEVEL (14 B), APP_ENV (12 B). Move large or sensitive values to Secrets Manager or "
        "SSM Parameter Store and reference them through "
        "aws:elasticbeanstalk:application:environmentsecrets (the stack config's `secrets:`), "
        "which does not count toward the limit."
    ]


def test_multibyte_values_count_in_utf8_bytes() -> None:
    # 1,366 three-byte characters: 4,098 bytes + "K=" = 4,100 bytes, though only 1,368 chars.
    outcome = check_resource("eb-env-properties-size-limit", ENV, _with_props({"K": "한" * 1366}))
    assert "take 4,100 bytes" in outcome.messages[0]


def test_configuration_templates_are_measured_too() -> None:
    outcome = check_resource(
        "eb-env-properties-size-limit", TEMPLATE, _with_props({"BLOB": "x" * 5000}), name="base"
    )
    assert outcome.messages[0].startswith(f"{TEMPLATE} 'base': environment properties")


def test_secrets_namespace_does_not_count() -> None:
    settings = [
        setting("aws:elasticbeanstalk:application:environmentsecrets", "BLOB", "arn:" + "x" * 5000)
    ]
    passes(check_resource("eb-env-properties-size-limit", ENV, {"settings": settings}))


def test_unknown_property_values_are_advisory() -> None:
    outcome = check_resource(
        "eb-env-properties-size-limit", ENV, _with_props({"MODEL_URL": UNKNOWN, "A": "b"})
    )
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'r': 1 environment properties are not known yet (MODEL_URL); the known ones "
        "take 13 of 4,096 bytes"
    )


def test_property_names_eb_rejects_fail() -> None:
    passes(check_resource("eb-env-property-names", ENV, _with_props({"app.name/x": "1"})))
    outcome = check_resource("eb-env-property-names", ENV, _with_props({"BAD KEY": "1"}))
    assert outcome.messages == [
        f"{ENV} 'r': environment property name 'BAD KEY' has characters Elastic Beanstalk "
        "rejects (allowed: letters, digits and _ . : / + \\ - @); rename it, e.g. 'BAD_KEY'"
    ]


def test_non_portable_names_are_flagged() -> None:
    passes(check_resource("eb-env-property-names-portable", ENV, _with_props({"APP_NAME": "1"})))
    outcome = check_resource("eb-env-property-names-portable", ENV, _with_props({"app.name": "1"}))
    assert outcome.messages == [
        f"{ENV} 'r': environment property name 'app.name' is accepted by Elastic Beanstalk but "
        "is not a shell identifier ([A-Za-z_][A-Za-z0-9_]*), so some platforms cannot read it "
        "as an environment variable; rename it, e.g. 'app_name'"
    ]


def test_credential_like_plain_properties_are_flagged() -> None:
    passes(
        check_resource(
            "eb-secret-like-plain-property", ENV, _with_props({"TOKENIZER_PATH": "/m", "X": "1"})
        )
    )
    outcome = check_resource(
        "eb-secret-like-plain-property", ENV, _with_props({"DB_PASSWORD": "p"})
    )
    assert outcome.messages[0].startswith(
        f"{ENV} 'r': environment property 'DB_PASSWORD' looks like a credential"
    )


# -- single-option rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "namespace", "option", "good", "bad", "message_tail"),
    [
        (
            "eb-imdsv2-required",
            "aws:autoscaling:launchconfiguration",
            "DisableIMDSv1",
            "true",
            "false",
            "set it to 'true' so instance credentials need an IMDSv2 session token",
        ),
        (
            "eb-enhanced-health",
            "aws:elasticbeanstalk:healthreporting:system",
            "SystemType",
            "enhanced",
            "basic",
            "set it to 'enhanced' for instance-level health and health-based rollouts",
        ),
        (
            "eb-managed-platform-updates",
            "aws:elasticbeanstalk:managedactions",
            "ManagedActionsEnabled",
            "true",
            "false",
            "set it to 'true' (with a PreferredStartTime) so security patches are applied",
        ),
    ],
)
def test_single_option_rules(policy, namespace, option, good, bad, message_tail) -> None:
    passes(check_resource(policy, ENV, {"settings": [setting(namespace, option, good)]}))
    outcome = check_resource(policy, ENV, {"settings": [setting(namespace, option, bad)]})
    assert outcome.messages == [f"{ENV} 'r': {namespace} {option} is '{bad}'; {message_tail}"]
    unset = check_resource(policy, ENV, {"settings": []})
    assert " is not set (EB uses " in unset.messages[0]
    # A configuration template may leave the option to the environment.
    passes(check_resource(policy, TEMPLATE, {"settings": []}))


def test_deployment_policy() -> None:
    ns = "aws:elasticbeanstalk:command"
    passes(
        check_resource(
            "eb-deployment-policy-safe",
            ENV,
            {"settings": [setting(ns, "DeploymentPolicy", "Immutable")]},
        )
    )
    outcome = check_resource("eb-deployment-policy-safe", ENV, {"settings": []})
    assert outcome.messages == [
        f"{ENV} 'r': {ns} DeploymentPolicy is not set (EB uses 'AllAtOnce'): a failed deploy "
        "takes every instance down at once; use 'Immutable' or 'RollingWithAdditionalBatch' "
        "(or 'Rolling')"
    ]


def test_multi_az_capacity() -> None:
    good = eb_environment(
        [
            *vpc_settings("subnet-0priv,subnet-0privb"),
            setting("aws:autoscaling:asg", "MinSize", "2"),
        ]
    )
    passes(check_stack("eb-multi-az-capacity", [*NETWORK, good]))
    thin = eb_environment(
        [*vpc_settings("subnet-0priv"), setting("aws:autoscaling:asg", "MinSize", "1")]
    )
    outcome = check_stack("eb-multi-az-capacity", [*NETWORK, thin])
    assert outcome.messages == [
        f"{ENV} 'api': aws:autoscaling:asg MinSize is '1'; run at least 2 instances so one AZ or "
        "instance can fail",
        f"{ENV} 'api': aws:ec2:vpc Subnets span 1 availability zone(s) (ap-northeast-2a); use "
        "subnets in at least 2 AZs",
    ]


# -- RDS ------------------------------------------------------------------------------------


def _db(**props: Any) -> dict[str, Any]:
    base = {
        "publiclyAccessible": False,
        "storageEncrypted": True,
        "multiAz": True,
        "deletionProtection": True,
        "backupRetentionPeriod": 7,
        "skipFinalSnapshot": False,
        "dbSubnetGroupName": "data",
    }
    return {**base, **props}


@pytest.mark.parametrize(
    ("policy", "bad", "message"),
    [
        (
            "rds-not-publicly-accessible",
            {"publiclyAccessible": True},
            "publiclyAccessible is true; set it to false; reach the database from the app's "
            "security group only",
        ),
        (
            "rds-storage-encrypted",
            {"storageEncrypted": False},
            "storageEncrypted is false; set storageEncrypted to true (this replaces an existing "
            "instance: restore from an encrypted snapshot copy)",
        ),
        (
            "rds-multi-az",
            {"multiAz": False},
            "multiAz is false; set multiAz to true for automatic failover",
        ),
        (
            "rds-deletion-protection",
            {"deletionProtection": False},
            "deletionProtection is false; set deletionProtection to true so the database cannot "
            "be deleted by accident",
        ),
        (
            "rds-backup-retention",
            {"backupRetentionPeriod": 3},
            "backupRetentionPeriod is 3 day(s); keep at least 7 days of automated backups for "
            "point-in-time recovery",
        ),
        (
            "rds-final-snapshot",
            {"skipFinalSnapshot": True},
            "skipFinalSnapshot is true; set skipFinalSnapshot to false (with a "
            "finalSnapshotIdentifier)",
        ),
    ],
)
def test_rds_resource_rules(policy: str, bad: dict[str, Any], message: str) -> None:
    passes(check_resource(policy, RDS, _db(), name="orders"))
    outcome = check_resource(policy, RDS, _db(**bad), name="orders")
    assert outcome.messages == [f"{RDS} 'orders': {message}"]


def test_rds_unknown_flag_is_advisory() -> None:
    outcome = check_resource("rds-not-publicly-accessible", RDS, _db(publiclyAccessible=UNKNOWN))
    assert outcome.undecided == f"{RDS} 'r': publiclyAccessible is not known yet"


def _subnet_group(*subnet_ids: str) -> Res:
    return Res(
        "aws:rds/subnetGroup:SubnetGroup",
        "data",
        {"id": "data", "name": "data", "subnetIds": list(subnet_ids)},
    )


def test_rds_subnet_group_of_private_subnets_passes() -> None:
    db = Res(RDS, "orders", _db())
    passes(
        check_stack(
            "rds-subnet-group-private",
            [*NETWORK, _subnet_group("subnet-0priv", "subnet-0privb"), db],
        )
    )


def test_rds_subnet_group_with_a_public_subnet_fails() -> None:
    group = _subnet_group("subnet-0priv", "subnet-0pub")
    outcome = check_stack("rds-subnet-group-private", [*NETWORK, group, Res(RDS, "orders", _db())])
    assert outcome.violations[0][1] == group.urn
    assert outcome.messages[0].startswith(
        f"aws:rds/subnetGroup:SubnetGroup 'data' (used by {RDS} 'orders') includes public "
        "subnets: subnet-0pub ('public-a')"
    )


def test_rds_without_a_subnet_group_fails() -> None:
    outcome = check_stack(
        "rds-subnet-group-private", [Res(RDS, "orders", _db(dbSubnetGroupName=None))]
    )
    assert outcome.messages == [
        f"{RDS} 'orders': dbSubnetGroupName is not set, so RDS uses the default VPC's default "
        "subnet group, whose subnets are public; create a DB subnet group of private subnets and "
        "set dbSubnetGroupName"
    ]


# -- security groups ------------------------------------------------------------------------

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY = "aws:ec2/securityGroupRule:SecurityGroupRule"
TAIL = (
    "only TCP 80 and 443 may be open to the world. Restrict the source to a security group or "
    "a known CIDR (use SSM Session Manager instead of SSH)"
)


def test_inline_ingress_http_https_pass_ssh_fails() -> None:
    web = [
        {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "fromPort": 80, "toPort": 80, "ipv6CidrBlocks": ["::/0"]},
    ]
    egress = [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]
    passes(check_resource("sg-no-world-ingress", SG, {"ingress": web, "egress": egress}))
    ssh = [*web, {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]
    outcome = check_resource("sg-no-world-ingress", SG, {"ingress": ssh}, name="bastion")
    assert outcome.messages == [
        f"{SG} 'bastion': ingress[2] admits TCP port(s) 22 from 0.0.0.0/0; {TAIL}"
    ]


def test_ingress_rule_resource() -> None:
    passes(
        check_resource(
            "sg-no-world-ingress",
            INGRESS,
            {"cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443},
        )
    )
    passes(
        check_resource(
            "sg-no-world-ingress",
            INGRESS,
            {"referencedSecurityGroupId": "sg-1", "ipProtocol": "-1"},
        )
    )
    outcome = check_resource(
        "sg-no-world-ingress", INGRESS, {"cidrIpv6": "::/0", "ipProtocol": "-1"}
    )
    assert outcome.messages == [f"{INGRESS} 'r': the rule admits all traffic from ::/0; {TAIL}"]


def test_legacy_rule_resource_judges_ingress_only() -> None:
    world_egress = {
        "type": "egress",
        "protocol": "-1",
        "fromPort": 0,
        "toPort": 0,
        "cidrBlocks": ["0.0.0.0/0"],
    }
    passes(check_resource("sg-no-world-ingress", LEGACY, world_egress))
    port_range = {
        "type": "ingress",
        "protocol": "tcp",
        "fromPort": 80,
        "toPort": 443,
        "cidrBlocks": ["0.0.0.0/0"],
    }
    outcome = check_resource("sg-no-world-ingress", LEGACY, port_range)
    assert outcome.messages == [
        f"{LEGACY} 'r': the ingress rule admits TCP port(s) 80-443 from 0.0.0.0/0; {TAIL}"
    ]


def test_unknown_source_is_advisory() -> None:
    outcome = check_resource(
        "sg-no-world-ingress",
        INGRESS,
        {"cidrIpv4": UNKNOWN, "ipProtocol": "tcp", "fromPort": 22, "toPort": 22},
    )
    assert outcome.undecided == f"{INGRESS} 'r': the source or ports of the rule are not known yet"


# -- VPC --------------------------------------------------------------------------------------


def test_vpc_flow_logs() -> None:
    log = Res("aws:ec2/flowLog:FlowLog", "flow", {"vpcId": "vpc-01", "trafficType": "ALL"})
    passes(check_stack("vpc-flow-logs-enabled", [VPC, log]))
    outcome = check_stack("vpc-flow-logs-enabled", [VPC])
    assert outcome.violations == [
        (
            "aws:ec2/vpc:Vpc 'vpc': no aws:ec2/flowLog:FlowLog records its traffic; add a flow log "
            "(trafficType ALL) to CloudWatch Logs or S3 for incident response",
            VPC.urn,
        )
    ]


# -- environments launched from a configuration template ----------------------------------


def _from_template(*items: dict[str, Any]) -> tuple[Res, Res]:
    template = Res(
        TEMPLATE, "base", {"name": "base", "application": "app", "settings": list(items)}
    )
    env = Res(ENV, "api", {"application": "app", "templateName": "base", "tags": {"role": "web"}})
    return template, env


def test_an_environment_takes_its_subnets_from_its_template() -> None:
    template, env = _from_template(*vpc_settings("subnet-0priv,subnet-0privb"))
    passes(check_stack("eb-instances-in-private-subnets", [*NETWORK, template, env]))


def test_a_template_outside_the_stack_is_advisory_not_a_default_vpc_violation() -> None:
    env = Res(ENV, "api", {"application": "app", "templateName": "shared", "tags": {}})
    outcome = check_stack("eb-instances-in-private-subnets", [*NETWORK, env])
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': aws:ec2:vpc Subnets is not set on the environment and its configuration "
        "template 'shared' is not in this stack"
    )


def test_a_resource_rule_cannot_see_the_template_and_says_so() -> None:
    _, env = _from_template(setting("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true"))
    outcome = check_resource("eb-imdsv2-required", ENV, env.props, name="api")
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': aws:autoscaling:launchconfiguration DisableIMDSv1 is not set on the "
        "environment and may come from its configuration template 'base', which this rule "
        "cannot see; set it on the environment to have it checked"
    )


# -- property entries whose name is unknown ------------------------------------------------


def test_a_real_name_starting_with_an_angle_bracket_is_rejected() -> None:
    outcome = check_resource("eb-env-property-names", ENV, _with_props({"<bad>": "x"}), "api")
    assert len(outcome.messages) == 1
    assert "'<bad>' has characters Elastic Beanstalk rejects" in outcome.messages[0]


def test_an_unknown_name_counts_its_value_not_a_placeholder() -> None:
    items = [setting(PROPS_NS, "PAD", "x" * 4076), setting(PROPS_NS, UNKNOWN, "x")]
    outcome = check_resource("eb-env-properties-size-limit", ENV, {"settings": items}, "api")
    assert outcome.violations == []
    assert outcome.undecided == (
        f"{ENV} 'api': 1 environment properties are not known yet (a property whose name is "
        "not known yet); the known ones take 4,083 of 4,096 bytes"
    )
    over = [setting(PROPS_NS, "PAD", "x" * 4090), setting(PROPS_NS, UNKNOWN, "xx")]
    outcome = check_resource("eb-env-properties-size-limit", ENV, {"settings": over}, "api")
    assert "take at least 4,098 bytes" in outcome.messages[0]
