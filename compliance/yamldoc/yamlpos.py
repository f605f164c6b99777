"""YAML loading that remembers where every value came from, and refuses duplicate keys.

Validation errors must name the file, line and column; PyYAML's plain loaders forget
positions and silently keep the last of two duplicate keys. Here the node tree is
composed first, every mapping key and sequence item is recorded with its position, and
a repeated key is an error naming both lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from compliance.yamldoc.problems import ModelError, Problem, field_name

FieldPath = tuple[Any, ...]


@dataclass
class Positioned:
    """A loaded document and the (line, column) of every field path in it, 1-based."""

    data: Any
    file: str
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: FieldPath) -> tuple[int, int]:
        """Position of the field, or of its nearest ancestor that exists (for a missing key)."""
        for length in range(len(path), -1, -1):
            if path[:length] in self.positions:
                return self.positions[path[:length]]
        return (1, 1)

    def problem(self, path: FieldPath, english: str, chinese: str) -> Problem:
        line, column = self.where(path)
        return Problem(self.file, line, column, field_name(path), english, chinese)


def load(path: Path, shown_as: str) -> Positioned:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ModelError(
            Problem(shown_as, 1, 1, "", f"not UTF-8 text: {error}", f"文件不是 UTF-8 文本：{error}")
        ) from error
    return loads(text, shown_as)


def loads(text: str, shown_as: str) -> Positioned:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = f"{error.problem or ''} {error.context or ''}".strip()
        raise ModelError(
            Problem(shown_as, line, column, "", f"YAML syntax error: {reason}", f"YAML 语法错误：{reason}")
        ) from error
    document = Positioned(None, shown_as, {(): (1, 1)})
    if node is not None:
        document.data = _build(node, (), document)
    return document


def _build(node: yaml.Node, path: FieldPath, document: Positioned) -> Any:
    document.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                english, chinese = "YAML merge keys (<<) are not allowed", "不允许使用 YAML 合并键（<<）"
                raise ModelError(Problem(document.file, line, column, field_name(path), english, chinese))
            key = _scalar(key_node, document)
            child = (*path, key)
            if key in first_seen:
                line = key_node.start_mark.line + 1
                raise ModelError(
                    Problem(
                        document.file,
                        line,
                        key_node.start_mark.column + 1,
                        field_name(child),
                        f"duplicate key {key!r} (first at line {first_seen[key]})",
                        f"重复的键 {key!r}（首次出现在第 {first_seen[key]} 行）",
                    )
                )
            first_seen[key] = key_node.start_mark.line + 1
            document.positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _build(value_node, child, document)
            document.positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), document) for index, item in enumerate(node.value)]
    return _scalar(node, document)


def _scalar(node: yaml.Node, document: Positioned) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        raise ModelError(Problem(document.file, line, column, "", "a key must be a plain value", "键必须是简单值"))
    return _CONSTRUCTOR.construct_object(node, deep=True)


_CONSTRUCTOR = yaml.SafeLoader("")
