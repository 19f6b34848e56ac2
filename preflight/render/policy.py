"""The policy report as lines: the verdict, one heading per violation, the pack and its config."""

from __future__ import annotations

from preflight.pack.evaluate import Report, Violation
from preflight.render.tree import display_type


def verdict(report: Report, refused: int = 0) -> str:
    """The last line: PASSED or FAILED, and why (`refused`: protected resources the plan would
    replace or delete, which the CLI refuses whatever the policies say)."""
    mandatory, advisory = len(report.mandatory), len(report.advisory)
    where = f"[{report.pack} on stage {report.stage}]"
    if refused:
        return (
            f"FAILED: the plan replaces or deletes {refused} protected resource(s), which the "
            f"Pulumi CLI refuses; {mandatory} mandatory policy violation(s), {advisory} "
            f"advisory {where}"
        )
    if mandatory:
        return f"FAILED: {mandatory} mandatory policy violation(s), {advisory} advisory {where}"
    return f"PASSED: no mandatory policy violation, {advisory} advisory {where}"


def violation_heading(v: Violation) -> str:
    where = f"{display_type(v.resource_type)} {v.resource_name}" if v.urn else "stack"
    return f"[{v.level}] {v.policy} ({where})"


def violation_body(v: Violation, stage: str) -> list[str]:
    """The message's lines, then the config key to edit where the project owns one."""
    lines = v.message.splitlines()
    if v.config_key:
        lines.append(f"to change it: {v.config_key} in Pulumi.{stage.split('/')[-1]}.yaml")
    return lines


def policy_lines(report: Report) -> list[str]:
    source = report.config_file or "policy defaults"
    lines = [f"Policies: {report.pack}@v{report.pack_version} (config: {source})"]
    if not report.violations:
        lines.append("    no violations")
    for v in report.violations:
        lines.append(f"    {violation_heading(v)}")
        lines.extend(f"        {line}" for line in violation_body(v, report.stage))
    for urn, key in report.unreadable_secrets:
        lines.append(
            f"    [advisory] secret property {key!r} of {urn} has only ciphertext and was "
            "not checked; export with `pulumi stack export --show-secrets` to check it"
        )
    return lines
