"""OSCAL documents, built with compliance-trestle's models so they validate by construction.

* A catalog of GB/T 22239-2019 (no public OSCAL catalog of it exists): one group per
  category, one control per control point, one statement part per lettered item
  (`gbt22239-8.1.4.1_smt.a`). Texts are this project's paraphrases, in Chinese with English.
* Assessment results from a stored run: one result, every host as an inventory item, one
  observation per check and host (what was observed, with the evidence file it came from)
  and one finding per item and object whose target is the item's statement. 符合 and
  已豁免 are `satisfied`; everything else is `not-satisfied` with the dengbao verdict kept
  as a property, so manual and unreachable items are never reported as met.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from trestle.oscal import OSCAL_VERSION, common
from trestle.oscal import assessment_results as ar
from trestle.oscal import catalog as oscal_catalog

from compliance import __version__
from compliance.catalog.catalog import Item
from compliance.report.filters import compact
from compliance.report.formats import OSCAL_CATALOG_FILE
from compliance.report.load import StoredRun
from compliance.results.records import ItemRecord
from compliance.scan.coverage import covered_items
from compliance.scan.record_items import RECORDS_FILE

NAMESPACE = "https://dengbao.example/ns/oscal"
CATALOG_HREF = OSCAL_CATALOG_FILE  # the catalog document a run's assessment results import
SATISFIED = ("pass", "waived")
# Stable ids: the same run (and the same catalog) always yields the same uuids.
ROOT_UUID = uuid.UUID("6b0f6f0e-6c49-4c55-9d5e-2f1c1c9d0b3a")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(ROOT_UUID, "/".join(parts)))


def control_id(control_point: str) -> str:
    return f"gbt22239-{control_point}"


def statement_id(clause: str) -> str:
    """`8.1.4.1 a)` → `gbt22239-8.1.4.1_smt.a`."""
    number, _, letter = clause.partition(" ")
    return f"{control_id(number)}_smt.{letter.rstrip(')')}"


def _prop(name: str, value: str) -> common.Property:
    return common.Property.construct(name=name, value=value, ns=NAMESPACE)


def _metadata(title: str, stamp: datetime) -> common.Metadata:
    return common.Metadata(title=title, last_modified=stamp, version=__version__, oscal_version=OSCAL_VERSION)


def catalog(level: int = 3) -> oscal_catalog.Catalog:
    """The GB/T 22239-2019 items of one level as an OSCAL catalog."""
    groups: dict[str, oscal_catalog.Group] = {}
    controls: dict[str, oscal_catalog.Control] = {}
    items: tuple[Item, ...] = covered_items(level)
    for item in items:
        group = groups.get(item.category_id)
        if group is None:
            group = oscal_catalog.Group(
                id=f"gbt22239-{item.category_id}", title=f"{item.category_id} {item.category_zh} {item.category_en}"
            )
            group.controls = []
            groups[item.category_id] = group
        control = controls.get(item.control_point_id)
        if control is None:
            control = oscal_catalog.Control(
                id=control_id(item.control_point_id),
                title=f"{item.control_point_id} {item.control_point_zh} {item.control_point_en}",
                parts=[common.Part(id=f"{control_id(item.control_point_id)}_smt", name="statement", parts=[])],
            )
            controls[item.control_point_id] = control
            group.controls.append(control)
        props = [_prop("label", item.id), _prop("evidence", " ".join(item.evidence)), _prop("status", item.status)]
        if item.test_unit:
            props.append(_prop("test-unit", item.test_unit))
        if item.twin:
            props.append(_prop("other-level-id", item.twin))
        control.parts[0].parts.append(
            common.Part(id=statement_id(item.id), name="item", props=props, prose=f"{item.zh}\n\n{item.en}")
        )
    stamp = datetime(2019, 12, 1, tzinfo=UTC)  # the standard's date of implementation: stable output
    return oscal_catalog.Catalog(
        uuid=_uuid("catalog", str(level)),
        metadata=_metadata(f"GB/T 22239-2019 网络安全等级保护基本要求 level {level} (dengbao paraphrase)", stamp),
        groups=list(groups.values()),
    )


def _time(text: str | None, fallback: datetime) -> datetime:
    return datetime.fromisoformat(text) if text else fallback


def assessment_results(run: StoredRun) -> ar.AssessmentResults:
    """The run as OSCAL assessment results. The many per-host and per-item objects are built with
    `construct` (no validation one by one: a 1,000-host run has hundreds of thousands); their shape is
    this code's, and the tests read every rendered document back through trestle, which validates it."""
    results = run.results
    started = datetime.fromisoformat(results.run.started)
    finished = _time(results.run.finished, started)
    inventory_items = []
    observations = []
    host_uuid: dict[str, str] = {}
    observation_uuid: dict[tuple[str, str], str] = {}
    for host in run.hosts:
        host_uuid[host.name] = _uuid(run.name, "host", host.name)
        inventory_items.append(
            common.InventoryItem.construct(
                uuid=host_uuid[host.name],
                description=f"{host.name} ({host.kind}, level {host.level}, zone {host.zone or '-'})",
                props=[_prop("host-name", host.name), _prop("collection-status", host.status)],
            )
        )
        for check in host.checks:
            key = (host.name, check.check)
            observation_uuid[key] = _uuid(run.name, "observation", *key)
            observations.append(
                common.Observation.construct(
                    uuid=observation_uuid[key],
                    title=f"{check.check} on {host.name}",
                    description=f"{check.reason_zh}\n\n{check.reason_en}",
                    methods=["TEST"],
                    subjects=[
                        common.SubjectReference.construct(subject_uuid=host_uuid[host.name], type="inventory-item")
                    ],
                    collected=_time(host.started, started),
                    props=[_prop("verdict", check.verdict)],
                    relevant_evidence=[
                        common.RelevantEvidence.construct(
                            href=host.evidence_file or "results.json",
                            description=f"probes: {', '.join(check.evidence) or '-'}",
                        )
                    ],
                    remarks=f"observed: {compact(check.observed)}\nexpected: {compact(check.expected)}",
                )
            )
    findings = []
    for item in run.items:
        related = [
            ar.RelatedObservation.construct(observation_uuid=observation_uuid[(item.object, check)])
            for check in item.checks
            if (item.object, check) in observation_uuid
        ]
        if item.object_kind == "system" and item.reason_en.startswith(RECORD_BACKED):
            # A record-backed verdict: the records were examined, not tested (scan.record_items).
            uuid = _uuid(run.name, "observation", item.object, "records", item.item)
            observations.append(
                common.Observation.construct(
                    uuid=uuid,
                    title=f"records for {item.item} of {item.object}",
                    description=f"{item.reason_zh}\n\n{item.reason_en}",
                    # Where the evaluator must still talk to staff (an item the records show in part), INTERVIEW too.
                    methods=["EXAMINE", "INTERVIEW"] if "interview" in item.reason_en else ["EXAMINE"],
                    collected=started,
                    props=[_prop("verdict", item.verdict)],
                    relevant_evidence=[
                        common.RelevantEvidence.construct(href=RECORDS_FILE, description="management records index")
                    ],
                )
            )
            related.append(ar.RelatedObservation.construct(observation_uuid=uuid))
        satisfied = item.verdict in SATISFIED
        status = common.ObjectiveStatus.construct(
            state="satisfied" if satisfied else "not-satisfied",
            reason="pass" if satisfied else ("fail" if item.verdict in ("fail", "partial") else "other"),
            remarks=f"{item.verdict_zh} {item.verdict}",
        )
        findings.append(
            common.Finding.construct(
                uuid=_uuid(run.name, "finding", item.object, item.item),
                title=f"{item.item} · {item.object}",
                description=f"{item.reason_zh}\n\n{item.reason_en}",
                props=[_prop("verdict", item.verdict), _prop("object", item.object)],
                target=common.FindingTarget.construct(
                    type="statement-id", target_id=statement_id(_level3_clause(item)), status=status
                ),
                related_observations=related or None,
            )
        )
    reviewed = sorted({control_id(_level3_clause(item).partition(" ")[0]) for item in run.items})
    result = ar.Result(
        uuid=_uuid(run.name, "result"),
        title=f"等保合规扫描 compliance scan {run.name}",
        description=f"dengbao scan of {results.run.inventory or 'this machine'}",
        start=started,
        end=finished,
        local_definitions=ar.LocalDefinitions1(inventory_items=inventory_items) if inventory_items else None,
        reviewed_controls=common.ReviewedControls(
            control_selections=[
                common.ControlSelection(
                    include_controls=[common.SelectControlById(control_id=control) for control in reviewed]
                )
            ]
        ),
        observations=observations or None,
        findings=findings or None,
    )
    return ar.AssessmentResults(
        uuid=_uuid(run.name, "assessment-results"),
        metadata=_metadata(f"等保测评结果 Assessment results {run.name}", finished),
        import_ap=ar.ImportAp(href=f"#{CATALOG_HREF}", remarks="no assessment plan: the scan follows the catalog"),
        results=[result],
    )


RECORD_BACKED = ("records:", "not applicable by record")


def _level3_clause(item: ItemRecord) -> str:
    """Findings target the level-3 statement; a level-2 item names its level-3 twin."""
    return item.level3_id
