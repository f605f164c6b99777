"""YAML loading that remembers where every value came from and refuses what it cannot read safely.

Validation errors must name the file, line and column; PyYAML's plain loaders forget
positions and silently keep the last of two duplicate keys. Here the node tree is
composed first, every mapping key and sequence item is recorded with its position, and
a repeated key is an error naming both lines.

Every way a document can fail to be read becomes a `ModelError` with a place and both
languages, never a traceback: control characters, unknown tags (`!!python/name`), values
their tag cannot construct (`!!int 1k`, `2027-02-30`), alias bombs, deep nesting, files
that cannot be opened. Ansible-vault values (`!vault |`) are kept encrypted as `Vaulted`.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from compliance.yamldoc.problems import ModelError, Problem, field_name

FieldPath = tuple[Any, ...]

MAX_DEPTH = 48  # a model is a few levels deep; Ansible inventories rarely pass ten
MAX_ALIAS_USES = 64  # aliases are legal YAML, but each use copies a subtree: a few dozen is plenty
MAX_VALUES = 200_000  # values one document may expand to (a 1,000-host inventory has about 20,000)
VAULT_TAG = "!vault"
SAFE_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "map", "seq")
}
TAG_MEANINGS = {  # a tag's value that does not construct: what it was meant to be, and how to write it
    "tag:yaml.org,2002:int": ("an integer", "整数", "write digits only, such as 1000", "只写数字，例如 1000"),
    "tag:yaml.org,2002:float": ("a number", "数字", "write a number such as 0.5", "写成数字，例如 0.5"),
    "tag:yaml.org,2002:bool": ("true or false", "布尔值", "write true or false", "写 true 或 false"),
    "tag:yaml.org,2002:timestamp": (
        "a date",
        "日期",
        "no such day: write a real date as YYYY-MM-DD",
        "该日期不存在：请写成真实的 YYYY-MM-DD 日期",
    ),
    "tag:yaml.org,2002:binary": ("base64 data", "base64 数据", "write valid base64", "请写合法的 base64"),
}


@dataclass(frozen=True)
class Vaulted:
    """An ansible-vault encrypted value (`!vault |`), kept as written: this tool never decrypts it."""

    ciphertext: str

    def __str__(self) -> str:
        return "<vaulted>"


@dataclass
class Positioned:
    """A loaded document and the (line, column) of every field path in it, 1-based."""

    data: Any
    file: str
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    written: dict[FieldPath, str] = field(default_factory=dict)  # each scalar value's text as written

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
    """Read and load one file; anything that stops it from being read is a ModelError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ModelError(
            Problem(shown_as, 1, 1, "", f"cannot be read: {reason}", f"无法读取该文件：{reason}")
        ) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(data, error.start)
        raise ModelError(
            Problem(
                shown_as,
                line,
                column,
                "",
                f"not UTF-8 text: byte 0x{data[error.start]:02x} cannot be decoded; save the file as UTF-8",
                f"文件不是 UTF-8 编码：字节 0x{data[error.start]:02x} 无法解码；请以 UTF-8 保存",
            )
        ) from error
    if text.startswith("$ANSIBLE_VAULT;"):  # a whole file encrypted with ansible-vault: kept as it is
        return Positioned(Vaulted(text.strip()), shown_as, {(): (1, 1)})
    return loads(text, shown_as)


def loads(text: str, shown_as: str) -> Positioned:
    """Load YAML text; the result's data holds plain values, `Vaulted` for `!vault` ones."""
    node = _compose(text, shown_as)
    document = Positioned(None, shown_as, {(): (1, 1)})
    if node is not None:
        document.data = _Builder(document).build(node, ())
    return document


FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml: about 5x faster on a 1,000-host inventory


def _compose(text: str, shown_as: str) -> yaml.Node | None:
    """The document's node tree, with libyaml where it is installed; a text it refuses is read again by
    the Python loader, whose errors carry the offending character and its position."""
    if FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=FAST_LOADER)
        except yaml.YAMLError:
            pass
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as error:
        line, column = _line_and_column(text, error.position)
        code = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        raise ModelError(
            Problem(
                shown_as,
                line,
                column,
                "",
                f"control character {code} is not allowed in YAML; remove it (only tab and newline may appear)",
                f"YAML 中不允许控制字符 {code}；请删除（只允许制表符和换行）",
            )
        ) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = f"{error.problem or ''} {error.context or ''}".strip()
        raise ModelError(
            Problem(
                shown_as,
                line,
                column,
                "",
                f"YAML syntax error: {reason}",
                f"YAML 语法错误：{syntax_in_chinese(reason)}",
            )
        ) from error
    except yaml.YAMLError as error:
        raise ModelError(Problem(shown_as, 1, 1, "", f"YAML error: {error}", f"YAML 错误：{error}")) from error
    except RecursionError as error:
        line, column = _too_deep_at(text)
        raise ModelError(_too_deep(shown_as, line, column, "")) from error


SYNTAX_ZH = (  # PyYAML's problem texts, most specific first, and what they mean in Chinese
    ("mapping values are not allowed", "此处不允许出现“键: 值”（常见原因：缩进错误，或取值中的冒号未加引号）"),
    ("could not find expected ':'", "缺少“:”（常见原因：缩进错误或引号未闭合）"),
    ("expected <block end>", "缩进不一致：上一层的内容没有在此处正确结束"),
    ("cannot start any token", "该字符不能出现在此处（缩进只能用空格，不能用制表符）"),
    ("found undefined alias", "引用了未定义的别名（*name）"),
    ("expected ',' or ']'", "方括号列表中缺少“,”或“]”"),
    ("expected ',' or '}'", "花括号映射中缺少“,”或“}”"),
    ("found unexpected end of stream", "文件意外结束（引号或括号未闭合）"),
    ("but found another document", "出现了第二个文档（---）；一个文件只能有一个文档"),
    ("expected '<document start>'", "此处应为文档开始（---）"),
    ("found duplicate anchor", "锚点（&name）重复定义"),
    ("found unknown escape character", "双引号字符串中有无法识别的转义字符"),
    ("expected alphabetic or numeric character", "别名或锚点名称中有非法字符"),
    ("expected a comment or a line break", "此处应为注释或换行"),
    ("found a tab character", "制表符不能用于缩进"),
)


def syntax_in_chinese(reason: str) -> str:
    """A Chinese explanation of PyYAML's English problem text (the English stays in its own line)."""
    for english, chinese in SYNTAX_ZH:
        if english in reason:
            return chinese
    return "文件结构不符合 YAML 语法（详见英文说明）"


def _line_and_column(text: str | bytes, position: int) -> tuple[int, int]:
    """1-based line and column of a character (in text) or a byte (in undecoded data)."""
    newline = "\n" if isinstance(text, str) else b"\n"
    line = text.count(newline, 0, position) + 1  # type: ignore[arg-type]
    return line, position - (text.rfind(newline, 0, position) + 1) + 1  # type: ignore[arg-type]


def _too_deep_at(text: str) -> tuple[int, int]:
    """Where nesting first passes MAX_DEPTH, found with the (non-recursive) event parser."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line + 1, event.start_mark.column + 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return 1, 1


def _too_deep(file: str, line: int, column: int, where: str) -> Problem:
    return Problem(
        file,
        line,
        column,
        where,
        f"nested more than {MAX_DEPTH} levels deep; a model file never needs that",
        f"嵌套超过 {MAX_DEPTH} 层；模型文件不需要这么深的嵌套",
    )


class _Builder:
    """Turns a composed node tree into plain values, recording positions and refusing what is unsafe."""

    def __init__(self, document: Positioned) -> None:
        self.document = document
        self.built = 0
        self.alias_uses = 0
        self.alias_depth = 0
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, path: FieldPath, english: str, chinese: str) -> ModelError:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        return ModelError(Problem(self.document.file, line, column, field_name(path), english, chinese))

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        reused = isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and id(node) in self.seen
        self.alias_depth += reused
        try:
            if self.alias_depth and path:  # inside an alias: the place of use, not of the anchor
                self.document.positions[path] = self.document.positions[path[:-1]]
            else:
                self.document.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
            self._count(node, path, reused)
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                self._tag(node, path, "tag:yaml.org,2002:seq")
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            return self.scalar(node, path)
        finally:
            self.alias_depth -= reused

    def _count(self, node: yaml.Node, path: FieldPath, reused: bool) -> None:
        self.built += 1
        if len(path) > MAX_DEPTH:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            raise ModelError(_too_deep(self.document.file, line, column, field_name(path[:MAX_DEPTH])))
        if reused:
            self.alias_uses += 1
            if self.alias_uses > MAX_ALIAS_USES:
                raise ModelError(
                    self.document.problem(
                        path,
                        f"more than {MAX_ALIAS_USES} uses of YAML aliases (*name); write the values out",
                        f"YAML 别名（*name）使用超过 {MAX_ALIAS_USES} 次；请直接写出取值",
                    )
                )
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            self.seen.add(id(node))
        if self.built > MAX_VALUES:
            raise ModelError(
                self.document.problem(
                    path,
                    f"the document expands to more than {MAX_VALUES} values; split it or remove aliases",
                    f"文档展开后超过 {MAX_VALUES} 个值；请拆分文件或去掉别名",
                )
            )

    def _mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[Any, Any]:
        self._tag(node, path, "tag:yaml.org,2002:map")
        result: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, path, "YAML merge keys (<<) are not allowed", "不允许使用 YAML 合并键（<<）")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, path, "a key must be a plain value", "键必须是简单值")
            key = self.scalar(key_node, path, is_key=True)
            if isinstance(key, Vaulted):
                raise self.fail(key_node, path, "a key cannot be vaulted", "键不能加密（!vault）")
            child = (*path, key)
            if key in first_seen:
                raise self.fail(
                    key_node,
                    child,
                    f"duplicate key {key!r} (first at line {first_seen[key]})",
                    f"重复的键 {key!r}（首次出现在第 {first_seen[key]} 行）",
                )
            first_seen[key] = key_node.start_mark.line + 1
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            self.document.positions[child] = position
            result[key] = self.build(value_node, child)
            self.document.positions[child] = position
        return result

    def _tag(self, node: yaml.Node, path: FieldPath, expected: str) -> None:
        if node.tag != expected:
            raise self._unknown_tag(node, path)

    def _unknown_tag(self, node: yaml.Node, path: FieldPath) -> ModelError:
        shown = node.tag.replace("tag:yaml.org,2002:", "!!")
        return self.fail(
            node,
            path,
            f"YAML tag {shown} is not allowed here; write the plain value (only !vault and the standard tags are read)",
            f"此处不允许 YAML 标签 {shown}；请直接写出取值（只接受 !vault 与标准标签）",
        )

    def scalar(self, node: yaml.ScalarNode, path: FieldPath, is_key: bool = False) -> Any:
        if not is_key:
            quote = node.style if node.style in ("'", '"') else ""
            shown = f"{quote}{node.value}{quote}" if node.tag != VAULT_TAG else "!vault …"
            self.document.written[path] = shown
        if node.tag == VAULT_TAG:
            return self._vaulted(node, path)
        if node.tag not in SAFE_TAGS:
            raise self._unknown_tag(node, path)
        try:
            return _CONSTRUCTOR.construct_object(node, deep=True)
        except (
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            OverflowError,
            binascii.Error,
            yaml.YAMLError,
        ) as error:
            meant_en, meant_zh, how_en, how_zh = TAG_MEANINGS.get(
                node.tag, ("a value", "取值", "write it as plain text", "请写成普通文本")
            )
            raise self.fail(
                node,
                path,
                f"'{node.value}' cannot be read as {meant_en}: {how_en}",
                f"“{node.value}”不能作为{meant_zh}读取：{how_zh}",
            ) from error
        finally:
            _CONSTRUCTOR.constructed_objects.clear()

    def _vaulted(self, node: yaml.ScalarNode, path: FieldPath) -> Vaulted:
        text = node.value.strip()
        if not text.startswith("$ANSIBLE_VAULT;"):
            raise self.fail(
                node,
                path,
                "a !vault value must be ansible-vault ciphertext starting with $ANSIBLE_VAULT; (use"
                " `ansible-vault encrypt_string`)",
                "!vault 取值必须是以 $ANSIBLE_VAULT; 开头的 ansible-vault 密文"
                "（请用 ansible-vault encrypt_string 生成）",
            )
        return Vaulted(text)


_CONSTRUCTOR = yaml.SafeLoader("")
