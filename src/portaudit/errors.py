"""Errors that end the analysis of one target (or the run) with a clear one-line message, and the
exit codes they lead to."""

from __future__ import annotations

import os

# Exit codes of every command (README "Exit codes"); the worst condition of a run wins.
EXIT_CLEAN = 0  # nothing at or above --fail-on
EXIT_FINDINGS = 1  # findings at or above --fail-on
EXIT_ERROR = 2  # the command line, a named path, a target, a configuration or a baseline is unusable
EXIT_INTERNAL = 3  # portaudit itself failed on something (a bug): the rest of the results were still written

# Target errors that come from a bug or a crash of an analyser, not from the input being unusable.
_INTERNAL_PREFIXES = ("internal error", "analyser crashed", "analyser process ended unexpectedly")


class InputError(Exception):
    """The input is unusable (corrupt, too big, hostile...).  The message names the problem;
    the caller adds the file name.  Never shown with a traceback."""


class LimitExceeded(InputError):
    """A configured resource limit was hit (size, ratio, entries, depth, time)."""


class Deadline(BaseException):
    """The per-target wall-time limit fired.  A BaseException so that analyzers'
    defensive ``except Exception`` handlers cannot swallow it."""


class ConfigError(Exception):
    """A configuration or baseline file that cannot be used.  ``str()`` is one line:
    ``FILE:LINE: problem``."""

    def __init__(self, path: str | os.PathLike, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


def internal_error(exc: BaseException, stage: str = "") -> str:
    """The target error for an exception nobody expected (``stage``: "while rendering"...)."""
    where = f" {stage}" if stage else ""
    return f"internal error{where} ({type(exc).__name__}: {exc}); please report it"


def is_internal(message: str) -> bool:
    return message.startswith(_INTERNAL_PREFIXES)
