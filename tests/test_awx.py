"""AWX / Ansible Automation Platform as code: the execution environment's build context, and the controller
configuration (awx/controller.yml) whose templates, workflows and schedules must name what exists.

No controller runs here (AWX needs Kubernetes) and no image is built (no container runtime): the context is
made with `ansible-builder create`, the configuration is syntax-checked with the awx.awx collection installed,
and the slices' scan and merge playbooks run for real against lab hosts in tests/scan/test_check_scenarios.py.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CONTEXT = REPO / "awx" / "build" / "context"


@pytest.fixture(scope="module")
def context() -> Path:
    built = subprocess.run(
        ["bash", "scripts/awx-ee-context"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-3000:]
    return CONTEXT


def test_the_execution_environment_context_installs_this_project_on_its_base_image(context):
    definition = yaml.safe_load((REPO / "awx" / "execution-environment.yml").read_text())
    containerfile = (context / "Containerfile").read_text()
    assert definition["version"] == 3
    assert f'ARG EE_BASE_IMAGE="{definition["images"]["base_image"]["name"]}"' in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "ansible-core>=2.19,<2.20" in containerfile
    assert re.search(r"RUN \$PYCMD -m pip install --no-cache-dir /tmp/dengbao-wheels/\*\.whl", containerfile)
    assert "RUN dengbao --version" in containerfile
    bindep = (context / "_build" / "bindep.txt").read_text()
    assert "openssh-clients" in bindep and "git-core" in bindep


def test_the_wheel_in_the_context_carries_the_package_data_and_the_declared_dependencies(context):
    (wheel,) = (context / "_build" / "wheels").glob("dengbao-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = [
            line.removeprefix("Requires-Dist: ")
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist: ") and "extra ==" not in line
        ]
    assert "compliance/catalog/gbt22239_2019/items.yml" in names or any(
        n.startswith("compliance/catalog/gbt22239_2019/") and n.endswith(".yml") for n in names
    )
    assert "compliance/records/types.yml" in names and "compliance/assessment/high_risk.yml" in names
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]

    def name(requirement: str) -> str:
        return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower()

    assert sorted(map(name, requires)) == sorted(map(name, declared))


class AnsibleLoader(yaml.SafeLoader):
    """YAML as Ansible reads it: `!unsafe` marks a string Ansible must not template."""


AnsibleLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def controller_play() -> dict:
    (play,) = yaml.load((REPO / "awx" / "controller.yml").read_text(), Loader=AnsibleLoader)
    return play


def controller_tasks() -> list[dict]:
    return controller_play()["tasks"]


def test_the_controller_configuration_passes_a_syntax_check_with_awx_awx():
    checked = subprocess.run(
        ["ansible-playbook", "--syntax-check", "awx/controller.yml"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_template_runs_a_playbook_of_the_project_and_every_workflow_and_schedule_names_one():
    play = controller_play()
    jobs = play["vars"]["dengbao_awx_jobs"]
    templates = {t["awx.awx.job_template"]["name"]: t["awx.awx.job_template"] for t in controller_tasks()
                 if "awx.awx.job_template" in t}  # fmt: skip
    names = {template: re.sub(r"{{ dengbao_awx_jobs\.(\w+) }}", r"\1", template) for template in templates}
    assert sorted(names.values()) == sorted(key for key in jobs if key not in ("nightly", "monthly"))
    for template in templates.values():
        assert (REPO / template["playbook"]).is_file(), template["playbook"]
    scan = templates["{{ dengbao_awx_jobs.scan }}"]
    assert scan["job_slice_count"] == "{{ dengbao_awx_slices }}" and play["vars"]["dengbao_awx_slices"] > 1
    (workflows,) = [t for t in controller_tasks() if "awx.awx.workflow_job_template" in t]
    nodes = workflows["awx.awx.workflow_job_template"]["workflow_nodes"]
    assert [n["unified_job_template"]["name"] for n in nodes] == [
        "{{ dengbao_awx_jobs.scan }}",
        "{{ dengbao_awx_jobs.merge }}",
    ]
    assert nodes[0]["related"]["success_nodes"] == [{"identifier": "merge"}]
    workflow_names = {w["name"] for w in workflows["loop"]}
    assert workflow_names == {"{{ dengbao_awx_jobs.nightly }}", "{{ dengbao_awx_jobs.monthly }}"}
    (schedules,) = [t for t in controller_tasks() if "awx.awx.schedule" in t]
    scheduled = {entry["template"] for entry in schedules["loop"]}
    assert scheduled == {f"{{{{ dengbao_awx_jobs.{job} }}}}" for job in ("nightly", "drift", "inspect", "monthly")}
    for entry in schedules["loop"]:
        assert re.fullmatch(r"\d{6}", entry["at"]) and entry["rule"].startswith("FREQ="), entry


def test_every_survey_variable_is_one_the_playbooks_read():
    playbooks = "".join(p.read_text() for p in (REPO / "playbooks" / "awx").glob("*.yml"))
    play = controller_play()
    variables = {play["vars"]["dengbao_awx_hosts_question"]["variable"]} | set(play["vars"]["dengbao_awx_common_vars"])
    for task in controller_tasks():
        template = task.get("awx.awx.job_template") or {}
        for question in (template.get("survey_spec") or {}).get("spec", []):
            if isinstance(question, dict):
                variables.add(question["variable"])
    for variable in variables:
        assert variable in playbooks, variable
