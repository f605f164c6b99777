"""The one error type the lab raises: a message in English and in Chinese."""

from __future__ import annotations


class LabError(RuntimeError):
    """A lab operation could not be completed; carries both languages for the operator."""

    def __init__(self, english: str, chinese: str) -> None:
        super().__init__(f"{chinese} / {english}")
        self.english = english
        self.chinese = chinese
