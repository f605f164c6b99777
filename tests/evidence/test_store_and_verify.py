"""The evidence store on real scans of this machine: sealed, chained and signed runs, and
`dengbao evidence verify` catching a changed byte, a deleted file, an added file, a broken
chain and a bad or untrusted signature."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from compliance.evidence.signing import load_private_key
from compliance.evidence.store import seal


def keypair(directory: Path, name: str) -> tuple[Path, Path]:
    key = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, key.with_suffix(".pub")


@pytest.fixture(scope="module")
def chain(tmp_path_factory, dengbao_cmd, repo) -> dict[str, Path]:
    """Two signed runs of this machine, one after the other, in one reports folder."""
    base = tmp_path_factory.mktemp("evidence")
    key, public = keypair(base, "evidence-key")
    reports = base / "reports"
    env = {**os.environ, "DENGBAO_EVIDENCE_KEY": str(key)}
    for name in ("run-a", "run-b"):
        result = subprocess.run(
            [*dengbao_cmd, "scan", "-o", str(reports / name), "--report", "md"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode in (0, 1), result.stderr
    return {"reports": reports, "a": reports / "run-a", "b": reports / "run-b", "key": key, "public": public}


def verify(dengbao_cmd, run_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*dengbao_cmd, "evidence", "verify", str(run_dir), *extra],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.fixture
def copy_of(chain, tmp_path):
    """A writable copy of both runs, to tamper with."""
    target = tmp_path / "reports"
    shutil.copytree(chain["reports"], target)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return {"a": target / "run-a", "b": target / "run-b"}


def test_a_run_is_sealed_read_only_and_linked_to_the_one_before(chain):
    a = json.loads((chain["a"] / "manifest.json").read_text())
    b = json.loads((chain["b"] / "manifest.json").read_text())
    assert a["previous"] is None
    assert b["previous"] == {
        "run": "run-a",
        "manifest_sha256": hashlib.sha256((chain["a"] / "manifest.json").read_bytes()).hexdigest(),
    }
    host_file = next(name for name in b["files"] if name.startswith("evidence/"))
    assert {"results.json", "provenance.json", "summary.txt", "report.md", host_file} <= set(b["files"])
    evidence = json.loads((chain["b"] / host_file).read_text())
    assert evidence["identity"]["machine_id"] and evidence["host_clock_utc"]
    assert evidence["probes"]["passwd"]["command"] == "getent passwd"
    provenance = json.loads((chain["b"] / "provenance.json").read_text())
    assert "policies/evidence.yml" in provenance["model_files_sha256"]
    for path in [chain["b"], *chain["b"].rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o400), f"{path}: {oct(mode)}: only its owner may read a run"


def _scan_with_group(model_copy: Path, dengbao_cmd, group: str) -> subprocess.CompletedProcess[str]:
    policy = model_copy / "policies" / "evidence.yml"
    policy.write_text(policy.read_text().replace("evidence_group: null", f"evidence_group: {group}"))
    return subprocess.run(
        [*dengbao_cmd, "scan", "-o", str(model_copy / "run"), "--report", "none"],
        cwd=model_copy,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_run_is_readable_by_the_evidence_group_and_no_one_else(model_copy, dengbao_cmd):
    import grp

    result = _scan_with_group(model_copy, dengbao_cmd, "adm")  # a group every Debian system has
    assert result.returncode in (0, 1), result.stderr
    gid = grp.getgrnam("adm").gr_gid
    for path in [model_copy / "run", *(model_copy / "run").rglob("*")]:
        info = path.stat()
        assert info.st_gid == gid, path
        assert stat.S_IMODE(info.st_mode) == (0o750 if path.is_dir() else 0o440), path


def test_an_evidence_group_that_does_not_exist_stops_the_scan_before_it_starts(model_copy, dengbao_cmd):
    result = _scan_with_group(model_copy, dengbao_cmd, "no_such_auditors")
    assert result.returncode == 2
    assert "evidence_group no_such_auditors does not exist" in result.stderr and "本机不存在用户组" in result.stderr
    assert not (model_copy / "run").exists()


def test_an_untouched_chain_verifies_with_its_signature(chain, dengbao_cmd):
    result = verify(dengbao_cmd, chain["b"], "--chain", "--public-key", str(chain["public"]), "--require-signature")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "完整 intact: run-b, run-a" in result.stdout


def test_one_changed_byte_is_caught_and_named(copy_of, dengbao_cmd):
    target = next((copy_of["b"] / "evidence").iterdir())
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    result = verify(dengbao_cmd, copy_of["b"])
    assert result.returncode == 1
    assert f"run-b/evidence/{target.name}: changed" in result.stdout


def test_a_deleted_file_is_caught(copy_of, dengbao_cmd):
    (copy_of["b"] / "summary.txt").unlink()
    result = verify(dengbao_cmd, copy_of["b"])
    assert result.returncode == 1 and "run-b/summary.txt: removed" in result.stdout


def test_an_added_file_is_caught(copy_of, dengbao_cmd):
    (copy_of["b"] / "evidence" / "forged.json").write_text("{}")
    result = verify(dengbao_cmd, copy_of["b"])
    assert result.returncode == 1 and "run-b/evidence/forged.json: added" in result.stdout


def test_a_resealed_earlier_run_breaks_the_chain(copy_of, chain, dengbao_cmd):
    """Rewriting history: run A edited and sealed again is consistent by itself, but B's link no longer holds."""
    results = copy_of["a"] / "results.json"
    results.write_text(results.read_text().replace('"verdict": "fail"', '"verdict": "pass"'))
    seal(copy_of["a"], load_private_key(str(chain["key"])))
    assert verify(dengbao_cmd, copy_of["a"]).returncode == 0
    result = verify(dengbao_cmd, copy_of["b"], "--chain")
    assert result.returncode == 1
    assert "run-b/manifest.json: chain" in result.stdout and "run-a" in result.stdout


def test_a_deleted_predecessor_is_a_finding_unless_the_run_was_handed_over_alone(copy_of, dengbao_cmd):
    shutil.rmtree(copy_of["a"])
    for arguments in ((), ("--chain",)):
        result = verify(dengbao_cmd, copy_of["b"], *arguments)
        assert result.returncode == 1 and "previous run run-a is not beside this one" in result.stdout
    alone = verify(dengbao_cmd, copy_of["b"], "--alone")
    assert alone.returncode == 0 and "link not checked (--alone)" in alone.stdout


def test_an_edited_manifest_fails_its_signature(copy_of, dengbao_cmd):
    """Changing a file and its hash in the manifest passes the hashes but not the signature."""
    summary = copy_of["b"] / "summary.txt"
    summary.write_text("all good\n")
    manifest_path = copy_of["b"] / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["summary.txt"] = {"sha256": hashlib.sha256(b"all good\n").hexdigest(), "bytes": 9}
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    result = verify(dengbao_cmd, copy_of["b"])
    assert result.returncode == 1
    assert "run-b/manifest.sig: signature" in result.stdout and "does not match" in result.stdout


def test_a_key_other_than_the_trusted_one_is_refused(chain, dengbao_cmd, tmp_path):
    _, other = keypair(tmp_path, "someone-else")
    result = verify(dengbao_cmd, chain["b"], "--public-key", str(other))
    assert result.returncode == 1 and "which is not a trusted key of --public-key" in result.stdout


def test_a_removed_signature_is_a_finding_because_the_manifest_records_its_signer(copy_of, dengbao_cmd):
    (copy_of["b"] / "manifest.sig").unlink()
    result = verify(dengbao_cmd, copy_of["b"])
    assert result.returncode == 1 and "which is gone" in result.stdout


def test_verify_of_something_that_is_not_a_run_is_a_usage_error(tmp_path, dengbao_cmd):
    result = verify(dengbao_cmd, tmp_path)
    assert result.returncode == 2 and "not a sealed run directory" in result.stderr


def test_a_policy_that_requires_signatures_stops_an_unsigned_scan_before_it_starts(model_copy, dengbao_cmd):
    policy = model_copy / "policies" / "evidence.yml"
    policy.write_text(policy.read_text().replace("signature_required: false", "signature_required: true"))
    env = {k: v for k, v in os.environ.items() if k != "DENGBAO_EVIDENCE_KEY"}
    result = subprocess.run(
        [*dengbao_cmd, "scan", "-o", str(model_copy / "run")], cwd=model_copy, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2 and "requires signed evidence" in result.stderr
    assert not (model_copy / "run").exists()


def test_a_key_given_as_text_in_the_environment_signs(tmp_path, monkeypatch):
    key, _ = keypair(tmp_path, "ci-secret")
    monkeypatch.setenv("DENGBAO_EVIDENCE_KEY", key.read_text())
    loaded = load_private_key(None)
    assert loaded is not None
