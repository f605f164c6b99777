"""Login shells' idle timeout: where TMOUT is set, to what, and whether it is read-only."""

from __future__ import annotations

from dataclasses import dataclass

from compliance.kinds.linux.facts.text import as_int

READONLY_FORMS = ("readonly TMOUT", "declare -r TMOUT", "typeset -r TMOUT")


@dataclass(frozen=True)
class ShellTimeout:
    values: dict[str, int]  # file → TMOUT seconds
    readonly: bool


def parse_shell_timeout(output: str) -> ShellTimeout:
    """`grep -H TMOUT` over the profile files: `path:line`, comments ignored."""
    values: dict[str, int] = {}
    readonly = False
    for line in output.splitlines():
        path, _, text = line.partition(":")
        code = text.split("#", 1)[0]
        for word in code.replace(";", " ").split():
            if word.startswith("TMOUT="):
                seconds = as_int(word[len("TMOUT=") :])
                if seconds is not None:
                    values[path] = seconds
        readonly = readonly or any(form in code for form in READONLY_FORMS)
    return ShellTimeout(values, readonly)
