"""The error every layer raises for bad input or a refused operation, in both languages."""

from __future__ import annotations


class BilingualError(Exception):
    """Bad input or a refused operation, said in English and in Chinese for security staff."""

    def __init__(self, english: str, chinese: str) -> None:
        super().__init__(english)
        self.english = english
        self.chinese = chinese
