"""JUnit XML for CI: one test suite per object (host, or system for its documentary items), one
test case per item. 不符合 and 部分符合 without a waiver are failures; 检查出错 and 不可达
are errors; 人工核查 and 不适用 are skipped; 符合 and waived items pass (a waiver is noted in
the case's output)."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from compliance.report.load import StoredRun, clause_key
from compliance.results.records import ItemRecord

FAILURES = ("fail", "partial")
ERRORS = ("error", "unreachable")
SKIPPED = ("manual", "not_applicable")


def _case(item: ItemRecord) -> ET.Element:
    case = ET.Element(
        "testcase",
        name=f"{item.item} {item.text_en}",
        classname=f"dengbao.{item.category}.{item.object}",
    )
    message = f"{item.verdict_zh} {item.verdict}: {item.reason_zh} / {item.reason_en}"
    verdict = item.verdict
    if verdict in FAILURES and item.finding:
        ET.SubElement(case, "failure", message=message, type=verdict).text = message
    elif verdict in ERRORS:
        ET.SubElement(case, "error", message=message, type=verdict).text = message
    elif verdict in SKIPPED:
        ET.SubElement(case, "skipped", message=message)
    if item.waiver:
        waiver = item.waiver
        ET.SubElement(
            case, "system-out"
        ).text = f"waived by {waiver['id']} (approver {waiver['approver']}, expires {waiver['expires']}): {message}"
    return case


def render(run: StoredRun) -> bytes:
    by_object: dict[str, list[ItemRecord]] = defaultdict(list)
    for item in run.items:
        by_object[item.object].append(item)
    root = ET.Element("testsuites", name=f"dengbao {run.name}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for name in sorted(by_object):
        items = sorted(by_object[name], key=lambda i: clause_key(i.item))
        cases = [_case(item) for item in items]
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        suite = ET.SubElement(
            root,
            "testsuite",
            name=name,
            timestamp=run.results.run.started,
            **{k: str(v) for k, v in counts.items()},
        )
        suite.extend(cases)
        for key, value in counts.items():
            totals[key] += value
    root.attrib.update({key: str(value) for key, value in totals.items()})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
