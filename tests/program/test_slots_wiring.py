"""The prod program with both tiers as blue/green slots, under the offline engine: who adopts
the running environments (aliases), what the switches point at, what web and worker call, who
may reach whom, and the outputs verify reads."""

from __future__ import annotations

from functools import cache
from typing import Any

from preflight.simulate.deployment import Deployment, SimResource
from preflight.simulate.run import simulate
from preflight.stackfiles.project import read_program_config
from tests.preflight_support import ROOT
from tests.program_fixtures import settings_map

ENV = "aws:elasticbeanstalk/environment:Environment"
RECORD = "aws:route53/record:Record"
URN = "urn:pulumi:prod::webmodel::"
LABEL = "model-0123456789ab"


@cache
def slotted() -> Deployment:
    values = read_program_config(ROOT, "prod").values
    web = {**values["webmodel:web"], "domain": "app.example.com", "hostedZone": "example.com"}
    web.update(certificateArn=None, slots=["blue", "green"], live="blue")
    model = {
        **values["webmodel:model"],
        "slots": ["blue", "green"],
        "live": "green",
        "slotSettings": {"blue": {"version": LABEL}},
    }
    return simulate("prod", config_overrides={"webmodel:web": web, "webmodel:model": model})


def one(type_token: str, name: str) -> SimResource:
    [found] = [r for r in slotted().of_type(type_token) if r.name == name]
    return found


def test_the_live_slot_adopts_the_roles_environment_and_the_other_slot_nothing() -> None:
    adopted = {  # renames only: pulumi_aws itself aliases some types' old tokens
        r.name: renamed
        for r in slotted().resources
        if (renamed := {a for a in r.aliases if not a.endswith(f"::{r.name}")})
    }
    env_type = "webmodel:beanstalk:Environment"
    legacy = f"{URN}{env_type}$"
    assert adopted == {
        "web-blue": {f"{URN}{env_type}::web"},
        "web-blue-instance-role": {f"{legacy}aws:iam/role:Role::web-instance-role"},
        "web-blue-instance-policy": {f"{legacy}aws:iam/rolePolicy:RolePolicy::web-instance-policy"},
        "web-blue-instance-profile": {
            f"{legacy}aws:iam/instanceProfile:InstanceProfile::web-instance-profile"
        },
        "webmodel-prod-web-blue": {f"{legacy}{ENV}::webmodel-prod-web"},
        "web-blue-http-to-https": {f"{legacy}aws:lb/listenerRule:ListenerRule::web-http-to-https"},
        "model-green": {f"{URN}{env_type}::model"},
        "model-green-instance-role": {f"{legacy}aws:iam/role:Role::model-instance-role"},
        "model-green-instance-policy": {
            f"{legacy}aws:iam/rolePolicy:RolePolicy::model-instance-policy"
        },
        "model-green-instance-profile": {
            f"{legacy}aws:iam/instanceProfile:InstanceProfile::model-instance-profile"
        },
        "webmodel-prod-model-green": {f"{legacy}{ENV}::webmodel-prod-model"},
        # the versions the live slots run take over the versions of the single environments
        **{
            f"artifacts-{slotted().outputs[f'{role}VersionLabel']}-version": {
                f"{URN}webmodel:artifacts:Artifacts$"
                f"aws:elasticbeanstalk/applicationVersion:ApplicationVersion::artifacts-{role}-version"
            }
            for role in ("web", "model")
        },
    }


def test_each_switch_points_at_its_live_slots_load_balancer() -> None:
    domain = one(RECORD, "domain-alias")
    web_blue = one(ENV, "webmodel-prod-web-blue")
    assert domain.inputs["name"] == "app.example.com"
    assert domain.inputs["aliases"][0]["name"] == web_blue.outputs["endpointUrl"]
    model = one(RECORD, "model-name-alias")
    model_green = one(ENV, "webmodel-prod-model-green")
    assert (model.inputs["name"], model.inputs["type"]) == ("model.webmodel.internal", "A")
    assert model.inputs["aliases"][0]["name"] == model_green.outputs["endpointUrl"]
    assert list(model.property_dependencies["aliases"]) == [model_green.urn]
    zone = one("aws:route53/zone:Zone", "model-name-zone")
    assert model.inputs["zoneId"] == zone.id
    assert zone.inputs["vpcs"] == [{"vpcId": slotted().outputs["vpcId"]}]


def _settings(name: str) -> dict[tuple[str, str], Any]:
    return settings_map(one(ENV, name).inputs["settings"])


def test_web_and_worker_call_the_model_by_its_stable_name_whichever_slot_is_live() -> None:
    models = {r.urn for r in slotted().of_type(ENV) if r.inputs["tags"]["role"] == "model"}
    for name in ("webmodel-prod-web-blue", "webmodel-prod-web-green", "webmodel-prod-worker"):
        settings = _settings(name)
        assert settings[("aws:elasticbeanstalk:application:environment", "MODEL_URL")] == (
            "http://model.webmodel.internal"
        )
        assert not models & set(one(ENV, name).property_dependencies["settings"])
    assert slotted().outputs["modelInternalUrl"] == "http://model.webmodel.internal"


def test_both_slots_of_a_role_share_its_security_groups_and_subnets() -> None:
    """The model load balancer admits the web and worker instances' groups, which every slot
    of web uses: callers in both slots reach whichever model slot is live."""
    for role in ("web", "model"):
        blue, green = (_settings(f"webmodel-prod-{role}-{slot}") for slot in ("blue", "green"))
        for option in (
            ("aws:autoscaling:launchconfiguration", "SecurityGroups"),
            ("aws:elbv2:loadbalancer", "SecurityGroups"),
            ("aws:ec2:vpc", "Subnets"),
            ("aws:ec2:vpc", "ELBSubnets"),
        ):
            assert blue[option] == green[option], (role, option)


def test_outputs_name_the_live_slot_and_every_slots_environment_and_version() -> None:
    outputs = slotted().outputs
    web_blue, model_green = (
        one(ENV, "webmodel-prod-web-blue"),
        one(ENV, "webmodel-prod-model-green"),
    )
    assert outputs["webEnvironmentName"] == web_blue.outputs["name"]
    assert outputs["modelEnvironmentName"] == model_green.outputs["name"]
    model_slots = outputs["modelSlots"]
    assert model_slots["live"] == "green"
    assert model_slots["record"] == "model.webmodel.internal"
    assert model_slots["zoneId"] == one("aws:route53/zone:Zone", "model-name-zone").id
    assert model_slots["slots"]["blue"]["versionLabel"] == LABEL
    assert model_slots["slots"]["green"] == {
        "environmentName": model_green.outputs["name"],
        "versionLabel": outputs["modelVersionLabel"],
    }
    assert outputs["webSlots"]["live"] == "blue"
    assert outputs["webSlots"]["record"] == "app.example.com"
    assert sorted(outputs["webSlots"]["slots"]) == ["blue", "green"]
