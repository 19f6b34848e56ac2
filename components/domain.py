"""A custom domain for the web environment: an ACM certificate validated through DNS in a
public Route 53 zone, and an alias record pointing the name at the environment's ALB; and a
private name inside the VPC (`PrivateName`), the model tier's blue/green switch.

Two steps because the certificate must exist before the environment (its HTTPS listener uses
it) and the alias needs the environment's load balancer:

    domain = Domain("domain", DomainArgs("app.example.com", "example.com"))
    web = Environment(..., certificate_arn=domain.certificate_arn)
    domain.point_at(web.load_balancer_arn)

The certificate covers exactly one name (no SANs), so ACM asks for exactly one validation
record: it is declared directly, not in an apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import Component
from components.rules import domain_problem


@dataclass(frozen=True)
class DomainArgs:
    """Inputs of `Domain`."""

    domain: str
    """The public hostname, e.g. app.example.com."""
    hosted_zone: str
    """The public Route 53 hosted zone holding it, e.g. example.com."""

    def __post_init__(self) -> None:
        problem = domain_problem(self.domain, self.hosted_zone, "DomainArgs")
        if problem:
            raise ValueError(problem)


class _Named(Component):
    """A component that owns one name in a Route 53 zone and points it, by `point_at`, at a
    load balancer with an alias A record (Route 53 answers with the balancer's addresses and
    follows its health)."""

    zone_id: pulumi.Output[str]
    url: str
    _name: str
    _record: str

    def point_at(self, load_balancer_arn: pulumi.Input[str]) -> aws.route53.Record:
        """The alias A record from the name to the given ALB (EB's load balancer)."""
        balancer = aws.lb.get_load_balancer_output(arn=load_balancer_arn, opts=self.invoke_opts)
        return aws.route53.Record(
            f"{self._name}-alias",
            zone_id=self.zone_id,
            name=self._record,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=balancer.dns_name,
                    zone_id=balancer.zone_id,
                    evaluate_target_health=True,
                )
            ],
            opts=self.child_opts,
        )


class Domain(_Named):
    """Certificate, its DNS validation and (after `point_at`) the alias record.

    Outputs: `certificate_arn` (resolves once ACM has issued it), `zone_id`, `url`.
    """

    type_token = "webmodel:domain:Domain"
    certificate_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: DomainArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, opts)
        self._name, self._record = name, args.domain
        child = self.child_opts
        zone = aws.route53.get_zone_output(
            name=args.hosted_zone, private_zone=False, opts=self.invoke_opts
        )
        certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=args.domain,
            validation_method="DNS",
            tags={"domain": args.domain},
            opts=child,
        )
        option = certificate.domain_validation_options.apply(lambda options: options[0])
        record = aws.route53.Record(
            f"{name}-validation",
            zone_id=zone.zone_id,
            name=option.apply(lambda o: o.resource_record_name or ""),
            type=option.apply(lambda o: o.resource_record_type or "CNAME"),
            records=[option.apply(lambda o: o.resource_record_value or "")],
            ttl=300,
            allow_overwrite=True,
            opts=child,
        )
        validation = aws.acm.CertificateValidation(
            f"{name}-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
            opts=child,
        )
        self.certificate_arn = validation.certificate_arn
        self.zone_id = zone.zone_id
        self.url = f"https://{args.domain}"
        self.register_outputs({"certificateArn": self.certificate_arn, "url": self.url})


@dataclass(frozen=True)
class PrivateNameArgs:
    """Inputs of `PrivateName`."""

    zone: str
    """The private hosted zone's name, e.g. webmodel.internal."""
    host: str
    """The stable name inside it, e.g. model.webmodel.internal."""
    vpc_id: pulumi.Input[str]
    """The VPC whose resolver answers for the zone (and nobody else's)."""

    def __post_init__(self) -> None:
        problem = domain_problem(self.host, self.zone, "PrivateNameArgs")
        if problem:
            raise ValueError(problem)


class PrivateName(_Named):
    """A private Route 53 hosted zone attached to the VPC and (after `point_at`) one alias record
    in it: a name that stays the same while the load balancer behind it changes (the model
    tier's blue/green switch; callers keep `http://<host>` whichever slot is live).

    Outputs: `zone_id`, `url` (`http://<host>`, a plain string known before anything deploys).
    """

    type_token = "webmodel:domain:PrivateName"

    def __init__(
        self, name: str, args: PrivateNameArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, opts)
        self._name, self._record = name, args.host
        zone = aws.route53.Zone(
            f"{name}-zone",
            name=args.zone,
            comment="Stable names inside the VPC for the live blue/green slot",
            vpcs=[aws.route53.ZoneVpcArgs(vpc_id=args.vpc_id)],
            opts=self.child_opts,
        )
        self.zone_id = zone.zone_id
        self.url = f"http://{args.host}"
        self.register_outputs({"zoneId": self.zone_id, "url": self.url})
