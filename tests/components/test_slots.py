"""Blue/green slots in the config and the components: the keys' rules (every problem at once,
naming the key), what each slot runs, the versions slots keep, the model's private name, a
slot's platform lookup and its environment's name. Mirrors components/config/slots.py and the
slot parts of components/artifacts.py, components/domain.py and components/beanstalk/."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from components.artifacts import Artifacts, ArtifactsArgs, SlotVersions
from components.beanstalk import Application, ApplicationArgs
from components.config import ConfigError, parse_stack_config
from components.config.slots import SlotChoice, SlottedConfig, slot_choice, slot_labels
from components.domain import PrivateName, PrivateNameArgs
from tests.components.beanstalk_support import environment_args
from tests.components.test_artifacts import bundles
from tests.program_fixtures import run

VERSION = "aws:elasticbeanstalk/applicationVersion:ApplicationVersion"
DOMAIN = {"domain": "app.example.com", "hostedZone": "example.com"}
LABEL = "model-0123456789ab"


def problems(raw: dict[str, Any], prefix: str | None = "webmodel-prod") -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw, name_prefix=prefix)
    return error.value.problems


def test_a_role_without_slots_is_one_environment_as_before() -> None:
    config = parse_stack_config({})
    assert (config.web.slots, config.web.live, config.web.slot_settings) == (None, None, {})
    assert (config.model.slots, config.model.live) == (None, None)


def test_slots_live_and_settings_parse() -> None:
    config = parse_stack_config(
        {
            "web": {**DOMAIN, "slots": ["blue", "green"], "live": "blue"},
            "model": {
                "slots": ["blue", "green"],
                "live": "green",
                "instanceTypes": ["g5.xlarge"],
                "slotSettings": {
                    "blue": {"version": LABEL},
                    "green": {"imageId": "ami-0123456789abcdef0", "instanceTypes": ["g6.xlarge"]},
                },
            },
        },
        name_prefix="webmodel-prod",
    )
    model = config.model
    assert isinstance(model, SlottedConfig)
    blue, green = slot_choice("model", model, "blue"), slot_choice("model", model, "green")
    assert (blue.version, blue.adopts, blue.settings.instance_types) == (
        LABEL,
        None,
        ["g5.xlarge"],
    )
    assert (green.version, green.adopts, green.settings.image_id) == (
        None,
        "model",
        "ami-0123456789abcdef0",
    )
    assert green.settings.instance_types == ["g6.xlarge"]
    assert isinstance(green, SlotChoice)
    assert slot_labels("model", model, "model-ffffffffffff") == ([LABEL], "model-ffffffffffff")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            {"model": {"slots": ["blue", "green"], "live": "red"}},
            ["webmodel:model.live: 'red' is not one of slots ['blue', 'green']"],
            id="live-names-a-missing-slot",
        ),
        pytest.param(
            {"model": {"slots": ["blue"]}},
            ["webmodel:model.live: name the slot that takes traffic, one of ['blue']"],
            id="slots-without-live",
        ),
        pytest.param(
            {"model": {"live": "blue", "slotSettings": {"blue": {}}}},
            [
                "webmodel:model.live: needs slots; set slots or remove live",
                "webmodel:model.slotSettings: needs slots; set slots or remove slotSettings",
            ],
            id="live-without-slots",
        ),
        pytest.param(
            {"model": {"slots": ["blue", "Blue"], "live": "blue"}},
            [
                "webmodel:model.slots: names a slot twice (slot names are compared without "
                'case) (got ["blue", "Blue"])'
            ],
            id="a-slot-twice",
        ),
        pytest.param(
            {"model": {"slots": ["blue_1"], "live": "blue_1"}},
            [
                "webmodel:model.slots: slot name 'blue_1' must be letters, digits and hyphens, "
                "not starting or ending with a hyphen (it becomes part of the Elastic Beanstalk "
                'environment\'s name) (got ["blue_1"])'
            ],
            id="a-character-eb-refuses",
        ),
        pytest.param(
            {
                "model": {
                    "slots": ["blue"],
                    "live": "blue",
                    "slotSettings": {"green": {"version": "web-0123456789ab"}},
                }
            },
            [
                "webmodel:model.slotSettings.green: no such slot; slots are ['blue'] (remove the "
                "settings of a slot with the slot)",
                "webmodel:model.slotSettings.green.version: 'web-0123456789ab' is not a model "
                "bundle; a model slot runs a label model-<12 hex> (pulumi stack output "
                "modelVersionLabel)",
            ],
            id="settings-of-a-missing-slot-and-another-apps-version",
        ),
        pytest.param(
            {"web": {"slots": ["blue"], "live": "blue"}},
            [
                "webmodel:web.slots: blue/green needs domain and hostedZone: the switch between "
                "slots is the domain's alias record"
            ],
            id="web-slots-without-a-domain",
        ),
        pytest.param(
            {"worker": {"slots": ["blue"], "slotSettings": {}}},
            [
                f"webmodel:worker.{key}: only webmodel:web and webmodel:model run as blue/green "
                "slots (a worker takes no traffic through DNS); remove it"
                for key in ("slots", "slotSettings")
            ],
            id="the-worker-has-no-slots",
        ),
    ],
)
def test_bad_slots_name_the_key(raw: dict[str, Any], expected: list[str]) -> None:
    assert problems(raw) == expected


def test_slot_names_fit_eb_environment_names_with_the_stacks_prefix() -> None:
    """EB names are at most 40 characters, Pulumi adds 8: `webmodel-prod-model-` leaves 12."""
    fits = {"model": {"slots": ["b" * 12], "live": "b" * 12}}
    parse_stack_config(fits, name_prefix="webmodel-prod")
    assert problems({"model": {"slots": ["b" * 13], "live": "b" * 13}}) == [
        f"webmodel:model.slots: slot '{'b' * 13}': the Elastic Beanstalk environment "
        f"'webmodel-prod-model-{'b' * 13}' (33 characters) plus Pulumi's 8-character suffix is "
        "longer than EB's 40; keep it to 32 (slot names of at most 12 characters in this stack)"
    ]
    parse_stack_config(fits, name_prefix=None)  # the prefix is known only when the program runs
    assert len(problems(fits, prefix="webmodel-production")) == 1


def test_a_slots_environment_name_is_checked_by_its_args_too() -> None:
    args = environment_args("model")
    with pytest.raises(ValueError, match=r"'webmodel-dev-model-a-very-long-slot' \(35 characters"):
        dataclasses.replace(args, slot="a-very-long-slot")


def test_versions_of_slots_are_named_by_label_and_kept_ones_come_from_their_bundles(
    tmp_path: Path,
) -> None:
    built = bundles(tmp_path)
    current = next(b for b in built if b.app == "model")
    args = ArtifactsArgs(
        "app",
        built,
        model_repository_uri="s3://models/triton",
        slot_versions={"model": SlotVersions(kept=[LABEL], live=LABEL)},
    )
    aws = run(lambda: {"labels": Artifacts("artifacts", args).version_labels}).aws
    versions = {v.name: v.inputs for v in aws.of_type(VERSION)}
    assert sorted(versions) == sorted(
        [
            "artifacts-web-version",
            f"artifacts-{current.label}-version",
            f"artifacts-{LABEL}-version",
        ]
    )
    kept = versions[f"artifacts-{LABEL}-version"]
    assert (kept["name"], kept["key"], kept["description"]) == (
        LABEL,
        f"bundles/{LABEL}.zip",
        f"model bundle {LABEL}, kept for a slot",
    )
    assert versions[f"artifacts-{current.label}-version"]["description"] == (
        f"model bundle sha256:{current.sha256}"
    )


def test_the_models_private_name_is_a_zone_of_the_vpc() -> None:
    """Its alias record to the live slot: tests/program/test_slots_wiring.py."""

    def build() -> dict[str, Any]:
        name = PrivateName(
            "model-name", PrivateNameArgs("webmodel.internal", "model.webmodel.internal", "vpc-1")
        )
        return {"url": name.url, "zone": name.zone_id}

    result = run(build)
    zone = result.aws.one("aws:route53/zone:Zone")
    assert zone.inputs["name"] == "webmodel.internal"
    assert zone.inputs["vpcs"] == [{"vpcId": "vpc-1"}]
    assert re.fullmatch(r"Z[0-9A-F]{20}", zone.state["zoneId"])
    assert zone.state["nameServers"] == [
        "ns-0.awsdns-00.com",
        "ns-512.awsdns-00.net",
        "ns-1024.awsdns-00.org",
        "ns-1536.awsdns-00.co.uk",
    ]
    assert result.values["url"] == "http://model.webmodel.internal"
    with pytest.raises(ValueError, match="not inside the hosted zone"):
        PrivateNameArgs("webmodel.internal", "model.other.internal", "vpc-1")


def test_a_slots_own_platform_is_looked_up_once() -> None:
    regex = r"^64bit Amazon Linux 2023 v4\.5\.1 running Docker$"

    def build() -> dict[str, Any]:
        app = Application("app", ApplicationArgs(solution_stack_regex=r"running Docker$"))
        return {"first": app.platform(regex), "again": app.platform(regex)}

    result = run(build)
    assert result.values == {
        "first": "64bit Amazon Linux 2023 v4.5.1 running Docker",
        "again": "64bit Amazon Linux 2023 v4.5.1 running Docker",
    }
    lookups = [a["nameRegex"] for token, a in result.aws.calls if "getSolutionStack" in token]
    assert lookups == [r"running Docker$", regex]
