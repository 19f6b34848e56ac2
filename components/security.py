"""Who may talk to whom, in one place: the security groups of the EB environments.

    internet --80/443--> web ALB --> web instances --80/443--> model ALB --> model instances
                                          \\--5432--> database (its group lives in Database)
    queue (SQS, over HTTPS through NAT) <-- worker instances --80/443--> model ALB
                                            (no ingress at all)

They are created before the environments because the relation is circular at the component
level (web needs the model's URL, the model's load balancer needs the web instances' group),
though not at the resource level. Elastic Beanstalk adds the load-balancer-to-instance rules
to the instance groups it manages itself; the groups here carry no other ingress.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

HTTP_PORTS = (80, 443)


@dataclass(frozen=True)
class AppSecurityGroupsArgs:
    """Inputs of `AppSecurityGroups`."""

    vpc_id: pulumi.Input[str]
    vpc_cidr_block: str
    """Load balancers may only forward inside the VPC."""
    worker: bool = False
    """Also a group for worker instances: no ingress, outbound through NAT; the model load
    balancer admits it too (batch inference)."""


class AppSecurityGroups(pulumi.ComponentResource):
    """Security groups for the web and model load balancers and instances.

    Outputs: `web_load_balancer_id` (80/443 from anywhere), `web_instances_id`,
    `model_load_balancer_id` (80/443 from the web, and worker, instances only),
    `model_instances_id`, `worker_instances_id` (None without a worker).
    """

    web_load_balancer_id: pulumi.Output[str]
    web_instances_id: pulumi.Output[str]
    model_load_balancer_id: pulumi.Output[str]
    model_instances_id: pulumi.Output[str]
    worker_instances_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: AppSecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("webmodel:security:AppSecurityGroups", name, None, opts)

        web_lb = self._group(name, "web-lb", "Public ALB of the web environment", args.vpc_id)
        web_instances = self._group(
            name,
            "web-instances",
            "Web (FastAPI) instances; the database and the model load balancer admit this group",
            args.vpc_id,
        )
        model_lb = self._group(
            name,
            "model-lb",
            "Internal ALB of the model environment: web instances only",
            args.vpc_id,
        )
        model_instances = self._group(
            name, "model-instances", "Model (Triton) instances", args.vpc_id
        )
        worker_instances = (
            self._group(
                name,
                "worker-instances",
                "Worker instances: no ingress; sqsd pulls their work from SQS",
                args.vpc_id,
            )
            if args.worker
            else None
        )

        for port in HTTP_PORTS:
            for family, cidr in (("ipv4", "0.0.0.0/0"), ("ipv6", "::/0")):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-web-lb-{port}-{family}",
                    security_group_id=web_lb.id,
                    description=f"HTTP{'S' if port == 443 else ''} from the internet",
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv4=cidr if family == "ipv4" else None,
                    cidr_ipv6=cidr if family == "ipv6" else None,
                    opts=pulumi.ResourceOptions(parent=self),
                )
            callers = [("web", web_instances, "Model API from the web instances only")]
            if worker_instances is not None:
                callers.append(
                    (
                        "worker",
                        worker_instances,
                        "Model API from the worker instances (batch inference)",
                    )
                )
            for caller, group, description in callers:
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-model-lb-{port}-from-{caller}",
                    security_group_id=model_lb.id,
                    description=description,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    referenced_security_group_id=group.id,
                    opts=pulumi.ResourceOptions(parent=self),
                )

        # Load balancers reach their targets inside the VPC only; instances need the internet
        # (through NAT) for the EB service, ECR image pulls and CloudWatch.
        for label, group in (("web-lb", web_lb), ("model-lb", model_lb)):
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-{label}-to-vpc",
                security_group_id=group.id,
                description="To targets inside the VPC",
                ip_protocol="tcp",
                from_port=80,
                to_port=80,
                cidr_ipv4=args.vpc_cidr_block,
                opts=pulumi.ResourceOptions(parent=self),
            )
        instance_groups = [("web-instances", web_instances), ("model-instances", model_instances)]
        if worker_instances is not None:
            instance_groups.append(("worker-instances", worker_instances))
        for label, group in instance_groups:
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-{label}-egress",
                security_group_id=group.id,
                description="Outbound through NAT: EB service, ECR, CloudWatch, the model API",
                ip_protocol="-1",
                cidr_ipv4="0.0.0.0/0",
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.web_load_balancer_id = web_lb.id
        self.web_instances_id = web_instances.id
        self.model_load_balancer_id = model_lb.id
        self.model_instances_id = model_instances.id
        self.worker_instances_id = worker_instances.id if worker_instances else None
        self.register_outputs(
            {
                "webLoadBalancerId": self.web_load_balancer_id,
                "webInstancesId": self.web_instances_id,
                "modelLoadBalancerId": self.model_load_balancer_id,
                "modelInstancesId": self.model_instances_id,
            }
        )

    def _group(
        self, name: str, label: str, description: str, vpc_id: pulumi.Input[str]
    ) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            f"{name}-{label}",
            vpc_id=vpc_id,
            description=description,
            tags={"Name": f"{name}-{label}"},
            opts=pulumi.ResourceOptions(parent=self),
        )
