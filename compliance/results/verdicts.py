"""The verdicts a result can carry, with the words an evaluator's record sheet uses."""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    """符合 / 部分符合 / 不符合 / 不适用 are GB/T 28448's words; the rest say why no decision was made."""

    PASS = "pass"
    PARTIAL = "partial"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    MANUAL = "manual"
    WAIVED = "waived"
    ERROR = "error"
    UNREACHABLE = "unreachable"

    @property
    def zh(self) -> str:
        return _CHINESE[self]

    @property
    def label(self) -> str:
        """`符合 pass`: both languages, as tables and messages show a verdict."""
        return f"{self.zh} {self.value}"

    @property
    def is_finding(self) -> bool:
        """Verdicts that make a scan exit 1: something is not met, or could not be looked at."""
        return self in (Verdict.FAIL, Verdict.PARTIAL, Verdict.ERROR, Verdict.UNREACHABLE)


_CHINESE = {
    Verdict.PASS: "符合",
    Verdict.PARTIAL: "部分符合",
    Verdict.FAIL: "不符合",
    Verdict.NOT_APPLICABLE: "不适用",
    Verdict.MANUAL: "人工核查",
    Verdict.WAIVED: "已豁免",
    Verdict.ERROR: "检查出错",
    Verdict.UNREACHABLE: "不可达",
}

# The order tables and summaries list verdicts in.
ORDER = (
    Verdict.PASS,
    Verdict.PARTIAL,
    Verdict.FAIL,
    Verdict.NOT_APPLICABLE,
    Verdict.MANUAL,
    Verdict.WAIVED,
    Verdict.ERROR,
    Verdict.UNREACHABLE,
)


def combine(verdicts: list[Verdict]) -> Verdict:
    """One item's verdict from the verdicts of the checks that implement it.

    All met → 符合; none met → 不符合; some met → 部分符合. An error anywhere makes the whole
    item undecided; checks that do not apply are left out unless none applies.
    """
    if not verdicts:
        return Verdict.MANUAL
    if Verdict.ERROR in verdicts:
        return Verdict.ERROR
    decided = [v for v in verdicts if v is not Verdict.NOT_APPLICABLE]
    if not decided:
        return Verdict.NOT_APPLICABLE
    if all(v is Verdict.PASS for v in decided):
        return Verdict.PASS
    if all(v is Verdict.FAIL for v in decided):
        return Verdict.FAIL
    return Verdict.PARTIAL
