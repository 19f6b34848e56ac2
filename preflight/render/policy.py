"""The policy report as lines: the verdict, one heading per violation, the pack and its config."""

from __future__ import annotations

from preflight.pack.evaluate import Report, Violation
from preflight.render.tree import display_type


def verdict(report: Report) -> str:
    mandatory, advisory = len(report.mandatory), len(report.advisory)
    if mandatory:
        return (
            f"FAILED: {mandatory} mandatory policy violation(s), {advisory} advisory "
            f"[{report.pack} on stage {report.stage}]"
        )
    return (
        f"PASSED: no mandatory policy violation, {advisory} advisory "
        f"[{report.pack} on stage {report.stage}]"
    )


def violation_heading(v: Violation) -> str:
    where = f"{display_type(v.resource_type)} {v.resource_name}" if v.urn else "stack"
    return f"[{v.level}] {v.policy} ({where})"


def policy_lines(report: Report) -> list[str]:
    source = report.config_file or "policy defaults"
    lines = [f"Policies: {report.pack}@v{report.pack_version} (config: {source})"]
    if not report.violations:
        lines.append("    no violations")
    for v in report.violations:
        lines.append(f"    {violation_heading(v)}")
        lines.extend(f"        {line}" for line in v.message.splitlines())
    for urn, key in report.unreadable_secrets:
        lines.append(
            f"    [advisory] secret property {key!r} of {urn} has only ciphertext and was "
            "not checked; export with `pulumi stack export --show-secrets` to check it"
        )
    return lines
