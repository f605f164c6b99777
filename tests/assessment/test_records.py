"""Management records as evidence (records/<inventory>/, compliance.records, scan.record_items): the example
hospital's records decide the HIS system's management items or leave them manual with what to see; a
drill older than its policy's limit fails its item and a new drill restores it; a record that shows the
opposite (an off-boarding that left accounts open) fails; `dengbao records new` writes a template that
`dengbao validate` refuses until it is filled in."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from compliance.catalog.catalog import load_items
from compliance.cli import main
from compliance.model.validate import load_repository
from compliance.records.store import load_records, record_types
from compliance.results.verdicts import Verdict
from compliance.scan.evaluate import evaluate_system
from compliance.scan.record_items import record_mapping, records_evidence

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "records" / "example-hospital"
AS_OF = date(2026, 12, 3)  # the day the example records were written: every one of them is current
MANAGEMENT = ("8.1.6", "8.1.7", "8.1.8", "8.1.9", "8.1.10")
DRILL_ITEM = "8.1.10.13 c)"


def limits() -> dict[str, int]:
    return load_repository(REPO).policies.policies["assessment"].settings["max_age_days"]


def judged(directory: Path, as_of: date = AS_OF, system: str = "his", level: int = 3) -> dict[str, object]:
    found = load_records(directory, REPO, None, today=as_of)
    assert not found.problems, [p.render() for p in found.problems]
    rows = evaluate_system(system, level, records=records_evidence(found, limits(), as_of))
    return {row.item.id: row for row in rows}


@pytest.fixture
def records_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "records"
    shutil.copytree(EXAMPLE, copy)
    return copy


def test_every_mapped_record_type_and_category_exists_and_every_item_is_in_the_catalog():
    types = record_types()
    catalog = {item.id for item in load_items(3)}
    for item, (needs, _) in record_mapping().items():
        assert item in catalog, item
        for need in needs:
            assert need.type in types, (item, need)
            assert need.category is None or need.category in types[need.type].categories, (item, need)


def test_the_example_hospital_decides_his_management_items_by_records_or_says_what_to_see():
    rows = judged(EXAMPLE)
    management = {item: row for item, row in rows.items() if row.item.category_id in MANAGEMENT}
    assert len(management) == 115
    for item, row in management.items():
        if item in record_mapping():
            assert row.verdict in (Verdict.PASS, Verdict.PARTIAL, Verdict.NOT_APPLICABLE), (item, row.reason_en)
            assert "records:" in row.reason_en or "not applicable by record" in row.reason_en
            assert "记录" in row.reason_zh
        elif row.verdict is Verdict.MANUAL:
            assert row.reason_en.startswith("manual: ") and row.reason_zh.startswith("需人工核查："), item
    decided = [row for row in management.values() if row.verdict is not Verdict.MANUAL]
    assert len(decided) >= 70
    # The hospital develops no software itself: a signed statement makes 8.1.9.4 not applicable.
    statement = rows["8.1.9.4 b)"]
    assert statement.verdict is Verdict.NOT_APPLICABLE and "na-self-development" in statement.reason_en
    # Records that show only part of an item leave it 部分符合 with what the evaluator must still see.
    assert rows["8.1.7.2 b)"].verdict is Verdict.PARTIAL and "must still see" in rows["8.1.7.2 b)"].reason_en


def test_a_drill_older_than_its_limit_fails_the_item_and_a_new_drill_restores_it(records_copy):
    later = date(2027, 7, 1)  # the June 2026 drill is then 372 days old, the limit 365
    stale = judged(records_copy, later)[DRILL_ITEM]
    assert stale.verdict is Verdict.FAIL
    assert "372 days old, limit 365): out of date" in stale.reason_en and "已过期" in stale.reason_zh
    drill = records_copy / "drill" / "drill-2027-06-his-network.yml"
    drill.write_text(
        "type: drill\nid: drill-2027-06-his-network\ntitle: HIS 核心网络中断应急演练\ndate: 2027-06-18\n"
        "systems: [his]\nowner: 信息中心 应急工作组\nscenario: 核心交换机故障\nparticipants: 9\n"
        "training_included: true\nresult: 切换至备用链路用时 6 分钟\n",
        encoding="utf-8",
    )
    fresh = judged(records_copy, later)[DRILL_ITEM]
    assert fresh.verdict is Verdict.PASS and "drill-2027-06-his-network" in fresh.reason_en
    # Another system's drill does not count for HIS: it names only its own system.
    drill.write_text(drill.read_text(encoding="utf-8").replace("[his]", "[emr]"), encoding="utf-8")
    assert judged(records_copy, later)[DRILL_ITEM].verdict is Verdict.FAIL


def test_a_record_showing_the_opposite_fails_and_a_missing_periodic_record_fails(records_copy):
    leaver = records_copy / "offboarding" / "offboarding-2026-05-ops.yml"
    leaver.write_text(leaver.read_text(encoding="utf-8").replace("accounts_removed: true", "accounts_removed: false"))
    row = judged(records_copy)["8.1.8.2 a)"]
    assert row.verdict is Verdict.FAIL and "accounts_removed not done" in row.reason_en
    (records_copy / "meeting" / "meeting-2026-09.yml").unlink()
    assert judged(records_copy)["8.1.7.4 a)"].verdict is Verdict.FAIL
    # Occasional records that do not exist say nothing: no incident on record leaves 8.1.10.12 c) manual.
    shutil.rmtree(records_copy / "incident")
    assert judged(records_copy)["8.1.10.12 c)"].verdict is Verdict.MANUAL


def test_a_level_2_item_is_judged_by_its_level_3_twin_and_no_folder_leaves_everything_manual(tmp_path):
    level2 = judged(EXAMPLE, level=2)
    twins = [row for row in level2.values() if row.item.twin == DRILL_ITEM]
    assert twins and twins[0].verdict is Verdict.PASS
    empty = evaluate_system("his", 3, records=records_evidence(load_records(tmp_path / "none", None, None), {}))
    assert {row.verdict for row in empty} == {Verdict.MANUAL}


def test_records_new_writes_a_template_that_validate_refuses_until_filled(model_copy, monkeypatch, capsys):
    monkeypatch.chdir(model_copy)
    attachment = model_copy / "纪要.txt"
    attachment.write_text("演练纪要\n", encoding="utf-8")
    code = main(["records", "new", "drill", "-i", "example-hospital", "--system", "his", "--id", "drill-new",
                 "--attach", str(attachment)])  # fmt: skip
    assert code == 0
    written = model_copy / "records" / "example-hospital" / "drill" / "drill-new.yml"
    text = written.read_text(encoding="utf-8")
    assert "# 演练场景 scenario" in text and "待填写" in text and "attachments/drill-new/纪要.txt" in text
    capsys.readouterr()
    assert main(["validate", str(model_copy)]) == 2
    errors = capsys.readouterr().err
    assert "drill-new.yml" in errors and "is still to be filled in" in errors
    for field in ("title", "owner", "scenario", "result"):
        text = text.replace(f"{field}: 待填写 / to fill in", f"{field}: 已填写")
    written.write_text(text, encoding="utf-8")
    assert main(["validate", str(model_copy)]) == 0
    assert main(["records", "list", "-i", "example-hospital"]) in (0, 1)
    assert "drill-new" in capsys.readouterr().out


def test_the_scan_keeps_the_records_index_and_judges_again_from_it(tmp_path):
    """records.json holds the index (type, id, dates, hashes), never an attachment's text."""
    found = load_records(EXAMPLE, REPO, None, today=AS_OF)
    evidence = records_evidence(found, limits(), AS_OF)
    text = json.dumps(evidence, ensure_ascii=False)
    assert "drill-2026-06-his-db-failover" in text and "业务中断 18 分钟，恢复时间目标" not in text
    attached = [r for r in evidence["records"] if r["attachments"]]
    assert attached and len(attached[0]["attachments"][0]["sha256"]) == 64
    again = json.loads(text)
    rows = evaluate_system("his", 3, records=again)
    assert {row.item.id: row.verdict for row in rows} == {item: row.verdict for item, row in judged(EXAMPLE).items()}
