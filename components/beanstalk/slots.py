"""A role's Elastic Beanstalk environments: its one environment, or one per blue/green slot, and
which of them takes traffic. Built by `__main__.py` from `components.config.args.environments`;
the switch itself (a DNS alias record) is `components.domain`'s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.beanstalk.environment import Environment


class Slots:
    """The environments of one role by slot (the slot None for a role without blue/green)."""

    def __init__(self, environments: Mapping[str | None, Environment], live: str | None) -> None:
        if live not in environments:
            raise ValueError(f"live slot {live!r} is not one of {sorted(map(str, environments))}")
        self.environments = dict(environments)
        self.live_slot = live

    @property
    def live(self) -> Environment:
        """The environment that takes traffic (the only one without blue/green)."""
        return self.environments[self.live_slot]

    @property
    def slotted(self) -> bool:
        return self.live_slot is not None

    def export(self, record: str, zone_id: pulumi.Input[str]) -> pulumi.Output[dict[str, Any]]:
        """The stack output describing the slots: which is live, the record that switches them
        (in zone `zone_id`), and each slot's environment and the version it runs."""
        slots = {
            str(slot): {"environmentName": env.name, "versionLabel": env.version_label}
            for slot, env in sorted(self.environments.items(), key=lambda item: str(item[0]))
        }
        return pulumi.Output.from_input(
            {"live": self.live_slot, "record": record, "zoneId": zone_id, "slots": slots}
        )
