"""An inspection item's status: green, amber, red, an error (the value could not be read) or not applicable."""

from __future__ import annotations

from enum import Enum


class Status(Enum):
    RED = "red"
    ERROR = "error"
    AMBER = "amber"
    GREEN = "green"
    NOT_APPLICABLE = "not_applicable"

    @property
    def zh(self) -> str:
        return _ZH[self]

    @property
    def en(self) -> str:
        return _EN[self]

    @property
    def label(self) -> str:
        return f"{self.zh} {self.en}"

    @property
    def rank(self) -> int:
        """Worst first: red, error, amber, green, not applicable."""
        return list(Status).index(self)


_ZH = {
    Status.RED: "异常",
    Status.ERROR: "无法读取",
    Status.AMBER: "关注",
    Status.GREEN: "正常",
    Status.NOT_APPLICABLE: "不适用",
}
_EN = {
    Status.RED: "red",
    Status.ERROR: "error",
    Status.AMBER: "amber",
    Status.GREEN: "green",
    Status.NOT_APPLICABLE: "not applicable",
}


def worst(statuses: list[Status]) -> Status:
    """The worst of several statuses; green when there are none."""
    return min(statuses, key=lambda status: status.rank, default=Status.GREEN)


def against(value: float, threshold: dict[str, float]) -> Status:
    """Red at or above `red`, amber at or above `amber`, else green."""
    if value >= threshold["red"]:
        return Status.RED
    if value >= threshold["amber"]:
        return Status.AMBER
    return Status.GREEN
