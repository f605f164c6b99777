"""The evaluator's record sheet (测评记录表) as XLSX: a summary sheet, then one sheet per
assessed object (测评对象) with 安全类别 / 控制点 / 测评项 / 结果记录 / 符合情况 per item, as
evaluators lay out their field records."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from copy import copy
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from compliance.report.filters import compact, rate, verdict_order, verdict_zh
from compliance.report.load import StoredRun, clause_key
from compliance.results.records import ItemRecord

if TYPE_CHECKING:  # the class write-only workbooks hand out; only its name is needed here
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

HEADER = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
FILLS = {
    "pass": "C6EFCE",
    "partial": "FFEB9C",
    "fail": "FFC7CE",
    "error": "FFC7CE",
    "unreachable": "FFC7CE",
    "waived": "E4DFEC",
    "manual": "DDEBF7",
    "not_applicable": "EDEDED",
}
RECORD_COLUMNS = (
    ("序号\nNo.", 6),
    ("安全类别\nCategory", 16),
    ("控制点\nControl point", 16),
    ("测评项编号\nItem", 12),
    ("测评项\nRequirement", 48),
    ("结果记录\nRecord", 60),
    ("符合情况\nVerdict", 12),
    ("测评单元\nTest unit", 13),
    ("豁免\nWaiver", 24),
)


class Styles:
    """The workbook's cell styles, each registered once and given to cells by its index array (setting
    a style object on each cell would hash it again for every cell)."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.header = self._register(sheet, font=HEADER, alignment=WRAP)
        self.bold = self._register(sheet, font=HEADER)
        self.wrapped = self._register(sheet, alignment=WRAP)
        self.verdicts = {
            verdict: self._register(sheet, alignment=WRAP, fill=PatternFill("solid", fgColor=colour))
            for verdict, colour in {**FILLS, "": "FFFFFF"}.items()
        }

    @staticmethod
    def _register(sheet: WriteOnlyWorksheet, **styles: object) -> StyleArray:
        cell = Cell(sheet)
        for name, value in styles.items():
            setattr(cell, name, value)
        return cell._style


def _cell(sheet: WriteOnlyWorksheet, value: object, style: StyleArray | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if style is not None:
        cell._style = copy(style)
    return cell


def _header(sheet: WriteOnlyWorksheet, columns: tuple[tuple[str, int], ...], styles: Styles) -> None:
    """Column widths and frozen header first: a write-only sheet takes them before its first row."""
    for index, (_title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, title, styles.header) for title, _width in columns])


def _record(run: StoredRun, item: ItemRecord) -> str:
    lines = [item.reason_zh, item.reason_en]
    for check in run.item_checks(item):
        lines.append(f"[{check.check}] observed {compact(check.observed)} · expected {compact(check.expected)}")
    return "\n".join(lines)


def _summary(run: StoredRun, sheet: WriteOnlyWorksheet, styles: Styles) -> None:
    columns = (
        ("定级对象\nSystem", 16),
        ("类别\nCategory", 24),
        *((f"{verdict_zh(v)}\n{v}", 10) for v in verdict_order()),
        ("符合率\nRate", 10),
    )
    _header(sheet, columns, styles)
    for row in run.results.summary:
        system = "合计 total" if row.system == "*" else row.system
        category = row.category_zh if row.category == "*" else f"{row.category} {row.category_zh}"
        values = [system, category, *(row.counts[v] for v in verdict_order()), rate(row.rate)]
        style = styles.bold if row.category == "*" else None
        sheet.append([_cell(sheet, value, style) for value in values])


def _assessment(run: StoredRun, sheet: WriteOnlyWorksheet, styles: Styles) -> None:
    """Below the summary: each system's self-assessment, then its high-risk findings (docs/assessment.md)."""
    if not run.assessment:
        return
    sheet.append([])
    sheet.append([_cell(sheet, f"{run.assessment['note_zh']} / {run.assessment['note_en']}", styles.bold)])
    titles = ("定级对象\nSystem", "得分\nScore", "范围\nRange", "预期结论\nConclusion", "高风险\nOpen high-risk")
    sheet.append([_cell(sheet, title, styles.header) for title in titles])
    for system in run.assessment["systems"]:
        low, high = system["score_lowest"], system["score_highest"]
        values = [
            system["system"],
            system["score"],
            "—" if low is None else f"{low:.1f}–{high:.1f}",
            f"{system['conclusion_zh']} {system['conclusion']} ({'–'.join(system['conclusion_range'])})",
            system["high_risk_open"],
        ]
        sheet.append([_cell(sheet, value, styles.wrapped) for value in values])
    for system in run.assessment["systems"]:
        for finding in system["high_risk"]:
            state = "未消除 open" if finding["status"] == "open" else "已降低 lowered"
            values = [system["system"], f"高风险 {state}", finding["item"], finding["object"], finding["zh"]]
            sheet.append([_cell(sheet, value, styles.verdicts["fail"]) for value in values])


def _sheet_title(name: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    base, number = title, 1
    while title in taken:
        number += 1
        title = f"{base[: 31 - len(str(number)) - 1]}~{number}"
    taken.add(title)
    return title


def render(run: StoredRun) -> bytes:
    """The workbook, written as a stream (write-only sheets): a 1,000-host run has 200,000 rows."""
    book = Workbook(write_only=True)
    summary = book.create_sheet("汇总 Summary")
    styles = Styles(summary)
    _summary(run, summary, styles)
    _assessment(run, summary, styles)
    by_object: dict[str, list[ItemRecord]] = defaultdict(list)
    for item in run.items:
        by_object[item.object].append(item)
    taken = {summary.title}
    for name in sorted(by_object):
        sheet = book.create_sheet(_sheet_title(name, taken))
        _header(sheet, RECORD_COLUMNS, styles)
        items = sorted(by_object[name], key=lambda i: clause_key(i.item))
        for number, item in enumerate(items, start=1):
            waiver = item.waiver
            values = [
                number,
                f"{item.category} {item.category_zh}",
                f"{item.control_point} {item.control_point_zh}",
                item.item,
                f"{item.text_zh}\n{item.text_en}",
                _record(run, item),
                item.verdict_zh,
                item.test_unit or "",
                f"{waiver['id']}: {waiver['justification']}" if waiver else "",
            ]
            verdict = styles.verdicts.get(item.verdict, styles.verdicts[""])
            sheet.append([_cell(sheet, v, verdict if col == 7 else styles.wrapped) for col, v in enumerate(values, 1)])
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(RECORD_COLUMNS))}{len(items) + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
