"""What an AWS account already holds, read from a base export: the answers the program's data
sources must give for resources that exist, so that a plan against a deployed stack feeds the
program the deployed values (a real preview asks AWS; preflight asks the export).

- the account ID (the one most ARNs in the export name);
- load balancers: an Elastic Beanstalk environment's `loadBalancers` and its `endpointUrl`
  (EB's `endpoint_url` is its load balancer's DNS name);
- listeners: the `listenerArn` of the export's listener rules, under their load balancer;
- hosted zones: the `zoneId` of the export's Route 53 records, under the record names.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_ARN_ACCOUNT = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")


@dataclass
class Existing:
    """Facts of the deployed account that data sources answer with."""

    account_id: str | None = None
    load_balancers: dict[str, str] = field(default_factory=dict)
    """Load balancer ARN -> DNS name."""
    listeners: dict[str, list[str]] = field(default_factory=dict)
    """Load balancer ARN -> the listener ARNs the export's rules are attached to."""
    records: list[tuple[str, str]] = field(default_factory=list)
    """(record name, hosted zone ID) of every Route 53 record."""

    def zone_id(self, zone: str) -> str | None:
        """The hosted zone ID of `zone` when the export's records name exactly one."""
        found = {
            zone_id
            for name, zone_id in self.records
            if name.rstrip(".") == zone or name.rstrip(".").endswith("." + zone)
        }
        return found.pop() if len(found) == 1 else None

    def listener(self, balancer: str) -> str | None:
        """The listener of `balancer` the export knows, when it knows exactly one."""
        known = self.listeners.get(balancer, [])
        return known[0] if len(set(known)) == 1 else None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def existing_from_export(resources: Iterable[dict[str, Any]]) -> Existing:
    """The facts of the account a base export describes."""
    facts = Existing()
    accounts: Counter[str] = Counter()
    for raw in resources:
        inputs = raw.get("inputs") if isinstance(raw.get("inputs"), dict) else {}
        outputs = raw.get("outputs") if isinstance(raw.get("outputs"), dict) else {}
        if raw.get("id"):
            accounts.update(_ARN_ACCOUNT.findall(str(raw["id"])))
        for text in _strings(outputs):
            accounts.update(_ARN_ACCOUNT.findall(text))
        _learn(facts, str(raw.get("type", "")), inputs or {}, outputs or {})
    if accounts:
        facts.account_id = accounts.most_common(1)[0][0]
    return facts


def _learn(
    facts: Existing, type_token: str, inputs: dict[str, Any], outputs: dict[str, Any]
) -> None:
    if type_token == "aws:elasticbeanstalk/environment:Environment":
        balancers = outputs.get("loadBalancers")
        endpoint = outputs.get("endpointUrl")
        if isinstance(balancers, list) and balancers and isinstance(endpoint, str):
            facts.load_balancers[str(balancers[0])] = endpoint
    elif type_token == "aws:lb/listenerRule:ListenerRule":
        listener = inputs.get("listenerArn")
        if isinstance(listener, str) and ":listener/" in listener:
            balancer = listener.replace(":listener/", ":loadbalancer/", 1).rsplit("/", 1)[0]
            facts.listeners.setdefault(balancer, []).append(listener)
    elif type_token == "aws:route53/record:Record":
        name, zone = inputs.get("name"), inputs.get("zoneId")
        if isinstance(name, str) and isinstance(zone, str):
            facts.records.append((name, zone))
