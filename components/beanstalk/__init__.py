"""Elastic Beanstalk, in one room: the `Application` every environment belongs to
(application.py), the role-agnostic `Environment` component (environment.py), its flat Args
(args.py), the option settings written from them (options.py), and its instance profile's
least-privilege policy (iam.py)."""

from components.beanstalk.application import Application, ApplicationArgs
from components.beanstalk.args import (
    EnvironmentArgs,
    Grant,
    LoadBalancer,
    ScalingTrigger,
    WiredProperty,
    WorkerDaemon,
)
from components.beanstalk.environment import Environment
from components.beanstalk.slots import Slots

__all__ = [
    "Application",
    "ApplicationArgs",
    "Environment",
    "EnvironmentArgs",
    "Grant",
    "LoadBalancer",
    "ScalingTrigger",
    "Slots",
    "WiredProperty",
    "WorkerDaemon",
]
