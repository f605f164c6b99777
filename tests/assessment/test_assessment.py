"""The self-assessment per system (compliance.assessment): the score's arithmetic, the conclusion bands,
high-risk findings from checks declared high-risk and from records, and what a compensating control
may lower. The lab proof (a telnet port turns a converged HIS host's system 差 and back) is in
tests/test_site_playbook.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.assessment import assess
from compliance.assessment.high_risk import conditions
from compliance.assessment.score import conclusion
from compliance.catalog.catalog import load_items
from compliance.checks import all_checks
from compliance.kinds.target import Target
from compliance.model.validate import load_repository
from compliance.results.model import CheckResult, HostResult, ItemResult, ScanRun
from compliance.results.verdicts import Verdict

REPO = Path(__file__).resolve().parents[2]
ITEMS = {item.id: item for item in load_items(3)}
SETTINGS = load_repository(REPO).policies.policies["assessment"].settings
BANDS = SETTINGS["conclusion_bands"]
HOST = Target("his-app-01", "linux", 3, "app", ("his",), "ssh")


def item(clause: str, verdict: Verdict, obj: str = "his-app-01", **extra: object) -> ItemResult:
    return ItemResult(obj, "linux", ("his",), ITEMS[clause], verdict, "reason", "理由", **extra)


def run_of(items: list[ItemResult], failing: tuple[str, ...] = (), system_items: list[ItemResult] | None = None):
    host = HostResult(HOST, "collected", None, None, 1.0)
    host.items = items
    checks = all_checks()
    host.checks = [
        CheckResult(checks[check], Verdict.FAIL, {}, {}, f"{check} failed", f"{check} 不符合", ()) for check in failing
    ]
    return ScanRun(started="2026-12-03T00:00:00+00:00", hosts=[host], system_items=system_items or [])


def his(run: ScanRun) -> dict:
    [entry] = [s for s in assess(run, SETTINGS)["systems"] if s["system"] == "his"]
    return entry


def test_every_high_risk_check_names_a_condition_and_every_condition_an_item_of_the_catalog():
    for check in all_checks().values():
        if check.high_risk:
            assert any(clause in conditions() for clause in check.clauses), check.id
    for clause, condition in conditions().items():
        assert clause in ITEMS, (condition.id, clause)


def test_the_score_averages_objects_per_item_items_per_control_point_and_points_per_system():
    items = [
        item("8.1.4.1 a)", Verdict.PASS),
        item("8.1.4.1 a)", Verdict.FAIL, obj="his-db-01"),  # item average 0.5
        item("8.1.4.1 b)", Verdict.PARTIAL),  # 0.5: control point 8.1.4.1 scores 5.0
        item("8.1.4.5 a)", Verdict.PASS),  # control point 8.1.4.5 scores 10.0
        item("8.1.4.2 a)", Verdict.NOT_APPLICABLE),  # left out
        item("8.1.4.6 a)", Verdict.MANUAL),  # undecided
    ]
    entry = his(run_of(items))
    points = {p["id"]: p["score"] for p in entry["control_points"]}
    assert points == {"8.1.4.1": 5.0, "8.1.4.5": 10.0}
    assert entry["score"] == 75.0
    assert (entry["score_lowest"], entry["score_highest"]) == (50.0, round(250 / 3, 2))
    assert entry["items"] == {"total": 6, "decided": 4, "manual": 1, "not_applicable": 1, "unseen": 0}
    assert entry["conclusion_zh"] == "中" and entry["conclusion_range"] == ["差", "良"]


def test_unreachable_scores_zero_and_a_waiver_without_a_compensating_control_does_not_meet_an_item():
    waived = item("8.1.4.5 a)", Verdict.WAIVED, original_verdict=Verdict.FAIL, waiver={"id": "W1"})
    entry = his(run_of([item("8.1.4.1 a)", Verdict.UNREACHABLE), waived, item("8.1.4.1 b)", Verdict.PASS)]))
    assert entry["score"] == 25.0 and entry["items"]["unseen"] == 1


@pytest.mark.parametrize(
    ("score", "open_high_risk", "any_fail", "expected"),
    [
        (95.0, False, False, "优"),
        (95.0, False, True, "良"),  # 优 needs no 不符合 left: medium risks cannot be ruled out
        (85.0, False, False, "良"),
        (72.0, False, False, "中"),
        (69.9, False, False, "差"),
        (99.0, True, False, "差"),  # one open high-risk finding
        (None, False, False, "差"),
    ],
)
def test_conclusion_bands(score, open_high_risk, any_fail, expected):
    assert conclusion(score, open_high_risk, any_fail, BANDS)[1] == expected


def test_a_failing_high_risk_check_makes_the_system_poor_and_is_listed_once_per_object():
    items = [item("8.1.4.1 a)", Verdict.FAIL), item("8.1.4.1 c)", Verdict.PASS), item("8.1.4.5 a)", Verdict.PASS)]
    entry = his(run_of(items, failing=("linux.no_empty_passwords", "linux.password_complexity")))
    [finding] = entry["high_risk"]
    assert finding["condition"] == "weak-or-empty-passwords" and finding["status"] == "open"
    assert finding["checks"] == ["linux.no_empty_passwords", "linux.password_complexity"]
    assert entry["conclusion_zh"] == "差" and entry["conclusion_range"] == ["差", "差"]
    # A failing check not declared high-risk, or on a clause with no condition, is no high-risk finding.
    calm = his(run_of([item("8.1.4.1 b)", Verdict.FAIL)], failing=("linux.session_timeout",)))
    assert calm["high_risk"] == [] and calm["high_risk_open"] == 0


def test_a_compensating_control_lowers_a_compensable_condition_but_never_plaintext_remote_admin():
    control = {"id": "W-AV", "compensating_control": "网络层防病毒网关 / network anti-malware gateway"}
    lowered = item("8.1.4.5 a)", Verdict.PARTIAL, original_verdict=Verdict.FAIL, waiver=control)
    entry = his(run_of([lowered, item("8.1.4.1 a)", Verdict.PASS)], failing=("linux.antivirus",)))
    assert [f["status"] for f in entry["high_risk"]] == ["lowered"] and entry["high_risk_open"] == 0
    assert entry["conclusion_zh"] != "差"
    telnet = item("8.1.4.1 c)", Verdict.PARTIAL, original_verdict=Verdict.FAIL, waiver={"id": "W-T", **control})
    kept = his(run_of([telnet], failing=("linux.remote_admin_encrypted",)))
    assert kept["high_risk"][0]["status"] == "open" and kept["conclusion_zh"] == "差"


def test_records_leaving_a_high_risk_management_item_unmet_make_the_system_poor_listed_first():
    rules = ItemResult("system:his", "system", ("his",), ITEMS["8.1.6.2 a)"], Verdict.FAIL, "records: none", "记录：无")
    entry = his(run_of([item("8.1.4.5 a)", Verdict.PASS)], failing=(), system_items=[rules]))
    assert entry["high_risk"][0]["condition"] == "no-management-rules" and entry["conclusion_zh"] == "差"
    assert entry["high_risk"][0]["object"] == "system:his"
