"""Verify the backups on real hosts: the first convergence backed up and restored on record; data
changed and deleted after a backup comes back byte for byte, rows and all; the repository is
encrypted on the backup host, and the client can neither forget nor prune there (checked from the
backup host's side); a failed database dump fails the run and keeps the last good dump; the backup
host's own prune applies the policy's retention."""

import json
import os
import shlex

import pytest
import testinfra

testinfra_hosts = ["ansible://mol-backup-db"]
INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
CLIENT = "mol-backup-db"
STATE = "/var/lib/dengbao/backup"
REPOSITORY = f"/srv/dengbao-backup/repositories/{CLIENT}"
RESTIC = (
    "RESTIC_REPOSITORY=rclone: RESTIC_PASSWORD_FILE=/etc/dengbao/backup/password"
    " RESTIC_CACHE_DIR=/var/cache/dengbao-backup restic --quiet"
    " -o 'rclone.program=ssh -F /etc/dengbao/backup/ssh_config dengbao-backup-target'"
)
SERVER_RESTIC = (
    f"runuser -u dengbao-backup -- env RESTIC_REPOSITORY={REPOSITORY}"
    f" RESTIC_PASSWORD_FILE=/etc/dengbao/backup-server/{CLIENT}"
    " RESTIC_CACHE_DIR=/srv/dengbao-backup/.cache restic --quiet"
)


def record(host, name):
    return json.loads(host.file(f"{STATE}/{name}").content_string)


def sql(host, query, database="his"):
    return host.check_output(f"runuser -u postgres -- psql -XAtq -d {database} -c {shlex.quote(query)}")


def row_counts(host, database):
    return {table: int(sql(host, f"SELECT count(*) FROM {table}", database)) for table in ("patients", "visits")}


@pytest.fixture(scope="module")
def server():
    return testinfra.get_host(f"ansible://mol-backup-host?ansible_inventory={INVENTORY}")


def server_state(server):
    """What the backup host holds for the client: its snapshots and every file of the repository but the locks."""
    snapshots = sorted(s["id"] for s in json.loads(server.check_output(f"{SERVER_RESTIC} snapshots --json")))
    files = server.check_output(
        f"cd {REPOSITORY} && find . -type f -not -path './locks/*' -print0 | sort -z | xargs -0 sha256sum"
    )
    return snapshots, files


def test_the_first_convergence_backed_up_every_database_and_the_policy_paths(host):
    backup = record(host, "last-successful-backup.json")
    assert backup["succeeded"] and backup["target"] == "mol-backup-host" and backup["snapshot"]
    assert {"/etc", "/var/log", "/var/backups/dengbao"} <= set(backup["paths"])
    (his,) = [dump for dump in backup["databases"] if dump["database"] == "his"]
    assert his["row_counts"] == {"public.patients": 500, "public.visits": 2000}
    assert host.file("/var/backups/dengbao/postgresql").user == "postgres"
    assert host.file("/var/backups/dengbao/postgresql").mode == 0o700


def test_the_first_restore_test_proved_append_only_and_matched_files_and_rows(host):
    test = record(host, "last-restore-test.json")
    assert test["passed"], test["errors"]
    assert test["append_only"]["refused"] is True
    assert any("403" in answer for answer in test["append_only"]["server_responses"])
    assert test["files"]["compared"] > 100 and test["files"]["mismatched"] == 0
    (his,) = [database for database in test["databases"] if database["database"] == "his"]
    assert his["matched"] and his["rows"] == 2500 and his["restore_exit"] == 0
    assert "dengbao_restore_test_his" not in sql(host, "SELECT datname FROM pg_database", "postgres")


def test_the_timers_run_the_policy_schedules(host):
    settings = json.loads(host.file("/etc/dengbao/backup.json").content_string)
    for timer in ("dengbao-backup.timer", "dengbao-restore-test.timer"):
        assert host.service(timer).is_enabled
    calendar = host.check_output("systemctl show -p TimersCalendar --value dengbao-backup.timer")
    assert settings["schedule"] and "OnCalendar=" in calendar


def test_changed_and_deleted_data_comes_back_byte_for_byte_with_every_row(host):
    host.check_output(
        "mkdir -p /srv/his && head -c 3000000 /dev/urandom > /srv/his/scan.dcm && date > /srv/his/notes.txt"
    )
    original = host.check_output("sha256sum /srv/his/scan.dcm /srv/his/notes.txt")
    before = row_counts(host, "his")
    host.check_output("/usr/local/sbin/dengbao-backup run --reason molecule-proof")
    snapshot = record(host, "last-backup.json")["snapshot"]
    # The damage: a file deleted, another rewritten, rows deleted.
    host.check_output("rm /srv/his/scan.dcm && echo overwritten > /srv/his/notes.txt")
    sql(host, "DELETE FROM visits WHERE id IN (SELECT id FROM visits ORDER BY id LIMIT 300)")
    assert row_counts(host, "his")["visits"] < before["visits"]

    host.check_output("rm -rf /var/tmp/proof")
    host.check_output(
        f"{RESTIC} restore {snapshot} --target /var/tmp/proof --include /srv/his --include /var/backups/dengbao"
    )
    restored = host.check_output("cd /var/tmp/proof && sha256sum srv/his/scan.dcm srv/his/notes.txt")
    assert restored.replace(" srv/", " /srv/") == original
    host.check_output(
        "runuser -u postgres -- dropdb --if-exists his_proof && runuser -u postgres -- createdb his_proof"
    )
    host.check_output(
        "runuser -u postgres -- pg_restore --no-owner --exit-on-error -d his_proof"
        " < /var/tmp/proof/var/backups/dengbao/postgresql/his.dump"
    )
    assert row_counts(host, "his_proof") == before
    host.check_output("runuser -u postgres -- dropdb his_proof && rm -rf /var/tmp/proof")


def test_the_repository_on_the_backup_host_is_encrypted(host, server):
    assert server.file(f"{REPOSITORY}/config").exists
    # The sample data's text is nowhere in the repository's files.
    assert server.run(f"grep -rl 'public.patients' {REPOSITORY}").rc == 1
    assert server.run(f"grep -rl --binary-files=text '患者' {REPOSITORY}").rc == 1


def test_the_client_can_neither_forget_nor_prune_on_the_backup_host(host, server):
    before = server_state(server)
    assert len(before[0]) >= 2
    attempt = host.run(f"{RESTIC} forget --keep-last 1 --prune")
    assert attempt.rc != 0 and "403 Forbidden" in attempt.stderr
    assert server_state(server) == before
    # Nor can its key run anything but the repository server.
    shell = host.run(
        "ssh -F /etc/dengbao/backup/ssh_config dengbao-backup-target rm -rf /srv/dengbao-backup/repositories"
    )
    assert server_state(server) == before, shell.stdout + shell.stderr


def test_a_failed_database_dump_fails_the_run_and_keeps_the_last_good_dump(host):
    dump = host.check_output("sha256sum /var/backups/dengbao/postgresql/his.dump")
    host.check_output("systemctl stop postgresql@15-main")
    try:
        run = host.run("/usr/local/sbin/dengbao-backup run --reason molecule-failed-dump")
        failed = record(host, "last-backup.json")
        assert run.rc == 1 and not failed["succeeded"] and failed["tag"] == "dengbao-incomplete"
        assert any("PostgreSQL does not answer" in error for error in failed["errors"]), failed["errors"]
        assert record(host, "last-successful-backup.json")["started"] < failed["started"]
        assert host.check_output("sha256sum /var/backups/dengbao/postgresql/his.dump") == dump
    finally:
        host.check_output("systemctl start postgresql@15-main")


def test_the_backup_host_prunes_to_the_policy_with_its_own_credentials(host, server):
    before = json.loads(server.check_output(f"{SERVER_RESTIC} snapshots --json"))
    server.check_output("systemctl start dengbao-backup-prune.service")
    pruned = json.loads(server.file(f"/var/lib/dengbao/backup-server/prune/{CLIENT}.json").content_string)
    assert pruned["succeeded"] and "--keep-within-yearly=10y" in pruned["retention"]
    # Snapshots of one hour share one hourly slot: the latest of each group (paths, the canary) in each hour is
    # what stays (the daily, weekly, monthly and yearly slots keep a subset of those). A scenario that runs across
    # the turn of an hour keeps one per hour and group.
    after = json.loads(server.check_output(f"{SERVER_RESTIC} snapshots --json"))
    assert pruned["snapshots_after"] == len(after) < len(before)
    latest = {(tuple(s["paths"]), s["time"][:13]): s["id"] for s in sorted(before, key=lambda s: s["time"])}
    assert {s["id"] for s in after} == set(latest.values())
    server.check_output("systemctl start dengbao-backup-check.service")
    checked = json.loads(server.file(f"/var/lib/dengbao/backup-server/check/{CLIENT}.json").content_string)
    assert checked["succeeded"], checked["output"]
