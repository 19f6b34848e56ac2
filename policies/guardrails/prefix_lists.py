"""Managed prefix lists: what a security-group rule admits when it names a list, not a CIDR.

A rule names lists by ID: `prefixListIds` on inline SecurityGroup ingress and on
`aws:ec2/securityGroupRule:SecurityGroupRule`, `prefixListId` on
`aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule`. A list of the stack is an
`aws:ec2/managedPrefixList:ManagedPrefixList` (inline `entries[].cidr`) with any
`aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry` resources (`cidr`, `prefixListId`)
added to it; its entries decide whether the rule admits the world. Lists are found by ID and,
while IDs are not known yet (during preview), by the rule's `propertyDependencies`. A list that
is not in the stack (an AWS-managed `com.amazonaws.*` list, or one from another stack) cannot be
read: callers report it as "cannot be checked", never as passing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from awsfacts.ec2 import MANAGED_PREFIX_LIST, MANAGED_PREFIX_LIST_ENTRY, is_world

from .common import unreadable
from .resources import Resource
from .stack_index import References, StackIndex
from .values import is_unreadable


@dataclass
class Listed:
    """What the prefix lists a rule names admit."""

    world: list[str] = field(default_factory=list)
    """The world CIDRs they hold, each with the list it is in."""
    undecided: list[str] = field(default_factory=list)
    """Facts that cannot be known yet (IDs or entries not known)."""
    outside: list[str] = field(default_factory=list)
    """IDs of lists that are not in this stack."""


@dataclass(frozen=True)
class _Contents:
    world: tuple[str, ...]
    undecided: tuple[str, ...]


class PrefixLists:
    """The stack's prefix lists and their entries, each list judged once."""

    def __init__(self, index: StackIndex) -> None:
        self._index = index
        self._entries = References(index.of_type(MANAGED_PREFIX_LIST_ENTRY), "prefixListId")
        self._contents: dict[str, _Contents] = {}

    def named(self, owner: Resource, value: Any, dependency: str, *, exact: bool) -> Listed:
        """The lists `value` (a rule's IDs) names: by ID, else through `owner`'s dependencies
        in its property `dependency`. `exact`: those dependencies name this rule's lists only
        (a separate rule resource), not those of its sibling rules (inline `ingress`)."""
        found = Listed()
        ids = value if isinstance(value, list) else [] if value is None else [value]
        hidden = [v for v in ids if is_unreadable(v)]
        lists: list[tuple[Resource, bool]] = []
        for pid in (v for v in ids if isinstance(v, str) and v and not is_unreadable(v)):
            plist = self._index.by_id(pid, MANAGED_PREFIX_LIST)
            if plist is None:
                found.outside.append(pid)
            else:
                lists.append((plist, True))
        if hidden:
            named = {plist.urn for plist, _ in lists}
            by_dependency = [
                plist
                for plist in self._index.deps_of_type(owner, dependency, MANAGED_PREFIX_LIST)
                if plist.urn not in named
            ]
            lists.extend((plist, exact) for plist in by_dependency)
            if not by_dependency:
                found.undecided.append(
                    f"its prefix list ID {unreadable(hidden[0])} and depends on no prefix list "
                    "of this stack"
                )
        for plist, certain in lists:
            self._add(found, plist, certain)
        return found

    def _add(self, found: Listed, plist: Resource, certain: bool) -> None:
        contents = self.contents(plist)
        name = _name(plist)
        if contents.world and certain:
            found.world.extend(f"{cidr} (an entry of {name})" for cidr in contents.world)
        elif contents.world:
            found.undecided.append(
                f"its prefix list IDs are not known yet and it may name {name}, which holds "
                f"{', '.join(contents.world)}"
            )
        found.undecided.extend(contents.undecided)

    def contents(self, plist: Resource) -> _Contents:
        """The world CIDRs `plist` holds, and what about its entries is not known yet."""
        if plist.urn not in self._contents:
            self._contents[plist.urn] = self._read(plist)
        return self._contents[plist.urn]

    def _read(self, plist: Resource) -> _Contents:
        world: list[str] = []
        undecided: list[str] = []
        entries = plist.props.get("entries")
        if is_unreadable(entries):
            undecided.append(f"the entries of {_name(plist)} {unreadable(entries, plural=True)}")
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            cidr = entry.get("cidr") if isinstance(entry, dict) else entry
            if is_unreadable(cidr):
                undecided.append(f"entry {index} of {_name(plist)} {unreadable(cidr)}")
            elif is_world(cidr):
                world.append(str(cidr))
        for entry in self._entries.candidates([plist.props.get("id")], plist.urn):
            self._read_entry(plist, entry, world, undecided)
        return _Contents(tuple(dict.fromkeys(world)), tuple(undecided))

    def _read_entry(
        self, plist: Resource, entry: Resource, world: list[str], undecided: list[str]
    ) -> None:
        """One `ManagedPrefixListEntry` that may belong to `plist`."""
        belongs = self._index.refers_to(entry, "prefixListId", plist)
        cidr = entry.props.get("cidr")
        if belongs is False:
            return
        if is_unreadable(cidr):
            undecided.append(f"the cidr of {entry.label} {unreadable(cidr)}")
        elif is_world(cidr) and belongs:
            world.append(str(cidr))
        elif is_world(cidr):
            undecided.append(
                f"{entry.label} adds {cidr} to a prefix list not known yet (maybe {_name(plist)})"
            )


def _name(plist: Resource) -> str:
    pid = plist.props.get("id")
    shown = f"{pid} " if isinstance(pid, str) and pid and not is_unreadable(pid) else ""
    return f"prefix list {shown}({plist.label})"


_cache: list[tuple[StackIndex, PrefixLists]] = []


def prefix_lists(index: StackIndex) -> PrefixLists:
    """The stack's `PrefixLists`, built once per stack and shared by the rules."""
    for seen, lists in _cache:
        if seen is index:
            return lists
    lists = PrefixLists(index)
    _cache[:] = [(index, lists)]  # keeps `index` alive: `is` stays valid
    return lists


__all__: Sequence[str] = ["Listed", "PrefixLists", "prefix_lists"]
