"""The engine's side of a preview against a base state, answering the program's registrations.

The program runs as a preview (`simulate(..., responder=Planner)`). For each custom resource the
planner finds its old state (by URN, then by the `aliases` option), runs the provider's Check
(auto-names and the base's `__defaults` reused, `region`, `tagsAll`) after `ignoreChanges`,
diffs it (`provider.diff` plus `replaceOnChanges`, taint and pending replacement) and answers
the program as the engine would: a resource that stays or is updated with the base's outputs,
one that is created or replaced with its known inputs only, so that every value the program
derives from it (through any `apply`, any nesting) is unknown, by the SDK's own rules.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from pulumi.runtime.rpc import UNKNOWN

from preflight.export.write import relations
from preflight.plan import paths, provider
from preflight.plan.base import Base
from preflight.plan.steps import Step
from preflight.plan.values import Sealed, open_secrets
from preflight.simulate.check import DEFAULTS_KEY, autoname_key, extras
from preflight.simulate.deployment import SECRET_SIG, SECRET_SIG_KEY
from preflight.simulate.monitor import Registration

RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


def _secret(value: Any) -> dict[str, Any]:
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


class _Unreadable(Exception):
    """A secret in the base that only its secrets provider can read."""


def _for_program(value: Any) -> Any:
    """A base value as the engine hands it to the program: secrets decrypted, references as
    their ID; `_Unreadable` for a ciphertext."""
    if isinstance(value, dict):
        sig = value.get(SECRET_SIG_KEY)
        if sig == SECRET_SIG:
            if "plaintext" in value:
                return _secret(_for_program(json.loads(value["plaintext"])))
            if "value" in value:
                return _secret(_for_program(value["value"]))
            raise _Unreadable
        if sig == RESOURCE_REFERENCE_SIG:
            return value.get("id") or value.get("urn")
        if sig == OUTPUT_VALUE_SIG:
            return _for_program(value["value"]) if "value" in value else UNKNOWN
        return {k: _for_program(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_for_program(v) for v in value]
    return value


class Planner:
    """Decides each custom resource's step while the program registers it (a `Responder`)."""

    def __init__(self, base: Base, region: str, default_tags: dict[str, Any]) -> None:
        self.base = base
        self.region = region
        self.default_tags = default_tags
        self.steps: dict[str, Step] = {}
        self.claimed: dict[str, str] = {}
        """Old URN -> the new URN that took it."""
        self._lock = threading.Lock()  # the SDK registers from worker threads

    def match(self, urn: str, aliases: tuple[str, ...]) -> str | None:
        """The old URN this resource takes: its own, else its first alias in the base."""
        with self._lock:
            for candidate in (urn, *aliases):
                if candidate in self.base.olds and candidate not in self.claimed:
                    self.claimed[candidate] = urn
                    return candidate
        return None

    def respond(self, registration: Registration) -> tuple[str, dict[str, Any]] | None:
        old_urn = self.match(registration.urn, registration.aliases)
        old = self.base.olds.get(old_urn) if old_urn else None
        step, raw_inputs = self._decide(registration, old)
        step.old_urn = old_urn
        self.steps[registration.urn] = step
        return self._answer(step, registration, raw_inputs)

    # -- the step ---------------------------------------------------------------------------

    def new_inputs(
        self, reg: Registration, old: dict[str, Any] | None, *, fresh_names: bool = False
    ) -> dict[str, Any]:
        """The inputs Check returns, in the program's raw form (plain values, UNKNOWN)."""
        old_inputs = (old or {}).get("inputs") or {}
        inputs = (
            paths.ignore_changes(reg.ignore_changes, old_inputs, reg.inputs)
            if old
            else dict(reg.inputs)
        )
        defaults: dict[str, Any] = {}
        if old is not None and not fresh_names:
            listed = old_inputs.get(DEFAULTS_KEY)
            reusable = (
                [str(k) for k in listed]
                if isinstance(listed, list)
                else provider.defaultable(reg.type)
            )
            defaults = {k: old_inputs[k] for k in reusable if k in old_inputs and k not in inputs}
        key = autoname_key(reg.type, {**inputs, **defaults})
        if key is not None and key in reg.checked.defaults:
            defaults[key] = _fresh_name(reg.checked.defaults[key], old_inputs.get(key), fresh_names)
        tags = inputs.get("tags")
        added = extras(reg.type, inputs, self.region, self.default_tags)
        if "tagsAll" in added and tags == UNKNOWN:
            added["tagsAll"] = UNKNOWN
        return {**inputs, **defaults, **added, DEFAULTS_KEY: sorted(defaults)}

    def _decide(self, reg: Registration, old: dict[str, Any] | None) -> tuple[Step, dict[str, Any]]:
        raw = self.new_inputs(reg, old)
        step = Step("create", reg.urn, reg.type, old, None)
        if old is None:
            return step, raw
        if old.get("external"):
            step.op = "replace"  # a read resource the program now manages: created anew
            return step, self.new_inputs(reg, old, fresh_names=True)
        found = provider.diff(
            reg.type, _opened(old.get("inputs")), _opened_new(raw, reg), self.region
        )
        keys, replaced_paths = paths.replace_on_changes(
            reg.replace_on_changes, found.changed, found.detailed
        )
        replace = sorted(set(found.replace) | set(keys))
        if old.get("taint"):
            replace = sorted({*replace, "id"})
        step.diff_reasons, step.replace_reasons = found.changed, replace
        step.detailed = {
            p: f"{k}-replace"
            if p.split(".")[0].split("[")[0] in replace or p in replaced_paths
            else k
            for p, k in found.detailed.items()
        }
        step.op = "same"
        if replace or old.get("pendingReplacement"):
            step.op = "replace"
            raw = self.new_inputs(reg, old, fresh_names=True)  # Check again, without olds
        elif found.changed or old.get("initErrors"):
            step.op = "update"
        dbr = reg.delete_before_replace
        step.delete_before_replace = (
            provider.delete_before_replace(reg.type, raw) if dbr is None else dbr
        )
        step.unknown_outputs = found.unknown_outputs if step.op == "update" else []
        return step, raw

    # -- the answer to the program ----------------------------------------------------------

    def _answer(
        self, step: Step, reg: Registration, raw: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        wrapped = {
            k: _secret(v) if k in reg.secret_inputs else v
            for k, v in raw.items()
            if k != DEFAULTS_KEY
        }
        step.new = _new_state(reg, step, raw, self.base)
        if step.op in ("create", "replace") or step.old is None:
            return "", wrapped  # everything else a preview cannot know yet
        outputs = {}
        for key, value in (step.old.get("outputs") or {}).items():
            try:
                outputs[key] = _for_program(value)
            except _Unreadable:
                outputs[key] = _secret(reg.outputs.get(key, UNKNOWN))
        if step.op == "update":
            outputs.update(wrapped)
            outputs.update(dict.fromkeys(step.unknown_outputs, UNKNOWN))
        return str(step.old.get("id") or ""), outputs


def _fresh_name(generated: Any, old: Any, fresh: bool) -> Any:
    """The auto-name a replacement gets: a new random one in the CLI; preflight's stand-in,
    made to differ from the old name as the random one would."""
    if fresh and generated == old and isinstance(generated, str):
        return f"{generated}-r"
    return generated


def _opened(inputs: Any) -> dict[str, Any]:
    return {k: open_secrets(v) for k, v in (inputs or {}).items()}


def _opened_new(raw: dict[str, Any], reg: Registration) -> dict[str, Any]:
    return {
        k: Sealed(open_secrets(v)) if k in reg.secret_inputs else open_secrets(v)
        for k, v in raw.items()
    }


def _new_state(reg: Registration, step: Step, raw: dict[str, Any], base: Base) -> dict[str, Any]:
    """The new state as the CLI's JSON shows it (ResourceV3 shape, values opened)."""
    state: dict[str, Any] = {"urn": reg.urn, "custom": reg.custom, "type": reg.type}
    if step.op in ("same", "update") and step.old is not None and step.old.get("id"):
        state["id"] = step.old["id"]
    state["inputs"] = _opened_new(raw, reg)
    state.update(relations(reg, provider_ref(reg.provider, base) if reg.provider else None))
    step.computed_outputs = sorted(k for k in reg.outputs if k not in raw)
    return state


def provider_ref(ref: str, base: Base) -> str:
    """The program's provider reference as the engine knows it: a provider the base has keeps
    its ID; a new one is created during the preview, its ID unknown."""
    urn = ref.rpartition("::")[0]
    return f"{urn}::{base.providers.get(urn, UNKNOWN)}"
