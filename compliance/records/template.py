"""A new record's YAML, in Chinese with English beside it: every field of its type, filled where known,
`待填写` where the engineer still has to write it (`dengbao records new`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from compliance.records.store import TO_FILL, RecordType

LABELS = {
    "type": "记录类型 record type",
    "id": "记录编号，在本清单的记录中唯一 unique record id",
    "title": "标题 title",
    "date": "日期（举行、形成或登记之日）date held, made or registered",
    "category": "分类 category",
    "systems": "适用的定级对象；省略则适用全部 systems it is for (omit: all)",
    "owner": "责任部门或岗位（勿写个人身份证号等）owning department or post",
    "items": "另行证明的测评项（可选）further items it evidences (optional)",
    "notes": "备注 notes",
    "attachments": "附件：相对本文件的路径与 SHA-256 attached files, path relative to this file",
    "approved": "批准日期 approval date",
    "reviewed": "最近评审日期（不早于批准日期）last review date",
    "approver": "批准人或批准机构 approved by",
    "version": "版本号 version",
    "scenario": "演练场景 scenario",
    "participants": "参演人数 participants",
    "training_included": "演练前是否进行了应急预案培训 plan training given",
    "result": "演练结果与改进项 result and follow-ups",
    "audience": "培训对象 audience",
    "attendees": "参加人数或人员 attendees",
    "report": "是否形成检查报告 report written",
    "findings": "发现的问题数 findings",
    "temperature_c": "温度（℃）temperature",
    "humidity_percent": "相对湿度（%）humidity",
    "access_log_reviewed": "门禁记录已查看 access log reviewed",
    "power_ok": "供配电与 UPS 正常 power and UPS normal",
    "fire_system_ok": "消防系统正常 fire system normal",
    "water_alarm_ok": "漏水报警正常 water alarm normal",
    "background_checked": "已审查身份、背景与资质 background checked",
    "confidentiality_agreement": "已签署保密协议 confidentiality agreement signed",
    "accounts_removed": "已终止全部访问权限 all access revoked",
    "items_returned": "已收回证件、钥匙与设备 badges, keys, devices returned",
    "confidentiality_commitment": "已承诺离岗后保密义务 confidentiality commitment signed",
    "approved_by": "审批人 approved by",
    "escorted": "专人全程陪同 escorted throughout",
    "access_removed": "离场后已清除访问权限 access removed after leaving",
    "level": "安全保护等级 level",
    "expert_review": "专家评审日期 expert review date",
    "filing_number": "备案证明编号 filing number",
    "security_test": "已进行上线前安全性测试 security test before go-live",
    "delivery_list": "已按交付清单清点 delivery list checked",
    "products": "候选产品数 products on the list",
    "agency": "测评机构 assessment agency",
    "conclusion": "测评结论 conclusion",
    "remediated": "发现的问题已整改 findings remediated",
    "supplier": "服务供应商 supplier",
    "entries": "登记条目数 entries",
    "equipment": "维护的设备与线路 equipment maintained",
    "method": "清除或覆盖方法 wiping method",
    "tool": "扫描工具 tool",
    "high_findings": "高危漏洞数 high-risk findings",
    "period": "分析的时段 period reviewed",
    "handed_over_to": "交接给 handed over to",
    "reported": "报告日期 date reported",
    "cause": "原因分析 cause",
    "evidence_kept": "已收集并保存证据 evidence kept",
}


class IndentedDumper(yaml.SafeDumper):
    """Lists indented under their key, as yamllint's default wants them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def dump(values: dict[str, Any]) -> str:
    return yaml.dump(values, Dumper=IndentedDumper, allow_unicode=True, sort_keys=False, width=200)


def placeholder(rules: dict[str, Any]) -> Any:
    """What an unknown field starts as: something `dengbao validate` refuses where a real value is needed."""
    kind = rules.get("type")
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return rules.get("min", 0)
    if kind == "date":
        return date.today()
    if "allowed" in rules:
        return rules["allowed"][0]
    return TO_FILL


def new_record(kind: RecordType, values: dict[str, Any]) -> str:
    """The YAML text of a new record of this type, one commented line per field."""
    lines = [f"---\n# {kind.zh} / {kind.en}: docs/records.md\n"]
    for name, rules in kind.schema.items():
        if name in values:
            value = values[name]
        elif rules.get("required"):
            value = placeholder(rules)
        else:
            continue
        lines.append(f"# {LABELS.get(name, name)}")
        if name == "category":
            lines.append("#   " + "; ".join(f"{key}: {text}" for key, text in kind.categories.items()))
        lines.append(dump({name: value}).rstrip())
    return "\n".join(lines) + "\n"
