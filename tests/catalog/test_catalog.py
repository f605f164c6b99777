"""The GB/T 22239-2019 catalog: every item at both levels, numbered as the standards number them."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest

from compliance.catalog import catalog as catalog_module
from compliance.catalog.catalog import EVIDENCE_KINDS, load_items
from compliance.cli import main
from compliance.yamldoc.problems import ModelError

LEVEL3_COUNTS = {  # items per category at level 3 (GB/T 22239-2019 8.1; 211 in all)
    "8.1.1": 22,
    "8.1.2": 8,
    "8.1.3": 20,
    "8.1.4": 34,
    "8.1.5": 12,
    "8.1.6": 7,
    "8.1.7": 14,
    "8.1.8": 12,
    "8.1.9": 34,
    "8.1.10": 48,
}
LEVEL2_COUNTS = {  # items per category at level 2 (7.1; 135 in all)
    "7.1.1": 15,
    "7.1.2": 4,
    "7.1.3": 11,
    "7.1.4": 23,
    "7.1.5": 4,
    "7.1.6": 7,
    "7.1.7": 9,
    "7.1.8": 7,
    "7.1.9": 25,
    "7.1.10": 30,
}
ITEM_ID = re.compile(r"^[78]\.1\.\d{1,2}\.\d{1,2} [a-j]\)$")


@pytest.mark.parametrize(("level", "counts", "total"), [(3, LEVEL3_COUNTS, 211), (2, LEVEL2_COUNTS, 135)])
def test_every_item_of_the_level_is_listed(level, counts, total):
    items = load_items(level)
    assert len(items) == total
    assert Counter(item.category_id for item in items) == counts
    assert len({item.id for item in items}) == total
    assert all(ITEM_ID.match(item.id) for item in items)


def test_technical_items_carry_their_gbt28448_test_units_with_the_standards_gap():
    by_id = {item.id: item for item in load_items(3)}
    assert by_id["8.1.1.1 a)"].test_unit == "L3-PES1-01"
    assert by_id["8.1.1.10 b)"].test_unit == "L3-PES1-22"
    assert by_id["8.1.4.1 a)"].test_unit == "L3-CES1-01"
    assert by_id["8.1.4.3 a)"].test_unit == "L3-CES1-12"
    assert by_id["8.1.4.3 d)"].test_unit == "L3-CES1-15"
    assert by_id["8.1.4.4 a)"].test_unit == "L3-CES1-17", "CES1-16 does not exist"
    assert by_id["8.1.4.4 f)"].test_unit == "L3-CES1-22"
    assert by_id["8.1.4.11 b)"].test_unit == "L3-CES1-35"
    assert by_id["8.1.5.4 f)"].test_unit == "L3-SMC1-12"
    units = [i.test_unit for i in load_items(3) if i.test_unit and i.test_unit.startswith("L3-CES1")]
    assert "L3-CES1-16" not in units and len(units) == 34
    assert all(i.test_unit is None for i in load_items(3) if i.category_id in ("8.1.6", "8.1.9"))


def test_level_two_numbers_shift_after_data_integrity():
    twins = {item.id: item.twin for item in load_items(2)}
    assert twins["7.1.4.7 a)"] == "8.1.4.7 a)"
    assert twins["7.1.4.8 a)"] == "8.1.4.9 a)"
    assert twins["7.1.4.9 a)"] == "8.1.4.10 a)"
    assert twins["7.1.4.10 b)"] == "8.1.4.11 b)"
    level3 = {item.id: item.twin for item in load_items(3)}
    assert level3["8.1.4.8 a)"] is None, "level 2 has no data confidentiality"
    assert level3["8.1.4.1 d)"] is None, "two-factor authentication is level 3 only"
    assert level3["8.1.2.1 c)"] == "7.1.2.1 a)"


def test_level_two_letters_run_from_a_without_gaps_in_every_control_point():
    letters = defaultdict(list)
    for item in load_items(2):
        letters[item.control_point_id].append(item.id[-2])
    for point, found in letters.items():
        assert found == [chr(ord("a") + i) for i in range(len(found))], point


def test_twins_point_back_to_each_other():
    level2 = {item.id: item.twin for item in load_items(2)}
    level3 = {item.id: item.twin for item in load_items(3)}
    for id2, id3 in level2.items():
        assert level3[id3] == id2


def test_items_have_texts_in_both_languages_and_known_evidence_kinds():
    for item in load_items(3):
        assert re.search(r"[\u4e00-\u9fff]", item.zh), item.id
        assert re.match(r"^[A-Z]", item.en), item.id
        assert item.evidence and set(item.evidence) <= set(EVIDENCE_KINDS), item.id
        assert item.status in ("manual", "documentation", "automated")
        assert (item.status == "automated") == bool(item.checks)


def test_the_boundary_malware_point_has_its_level_two_name():
    point = next(i for i in load_items(2) if i.id == "7.1.3.4 a)")
    assert point.control_point_zh == "恶意代码防范"


@pytest.mark.parametrize(
    ("level2_id", "level2_words", "level3_only_words"),
    [
        ("7.1.1.2 a)", "专人值守", None),  # a staffed guard is enough at level 2
        ("7.1.3.3 a)", "监视", "防止或限制"),  # level 2 only watches for attacks
        ("7.1.4.5 a)", "定期升级和更新", "主动免疫"),  # install and update anti-malware
        ("7.1.4.7 a)", "校验技术", "密码技术"),  # checksums, no cryptography at level 2
        ("7.1.2.3 a)", "可基于可信根", "动态可信验证"),  # no dynamic verification at level 2
        ("7.1.3.6 a)", "可基于可信根", "动态可信验证"),
        ("7.1.4.6 a)", "可基于可信根", "动态可信验证"),
    ],
)
def test_a_level_two_item_states_its_own_requirement_not_level_three_s(level2_id, level2_words, level3_only_words):
    level2 = {item.id: item for item in load_items(2)}[level2_id]
    level3 = {item.id: item for item in load_items(3)}[level2.twin]
    assert level2_words in level2.zh and level2.en != level3.en
    if level3_only_words:
        assert level3_only_words in level3.zh and level3_only_words not in level2.zh


@pytest.mark.parametrize("item_id", ["8.1.2.3 a)", "8.1.3.6 a)", "8.1.4.6 a)"])
def test_trusted_verification_is_said_to_be_optional_and_keeps_level_three_dynamic_checks(item_id):
    item = {item.id: item for item in load_items(3)}[item_id]
    assert item.zh.startswith("可") and item.en.startswith("May (optional")
    assert "动态可信验证" in item.zh and "dynamically" in item.en


def test_security_design_asks_for_cryptography():
    assert "密码技术" in {item.id: item for item in load_items(3)}["8.1.9.2 b)"].zh


def test_catalog_json_lists_all_211_items_with_ids_texts_and_evidence(capsys):
    assert main(["catalog", "--level", "3", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["count"] == 211
    first = data["items"][0]
    assert first["id"] == "8.1.1.1 a)"
    assert {"id", "zh", "en", "evidence", "test_unit", "twin", "status"} <= set(first)


def test_catalog_table_filters_by_control_point(capsys):
    assert main(["catalog", "--level", "2", "--category", "7.1.4.1"]) == 0
    out = capsys.readouterr().out
    assert "7.1.4.1 a)" in out and "7.1.4.1 c)" in out and "7.1.4.1 d)" not in out
    assert "共 3 项 / 3 items" in out


def test_malformed_catalog_data_is_reported_with_file_and_line(monkeypatch):
    broken = (
        '---\n- id: "8.1.1.1"\n  level2_id: null\n  name_zh: x\n  name_en: x\n  items:\n'
        '    - letter: a\n      level2: a\n      evidence: [tarot]\n      zh: "中"\n      en: "E"\n'
    )

    def fake_read(name):
        if name == "8.1.1.yml":
            return catalog_module.loads(broken, "compliance/catalog/gbt22239_2019/8.1.1.yml")
        return original(name)

    original = catalog_module._read
    monkeypatch.setattr(catalog_module, "_read", fake_read)
    monkeypatch.setenv("DENGBAO_CACHE", "off")  # the patched reader is not part of any cache key
    catalog_module.load_items.cache_clear()
    try:
        with pytest.raises(ModelError) as caught:
            load_items(3)
        problem = caught.value.problem
        assert (problem.file, problem.line, problem.field) == (
            "compliance/catalog/gbt22239_2019/8.1.1.yml",
            9,
            "[0].items[0].evidence[0]",
        )
        assert "tarot is not allowed" in problem.english
    finally:
        catalog_module.load_items.cache_clear()
