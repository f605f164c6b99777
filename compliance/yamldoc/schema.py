"""Checking a positioned document against a cerberus schema, with findings in both languages.

Schemas are data (the model's are `compliance/model/schemas/*.yml`, read by
`compliance.model.schema_files`). A field's `meta` may carry `expect_en`/`expect_zh`, a human
description of what is expected, which is added to its messages (for example the legal basis of
a minimum).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from cerberus import TypeDefinition, Validator
from cerberus.errors import ValidationError

from compliance.yamldoc.problems import Problem
from compliance.yamldoc.yamlpos import FieldPath, Positioned

TYPE_WORDS = {
    "integer": ("an integer", "整数"),
    "string": ("text", "字符串"),
    "boolean": ("true or false", "布尔值 true/false"),
    "list": ("a list", "列表"),
    "dict": ("a mapping", "键值映射"),
    "number": ("a number", "数字"),
    "date": ("a date (YYYY-MM-DD)", "日期（YYYY-MM-DD）"),
}


MESSAGES = {  # rule: (English, Chinese), formatted with the offending value and the rule's constraint
    "required": ("required field is missing", "缺少必填字段"),
    "min": ("{value!r} is below the minimum {constraint}", "{value!r} 小于允许的最小值 {constraint}"),
    "max": ("{value!r} is above the maximum {constraint}", "{value!r} 大于允许的最大值 {constraint}"),
    "regex": (
        "{value!r} does not have the expected form ({constraint})",
        "{value!r} 格式不正确（应匹配 {constraint}）",
    ),
    "minlength": ("needs at least {constraint} item(s)", "至少需要 {constraint} 项"),
    "maxlength": ("allows at most {constraint} item(s)", "最多允许 {constraint} 项"),
    "empty": ("must not be empty", "不能为空"),
    "nullable": ("must have a value (it is empty)", "必须有值（当前为空）"),
}


class ModelValidator(Validator):
    """cerberus with an integer type that does not accept true/false, and a regular-expression check."""

    types_mapping: ClassVar[dict[str, TypeDefinition]] = dict(Validator.types_mapping)
    types_mapping["integer"] = TypeDefinition("integer", (int,), (bool,))

    def _check_with_regular_expression(self, field: str, value: str) -> None:
        try:
            re.compile(value)
        except re.error as error:
            self._error(field, f"not a valid regular expression: {error}")


def check(document: Positioned, schema: dict[str, Any], base: FieldPath = ()) -> list[Problem]:
    """Validate `document.data` at `base` against `schema`; one Problem per leaf error."""
    data = _at(document.data, base)
    if not isinstance(data, dict):
        return [document.problem(base, "expected a mapping of fields", "此处应为键值映射")]
    validator = ModelValidator(schema)
    validator.validate(data)
    return [_describe(document, schema, base, error) for error in _leaves(validator._errors)]


def _at(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _leaves(errors: list[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        if error.is_group_error:
            yield from _leaves(error.child_errors)
        else:
            yield error


def field_rules(schema: dict[str, Any], path: FieldPath) -> dict[str, Any] | None:
    """The rules that apply to the field at `path` (relative to the schema's document)."""
    rules: dict[str, Any] | None = {"type": "dict", "schema": schema}
    for part in path:
        if rules is None:
            return None
        if isinstance(part, int):
            rules = rules.get("schema") if rules.get("type") == "list" else None
        elif "schema" in rules and rules.get("type") == "dict":
            rules = rules["schema"].get(part)
        else:
            rules = rules.get("valuesrules")
    return rules


def _describe(document: Positioned, schema: dict[str, Any], base: FieldPath, error: ValidationError) -> Problem:
    relative = tuple(error.document_path)
    path = (*base, *relative)
    rule, constraint, value = error.rule, error.constraint, error.value
    rules = field_rules(schema, relative) or {}
    if error.code == 0x03:  # unknown field
        parent = field_rules(schema, relative[:-1]) or {}
        allowed = sorted(parent.get("schema", {})) if parent.get("type") == "dict" else []
        listed = ", ".join(allowed)
        english = f"unknown field {relative[-1]!r}" + (f"; expected one of: {listed}" if listed else "")
        chinese = f"未知字段 {relative[-1]!r}" + (f"；允许的字段：{listed}" if listed else "")
    elif rule in MESSAGES:
        english, chinese = (text.format(value=value, constraint=constraint) for text in MESSAGES[rule])
    elif rule in ("check_with", None) and error.info:
        detail = "; ".join(str(info) for info in error.info) or str(constraint)
        english = f"{value!r}: {detail}"
        chinese = f"{value!r} 不合要求：{detail}"
    elif rule == "type":
        want_en, want_zh = TYPE_WORDS.get(str(constraint), (str(constraint), str(constraint)))
        english = f"expected {want_en}, got {value!r}"
        chinese = f"类型错误：应为{want_zh}，实际为 {value!r}"
    elif rule in ("allowed", "forbidden"):
        choices = ", ".join(map(str, constraint))
        english = f"{value!r} is not allowed; expected one of: {choices}"
        chinese = f"取值 {value!r} 不被允许；允许的取值：{choices}"
    else:
        english = f"fails rule {rule!r} ({constraint!r})"
        chinese = f"不满足规则 {rule!r}（{constraint!r}）"
    meta = rules.get("meta") or {}
    if not meta and relative and isinstance(relative[-1], int):  # an item of a list: the list explains it
        meta = (field_rules(schema, relative[:-1]) or {}).get("meta") or {}
    if meta.get("expect_en"):
        english += f"; expected: {meta['expect_en']}"
        chinese += f"；要求：{meta.get('expect_zh', meta['expect_en'])}"
    return document.problem(path, english, chinese)
