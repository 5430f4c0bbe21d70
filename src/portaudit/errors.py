"""Errors that end the analysis of one target with a clear one-line message."""


class InputError(Exception):
    """The input is unusable (corrupt, too big, hostile...).  The message names the problem;
    the caller adds the file name.  Never shown with a traceback."""


class LimitExceeded(InputError):
    """A configured resource limit was hit (size, ratio, entries, depth, time)."""


class Deadline(BaseException):
    """The per-target wall-time limit fired.  A BaseException so that analyzers'
    defensive ``except Exception`` handlers cannot swallow it."""
