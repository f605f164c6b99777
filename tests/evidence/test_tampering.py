"""Verification fails closed: tampered runs of a hospital that names its evidence keys.

`policies/evidence.yml` of a copy of the checkout names the key that signed two real runs of
this machine. Each tampering below is what someone covering their tracks could do with the
tool's own sealing function; the default `dengbao evidence verify` (no flags) and
`dengbao report` must catch every one.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from test_store_and_verify import chain, keypair  # noqa: F401  (the module's fixture)

from compliance.evidence.signing import load_private_key
from compliance.evidence.store import seal


@pytest.fixture
def hospital(chain, model_copy, tmp_path):  # noqa: F811
    """A checkout whose evidence policy trusts the chain's key, and a writable copy of both runs."""
    policy = model_copy / "policies" / "evidence.yml"
    public = chain["public"].read_text().strip()
    policy.write_text(
        policy.read_text().replace(
            "  trusted_keys: []", f'  trusted_keys:\n    - {{name: 信息中心扫描密钥 2026, public_key: "{public}"}}'
        )
    )
    reports = tmp_path / "reports"
    shutil.copytree(chain["reports"], reports)
    for path in reports.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR * path.is_dir())
    other, _ = keypair(tmp_path, "intruder")
    return {
        "root": model_copy,
        "a": reports / "run-a",
        "b": reports / "run-b",
        "key": load_private_key(str(chain["key"])),
        "intruder": load_private_key(str(other)),
    }


def dengbao(hospital, dengbao_cmd, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DENGBAO_REPO", "DENGBAO_EVIDENCE_KEY")}
    return subprocess.run(
        [*dengbao_cmd, *args], cwd=hospital["root"], env=env, capture_output=True, text=True, timeout=120
    )


def verify(hospital, dengbao_cmd, run: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return dengbao(hospital, dengbao_cmd, "evidence", "verify", str(run), *extra)


def _edit_results(run: Path) -> None:
    results = run / "results.json"
    results.write_text(results.read_text().replace('"verdict": "fail"', '"verdict": "pass"'))


def _resealed_by_intruder(h):
    _edit_results(h["b"])
    seal(h["b"], h["intruder"])


def _resealed_unsigned(h):
    _edit_results(h["b"])
    (h["b"] / "manifest.sig").unlink()
    seal(h["b"], None)


def _signature_removed(h):
    (h["b"] / "manifest.sig").unlink()


def _manifest_deleted(h):
    (h["b"] / "manifest.json").unlink()


def _predecessor_deleted(h):
    shutil.rmtree(h["a"])


def _predecessor_resealed(h):
    _edit_results(h["a"])
    seal(h["a"], h["key"])


def _signature_from_other_run(h):
    shutil.copy(h["a"] / "manifest.sig", h["b"] / "manifest.sig")


def _results_corrupted_and_resealed(h):
    (h["b"] / "results.json").write_text("{not json")
    (h["b"] / "manifest.sig").unlink()
    seal(h["b"], None)


TAMPERINGS = {  # name: (what is done, what the finding says)
    "resealed_by_another_key": (_resealed_by_intruder, "which is not a trusted key of policies/evidence.yml"),
    "resealed_unsigned": (_resealed_unsigned, "require a signature"),
    "signature_removed": (_signature_removed, "which is gone"),
    "manifest_deleted": (_manifest_deleted, "the manifest is missing"),
    "predecessor_deleted": (_predecessor_deleted, "previous run run-a is not beside this one"),
    "predecessor_resealed": (_predecessor_resealed, "its manifest no longer matches"),
    "signature_of_another_run": (_signature_from_other_run, "signature does not match manifest.json"),
    "results_corrupted_and_resealed_unsigned": (_results_corrupted_and_resealed, "require a signature"),
}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_the_default_verify_catches_the_tampering(name, hospital, dengbao_cmd):
    tamper, says = TAMPERINGS[name]
    tamper(hospital)
    result = verify(hospital, dengbao_cmd, hospital["b"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert says in result.stdout
    assert "TAMPERED" in result.stdout


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_report_refuses_a_run_that_does_not_verify(name, hospital, dengbao_cmd, tmp_path):
    tamper, _ = TAMPERINGS[name]
    tamper(hospital)
    result = dengbao(hospital, dengbao_cmd, "report", str(hospital["b"]), "-o", str(tmp_path / "out"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "does not verify; no report is made from it" in result.stderr
    assert "未通过核验" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_intact_run_verifies_and_its_report_names_the_verified_signer(hospital, dengbao_cmd, tmp_path):
    result = verify(hospital, dengbao_cmd, hospital["b"], "--chain")
    assert result.returncode == 0, result.stdout
    assert "signed by SHA256:" in result.stdout and "(信息中心扫描密钥 2026)" in result.stdout
    report = dengbao(hospital, dengbao_cmd, "report", str(hospital["b"]), "--format", "html", "-o", str(tmp_path / "o"))
    assert report.returncode == 0, report.stderr
    html = (tmp_path / "o" / "report.html").read_text()
    assert "signature (verified)" in html and "信息中心扫描密钥 2026" in html


def test_a_change_of_key_along_the_chain_is_a_finding_even_with_no_key_named(hospital, dengbao_cmd):
    policy = hospital["root"] / "policies" / "evidence.yml"
    text = policy.read_text()
    policy.write_text(text[: text.index("  trusted_keys:")] + "  trusted_keys: []\n  evidence_group: null\n")
    seal(hospital["b"], hospital["intruder"])  # run-b re-signed by another key; run-a stays signed by the first
    result = verify(hospital, dengbao_cmd, hospital["b"])
    assert result.returncode == 1
    assert "the key changed" in result.stdout


def test_a_copy_handed_over_alone_verifies_with_alone(hospital, dengbao_cmd):
    _predecessor_deleted(hospital)
    result = verify(hospital, dengbao_cmd, hospital["b"], "--alone")
    assert result.returncode == 0, result.stdout
    assert "link not checked (--alone)" in result.stdout


def test_a_corrupted_results_file_in_a_verifying_run_is_a_clear_report_error(hospital, dengbao_cmd, tmp_path):
    """A hospital without keys, whose run was corrupted and resealed: verified, but unreadable."""
    policy = hospital["root"] / "policies" / "evidence.yml"
    text = policy.read_text()
    policy.write_text(text[: text.index("  trusted_keys:")] + "  trusted_keys: []\n  evidence_group: null\n")
    shutil.rmtree(hospital["a"])
    (hospital["b"] / "results.json").write_text("[1, 2")
    (hospital["b"] / "manifest.sig").unlink()
    seal(hospital["b"], None)
    manifest = json.loads((hospital["b"] / "manifest.json").read_text())
    assert manifest["signed_by"] is None
    result = dengbao(hospital, dengbao_cmd, "report", str(hospital["b"]), "--alone", "-o", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "results.json: cannot be read as JSON" in result.stderr and "无法作为 JSON 读取" in result.stderr
    assert "Traceback" not in result.stderr
