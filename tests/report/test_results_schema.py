"""The JSON Schema of results.json is held equal to the results model and to what the document writes.

The model (compliance/results) is the one definition; the schema shipped for pipelines must
name the same verdicts, kinds of object and fields, and a document written from a real
collection must validate against it. No lab: the collection is a check unit's recorded fixture.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from lab_scan import scenario_host_vars

from compliance.checks import all_checks
from compliance.kinds import all_kinds
from compliance.kinds.collection import Collected, stored_collection
from compliance.kinds.target import Target
from compliance.model.host_policy import policy_for_host
from compliance.results.document import results_document
from compliance.results.model import ScanRun
from compliance.results.verdicts import ORDER, Verdict
from compliance.scan.evaluate import evaluate_host

SCHEMA = Path(__file__).resolve().parents[2] / "compliance" / "report" / "schemas" / "results-3.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def document(repo) -> dict:
    """results.json of a one-host run judged from the compliant host's recorded probes."""
    probes: dict[str, dict] = {}
    clock = None
    for check in all_checks().values():
        path = check.unit / "fixtures" / "compliant.pass.json"
        if not path.is_file():
            continue
        recorded = json.loads(path.read_text())
        clock = clock or recorded["host_clock_utc"]
        probes |= recorded["probes"]
    # The fixtures' host: an ad-hoc lab host in the lab's management zone (its firewall is that zone's).
    declared = scenario_host_vars("10.77.10.100")
    target = Target("scan-ok", "linux", 3, "mgmt", ("his",), "ssh", {"ssh_hostname": declared["ansible_host"]})
    collected = Collected(target, "collected", stored_collection(clock, probes), None, clock, 0.4)
    run = ScanRun(started=clock, finished=clock)
    run.hosts.append(evaluate_host(collected, policy_for_host(repo, target.name, declared).settings))
    return results_document(run)


def test_verdicts_of_the_schema_are_the_model_s(schema):
    assert schema["$defs"]["verdict"]["enum"] == [v.value for v in ORDER]
    assert schema["$defs"]["verdict_zh"]["enum"] == [v.zh for v in ORDER]
    assert set(ORDER) == set(Verdict)
    assert schema["$defs"]["counts"]["required"] == [v.value for v in ORDER]


def test_kinds_of_object_of_the_schema_are_the_registry_s(schema):
    kinds = sorted(all_kinds())
    assert sorted(schema["$defs"]["host"]["properties"]["kind"]["enum"]) == kinds
    assert sorted(schema["$defs"]["item"]["properties"]["object_kind"]["enum"]) == sorted([*kinds, "system"])


@pytest.mark.parametrize(
    ("definition", "select"),
    [
        ("host", lambda d: d["hosts"]),
        ("check", lambda d: [c for h in d["hosts"] for c in h["checks"]]),
        ("item", lambda d: d["items"]),
        ("summary_row", lambda d: d["summary"]),
    ],
)
def test_every_field_the_document_writes_is_in_the_schema_and_required(schema, document, definition, select):
    written = select(document)
    assert written, f"no {definition} written"
    fields = set(schema["$defs"][definition]["properties"])
    assert all(set(entry) == fields for entry in written)
    assert set(schema["$defs"][definition]["required"]) == fields


def test_the_run_and_the_document_have_the_schema_s_fields(schema, document):
    assert set(document) == set(schema["properties"]) == set(schema["required"])
    assert set(document["run"]) == set(schema["properties"]["run"]["properties"])


def test_a_document_from_real_probes_validates(schema, document):
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    verdicts = {c["verdict"] for h in document["hosts"] for c in h["checks"]}
    assert verdicts <= {"pass", "not_applicable", "error"}  # error: a probe no check's fixture recorded


def test_the_results_document_names_every_field_of_the_records():
    """docs/results-schema.md is prose by hand; it must still name every field the records have."""
    import dataclasses

    from compliance.results import records

    text = (Path(__file__).resolve().parents[2] / "docs" / "results-schema.md").read_text()
    for record in (
        records.ResultsRecord,
        records.RunRecord,
        records.HostRecord,
        records.CheckRecord,
        records.ItemRecord,
        records.SummaryRecord,
    ):
        missing = [f.name for f in dataclasses.fields(record) if f"`{f.name}`" not in text]
        assert not missing, f"docs/results-schema.md does not name {record.__name__} fields {missing}"
