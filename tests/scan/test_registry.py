"""The registry is the one source: docs/checks.md, every count the docs state, remediation tags, parsers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from compliance.catalog.catalog import EVIDENCE_KINDS
from compliance.checks import all_checks
from compliance.commands.checks import markdown
from compliance.kinds import all_kinds
from compliance.kinds.collection import ProbeResult
from compliance.kinds.linux.facts import PARSERS
from compliance.kinds.linux.probes import INSPECTION_PROBES, PROBES
from compliance.scan.coverage import covered_items

REPO = Path(__file__).resolve().parents[2]
COUNT = re.compile(r"<!-- count:(\w+) -->(\d+)<!-- /count -->")
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def registry_counts() -> dict[str, int]:
    checks = all_checks()
    return {
        "checks": len(checks),
        "linux_checks": sum(1 for c in checks.values() if c.kind == "linux"),
        "network_device_checks": sum(1 for c in checks.values() if c.kind == "network_device"),
        "high_risk_checks": sum(1 for c in checks.values() if c.high_risk),
        "linux_probes": len(PROBES),
        "automated_level3_items": sum(1 for item in covered_items(3) if item.checks),
        "kinds": len(all_kinds()),
    }


def test_docs_checks_md_is_the_registry_s_own_listing():
    assert (REPO / "docs" / "checks.md").read_text() == markdown(), (
        "run: dengbao checks --format markdown > docs/checks.md"
    )


def test_every_count_the_docs_state_is_the_registry_s():
    counts = registry_counts()
    found = 0
    for document in DOCUMENTS:
        for name, value in COUNT.findall(document.read_text()):
            assert name in counts, f"{document.name}: unknown count {name}"
            assert int(value) == counts[name], f"{document.name}: says {value} {name}, the registry has {counts[name]}"
            found += 1
    assert found >= 4


def test_no_document_states_a_number_of_checks_outside_a_count_marker():
    for document in (d for d in DOCUMENTS if d.name != "checks.md"):  # checks.md is generated whole
        text = COUNT.sub("", document.read_text())
        stray = re.findall(r"\b\d+ (?:Linux |host )?(?:checks|probes)\b", text)
        assert not stray, f"{document.name}: {stray}: use <!-- count:… --> markers"


def _role_tags(role: Path) -> set[str]:
    tags: set[str] = set()
    for tasks in (role / "tasks").glob("*.yml"):
        for task in yaml.safe_load(tasks.read_text()) or []:
            tags.update(task.get("tags", []))
    return tags


@pytest.mark.parametrize("check", all_checks().values(), ids=lambda c: c.id)
def test_a_check_s_remediation_names_a_real_role_and_tag(check):
    for remedy in check.remediation:
        role, _, tag = remedy.partition(":")
        assert (REPO / "roles" / role / "tasks").is_dir(), f"{check.id}: no role {role}"
        assert tag in _role_tags(REPO / "roles" / role), f"{check.id}: role {role} has no tag {tag}"


def test_every_probe_has_exactly_one_parser():
    assert set(PARSERS) == {probe.name for probe in (*PROBES, *INSPECTION_PROBES)}


def recorded_outputs() -> list[tuple[str, str, str]]:
    """(fixture, probe, output) for every probe output recorded in any check unit's fixtures."""
    found = []
    for check in all_checks().values():
        for path in sorted((check.unit / "fixtures").glob("*.json")):
            for name, body in json.loads(path.read_text())["probes"].items():
                found.append((f"{check.name}/{path.stem}", name, body["output"]))
    for path in sorted((REPO / "tests" / "inspection" / "fixtures").glob("*.json")):
        for name, body in json.loads(path.read_text())["probes"].items():
            found.append((f"inspection/{path.stem}", name, body["output"]))
    return found


def test_every_parser_runs_on_real_output_of_its_probe():
    outputs = recorded_outputs()
    covered = {name for _, name, _ in outputs}
    assert covered == set(PARSERS), f"parsers with no recorded output: {sorted(set(PARSERS) - covered)}"
    for where, name, output in outputs:
        PARSERS[name](output)  # a parser never raises on what a real host printed
        assert ProbeResult(name, "", output, 0).lines == output.splitlines(), where


def test_every_kind_answers_for_a_catalog_evidence_kind_and_checks_name_known_kinds():
    kinds = all_kinds()
    assert {kind.evidence for kind in kinds.values()} <= set(EVIDENCE_KINDS)
    assert {check.kind for check in all_checks().values()} <= set(kinds)
