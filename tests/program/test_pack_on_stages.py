"""The pack on the program where the level of a rule follows the stage: the prod-only rules
are mandatory in prod and advisory in dev, and so are a web environment on the sample application
and an unversioned bucket.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from preflight.export.state import State, StateResource
from tests.program.support_pack import (
    RDS,
    advisory,
    env,
    mandatory,
    one,
    removed,
    replaced,
    run,
    with_props,
    with_setting,
)

# -- prod-only rules: mandatory in prod, advisory in dev ----------------------------------------


def all_at_once(state: State) -> tuple[State, tuple[str, str]]:
    web = env(state, "web")
    broken = with_setting(web, "aws:elasticbeanstalk:command", "DeploymentPolicy", "AllAtOnce")
    return replaced_or_same(state, web, broken), ("eb-deployment-policy-safe", web.name)


def single_az_rds(state: State) -> tuple[State, tuple[str, str]]:
    db = one(state, RDS)
    return replaced_or_same(state, db, with_props(db, multiAz=False)), ("rds-multi-az", db.name)


def replaced_or_same(state: State, old: StateResource, new: StateResource) -> State:
    """Like `replaced`, but dev may already be built this way (that is what dev allows)."""
    return dataclasses.replace(
        state, resources=[new if r.urn == old.urn else r for r in state.resources]
    )


@pytest.mark.parametrize("variant", [all_at_once, single_az_rds], ids=lambda v: v.__name__)
def test_prod_only_rules_are_mandatory_in_prod_and_advisory_in_dev(
    pack, states, variant: Callable[[State], tuple[State, tuple[str, str]]]
) -> None:
    prod_state, finding = variant(states["prod"])
    prod = run(pack, prod_state, "prod")
    assert mandatory(prod) == {finding}

    dev_state, dev_finding = variant(states["dev"])
    dev = run(pack, dev_state, "dev")
    assert mandatory(dev) == set()
    assert dev_finding in advisory(dev)


@pytest.mark.parametrize(("stage", "level"), [("dev", "advisory"), ("prod", "mandatory")])
def test_sample_application_and_unversioned_bucket_follow_the_stage(
    pack, states, stage: str, level: str
) -> None:
    state = states[stage]
    web = env(state, "web")
    bare = {k: v for k, v in web.properties.items() if k != "version"}
    versioning = one(state, "aws:s3/bucketVersioning:BucketVersioning", "-bundles-")
    bucket = one(state, "aws:s3/bucket:Bucket", "-bundles")
    broken = removed(replaced(state, web, dataclasses.replace(web, properties=bare)), versioning)
    report = run(pack, broken, stage)
    expected = {("eb-runs-stack-version", web.name), ("s3-bucket-versioned", bucket.name)}
    found = mandatory(report) if level == "mandatory" else advisory(report)
    assert expected <= found
    assert mandatory(report) == (expected if level == "mandatory" else set())
