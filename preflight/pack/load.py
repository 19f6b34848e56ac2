"""The policy pack as the Pulumi CLI loads and configures it.

`load_pack` runs `policies/__main__.py` itself with `PolicyPack` standing in as a recorder, so
the policies are the very objects the CLI would get, and builds pulumi-policy's own analyzer
servicer from them. `read_pack_config` parses a `--policy-pack-config` file as the CLI does, and
`configure` reconciles it with the pack's defaults (the CLI's ReconcilePolicyPackConfig).
"""

from __future__ import annotations

import json
import runpy
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi_policy
import yaml
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.policy import Policy

from preflight.inputs.errors import InputError
from preflight.pack.servicer import Servicer

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
_LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
PROTO_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PROTO.items()}


@dataclass
class LoadedPack:
    name: str
    version: str
    policies: list[Policy]
    servicer: Servicer


def _pack_version(directory: Path) -> str:
    """The version the CLI reports for the pack: PulumiPolicy.yaml's, else pulumi-policy's."""
    manifest = directory / "PulumiPolicy.yaml"
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    except (OSError, ValueError):
        return "0.0.1"
    version = data.get("version") if isinstance(data, dict) else None
    return str(version) if version else "0.0.1"


def load_pack(directory: Path) -> LoadedPack:
    """Run the pack's `__main__.py` with `PolicyPack` recording its arguments instead of serving."""
    entry = directory / "__main__.py"
    if not entry.is_file():
        raise InputError(f"{entry}: the policy pack's entry point is missing")
    recorded: dict[str, Any] = {}

    def record(name: str, policies: list[Policy], **kwargs: Any) -> None:
        recorded.update(name=name, policies=policies, **kwargs)

    original = pulumi_policy.PolicyPack
    pack_dir = str(directory)
    added = pack_dir not in sys.path
    if added:
        sys.path.insert(0, pack_dir)
    pulumi_policy.PolicyPack = record  # type: ignore[assignment,misc]
    try:
        runpy.run_path(str(entry), run_name="__main__")
    except Exception as exc:
        raise InputError(f"{entry}: the policy pack failed to load: {exc}") from exc
    finally:
        pulumi_policy.PolicyPack = original  # type: ignore[misc]
    if "policies" not in recorded:
        raise InputError(f"{entry}: did not build a PolicyPack")
    version = _pack_version(directory)
    options = {k: v for k, v in recorded.items() if k not in ("name", "policies")}
    servicer = Servicer(recorded["name"], version, recorded["policies"], **options)
    return LoadedPack(recorded["name"], version, list(recorded["policies"]), servicer)


def read_pack_config(path: Path) -> dict[str, dict[str, Any]]:
    """Parse a `--policy-pack-config` file as the CLI does (level string or object)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror}") from None
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a JSON object of policy name to level or object")
    config: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        level: str | None
        props: dict[str, Any] = {}
        if isinstance(value, str):
            level = value
        elif isinstance(value, dict):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None and not isinstance(level, str):
                raise InputError(f"{path}: {name!r}: enforcementLevel must be a string")
        else:
            raise InputError(f"{path}: {name!r}: must be an enforcement level or an object")
        if level is not None and level not in LEVELS:
            raise InputError(
                f"{path}: {name!r}: {level!r} is not a valid enforcement level "
                f"({', '.join(LEVELS)})"
            )
        if level is None and not props:
            continue
        config[name] = {"level": level, "properties": props}
    return config


def configure(pack: LoadedPack, file_config: Mapping[str, dict[str, Any]]) -> None:
    """Reconcile defaults, the pack's initial config and the file, then `Configure` the pack.

    Mirrors the CLI's ReconcilePolicyPackConfig: every policy starts at its declared level
    with its schema defaults; "all" sets every level; a policy's own entry wins.
    """
    info = pack.servicer.analyzer_info()
    result: dict[str, dict[str, Any]] = {}
    for policy in info.policies:
        defaults = {
            key: schema["default"]
            for key, schema in json_format.MessageToDict(policy.configSchema)
            .get("properties", {})
            .items()
            if isinstance(schema, dict) and "default" in schema
        }
        result[policy.name] = {
            "level": PROTO_TO_LEVEL[policy.enforcementLevel],
            "properties": defaults,
        }
    initial = {
        name: {
            "level": PROTO_TO_LEVEL[cfg.enforcementLevel] if cfg.enforcementLevel else None,
            "properties": json_format.MessageToDict(cfg.properties),
        }
        for name, cfg in info.initialConfig.items()
    }
    for layer in (initial, file_config):
        all_level = layer.get("all", {}).get("level")
        if all_level:
            for entry in result.values():
                entry["level"] = all_level
        for name, given in layer.items():
            entry = result.setdefault(name, {"level": None, "properties": {}})
            if given.get("level"):
                entry["level"] = given["level"]
            entry["properties"] = {**entry["properties"], **given.get("properties", {})}
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, entry in result.items():
        policy_config = request.policyConfig[name]
        policy_config.enforcementLevel = _LEVEL_TO_PROTO[entry["level"] or "advisory"]
        if entry["properties"]:
            policy_config.properties.update(entry["properties"])
    pack.servicer.configure(request)
