"""The scan engine without lab hosts: collector framing, parsers, verdict rules, waivers, targets, local scan."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from compliance.checks import all_checks, checks_of
from compliance.kinds.collection import Collected as HostCollection
from compliance.kinds.collection import ProbeResult
from compliance.kinds.linux.facts.pam import parse_pam
from compliance.kinds.linux.facts.ssh import parse_sshd
from compliance.kinds.linux.probes import PROBES, CollectorOutputError, collector_script, split_output
from compliance.kinds.target import Target
from compliance.model.waivers import load_waivers
from compliance.results.summary import summarise
from compliance.results.verdicts import Verdict, combine
from compliance.scan.evaluate import evaluate_host
from compliance.scan.run import apply_waivers
from compliance.scan.targets import connection_data, local_target, select


def run_collector_here(marker: str = "@@dengbao-test") -> list[str]:
    result = subprocess.run(["sh", "-s"], input=collector_script(marker), capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_the_collector_runs_every_probe_in_one_script_and_splits_back():
    collection = split_output("@@dengbao-test", run_collector_here())
    assert set(collection.probes) == {p.name for p in PROBES}
    assert collection.host_epoch > 1_700_000_000
    assert "ID=" in collection.probes["os_release"].output


def test_a_truncated_collection_is_an_error_not_a_partial_result():
    lines = run_collector_here()
    with pytest.raises(CollectorOutputError, match="missing probes"):
        split_output("@@dengbao-test", lines[: len(lines) // 2])
    with pytest.raises(CollectorOutputError):
        split_output("@@dengbao-other", lines)


def test_probe_exit_codes_and_output_without_final_newline_survive_the_framing():
    marker = "@@m"
    lines = ["@@m clock 1700000000", "@@m start passwd", "root:x:0:0::/root:/bin/sh", "@@m end passwd 3", "@@m done"]
    collection = split_output(marker, lines, probes=tuple(p for p in PROBES if p.name == "passwd"))
    assert collection.probes["passwd"].exit_code == 3
    assert collection.probes["passwd"].output == "root:x:0:0::/root:/bin/sh"


def test_shadow_hashes_never_leave_the_host():
    [shadow] = [p for p in PROBES if p.name == "shadow"]
    assert "$2" not in shadow.command.replace('$2 == ""', "").replace("$2 ~", "")
    assert '"hash"' in shadow.command


def test_pam_lines_keep_bracketed_controls_and_arguments():
    lines = parse_pam("/etc/pam.d/common-auth:auth\t[success=2 default=ignore]\tpam_unix.so try_first_pass\n")
    assert lines[0].control == "[success=2 default=ignore]"
    assert lines[0].module == "pam_unix.so" and lines[0].arguments == ("try_first_pass",)


def test_sshd_keywords_that_repeat_keep_every_value():
    parsed = parse_sshd("port 22\nlistenaddress 0.0.0.0:22\nlistenaddress [::]:22\n")
    assert parsed["listenaddress"] == ["0.0.0.0:22", "[::]:22"]


@pytest.mark.parametrize(
    ("verdicts", "combined"),
    [
        ([Verdict.PASS, Verdict.PASS], Verdict.PASS),
        ([Verdict.FAIL, Verdict.FAIL], Verdict.FAIL),
        ([Verdict.PASS, Verdict.FAIL], Verdict.PARTIAL),
        ([Verdict.PASS, Verdict.NOT_APPLICABLE], Verdict.PASS),
        ([Verdict.NOT_APPLICABLE], Verdict.NOT_APPLICABLE),
        ([Verdict.PASS, Verdict.ERROR], Verdict.ERROR),
        ([], Verdict.MANUAL),
    ],
)
def test_an_item_combines_the_verdicts_of_its_checks(verdicts, combined):
    assert combine(verdicts) == combined


def _collected_here(target: Target) -> HostCollection:
    collection = split_output("@@dengbao-test", run_collector_here())
    return HostCollection(target, "collected", collection, None, "2026-01-01T00:00:00+00:00", 0.1)


def test_every_level3_host_item_is_reported_and_checked_items_are_decided(repo):
    from compliance.model.host_policy import policy_for_host

    target = local_target(3)
    result = evaluate_host(_collected_here(target), policy_for_host(repo, target.name).settings)
    ids = [item.item.id for item in result.items]
    assert len(ids) == len(set(ids))
    assert "8.1.4.1 a)" in ids and "8.1.1.1 a)" not in ids  # physical security is not a host's to answer
    decided = [i for i in result.items if i.checks]
    assert decided and all(i.verdict is not Verdict.MANUAL for i in decided)
    manual = [i for i in result.items if not i.checks]
    assert manual and all(i.verdict is Verdict.MANUAL and "manual" in i.reason_en for i in manual)
    assert {c.check.id for c in result.checks} == set(checks_of("linux"))
    assert all(c.evidence for c in result.checks), [c.check.id for c in result.checks if not c.evidence]


def test_a_level2_host_reports_level2_ids_and_skips_items_level2_lacks(repo):
    from compliance.model.host_policy import policy_for_host

    target = local_target(2)
    result = evaluate_host(_collected_here(target), policy_for_host(repo, target.name, {"dengbao_level": 2}).settings)
    ids = {item.item.id for item in result.items}
    assert "7.1.4.1 a)" in ids and not any(i.startswith("8.") for i in ids)
    assert not any(item.item.twin == "8.1.4.1 d)" for item in result.items)


def test_an_unreachable_host_is_never_compliant():
    target = local_target(3)
    result = evaluate_host(HostCollection(target, "unreachable", None, "refused", "t", 1.0), None)
    checked = [i for i in result.items if i.checks]
    assert checked and all(i.verdict is Verdict.UNREACHABLE for i in checked)
    assert not any(i.verdict is Verdict.PASS for i in result.items)


def test_a_check_that_raises_is_an_error_for_its_items_only(repo, monkeypatch):
    import dataclasses

    from compliance.checks import REGISTRY
    from compliance.model.host_policy import policy_for_host

    def explode(facts, policy):
        raise KeyError("boom")

    all_checks()
    monkeypatch.setitem(REGISTRY, "linux.time_sync", dataclasses.replace(REGISTRY["linux.time_sync"], function=explode))
    target = local_target(3)
    result = evaluate_host(_collected_here(target), policy_for_host(repo, target.name).settings)
    [time_check] = [c for c in result.checks if c.check.id == "linux.time_sync"]
    assert time_check.verdict is Verdict.ERROR and "boom" in time_check.reason_en
    assert [i.verdict for i in result.items if i.item.id == "8.1.4.3 b)"] == [Verdict.ERROR]
    assert all(c.verdict is not Verdict.ERROR for c in result.checks if c.check.id != "linux.time_sync")


def test_a_met_check_that_sees_part_of_an_item_leaves_it_partial_and_names_what_is_missing(repo, monkeypatch):
    import dataclasses

    from compliance.checks import REGISTRY, passed
    from compliance.model.host_policy import policy_for_host

    all_checks()
    met = dataclasses.replace(REGISTRY["linux.ssh_crypto"], function=lambda facts, policy: passed({}, {}, "ok", "符合"))
    monkeypatch.setitem(REGISTRY, "linux.ssh_crypto", met)
    target = local_target(3)
    result = evaluate_host(_collected_here(target), policy_for_host(repo, target.name).settings)
    [integrity] = [i for i in result.items if i.item.id == "8.1.4.7 a)"]
    assert integrity.verdict is Verdict.PARTIAL
    assert "application, database and interface traffic" in integrity.reason_en and "还需核查" in integrity.reason_zh
    [ssh_check] = [c for c in result.checks if c.check.id == "linux.ssh_crypto"]
    assert ssh_check.verdict is Verdict.PASS  # the check itself is met; only the item it sees part of is not


def test_a_check_may_only_see_part_of_a_clause_it_claims():
    from compliance.checks import check

    with pytest.raises(ValueError, match="must be one it claims"):
        check(
            id="linux.example",
            clauses=("8.1.4.1 a)",),
            policies=(),
            zh="例",
            en="example",
            high_risk=False,
            remediation=(),
            partly={"8.1.4.7 a)": ("x", "x")},
        )(lambda facts, policy: None)


def test_a_probe_missing_from_a_collection_is_an_error_naming_it_not_a_crash(repo):
    from compliance.kinds.collection import Collection
    from compliance.model.host_policy import policy_for_host

    target = local_target(3)
    collected = _collected_here(target)
    older = {name: probe for name, probe in collected.collection.probes.items() if name != "sshd"}
    stored = HostCollection(target, "collected", Collection(collected.collection.host_epoch, older), None, "t", 0.1)
    result = evaluate_host(stored, policy_for_host(repo, target.name).settings)
    [root_login] = [c for c in result.checks if c.check.id == "linux.ssh_root_login"]
    assert root_login.verdict is Verdict.ERROR and "probe sshd is not in this collection" in root_login.reason_en
    assert all(probe.name != "sshd" for probe in root_login.evidence)


WAIVER = """---
waivers:
  - id: W-PACS-AV
    items: ["8.1.4.5 a)"]
    hosts: [his-app-01]
    justification: 影像设备厂商不允许安装杀毒软件 / the modality vendor forbids anti-malware
    compensating_control: {control}
    approver: 信息科 张主任
    approved: {approved}
    expires: {expires}
"""


def _waiver_repo(
    model_copy: Path, control: str = "隔离网段与白名单 / isolated segment and allow-listing", days: int = 30
):
    today = date.today()
    text = WAIVER.format(control=control, approved=today - timedelta(days=60), expires=today + timedelta(days=days))
    (model_copy / "policies" / "waivers").mkdir(parents=True, exist_ok=True)
    (model_copy / "policies" / "waivers" / "pacs.yml").write_text(text, encoding="utf-8")
    return model_copy


def test_a_waived_item_shows_as_partial_with_a_compensating_control_and_keeps_its_verdict(model_copy, repo):
    from compliance.model.host_policy import policy_for_host

    root = _waiver_repo(model_copy)
    waivers = load_waivers(root)
    assert not waivers.problems and len(waivers.active) == 1
    target = Target("his-app-01", "linux", 3, "app", ("his",), "ssh")
    result = evaluate_host(_collected_here(target), policy_for_host(repo, target.name).settings)
    apply_waivers(result.items, waivers.active, {"his-app-01": "app"})
    [item] = [i for i in result.items if i.item.id == "8.1.4.5 a)"]
    if item.original_verdict is None:
        pytest.skip("this machine meets 8.1.4.5 a) already")
    assert item.verdict is Verdict.PARTIAL and item.waiver["id"] == "W-PACS-AV"
    assert item.original_verdict in (Verdict.FAIL, Verdict.PARTIAL)


def test_an_expired_waiver_fails_validate_and_is_ignored_by_the_scan(model_copy, dengbao_cmd):
    root = _waiver_repo(model_copy, days=-1)
    waivers = load_waivers(root)
    assert not waivers.active and len(waivers.expired) == 1
    result = subprocess.run([*dengbao_cmd, "validate", str(root)], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "policies/waivers/pacs.yml:3" in result.stderr and "[expires]" in result.stderr
    assert "已于" in result.stderr and "expired on" in result.stderr


def test_a_valid_waiver_validates(model_copy, dengbao_cmd):
    root = _waiver_repo(model_copy)
    result = subprocess.run([*dengbao_cmd, "validate", str(root)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("items", '["8.1.4.5 z)"]', "items[0]"),
        ("hosts", "[no-such-host]", "hosts[0]"),
        ("approver", "''", "approver"),
        ("expires", "2001-01-01", "expires"),
    ],
)
def test_a_malformed_waiver_is_named_by_file_line_and_field(model_copy, dengbao_cmd, key, value, field):
    path = _waiver_repo(model_copy) / "policies" / "waivers" / "pacs.yml"
    lines = [
        f"    {key}: {value}" if line.strip().startswith(f"{key}:") else line for line in path.read_text().splitlines()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run([*dengbao_cmd, "validate", str(model_copy)], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "policies/waivers/pacs.yml:" in result.stderr and f"[waivers[0].{field}]" in result.stderr


def test_ansible_connection_settings_become_pyinfra_connector_data():
    connection, data = connection_data(
        "his-db-01",
        {
            "ansible_host": "10.0.0.5",
            "ansible_port": 2222,
            "ansible_user": "opsadmin",
            "ansible_become": True,
            "ansible_ssh_common_args": "-o Foo=bar -F /etc/dengbao/ssh_config",
        },
    )
    assert connection == "ssh"
    assert data == {
        "ssh_hostname": "10.0.0.5",
        "ssh_config_file": "/etc/dengbao/ssh_config",
        "ssh_port": 2222,
        "ssh_user": "opsadmin",
        "_sudo": True,
    }
    assert connection_data("x", {"ansible_connection": "local"}) == ("@local", {})


def test_selection_by_limit_system_and_level():
    targets = [
        Target("his-db-01", "linux", 3, "core_db", ("his",), "ssh"),
        Target("web-01", "linux", 2, "dmz", ("web",), "ssh"),
        Target("pacs-01", "linux", 3, "pacs", ("pacs",), "ssh"),
    ]
    assert [t.name for t in select(targets, ["his-*"], None, None)] == ["his-db-01"]
    assert [t.name for t in select(targets, None, "web", None)] == ["web-01"]
    assert [t.name for t in select(targets, None, None, 3)] == ["his-db-01", "pacs-01"]


def test_the_rate_counts_only_decided_items(repo):
    from compliance.model.host_policy import policy_for_host

    target = local_target(3)
    result = evaluate_host(_collected_here(target), policy_for_host(repo, target.name).settings)
    overall = summarise(result.items)[-1]
    decided = sum(overall.counts[v] for v in (Verdict.PASS, Verdict.PARTIAL, Verdict.FAIL))
    assert overall.rate == (overall.counts[Verdict.PASS] / decided if decided else None)
    assert sum(overall.counts.values()) == len(result.items)


def test_scan_with_no_arguments_scans_this_machine(repo, dengbao_cmd, tmp_path):
    result = subprocess.run(
        [*dengbao_cmd, "scan", "-o", str(tmp_path / "run")], cwd=repo, capture_output=True, text=True, check=False
    )
    assert result.returncode in (0, 1), result.stderr
    document = json.loads((tmp_path / "run" / "results.json").read_text())
    [host] = document["hosts"]
    assert host["status"] == "collected" and host["kind"] == "linux"
    assert document["run"]["exit_code"] == result.returncode
    assert len(host["checks"]) == len(checks_of("linux"))
    some = next(c for c in host["checks"] if c["evidence"])
    evidence = json.loads((tmp_path / "run" / host["evidence_file"]).read_text())
    assert all(name in evidence["probes"] for name in some["evidence"])
    assert evidence["identity"]["hostname"] and evidence["probes"]["host_identity"]["exit_code"] == 0
    assert "等保测评结果汇总" in result.stdout and "符合率" in result.stdout
    assert any(i["object"] == "system:local" and i["verdict"] == "manual" for i in document["items"])
    assert (tmp_path / "run" / "summary.txt").read_text() == result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--limit", "x"], "--limit"),
        (["-i", "no-such-inventory"], "no-such-inventory"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_usage_errors_exit_2_in_both_languages(repo, dengbao_cmd, arguments, message):
    result = subprocess.run([*dengbao_cmd, "scan", *arguments], cwd=repo, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert message in result.stderr and "错误" in result.stderr and "error" in result.stderr


def test_probe_results_keep_the_command_that_produced_them():
    result = ProbeResult("x", "echo", "a\nb", 0)
    assert result.lines == ["a", "b"]


def test_every_check_names_real_level3_clauses_and_its_policy_topics():
    from compliance.catalog.catalog import load_items
    from compliance.model.policies import TOPICS

    clauses = {item.id for item in load_items(3)}
    for check in all_checks().values():
        assert set(check.clauses) <= clauses, check.id
        assert set(check.policies) <= set(TOPICS), check.id
        assert check.title_zh and check.title_en


def test_auditd_running_passes_where_the_kernel_audit_runs(repo):
    """The lab's containers cannot run auditd; this is what a physical or virtual server prints."""
    auditd_running = all_checks()["linux.auditd_running"].function
    from compliance.kinds.collection import Collection
    from compliance.kinds.linux.facts import HostFacts
    from compliance.model.host_policy import policy_for_host

    outputs = {
        "virtualization": "kvm",
        "packages": "auditd\t1:3.0.9-1\nlibaudit1\t1:3.0.9-1",
        "unit_files": "auditd.service                         enabled         enabled",
        "active_units": "auditd.service   loaded active running Security Auditing Service",
    }
    probes = {p.name: ProbeResult(p.name, p.command, outputs.get(p.name, ""), 0) for p in PROBES}
    facts = HostFacts(Collection(1_700_000_000, probes))
    settings = policy_for_host(repo, "any-host").settings
    assert auditd_running(facts, settings).verdict is Verdict.PASS
    probes["active_units"] = ProbeResult("active_units", "", "", 0)
    assert auditd_running(HostFacts(Collection(1_700_000_000, probes)), settings).verdict is Verdict.FAIL


@pytest.mark.parametrize(
    ("hostname", "chrony_conf", "expected"),
    [
        ("ntp-01", "allow 10.0.0.0/8\nlocal stratum 10", Verdict.PASS),  # serves on its own clock
        ("ntp-01", "server gps-clock-01 iburst\nallow 10.0.0.0/8", Verdict.PASS),  # takes time upstream
        ("ntp-01", "allow 10.0.0.0/8", Verdict.FAIL),  # no source at all
        ("his-db-01", "allow 10.0.0.0/8\nlocal stratum 10", Verdict.FAIL),  # not a time server: must use ntp-01
        ("his-db-01", "server ntp-01 iburst", Verdict.PASS),
    ],
)
def test_a_time_server_is_not_asked_to_take_time_from_itself(repo, hostname, chrony_conf, expected):
    time_sync = all_checks()["linux.time_sync"].function
    from compliance.kinds.collection import Collection
    from compliance.kinds.linux.facts import HostFacts
    from compliance.model.host_policy import policy_for_host

    settings = policy_for_host(repo, hostname).settings
    assert settings["time"]["ntp_servers"] == ["ntp-01"]
    outputs = {
        "host_identity": f"hostname {hostname}",
        "timezone": f"/usr/share/zoneinfo/{settings['time']['timezone']}",
        "packages": "chrony\t4.3-2",
        "time_sync": "\n".join(f"/etc/chrony/chrony.conf:{line}" for line in chrony_conf.splitlines()),
    }
    probes = {p.name: ProbeResult(p.name, p.command, outputs.get(p.name, ""), 0) for p in PROBES}
    assert time_sync(HostFacts(Collection(1_700_000_000, probes)), settings).verdict is expected


def test_the_antivirus_probe_output_reads_back():
    from compliance.kinds.linux.facts.jobs import parse_antivirus

    state = parse_antivirus(
        "database dengbao.cud 1764614400 01 Dec 2026 18:51 +0000\n"
        "database local.ndb 1764000000 \n"
        "freshclam PrivateMirror http://mirror-01:8080/clamav\n"
        "timer active { OnCalendar=*-*-* 02:30:00 ; next_elapse=Wed 2026-12-02 02:30:00 UTC }\n"
        "last_scan finished 2026-12-01T02:31:05Z\nlast_scan exit 1\nlast_scan detections 2\n"
    )
    assert [d.name for d in state.databases] == ["dengbao.cud", "local.ndb"]
    assert state.newest().name == "dengbao.cud" and state.newest().built == 1796151060.0
    assert state.databases[1].built is None and state.databases[1].age_from == 1764000000.0
    assert state.freshclam_sources == ("PrivateMirror http://mirror-01:8080/clamav",)
    assert state.timer_active and state.timer_calendar == "*-*-* 02:30:00"
    assert state.last_scan == {"finished": "2026-12-01T02:31:05Z", "exit": "1", "detections": "2"}
    assert parse_antivirus("timer inactive \n").timer_calendar is None
