"""What every component of the program does the same way when it is constructed.

A component declares its type token once (`webmodel:<module>:<Type>`), creates its children
with `self.child_opts` (parented to it; the caller's options are never passed down
wholesale) and its data-source lookups with `self.invoke_opts`, and reads where it deploys
from `self.aws_context` (partition, region, account, each looked up once, when first used).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

import pulumi
import pulumi_aws as aws

from components.iam import arn


class AwsContext:
    """The partition, region and account a component deploys into, for ARNs and conditions.
    Each is a data-source lookup, made the first time it is read."""

    def __init__(self, opts: pulumi.InvokeOptions) -> None:
        self._opts = opts

    @cached_property
    def partition(self) -> str:
        return aws.get_partition(opts=self._opts).partition

    @cached_property
    def region(self) -> str:
        return aws.get_region(opts=self._opts).region

    @cached_property
    def account_id(self) -> str:
        return aws.get_caller_identity(opts=self._opts).account_id

    def arn(self, service: str, resource: str) -> str:
        """`arn:<partition>:<service>:<region>:<account>:<resource>`."""
        return arn(self.partition, service, self.region, self.account_id, resource)


class Component(pulumi.ComponentResource):
    """A ComponentResource of this program. Subclasses set `type_token` and call
    `super().__init__(name, opts)` first; `register_outputs` stays their last line."""

    type_token: ClassVar[str]
    """`webmodel:<module>:<Type>`: how the engine and every child's URN name this component."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.type_token, name, None, opts)
        self.child_opts = pulumi.ResourceOptions(parent=self)
        """Options of a child: parented to this component, nothing else."""
        self.invoke_opts = pulumi.InvokeOptions(parent=self)
        """Options of a data-source lookup made on this component's behalf."""
        self.aws_context = AwsContext(self.invoke_opts)

    def child_opts_with(self, **options: Any) -> pulumi.ResourceOptions:
        """`child_opts` plus more options for one child (`depends_on`, `protect`, ...)."""
        return pulumi.ResourceOptions.merge(self.child_opts, pulumi.ResourceOptions(**options))
