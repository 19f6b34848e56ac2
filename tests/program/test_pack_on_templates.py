"""The pack on an environment launched from a configuration template, on a saved state: a
template value the environment overrides fails only the template, a template missing from the
state is advisory, and settings moved into the template are judged as before.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.program.support_pack import (
    ENV,
    STAGES,
    advisory,
    env,
    launched_from_template,
    mandatory,
    run,
)


def test_a_template_value_the_environment_overrides_fails_only_the_template(pack, states) -> None:
    web = env(states["prod"], "web")
    bad = [
        {**s, "value": "false"} if s["name"] == "DisableIMDSv1" else s
        for s in web.properties["settings"]
    ]
    state, _, template = launched_from_template(states["prod"], bad, web.properties["settings"])
    assert mandatory(run(pack, state, "prod")) == {("eb-imdsv2-required", template.name)}


def test_a_template_missing_from_the_state_is_advisory_not_a_violation(pack, states) -> None:
    state, moved, template = launched_from_template(states["prod"], [], [])
    state = dataclasses.replace(state, resources=[r for r in state.resources if r != template])
    report = run(pack, state, "prod")
    assert mandatory(report) == set()
    imds = [v.message for v in report.advisory if v.policy == "eb-imdsv2-required"]
    assert len(imds) == 1
    assert imds[0].endswith(
        f"{ENV} '{moved.name}': aws:autoscaling:launchconfiguration DisableIMDSv1 is not set on "
        "the environment and its configuration template 'web-base' is not in this stack"
    )


@pytest.mark.parametrize("stage", STAGES)
def test_settings_moved_into_a_template_are_judged_as_before(pack, states, stage: str) -> None:
    """The same settings, read from the template: the same verdicts for the environment (the
    template is judged on its own values too, so dev's relaxations show on it as well)."""
    web = env(states[stage], "web")
    state, _, template = launched_from_template(states[stage], web.properties["settings"], [])
    before, after = advisory(run(pack, states[stage], stage)), run(pack, state, stage)
    assert after.mandatory == []
    assert {(p, n) for p, n in advisory(after) if n != template.name} == before
    on_template = {p for p, n in advisory(after) if n == template.name}
    assert on_template == {p for p, n in before if n == web.name} - {
        "eb-multi-az-capacity",
        "eb-model-environment-internal",
    }
