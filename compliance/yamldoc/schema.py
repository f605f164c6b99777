"""Checking a positioned document against a cerberus schema, with findings in both languages.

Schemas are data (the model's are `compliance/model/schemas/*.yml`, read by
`compliance.model.schema_files`). A field's `meta` may carry `expect_en`/`expect_zh`, a human
description of what is expected, which is added to its messages (for example the legal basis of
a minimum).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, ClassVar

from cerberus import TypeDefinition, Validator
from cerberus.errors import ValidationError

from compliance.yamldoc.formats import (
    cron_problem,
    duration_problem,
    host_address_problem,
    ipv4_network_problem,
    timer_problem,
)
from compliance.yamldoc.problems import Problem
from compliance.yamldoc.yamlpos import FieldPath, Positioned, Vaulted

TYPE_WORDS = {
    "integer": ("an integer", "整数"),
    "string": ("text", "字符串"),
    "boolean": ("true or false", "布尔值 true/false"),
    "list": ("a list", "列表"),
    "dict": ("a mapping", "键值映射"),
    "number": ("a number", "数字"),
    "date": ("a date (YYYY-MM-DD)", "日期（YYYY-MM-DD）"),
    "vaulted": ("an ansible-vault value (!vault, from ansible-vault encrypt_string)", "ansible-vault 加密值（!vault）"),
}


def written(document: Positioned, path: FieldPath, value: Any) -> str:
    """A value as the person wrote it (`no`, `027`, `'0640'`), or a description of what stands there."""
    text = document.written.get(path)
    if text is not None:
        return text
    if isinstance(value, Vaulted):
        return "an ansible-vault value"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "an empty value" if value is None else str(value)


def reading_note(text: str | None, value: Any) -> tuple[str, str] | None:
    """Why YAML read the text as something else than it looks: `no` → false, `027` → 23, a date with a time."""
    if text is None:
        return None
    if isinstance(value, bool) and text.lower() not in ("true", "false"):
        return (
            f"YAML reads an unquoted {text} as {str(value).lower()}; for text write '{text}' in quotes",
            f"YAML 把不带引号的 {text} 读作 {str(value).lower()}；如需文本请加引号写成 '{text}'",
        )
    if isinstance(value, int) and not isinstance(value, bool) and text != str(value):
        return (
            f"YAML reads {text} as the number {value}; write '{text}' in quotes if the text is meant",
            f"YAML 把 {text} 读作数字 {value}；如需原样的文本请加引号写成 '{text}'",
        )
    if isinstance(value, datetime):
        return ("a time of day is not allowed here: write the date alone", "此处不允许写时间：只写日期")
    return None


MESSAGES = {  # rule: (English, Chinese), formatted with the offending value and the rule's constraint
    "required": ("required field is missing", "缺少必填字段"),
    "min": ("{value} is below the minimum {constraint}", "{value} 小于允许的最小值 {constraint}"),
    "max": ("{value} is above the maximum {constraint}", "{value} 大于允许的最大值 {constraint}"),
    "regex": (
        "{value} does not have the expected form ({constraint})",
        "{value} 格式不正确（应匹配 {constraint}）",
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
    types_mapping["date"] = TypeDefinition("date", (date,), (datetime,))
    types_mapping["vaulted"] = TypeDefinition("vaulted", (Vaulted,), ())

    def _check_with_cron(self, field: str, value: str) -> None:
        self._format_error(field, cron_problem(value))

    def _check_with_timer(self, field: str, value: str) -> None:
        self._format_error(field, timer_problem(value))

    def _check_with_duration(self, field: str, value: str) -> None:
        self._format_error(field, duration_problem(value))

    def _check_with_host_address(self, field: str, value: str) -> None:
        self._format_error(field, host_address_problem(value))

    def _check_with_ipv4_network(self, field: str, value: str) -> None:
        self._format_error(field, ipv4_network_problem(value))

    def _format_error(self, field: str, problem: tuple[str, str] | None) -> None:
        if problem is not None:
            self._error(field, f"{problem[0]}\x00{problem[1]}")

    def _check_with_regular_expression(self, field: str, value: str) -> None:
        try:
            re.compile(value)
        except re.error as error:
            self._error(field, f"not a valid regular expression: {error}\x00不是合法的正则表达式：{error}")


def check(document: Positioned, schema: dict[str, Any], base: FieldPath = ()) -> list[Problem]:
    """Validate `document.data` at `base` against `schema`; one Problem per leaf error."""
    data = _at(document.data, base)
    if data is None and base == ():
        return [Problem(document.file, 1, 1, "", "the file is empty", "文件为空")]
    if isinstance(data, Vaulted) and base == ():
        english = "this file is encrypted with ansible-vault; it is not secret and must be readable as YAML"
        return [Problem(document.file, 1, 1, "", english, "该文件已用 ansible-vault 加密；它不含机密，须为可读的 YAML")]
    if not isinstance(data, dict):
        return [document.problem(base, "expected a mapping of fields", "此处应为键值映射")]
    validator = _validator(schema)
    validator.validate(data, normalize=False)  # no schema has defaults or coercions: nothing to normalise
    return [_describe(document, schema, base, error) for error in _leaves(validator._errors)]


_VALIDATORS: dict[int, tuple[dict[str, Any], ModelValidator]] = {}


def _validator(schema: dict[str, Any]) -> ModelValidator:
    """One validator per schema: cerberus checks a schema each time a validator is built from it, which
    cost ~7 ms a host when every host of an inventory built its own. (The schema is kept with it, so
    its id cannot be reused by another dict while cached.)"""
    cached = _VALIDATORS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, ModelValidator(schema))
        _VALIDATORS[id(schema)] = cached
    return cached[1]


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
    rule, constraint = error.rule, error.constraint
    value = written(document, path, error.value)
    rules = field_rules(schema, relative) or {}
    if error.code == 0x03:  # unknown field
        parent = field_rules(schema, relative[:-1]) or {}
        allowed = sorted(map(str, parent.get("schema", {}))) if parent.get("type") == "dict" else []
        listed = ", ".join(allowed)
        english = f"unknown field '{relative[-1]}'" + (f"; expected one of: {listed}" if listed else "")
        chinese = f"未知字段“{relative[-1]}”" + (f"；允许的字段：{listed}" if listed else "")
    elif rule in MESSAGES:
        english, chinese = (text.format(value=value, constraint=constraint) for text in MESSAGES[rule])
    elif rule in ("check_with", None) and error.info:
        details = [str(info).split("\x00") for info in error.info] or [[str(constraint)]]
        english = f"{value}: " + "; ".join(detail[0] for detail in details)
        chinese = f"{value} 不合要求：" + "；".join(detail[-1] for detail in details)
    elif rule == "type":
        wanted = constraint if isinstance(constraint, list) else [constraint]
        words = [TYPE_WORDS.get(str(kind), (str(kind), str(kind))) for kind in wanted]
        english = f"expected {' or '.join(en for en, _ in words)}, found {value}"
        chinese = f"类型错误：应为{'或'.join(zh for _, zh in words)}，实际为 {value}"
        note = reading_note(document.written.get(path), error.value)
        if note:
            english, chinese = f"{english}; {note[0]}", f"{chinese}；{note[1]}"
    elif rule in ("allowed", "forbidden"):
        choices = ", ".join(map(str, constraint))
        english = f"{value} is not allowed; expected one of: {choices}"
        chinese = f"取值 {value} 不被允许；允许的取值：{choices}"
    else:
        english = f"{value} does not meet the rule '{rule}' ({constraint})"
        chinese = f"{value} 不满足规则“{rule}”（{constraint}）"
    meta = rules.get("meta") or {}
    if not meta and relative and isinstance(relative[-1], int):  # an item of a list: the list explains it
        meta = (field_rules(schema, relative[:-1]) or {}).get("meta") or {}
    if meta.get("expect_en"):
        english += f"; expected: {meta['expect_en']}"
        chinese += f"；要求：{meta.get('expect_zh', meta['expect_en'])}"
    return document.problem(path, english, chinese)
