"""Elastic Beanstalk: a reusable, role-agnostic `Environment` of either tier.

`WebServer` environments sit behind an Application Load Balancer (`load_balancer`); `Worker`
environments have none and are fed by an SQS queue through EB's daemon sqsd (`worker`). The
web, model and worker environments are the same class with different arguments; nothing here
branches on the role except the `role` tag. Option settings: options.py; the instance
profile's policy: iam.py.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.base import Component
from components.beanstalk.args import EnvironmentArgs, Grant
from components.beanstalk.iam import instance_policy
from components.beanstalk.options import environment_settings
from components.iam import trust_policy
from components.rules import environment_name

CONSUME_QUEUE_ACTIONS = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)
"""What a worker's sqsd does with its own queue, and all its instances may do with it."""


class Environment(Component):
    """An EB environment, its least-privilege instance profile, and for HTTPS the
    HTTP-to-HTTPS redirect on its load balancer.

    Outputs: `name`, `cname`, `url` (`https://` + CNAME with a certificate, else `http://`;
    empty for a worker), `instance_role_name`, `load_balancer_arn` (None for a worker),
    `autoscaling_group_name` (EB's group, which a WorkQueue's scaling policies act on).
    """

    type_token = "webmodel:beanstalk:Environment"
    name: pulumi.Output[str]
    cname: pulumi.Output[str]
    url: pulumi.Output[str]
    instance_role_name: pulumi.Output[str]
    load_balancer_arn: pulumi.Output[str] | None
    autoscaling_group_name: pulumi.Output[str]
    version_label: pulumi.Output[str | None]

    def __init__(
        self, name: str, args: EnvironmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if args.adopts is not None:
            opts = pulumi.ResourceOptions.merge(opts, self._alias(args.adopts))
        super().__init__(name, opts)
        self._adopts = args.adopts
        role, profile = self._instance_profile(name, args)
        environment = self._environment(name, args, profile)

        lb = args.load_balancer
        https = lb is not None and lb.certificate_arn is not None
        self.load_balancer_arn = None
        if lb is not None:
            self.load_balancer_arn = environment.load_balancers.apply(lambda arns: arns[0])
        if https:
            assert self.load_balancer_arn is not None
            self._redirect_http_to_https(name, self.load_balancer_arn)

        scheme = "https" if https else "http"
        self.name = environment.name
        self.version_label = environment.version
        self.cname = environment.cname
        self.url = (
            environment.cname.apply(lambda cname: f"{scheme}://{cname}")
            if lb is not None
            else pulumi.Output.from_input("")
        )
        self.instance_role_name = role.name
        self.autoscaling_group_name = environment.autoscaling_groups.apply(lambda names: names[0])
        self.register_outputs(
            {
                "name": self.name,
                "cname": self.cname,
                "url": self.url,
                "instanceRoleName": self.instance_role_name,
                "autoscalingGroupName": self.autoscaling_group_name,
            }
        )

    def _instance_profile(
        self, name: str, args: EnvironmentArgs
    ) -> tuple[aws.iam.Role, aws.iam.InstanceProfile]:
        """The instances' role, its least-privilege policy (once every ARN in it is known) and
        the instance profile EB launches them with."""
        where = self.aws_context
        partition, region, account_id = where.partition, where.region, where.account_id
        role = aws.iam.Role(
            f"{name}-instance-role",
            description=f"EC2 instances of the {args.role} environment",
            assume_role_policy=trust_policy("ec2.amazonaws.com"),
            tags=dict(args.tags) or None,
            opts=self._adopted("-instance-role"),
        )
        secret_arns: list[pulumi.Input[str]] = [
            *map(args.secret, args.secrets.values()),
            *args.wired_secrets.values(),
        ]
        grants = list(args.grants)
        if args.worker is not None:
            grants.append(Grant("ConsumeOwnQueue", CONSUME_QUEUE_ACTIONS, args.worker.queue_arn))
        count = len(grants)
        aws.iam.RolePolicy(
            f"{name}-instance-policy",
            role=role.id,
            policy=pulumi.Output.all(
                pulumi.Output.from_input(args.readable_s3_uri),
                pulumi.Output.from_input(args.source_bundles_arn),
                *[grant.resource for grant in grants],
                *secret_arns,
            ).apply(
                lambda values: instance_policy(
                    partition,
                    region,
                    account_id,
                    [str(a) for a in values[2 + count :]],
                    read_s3_uri=values[0],
                    source_bundles_arn=values[1],
                    grants=[
                        (grant.sid, list(grant.actions), str(resource))
                        for grant, resource in zip(grants, values[2 : 2 + count], strict=True)
                    ],
                    worker_metrics=args.worker is not None,
                )
            ),
            opts=self._adopted("-instance-policy"),
        )
        profile = aws.iam.InstanceProfile(
            f"{name}-instance-profile", role=role.name, opts=self._adopted("-instance-profile")
        )
        return role, profile

    def _environment(
        self, name: str, args: EnvironmentArgs, profile: aws.iam.InstanceProfile
    ) -> aws.elasticbeanstalk.Environment:
        """The EB environment itself, tagged with its role."""
        adopted = environment_name(args.name_prefix, args.role, None) if args.name_prefix else None
        return aws.elasticbeanstalk.Environment(
            environment_name(args.name_prefix, args.role, args.slot) if args.name_prefix else name,
            application=args.application_name,
            solution_stack_name=args.solution_stack_name,
            tier=args.tier,
            settings=environment_settings(args, profile.name),
            version=args.version_label,
            tags={**args.tags, "role": args.role},
            # `all_settings` echoes `settings` under another name, which no engine marks secret
            # by itself: without this a secret setting would be stored in plaintext there.
            opts=pulumi.ResourceOptions.merge(
                self._adopted("", adopted),
                pulumi.ResourceOptions(
                    additional_secret_outputs=["all_settings"] if args.secret_settings else None
                ),
            ),
        )

    def _redirect_http_to_https(self, name: str, load_balancer_arn: pulumi.Output[str]) -> None:
        """EB option settings can only forward listener traffic to processes; a redirect needs
        a rule on the port-80 listener of the ALB that EB created."""
        http_listener = aws.lb.get_listener_output(
            load_balancer_arn=load_balancer_arn, port=80, opts=self.invoke_opts
        )
        aws.lb.ListenerRule(
            f"{name}-http-to-https",
            listener_arn=http_listener.arn,
            priority=1,
            conditions=[
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=["/*"])
                )
            ],
            actions=[
                aws.lb.ListenerRuleActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerRuleActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            opts=self._adopted("-http-to-https"),
        )

    @staticmethod
    def _alias(name: str) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(aliases=[pulumi.Alias(name=name)])

    def _adopted(self, suffix: str, name: str | None = None) -> pulumi.ResourceOptions:
        """A child's options; when this environment adopts the role's single environment, with
        an alias to that environment's child of the same kind (`<adopted><suffix>`, or `name`)."""
        if self._adopts is None:
            return self.child_opts
        return pulumi.ResourceOptions.merge(
            self.child_opts, self._alias(name or f"{self._adopts}{suffix}")
        )
