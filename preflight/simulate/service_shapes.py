"""The simulated account's answers for IAM, RDS, Elastic Beanstalk, S3, ACM and Route 53."""

from __future__ import annotations

from typing import Any

from preflight.simulate.naming import (
    ACM_VALIDATIONS,
    Account,
    Shaper,
    autoname,
    digest,
    settings_map,
    uuid,
)


def _iam_role(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    role = autoname(s, "name", name, seed, limit=64)
    s.update(
        arn=aws.arn("iam", f"role{s.get('path') or '/'}{role}", region=False),
        uniqueId="AROA" + seed[:17].upper(),
        createDate="2026-01-01T00:00:00Z",
    )
    return role


def _iam_policy(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    policy = autoname(s, "name", name, seed, limit=128)
    arn = aws.arn("iam", f"policy{s.get('path') or '/'}{policy}", region=False)
    s.update(arn=arn, policyId="ANPA" + seed[:17].upper())
    return arn


def _role_policy(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    policy = autoname(s, "name", name, seed, limit=128)
    return f"{s.get('role', '')}:{policy}"


def _attachment(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    return f"{s.get('role', '')}-{seed[:20]}"


def _instance_profile(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    profile = autoname(s, "name", name, seed, limit=128)
    s.update(
        arn=aws.arn("iam", f"instance-profile{s.get('path') or '/'}{profile}", region=False),
        uniqueId="AIPA" + seed[:17].upper(),
    )
    return profile


def _db_subnet_group(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    group = autoname(s, "name", name.lower(), seed, limit=255)
    s.update(arn=aws.arn("rds", f"subgrp:{group}"), vpcId=s.get("vpcId", ""))
    return group


def _db_parameter_group(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    group = autoname(s, "name", name.lower(), seed, limit=255)
    s["arn"] = aws.arn("rds", f"pg:{group}")
    return group


def _db_instance(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    identifier = autoname(s, "identifier", name.lower(), seed, limit=63)
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
    for key, default in _DB_INSTANCE_DEFAULTS.items():
        s.setdefault(key, default)
    if s.get("storageEncrypted") and not s.get("kmsKeyId"):
        s["kmsKeyId"] = aws.arn("kms", "key/" + uuid(seed))
    if s.get("manageMasterUserPassword"):
        s["masterUserSecrets"] = [_master_user_secret(aws, seed)]
    return identifier


_DB_INSTANCE_DEFAULTS: dict[str, object] = {
    "publiclyAccessible": False,
    "multiAz": False,
    "storageEncrypted": False,
    "backupRetentionPeriod": 1,
    "deletionProtection": False,
}
"""What RDS reports for an instance's settings the program leaves out."""


def _master_user_secret(aws: Account, seed: str) -> dict[str, str]:
    """The Secrets Manager secret RDS creates for a managed master password."""
    secret = f"rds!db-{uuid(seed[::-1])}"
    return {
        "kmsKeyId": aws.arn("kms", "key/" + uuid(seed[1:] + seed[0])),
        "secretArn": aws.arn("secretsmanager", f"secret:{secret}-{seed[:6]}"),
        "secretStatus": "active",
    }


def _eb_application(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    app = autoname(s, "name", name, seed, limit=100)
    s["arn"] = aws.arn("elasticbeanstalk", f"application/{app}")
    return app


def _eb_environment(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    env_name = autoname(s, "name", name, seed, limit=40)
    env_id = "e-" + seed[:10]
    settings = settings_map(s.get("settings"))
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


def _bucket(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    bucket = autoname(s, "bucket", name.lower(), seed, limit=63)
    s.update(
        arn=f"arn:aws:s3:::{bucket}",
        bucketDomainName=f"{bucket}.s3.amazonaws.com",
        bucketRegionalDomainName=f"{bucket}.s3.{aws.region}.amazonaws.com",
        hostedZoneId="Z3W03O7B5YMIYP",
        region=aws.region,
    )
    s.setdefault("forceDestroy", False)
    return bucket


def _bucket_child(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    """Versioning, encryption, public-access block, ownership, policy: their id is the bucket."""
    return str(s.get("bucket") or "")


def _bucket_object(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    key = str(s.get("key") or "")
    s.update(
        etag=seed[:32],
        versionId=seed[32:64],
        serverSideEncryption="AES256",
        storageClass="STANDARD",
        arn=f"arn:aws:s3:::{s.get('bucket', '')}/{key}",
    )
    return key


def _app_version(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    label = autoname(s, "name", name, seed, limit=100)
    s["arn"] = aws.arn("elasticbeanstalk", f"applicationversion/{s.get('application', '')}/{label}")
    return label


def _certificate(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    arn = aws.arn("acm", f"certificate/{uuid(seed)}")
    domain = str(s.get("domainName") or "")
    names = [domain, *(s.get("subjectAlternativeNames") or [])]
    s.update(
        arn=arn,
        status="PENDING_VALIDATION",
        domainValidationOptions=[
            {
                "domainName": each,
                "resourceRecordName": f"_{digest(each)[:32]}.{each}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{digest(each, 'v')[:32]}.{ACM_VALIDATIONS}",
            }
            for each in names
        ],
        subjectAlternativeNames=names,
        type="AMAZON_ISSUED",
    )
    return arn


def _certificate_validation(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    return str(s.get("certificateArn") or "")


def _record(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    fqdn = str(s.get("name") or "").rstrip(".")
    s["fqdn"] = fqdn
    return f"{s.get('zoneId', '')}_{fqdn}_{s.get('type', '')}"


def _hosted_zone(aws: Account, name: str, seed: str, s: dict[str, Any]) -> str:
    """A Route 53 hosted zone: an ID `Z` + 20 characters and four name servers (a private zone,
    one with `vpcs`, lists Route 53's placeholders)."""
    zone_id = "Z" + seed[:20].upper()
    zone_name = str(s.get("name") or "").rstrip(".").lower()
    private = bool(s.get("vpcs"))
    servers = [  # a private zone's NS record holds Route 53's placeholder servers
        f"ns-{512 * i}.awsdns-00.{tld}"
        if private
        else f"ns-{int(seed[20 + 3 * i : 23 + 3 * i], 16) % 2048}.awsdns-"
        f"{int(seed[32 + 2 * i : 34 + 2 * i], 16) % 64:02d}.{tld}"
        for i, tld in enumerate(("com", "net", "org", "co.uk"))
    ]
    s.update(
        zoneId=zone_id,
        name=zone_name,
        arn=f"arn:aws:route53:::hostedzone/{zone_id}",
        nameServers=servers,
        primaryNameServer=servers[0],
        comment=s.get("comment") or "Managed by Pulumi",
        forceDestroy=bool(s.get("forceDestroy")),
        vpcs=[
            {**vpc, "vpcRegion": vpc.get("vpcRegion") or aws.region} for vpc in s.get("vpcs") or []
        ],
    )
    return zone_id


SERVICE_SHAPERS: dict[str, Shaper] = {
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
    "aws:route53/zone:Zone": _hosted_zone,
}
