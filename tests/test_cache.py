"""The on-disk cache: keyed by content, never stale after an edit, never in a shared directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from compliance import cache
from compliance.model import host_policy
from compliance.scan import targets as scan_targets


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("DENGBAO_CACHE", str(directory))
    return directory


def test_a_value_is_built_once_per_key(cache_root: Path):
    calls: list[str] = []

    def build(word: str):
        def inner() -> str:
            calls.append(word)
            return word.upper()

        return inner

    assert cache.cached("demo", ["a"], build("a")) == "A"
    assert cache.cached("demo", ["a"], build("a")) == "A"
    assert cache.cached("demo", ["b"], build("b")) == "B"
    assert calls == ["a", "b"]
    assert oct((cache_root / "demo").stat().st_mode & 0o777) == "0o700"


def test_a_directory_others_can_write_is_not_trusted(cache_root: Path):
    cache.store("demo", ["k"], "kept")
    assert cache.lookup("demo", ["k"]) == "kept"
    (cache_root / "demo").chmod(0o777)
    assert cache.lookup("demo", ["k"]) is cache.MISSING


def test_off_means_no_cache(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DENGBAO_CACHE", "off")
    cache.store("demo", ["k"], "kept")
    assert cache.lookup("demo", ["k"]) is cache.MISSING


def test_a_corrupt_entry_is_rebuilt(cache_root: Path):
    cache.store("demo", ["k"], "kept")
    [entry] = (cache_root / "demo").iterdir()
    entry.write_bytes(b"not a pickle")
    assert cache.cached("demo", ["k"], lambda: "again") == "again"


def test_an_edited_policy_is_never_served_from_the_cache(cache_root: Path, model_copy: Path):
    before = host_policy.repository(model_copy).policies.effective(3, "").get("accounts", {})
    policy = model_copy / "policies" / "accounts.yml"
    text = policy.read_text()
    length = before["password_min_length"]
    edited = text.replace(f"password_min_length: {length}", f"password_min_length: {length + 2}", 1)
    assert edited != text
    # Same size, same time stamp: only the content differs, as after a `git checkout`.
    stamp = policy.stat().st_mtime_ns
    policy.write_text(edited)
    os.utime(policy, ns=(stamp, stamp))
    host_policy._repository.cache_clear()  # a new process: only the disk cache remains
    after = host_policy.repository(model_copy).policies.effective(3, "")["accounts"]
    assert after["password_min_length"] == length + 2
    assert len(list((cache_root / "model").iterdir())) == 2


def _inventory(directory: Path, hosts: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "hosts.yml"
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    return path


def test_a_static_inventory_listing_is_cached_reduced_and_refreshed_on_edit(cache_root: Path, tmp_path: Path):
    hosts = {"cache-test-01": {"ansible_host": "192.0.2.1", "ansible_password": "s3cret", "dengbao_level": 2}}
    inventory = _inventory(tmp_path / "inv", hosts)
    first = scan_targets.start_listing(inventory)
    assert first.process is not None
    # Only the variables a scan reads; the vars plugin's zone as a plain string.
    assert first.hostvars() == {"cache-test-01": {"ansible_host": "192.0.2.1", "dengbao_level": 2, "dengbao_zone": ""}}
    second = scan_targets.start_listing(inventory)
    assert second.process is None, "unchanged static inventory: ansible-inventory should not run again"
    assert second.hostvars() == first.hostvars()
    assert b"s3cret" not in b"".join(p.read_bytes() for p in (cache_root / "inventory").iterdir())

    hosts["cache-test-01"]["ansible_host"] = "192.0.2.9"
    _inventory(tmp_path / "inv", hosts)
    third = scan_targets.start_listing(inventory)
    assert third.process is not None
    assert third.hostvars()["cache-test-01"]["ansible_host"] == "192.0.2.9"


def test_an_inventory_plugin_or_script_is_never_cached(cache_root: Path, tmp_path: Path):
    plugin = tmp_path / "dynamic" / "hosts.yml"
    plugin.parent.mkdir()
    plugin.write_text("plugin: ansible.builtin.constructed\n")
    assert scan_targets._listing_key(plugin) is None
    script = tmp_path / "script" / "inventory.sh"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\necho '{}'\n")
    script.chmod(0o755)
    assert scan_targets._listing_key(script.parent) is None
