"""The lab's zones are the example hospital's on the lab's own addresses: names and titles agree."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def zones(inventory: str) -> dict:
    text = (REPO / "inventory" / inventory / "group_vars" / "all" / "zones.yml").read_text()
    return yaml.safe_load(text)["dengbao_zones"]


def test_lab_zones_have_the_example_hospital_s_names_and_titles_and_subnets_of_their_own():
    hospital, lab = zones("example-hospital"), zones("lab")
    assert set(lab) == set(hospital)
    for name, body in hospital.items():
        assert {k: v for k, v in lab[name].items() if k != "subnets"} == {
            k: v for k, v in body.items() if k != "subnets"
        }, name
        assert lab[name]["subnets"] != body["subnets"], "the lab never takes the hospital's own subnets"
