"""What the daily inspections show of two items, for one system (定级对象).

Every `dengbao inspect` run is sealed and kept (compliance.inspect). The scan reads the runs of the last
days once (`compliance.inspect.history`), keeps a summary of them as evidence (inspections.json in the
run) and judges with it:

- 8.1.10.6 e) operations are logged in detail, daily inspections first among them;
- 8.1.5.4 c) the running state of links, security devices, network devices and servers is monitored
  centrally: the inspection covers the servers.

The inspections are part of each item's evidence, never all of it: with sealed runs covering the
system's hosts the item is 部分符合 and names what the evaluator must still see (days without a run,
red items still open). A run whose seal does not hold fails 8.1.10.6 e): an operations record was
altered. No runs, or none naming the system's hosts, leave the item manual.
"""

from __future__ import annotations

from typing import Any

from compliance.catalog.catalog import Item
from compliance.results.verdicts import Verdict

INSPECTIONS_FILE = "inspections.json"
STILL_TO_SEE = {
    "8.1.10.6 e)": (
        "运行维护记录、参数设置和修改的记录，以及异常项的处理记录",
        "the maintenance logs, the records of settings and their changes, and how each red item was handled",
    ),
    "8.1.5.4 c)": (
        "对网络链路、安全设备和网络设备运行状况的集中监测（监控平台及其告警记录）",
        "the central monitoring of links, security and network devices (the monitoring platform and its alarms)",
    ),
}
INSPECTION_ITEMS = tuple(STILL_TO_SEE)


def inspection_verdict(item: Item, evidence: dict[str, Any] | None, hosts: set[str]) -> tuple[Verdict, str, str] | None:
    """The item's verdict from the kept inspections for a system with these hosts; None: they say nothing."""
    key = item.id if item.id in STILL_TO_SEE else item.twin
    if evidence is None or key not in STILL_TO_SEE or not evidence.get("present"):
        return None
    where = f"{INSPECTIONS_FILE} ({evidence['path']})"
    if "error" in evidence:
        return (
            Verdict.ERROR,
            f"the inspection runs could not be read: {evidence['error']}",
            f"巡检记录无法读取：{evidence['error']}",
        )
    mine = [run for run in evidence["runs"] if hosts & set(run["hosts"])]
    if not mine:
        return None
    altered = [run["run"] for run in mine if not run["intact"]]
    if altered and key == "8.1.10.6 e)":
        return (
            Verdict.FAIL,
            f"inspection run(s) {', '.join(altered)} no longer match their seal: an operations record was altered;"
            f" see {where}",
            f"巡检记录 {'、'.join(altered)} 与其封存不符：运维记录被改动；见 {where}",
        )
    days = sorted({run["started"][:10] for run in mine})
    window = int(evidence["days"])
    last = mine[-1]
    red = sorted(host for host, status in last["hosts"].items() if host in hosts and status in ("red", "error"))
    waiting = [
        f"{entry['host']} {entry['item']}"
        for entry in last.get("open", [])
        if entry["host"] in hosts and entry["status"] in ("red", "error") and not entry["acknowledged"]
    ]
    shown_en = (
        f"{len(mine)} sealed inspection run(s) of this system's hosts on {len(days)} of the last {window} days"
        f" (latest {last['started']}: {len(red)} host(s) red or unreadable{': ' + ', '.join(red) if red else ''})"
    )
    shown_zh = (
        f"近 {window} 天中有 {len(days)} 天对本系统主机进行了巡检，共 {len(mine)} 次，记录已封存"
        f"（最近 {last['started']}：{len(red)} 台主机异常或无法读取{'：' + '、'.join(red) if red else ''}）"
    )
    if waiting:
        shown_en += f"; {len(waiting)} red item(s) of the latest run not acknowledged (dengbao ack)"
        shown_zh += f"；最近一次巡检中 {len(waiting)} 个异常项目尚无处理记录（dengbao ack）"
    if len(days) < window:
        shown_en += f"; {window - len(days)} day(s) without an inspection"
        shown_zh += f"；{window - len(days)} 天无巡检记录"
    still_zh, still_en = STILL_TO_SEE[key]
    return (
        Verdict.PARTIAL,
        f"{shown_en}; see {where}. The evaluator must still see {still_en}",
        f"{shown_zh}；见 {where}。测评仍需查看：{still_zh}",
    )
