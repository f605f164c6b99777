"""The evaluator's record sheet (测评记录表) as XLSX: a summary sheet, then one sheet per
assessed object (测评对象) with 安全类别 / 控制点 / 测评项 / 结果记录 / 符合情况 per item, as
evaluators lay out their field records."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from copy import copy

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from compliance.report.filters import compact, rate, verdict_order, verdict_zh
from compliance.report.load import StoredRun, clause_key
from compliance.results.records import ItemRecord

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


def _header(sheet: Worksheet, columns: tuple[tuple[str, int], ...]) -> None:
    for index, (title, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font = HEADER
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _record(run: StoredRun, item: ItemRecord) -> str:
    lines = [item.reason_zh, item.reason_en]
    for check in run.item_checks(item):
        lines.append(f"[{check.check}] observed {compact(check.observed)} · expected {compact(check.expected)}")
    return "\n".join(lines)


def _summary(run: StoredRun, sheet: Worksheet) -> None:
    columns = (
        ("定级对象\nSystem", 16),
        ("类别\nCategory", 24),
        *((f"{verdict_zh(v)}\n{v}", 10) for v in verdict_order()),
        ("符合率\nRate", 10),
    )
    _header(sheet, columns)
    for row in run.results.summary:
        system = "合计 total" if row.system == "*" else row.system
        category = row.category_zh if row.category == "*" else f"{row.category} {row.category_zh}"
        sheet.append([system, category, *(row.counts[v] for v in verdict_order()), rate(row.rate)])
        if row.category == "*":
            for cell in sheet[sheet.max_row]:
                cell.font = HEADER


def _sheet_title(name: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    base, number = title, 1
    while title in taken:
        number += 1
        title = f"{base[: 31 - len(str(number)) - 1]}~{number}"
    taken.add(title)
    return title


def _style(sheet: Worksheet, **styles: object) -> StyleArray:
    """A cell style registered once in the workbook, to give many cells by copying its index array
    (setting a style object on each cell hashes it again for every cell)."""
    cell = Cell(sheet)
    for name, value in styles.items():
        setattr(cell, name, value)
    return cell._style


def render(run: StoredRun) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "汇总 Summary"
    _summary(run, summary)
    wrapped = _style(summary, alignment=WRAP)
    verdicts = {
        verdict: _style(summary, alignment=WRAP, fill=PatternFill("solid", fgColor=colour))
        for verdict, colour in {**FILLS, "": "FFFFFF"}.items()
    }
    by_object: dict[str, list[ItemRecord]] = defaultdict(list)
    for item in run.items:
        by_object[item.object].append(item)
    taken = {summary.title}
    for name in sorted(by_object):
        sheet = book.create_sheet(_sheet_title(name, taken))
        _header(sheet, RECORD_COLUMNS)
        # Rows are numbered here: the sheet's max_row looks at every cell, each time it is asked.
        for number, item in enumerate(sorted(by_object[name], key=lambda i: clause_key(i.item)), start=1):
            row = number + 1  # below the header
            waiver = item.waiver
            sheet.append(
                [
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
            )
            for column in range(1, len(RECORD_COLUMNS) + 1):
                sheet.cell(row=row, column=column)._style = copy(wrapped)
            sheet.cell(row=row, column=7)._style = copy(verdicts.get(item.verdict, verdicts[""]))
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
