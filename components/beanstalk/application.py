"""Elastic Beanstalk: the `Application` every environment of the stack belongs to, its service
role and the platform they all run. The environments: environment.py."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import Component
from components.iam import trust_policy


@dataclass(frozen=True, kw_only=True)
class ApplicationArgs:
    """Inputs of `Application`."""

    solution_stack_regex: str
    """The newest solution stack whose name matches is the platform of every environment."""
    description: str = "web (FastAPI), model (Triton) and worker environments"
    name_prefix: str = ""
    """Prefix of the EB application's auto-generated name (e.g. `webmodel-dev`)."""
    max_versions: int = 200
    """Application versions kept by EB's version lifecycle (the quota is 1,000 per region);
    older ones are deleted from EB, their source bundles kept in S3."""


class Application(Component):
    """The EB application, its service role and the platform both environments run.

    Outputs: `name`, `service_role_arn` (enhanced health + managed updates),
    `solution_stack_name` (plain string, resolved at construction).
    """

    type_token = "webmodel:beanstalk:Application"
    name: pulumi.Output[str]
    service_role_arn: pulumi.Output[str]
    solution_stack_name: str

    def __init__(
        self, name: str, args: ApplicationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, opts)
        child = self.child_opts
        self.solution_stack_name = aws.elasticbeanstalk.get_solution_stack(
            name_regex=args.solution_stack_regex, most_recent=True, opts=self.invoke_opts
        ).name
        partition = self.aws_context.partition

        service_role = aws.iam.Role(
            f"{name}-service-role",
            description="Elastic Beanstalk service role: enhanced health and managed updates",
            assume_role_policy=trust_policy(
                "elasticbeanstalk.amazonaws.com",
                {"StringEquals": {"sts:ExternalId": "elasticbeanstalk"}},
            ),
            opts=child,
        )
        for label, policy in (
            ("enhanced-health", "service-role/AWSElasticBeanstalkEnhancedHealth"),
            ("managed-updates", "AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy"),
        ):
            aws.iam.RolePolicyAttachment(
                f"{name}-service-{label}",
                role=service_role.name,
                policy_arn=f"arn:{partition}:iam::aws:policy/{policy}",
                opts=child,
            )
        application = aws.elasticbeanstalk.Application(
            args.name_prefix or name,
            description=args.description,
            appversion_lifecycle=aws.elasticbeanstalk.ApplicationAppversionLifecycleArgs(
                service_role=service_role.arn,
                max_count=args.max_versions,
                delete_source_from_s3=False,
            ),
            opts=child,
        )

        self._platforms = {args.solution_stack_regex: self.solution_stack_name}
        self.name = application.name
        self.service_role_arn = service_role.arn
        self.register_outputs(
            {
                "name": self.name,
                "serviceRoleArn": self.service_role_arn,
                "solutionStackName": self.solution_stack_name,
            }
        )

    def platform(self, solution_stack_regex: str) -> str:
        """The newest solution stack matching another regex (a blue/green slot's own
        platform), looked up once per regex."""
        if solution_stack_regex not in self._platforms:
            self._platforms[solution_stack_regex] = aws.elasticbeanstalk.get_solution_stack(
                name_regex=solution_stack_regex, most_recent=True, opts=self.invoke_opts
            ).name
        return self._platforms[solution_stack_regex]
