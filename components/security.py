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

from components.base import Component

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


class AppSecurityGroups(Component):
    """Security groups for the web and model load balancers and instances.

    Outputs: `web_load_balancer_id` (80/443 from anywhere), `web_instances_id`,
    `model_load_balancer_id` (80/443 from the web, and worker, instances only),
    `model_instances_id`, `worker_instances_id` (None without a worker).
    """

    type_token = "webmodel:security:AppSecurityGroups"
    web_load_balancer_id: pulumi.Output[str]
    web_instances_id: pulumi.Output[str]
    model_load_balancer_id: pulumi.Output[str]
    model_instances_id: pulumi.Output[str]
    worker_instances_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: AppSecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, opts)
        self._name, self._vpc_id = name, args.vpc_id

        web_lb = self._group("web-lb", "Public ALB of the web environment")
        web_instances = self._group(
            "web-instances",
            "Web (FastAPI) instances; the database and the model load balancer admit this group",
        )
        model_lb = self._group(
            "model-lb", "Internal ALB of the model environment: web instances only"
        )
        model_instances = self._group("model-instances", "Model (Triton) instances")
        worker_instances = (
            self._group(
                "worker-instances", "Worker instances: no ingress; sqsd pulls their work from SQS"
            )
            if args.worker
            else None
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
        for port in HTTP_PORTS:
            self._internet_to(web_lb, port)
            for caller, group, description in callers:
                self._caller_to(model_lb, port, caller, group, description)
        # Load balancers reach their targets inside the VPC only; instances need the internet
        # (through NAT) for the EB service, ECR image pulls and CloudWatch.
        for label, group in (("web-lb", web_lb), ("model-lb", model_lb)):
            self._to_vpc(label, group, args.vpc_cidr_block)
        instance_groups = [("web-instances", web_instances), ("model-instances", model_instances)]
        if worker_instances is not None:
            instance_groups.append(("worker-instances", worker_instances))
        for label, group in instance_groups:
            self._outbound(label, group)

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

    def _group(self, label: str, description: str) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            f"{self._name}-{label}",
            vpc_id=self._vpc_id,
            description=description,
            tags={"Name": f"{self._name}-{label}"},
            opts=self.child_opts,
        )

    def _internet_to(self, group: aws.ec2.SecurityGroup, port: int) -> None:
        """`port` of the web load balancer open to the internet, over IPv4 and IPv6."""
        for family, cidr in (("ipv4", "0.0.0.0/0"), ("ipv6", "::/0")):
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-web-lb-{port}-{family}",
                security_group_id=group.id,
                description=f"HTTP{'S' if port == 443 else ''} from the internet",
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                cidr_ipv4=cidr if family == "ipv4" else None,
                cidr_ipv6=cidr if family == "ipv6" else None,
                opts=self.child_opts,
            )

    def _caller_to(
        self,
        group: aws.ec2.SecurityGroup,
        port: int,
        caller: str,
        caller_group: aws.ec2.SecurityGroup,
        description: str,
    ) -> None:
        """`port` of the model load balancer open to one caller's instances."""
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-model-lb-{port}-from-{caller}",
            security_group_id=group.id,
            description=description,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=caller_group.id,
            opts=self.child_opts,
        )

    def _to_vpc(self, label: str, group: aws.ec2.SecurityGroup, vpc_cidr_block: str) -> None:
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-{label}-to-vpc",
            security_group_id=group.id,
            description="To targets inside the VPC",
            ip_protocol="tcp",
            from_port=80,
            to_port=80,
            cidr_ipv4=vpc_cidr_block,
            opts=self.child_opts,
        )

    def _outbound(self, label: str, group: aws.ec2.SecurityGroup) -> None:
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-{label}-egress",
            security_group_id=group.id,
            description="Outbound through NAT: EB service, ECR, CloudWatch, the model API",
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            opts=self.child_opts,
        )
