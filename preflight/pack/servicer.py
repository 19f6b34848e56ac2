"""preflight's one door into pulumi-policy's private API, checked against the installed version.

preflight evaluates the pack exactly as the Pulumi CLI would by driving pulumi-policy's own
analyzer servicer, which needs a few names pulumi-policy does not publish
(`_PolicyAnalyzerServicer`, its `_get_enforcement_level`, `_create_report_violation` and
`_get_policy_config`, and `_NotApplicableError`). Private names can change in any release, so
every use goes through this module, which refuses, with one clear line, a pulumi-policy whose
minor series it was not checked against or that lacks one of those names. The pack itself
(policies/) uses only the public API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import policy as _policy

from preflight.inputs.errors import InputError

WRITTEN_FOR = ("1.21",)
"""pulumi-policy minor series whose private API this adapter was read against (1.21.0)."""

_SERVICER_METHODS = ("_get_enforcement_level", "_create_report_violation", "_get_policy_config")


def installed_version() -> str:
    try:
        return metadata.version("pulumi-policy")
    except metadata.PackageNotFoundError:
        return "not installed"


def check(version: str | None = None, module: Any = _policy) -> None:
    """Raise InputError unless pulumi-policy is a version this adapter was written for."""
    version = installed_version() if version is None else version
    series = ".".join(version.split(".")[:2])
    fix = (
        f"preflight drives pulumi-policy's private analyzer API as of "
        f"{', '.join(s + '.x' for s in WRITTEN_FOR)}; install the version pinned in "
        "requirements.txt (`make setup`) or update preflight/policy_adapter.py"
    )
    if series not in WRITTEN_FOR:
        raise InputError(f"pulumi-policy {version} is installed; {fix}")
    servicer = getattr(module, "_PolicyAnalyzerServicer", None)
    missing = [
        name
        for name in ("_PolicyAnalyzerServicer", "_NotApplicableError")
        if getattr(module, name, None) is None
    ]
    missing += [name for name in _SERVICER_METHODS if not hasattr(servicer, name)]
    if missing:
        raise InputError(f"pulumi-policy {version} lacks {', '.join(missing)}; {fix}")


NotApplicableError: type[Exception] = _policy._NotApplicableError
"""What a policy raises (through `ReportViolation`'s not-applicable path) when it does not apply."""


class Servicer:
    """pulumi-policy's analyzer servicer, reduced to the calls preflight makes."""

    def __init__(self, name: str, version: str, policies: Sequence[Any], **pack: Any) -> None:
        check()
        self._servicer = _policy._PolicyAnalyzerServicer(
            name,
            version,
            list(policies),
            pack.get("enforcement_level") or _policy.EnforcementLevel.ADVISORY,
            pack.get("initial_config"),
            pack.get("description"),
            pack.get("display_name"),
            pack.get("readme"),
            pack.get("provider"),
            pack.get("tags"),
            pack.get("repository"),
        )

    def analyzer_info(self) -> Any:
        return self._servicer.GetAnalyzerInfo(None, None)  # type: ignore[no-untyped-call]

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        self._servicer.Configure(request, None)  # type: ignore[no-untyped-call]

    def enforcement_level(self, policy: Any) -> Any:
        """The policy's level after `configure` (the pack's default when not configured)."""
        return self._servicer._get_enforcement_level(policy)

    def report_violation(
        self, response: analyzer_pb2.AnalyzeResponse, policy: Any, level: Any
    ) -> Callable[..., None]:
        """The `report_violation` callback the CLI's analyzer gives `policy`."""
        report: Callable[..., None] = self._servicer._create_report_violation(
            response, policy.name, policy.description, level, policy.severity
        )
        return report

    def policy_config(self, name: str) -> dict[str, Any] | None:
        config: dict[str, Any] | None = self._servicer._get_policy_config(name)
        return config
